/* SPDX-License-Identifier: MIT */
/* buf.c: the growable, size-capped byte string (see lg.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg.h"

char lg_buf_empty[1];

void lg_buf_init(struct lg_buf *b, size_t max)
{
	b->buf = lg_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

static size_t buf_max(const struct lg_buf *b)
{
	return b->max ? b->max : LG_BUF_DEFAULT_MAX;
}

/* Make room for n more bytes plus the NUL, or say it would pass the cap. */
static enum lg_err buf_grow(struct lg_buf *b, size_t n)
{
	size_t want;

	if (n > buf_max(b) - b->len)
		return LG_ETOOBIG;
	want = b->len + n + 1;
	if (want <= b->alloc)
		return LG_OK;
	if (want < b->alloc * 2)
		want = b->alloc * 2;
	if (want < 64)
		want = 64;
	if (b->alloc == 0) {
		b->buf = lg_xmalloc(want);
		b->buf[0] = '\0';
	} else {
		b->buf = lg_xrealloc(b->buf, want);
	}
	b->alloc = want;
	return LG_OK;
}

enum lg_err lg_buf_add(struct lg_buf *b, const void *data, size_t n)
{
	if (buf_grow(b, n) != LG_OK)
		return LG_ETOOBIG;
	if (n)
		memcpy(b->buf + b->len, data, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return LG_OK;
}

enum lg_err lg_buf_adds(struct lg_buf *b, const char *s)
{
	return lg_buf_add(b, s, strlen(s));
}

enum lg_err lg_buf_vaddf(struct lg_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		lg_die("bad format '%s'", fmt);
	if (buf_grow(b, (size_t)n) != LG_OK)
		return LG_ETOOBIG;
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return LG_OK;
}

enum lg_err lg_buf_addf(struct lg_buf *b, const char *fmt, ...)
{
	va_list ap;
	enum lg_err rc;

	va_start(ap, fmt);
	rc = lg_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void lg_buf_reset(struct lg_buf *b)
{
	/* lg_buf_empty is shared by every thread: never write to it. */
	b->len = 0;
	if (b->alloc)
		b->buf[0] = '\0';
}

void lg_buf_release(struct lg_buf *b)
{
	if (b->alloc)
		free(b->buf);
	lg_buf_init(b, b->max);
}

char *lg_buf_detach(struct lg_buf *b, size_t *len)
{
	char *p;

	if (len)
		*len = b->len;
	p = b->alloc ? b->buf : lg_xstrdup("");
	lg_buf_init(b, b->max);
	return p;
}

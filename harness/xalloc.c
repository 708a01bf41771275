/* SPDX-License-Identifier: MIT */
/* xalloc.c: allocation that never returns NULL, and the error record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg.h"

void lg_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("labgrade: fatal: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void *lg_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		lg_die("out of memory allocating %zu bytes", n);
	return p;
}

void *lg_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		lg_die("out of memory allocating %zu x %zu bytes", nmemb, size);
	return p;
}

void *lg_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		lg_die("out of memory allocating %zu bytes", n);
	return q;
}

char *lg_xstrdup(const char *s)
{
	return lg_xstrndup(s, strlen(s));
}

char *lg_xstrndup(const char *s, size_t n)
{
	char *p;
	size_t len = strnlen(s, n);

	p = lg_xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *lg_xvasprintf(const char *fmt, va_list ap)
{
	char *p = NULL;

	/* vasprintf fails only for lack of memory (or a bad format). */
	if (vasprintf(&p, fmt, ap) < 0)
		lg_die("out of memory formatting a message");
	return p;
}

char *lg_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = lg_xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void lg_freep(char **p)
{
	free(*p);
	*p = NULL;
}

void lg_secret_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

void lg_secret_free(char *s)
{
	if (s)
		lg_secret_wipe(s, strlen(s));
	free(s);
}

void lg_secret_free_n(void *p, size_t n)
{
	lg_secret_wipe(p, n);
	free(p);
}

static const char *const err_text[] = {
    [LG_OK] = "no error",
    [LG_EUSAGE] = "bad invocation",
    [LG_EIO] = "a local file could not be read or written",
    [LG_EPARSE] = "the input could not be parsed",
    [LG_EHTTP] = "the connection to the server failed",
    [LG_ETIMEOUT] = "the server did not answer in time",
    [LG_EAUTH] = "the server did not accept the credentials",
    [LG_EFORBIDDEN] = "the request was forbidden by RBAC",
    [LG_ENOTFOUND] = "the object was not found",
    [LG_ECONFLICT] = "the object changed meanwhile (conflict)",
    [LG_ESERVER] = "the server failed to answer",
    [LG_ECONFIG] = "the configuration is not valid",
    [LG_ESSH] = "the SSH connection failed",
    [LG_ETOOBIG] = "the response was larger than allowed",
    [LG_ECRED] = "the credential plugin failed",
    [LG_EINVALID] = "the server rejected the object as invalid",
};

const char *lg_strerror(enum lg_err code)
{
	if ((unsigned)code >= LG_ARRAY_SIZE(err_text) || !err_text[code])
		return "unknown error";
	return err_text[code];
}

/*
 * A message longer than the record (a 100 KB KUBECONFIG list, say) ends in
 * "..." so that the cut shows, at a UTF-8 character boundary.
 */
static void mark_cut(char *msg, size_t size)
{
	size_t end = size - 4;

	while (end > 0 && ((unsigned char)msg[end] & 0xC0) == 0x80)
		end--;
	memcpy(msg + end, "...", 4);
}

enum lg_err lg_errorf(struct lg_error *err, enum lg_err code, const char *fmt,
		      ...)
{
	va_list ap;

	int n;

	if (!err || err->code != LG_OK)
		return code;
	err->code = code;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(err->msg))
		mark_cut(err->msg, sizeof(err->msg));
	return code;
}

void lg_error_clear(struct lg_error *err)
{
	err->code = LG_OK;
	err->msg[0] = '\0';
}

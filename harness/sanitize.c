/* SPDX-License-Identifier: MIT */
/* sanitize.c: strips controls, escapes, bidi and bad UTF-8 from outside text.
 */
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

/* U+FFFD, shown instead of bytes that are not UTF-8. */
static const char replacement[] = "\xef\xbf\xbd";

/* The length of the sequence a lead byte starts (0: not a lead byte), the
 * bits it carries in *c and the smallest code point of that length. */
static size_t utf8_lead(uint32_t *c, uint32_t *min)
{
	if (*c >= 0xc2 && *c <= 0xdf) {
		*c &= 0x1f, *min = 0x80;
		return 2;
	}
	if (*c >= 0xe0 && *c <= 0xef) {
		*c &= 0x0f, *min = 0x800;
		return 3;
	}
	if (*c >= 0xf0 && *c <= 0xf4) {
		*c &= 0x07, *min = 0x10000;
		return 4;
	}
	return 0;
}

size_t lg_utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0], min = 0;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	n = utf8_lead(&c, &min);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (n == 0 || c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* C0, DEL, C1 and the bidi controls that reorder what follows them. */
static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The end of a control string (OSC, DCS...) started before s: BEL, ST
 * (ESC \ or U+009C) or the end of the text. */
static size_t string_len(const unsigned char *s)
{
	size_t i;

	for (i = 0; s[i] && s[i] != 0x07 && s[i] != 0x1b; i++)
		if (s[i] == 0xc2 && s[i + 1] == 0x9c)
			return i + 2;
	if (s[i] == 0x07)
		return i + 1;
	return s[i] == 0x1b && s[i + 1] == '\\' ? i + 2 : i;
}

/* The parameters and final byte of a CSI that started before s. */
static size_t csi_len(const unsigned char *s)
{
	size_t i;

	for (i = 0; s[i] >= 0x20 && s[i] <= 0x3f; i++)
		;
	return s[i] >= 0x40 && s[i] <= 0x7e ? i + 1 : i;
}

/* ESC [ to the CSI's final byte; ESC ] P _ ^ to BEL or ST; any other ESC
 * takes one character more. */
static size_t esc_len(const unsigned char *s)
{
	if (s[1] == '[')
		return 2 + csi_len(s + 2);
	if (s[1] && strchr("]P_^", s[1]))
		return 2 + string_len(s + 2);
	return s[1] ? 2 : 1;
}

/* U+009B (CSI) and U+009D U+0090 U+009E U+009F (OSC DCS PM APC) in UTF-8:
 * what terminals that honour C1 read as ESC [ and ESC ] P ^ _. */
static size_t c1_len(const unsigned char *s)
{
	if (s[1] == 0x9b)
		return 2 + csi_len(s + 2);
	if (s[1] == 0x9d || s[1] == 0x90 || s[1] == 0x9e || s[1] == 0x9f)
		return 2 + string_len(s + 2);
	return 0;
}

/* The length of the escape sequence at s, or 0 when s starts none. */
static size_t escape_len(const unsigned char *s)
{
	if (s[0] == 0x1b)
		return esc_len(s);
	return s[0] == 0xc2 ? c1_len(s) : 0;
}

static void add_cp(struct lg_buf *b, uint32_t cp, const unsigned char *p,
		   size_t n, enum lg_san_mode mode)
{
	if (cp == '\n' || cp == '\t')
		lg_buf_add(b, mode == LG_SAN_LINE ? " " : (const char *)p, 1);
	else if (cp == '\r' && mode == LG_SAN_LINE)
		lg_buf_adds(b, " ");
	else if (!is_control(cp))
		lg_buf_add(b, p, n);
}

void lg_sanitize(struct lg_buf *b, const char *s, enum lg_san_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	while (p && *p) {
		n = escape_len(p);
		if (n) {
			p += n;
			continue;
		}
		n = lg_utf8_decode(p, &cp);
		if (n == 0) {
			lg_buf_adds(b, replacement);
			p++;
			continue;
		}
		add_cp(b, cp, p, n, mode);
		p += n;
	}
}

char *lg_sanitize_dup(const char *s, enum lg_san_mode mode)
{
	struct lg_buf b;

	lg_buf_init(&b, SIZE_MAX);
	lg_sanitize(&b, s, mode);
	return lg_buf_detach(&b, NULL);
}

void lg_print_line(FILE *f, const char *prefix, const char *msg)
{
	char *clean = lg_sanitize_dup(msg, LG_SAN_LINE);

	fprintf(f, "%s%s\n", prefix ? prefix : "", clean);
	free(clean);
}

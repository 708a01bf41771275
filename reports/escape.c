/* SPDX-License-Identifier: MIT */
/* escape.c: makes untrusted strings harmless in XML, Markdown and terminals. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "report.h"

enum esc_mode { ESC_XML, ESC_XML_ATTR, ESC_MD, ESC_TERM, ESC_UTF8 };

/* U+FFFD, shown instead of bytes that are not UTF-8 or not allowed. */
static const char replacement[] = "\xef\xbf\xbd";

/*
 * The length of the valid UTF-8 sequence at s and its code point, or 0.
 * Overlong forms, surrogates and values past U+10FFFF are invalid; a NUL
 * inside a sequence ends it, so this never reads past the string.
 */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * The length of the terminal escape sequence at s (s[0] is ESC): CSI runs
 * to its final byte, OSC/DCS/APC/PM strings to BEL or ST, anything else is
 * ESC plus one character. Stripping the whole sequence, not only ESC,
 * keeps "[31m" debris out of reports.
 */
static size_t esc_len(const unsigned char *s)
{
	size_t i;

	if (s[1] == '[') {
		for (i = 2; s[i] >= 0x20 && s[i] <= 0x3f; i++)
			;
		return s[i] >= 0x40 && s[i] <= 0x7e ? i + 1 : i;
	}
	if (s[1] && strchr("]P_^", s[1])) {
		for (i = 2; s[i] && s[i] != 0x07 && s[i] != 0x1b; i++)
			;
		if (s[i] == 0x07)
			return i + 1;
		return s[i] == 0x1b && s[i + 1] == '\\' ? i + 2 : i;
	}
	return s[1] ? 2 : 1;
}

/* Controls that can move a cursor or reorder text: C0, DEL, C1, bidi. */
static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static void add_char(struct lg_buf *b, char c)
{
	lg_buf_add(b, &c, 1);
}

/*
 * XML 1.0 allows only tab, newline and carriage return below U+0020, and
 * neither U+FFFE nor U+FFFF. In attributes those three are written as
 * references, or the parser would turn them into spaces.
 */
static void xml_cp(struct lg_buf *b, bool attr, uint32_t cp,
		   const unsigned char *p, size_t n)
{
	switch (cp) {
	case '&':
		lg_buf_adds(b, "&amp;");
		return;
	case '<':
		lg_buf_adds(b, "&lt;");
		return;
	case '>':
		lg_buf_adds(b, "&gt;");
		return;
	case '"':
		lg_buf_adds(b, "&quot;");
		return;
	case '\'':
		lg_buf_adds(b, "&apos;");
		return;
	case '\t':
	case '\n':
	case '\r':
		if (attr)
			lg_buf_addf(b, "&#%u;", (unsigned)cp);
		else
			add_char(b, (char)cp);
		return;
	}
	if (cp < 0x20 || cp == 0xfffe || cp == 0xffff)
		lg_buf_adds(b, replacement);
	else
		lg_buf_add(b, p, n);
}

/* Markdown state: block syntax (#, -, 1.) only matters at the start. */
enum md_lead { MD_START = 0, MD_DIGITS, MD_TEXT };

/*
 * Could a list marker or break end here? Only a letter or digit next makes
 * sure it does not (what comes next may be a space, a line break or a
 * control character that escaping drops).
 */
static bool md_marker_ends(unsigned char next)
{
	return !isalnum(next);
}

/*
 * At the start of the text, what a renderer would read as a heading, list
 * item, thematic break or setext underline gets a backslash: "- x" could
 * open a nested list in a list item. "v1.24" or "-n" stay as they are.
 */
static bool md_block_start(struct lg_buf *b, enum md_lead *lead, uint32_t cp,
			   unsigned char next)
{
	bool marker = false;

	if (*lead == MD_START)
		marker = cp == '#' || cp == '=' ||
			 ((cp == '-' || cp == '+') && md_marker_ends(next));
	else if (*lead == MD_DIGITS)
		marker = (cp == '.' || cp == ')') && md_marker_ends(next);
	if (marker) {
		add_char(b, '\\');
		add_char(b, (char)cp);
		*lead = MD_TEXT;
		return true;
	}
	if (*lead != MD_TEXT && cp >= '0' && cp <= '9') {
		add_char(b, (char)cp);
		*lead = MD_DIGITS;
		return true;
	}
	return false;
}

/*
 * One line of inline Markdown that no renderer reads as markup: entities for
 * HTML, backslashes for emphasis, code, links and table pipes, whitespace
 * folded to spaces so a table row stays one line.
 */
static void md_cp(struct lg_buf *b, enum md_lead *lead, uint32_t cp,
		  const unsigned char *p, size_t n)
{
	if (cp == '\t' || cp == '\n' || cp == '\r')
		cp = ' ';
	if (is_control(cp) || (cp == ' ' && *lead == MD_START))
		return;
	if (md_block_start(b, lead, cp, p[n]))
		return;
	*lead = MD_TEXT;
	if (cp == '&')
		lg_buf_adds(b, "&amp;");
	else if (cp == '<')
		lg_buf_adds(b, "&lt;");
	else if (cp == '>')
		lg_buf_adds(b, "&gt;");
	else if (cp < 0x80 && cp != ' ' && strchr("|\\`*_[]~", (int)cp))
		lg_buf_addf(b, "\\%c", (char)cp);
	else if (cp == ' ')
		add_char(b, ' ');
	else
		lg_buf_add(b, p, n);
}

static void term_cp(struct lg_buf *b, uint32_t cp, const unsigned char *p,
		    size_t n)
{
	if (cp == '\t' || cp == '\n' || cp == '\r')
		add_char(b, ' ');
	else if (!is_control(cp))
		lg_buf_add(b, p, n);
}

static void escape(struct lg_buf *b, const char *s, enum esc_mode m)
{
	const unsigned char *p = (const unsigned char *)s;
	enum md_lead lead = MD_START;
	uint32_t cp;
	size_t n;

	if (!s)
		return;
	while (*p) {
		if (*p == 0x1b && (m == ESC_MD || m == ESC_TERM)) {
			p += esc_len(p);
			continue;
		}
		n = utf8_decode(p, &cp);
		if (n == 0) {
			lg_buf_adds(b, replacement);
			p++;
			continue;
		}
		if (m == ESC_MD)
			md_cp(b, &lead, cp, p, n);
		else if (m == ESC_TERM)
			term_cp(b, cp, p, n);
		else if (m == ESC_UTF8)
			lg_buf_add(b, p, n);
		else
			xml_cp(b, m == ESC_XML_ATTR, cp, p, n);
		p += n;
	}
}

void lg_escape_xml(struct lg_buf *b, const char *s)
{
	escape(b, s, ESC_XML);
}

void lg_escape_xml_attr(struct lg_buf *b, const char *s)
{
	escape(b, s, ESC_XML_ATTR);
}

void lg_escape_md(struct lg_buf *b, const char *s)
{
	escape(b, s, ESC_MD);
}

void lg_escape_term(struct lg_buf *b, const char *s)
{
	escape(b, s, ESC_TERM);
}

void lg_escape_utf8(struct lg_buf *b, const char *s)
{
	escape(b, s, ESC_UTF8);
}

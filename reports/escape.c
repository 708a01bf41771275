/* SPDX-License-Identifier: MIT */
/* escape.c: makes untrusted strings harmless in XML, Markdown and terminals. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "../harness/sanitize.h"
#include "report.h"

enum esc_mode { ESC_XML, ESC_XML_ATTR, ESC_MD, ESC_TERM, ESC_UTF8 };

/* U+FFFD, shown instead of characters XML does not allow. */
static const char replacement[] = "\xef\xbf\xbd";

static void add_char(struct lg_buf *b, char c)
{
	lg_buf_add(b, &c, 1);
}

/*
 * The text is sanitised already (no controls, no line breaks); XML 1.0 also
 * refuses U+FFFE and U+FFFF. Attribute and element text escape alike.
 */
static void xml_cp(struct lg_buf *b, uint32_t cp, const unsigned char *p,
		   size_t n)
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
	}
	if (cp == 0xfffe || cp == 0xffff)
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
	if (cp == ' ' && *lead == MD_START)
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

/*
 * Every mode starts from lg_sanitize()'s one-line form (one filter for all
 * sinks: no controls, escapes, bidi or bad UTF-8, line breaks as spaces),
 * then adds the format's own escaping. Terminal and JSON need none beyond
 * it (cJSON escapes quotes and backslashes itself).
 */
static void escape(struct lg_buf *b, const char *s, enum esc_mode m)
{
	struct lg_buf clean;
	const unsigned char *p;
	enum md_lead lead = MD_START;
	uint32_t cp;
	size_t n;

	lg_buf_init(&clean, SIZE_MAX);
	lg_sanitize(&clean, s, LG_SAN_LINE);
	for (p = (const unsigned char *)clean.buf; *p; p += n) {
		n = lg_utf8_decode(p, &cp);
		if (m == ESC_MD)
			md_cp(b, &lead, cp, p, n);
		else if (m == ESC_XML || m == ESC_XML_ATTR)
			xml_cp(b, cp, p, n);
		else
			lg_buf_add(b, p, n);
	}
	lg_buf_release(&clean);
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

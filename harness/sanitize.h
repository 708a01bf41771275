/* SPDX-License-Identifier: MIT */
/* sanitize.h: the one filter for text that came from outside labgrade. */
#ifndef LG_SANITIZE_H
#define LG_SANITIZE_H

#include <stdint.h>
#include <stdio.h>

#include "lg.h"

/*
 * Every string labgrade did not write itself (API answers, kubeconfig and
 * rubric values, server URLs, plugin output) passes through lg_sanitize()
 * before it reaches a terminal, a report or a log line. The result is valid
 * UTF-8 with nothing that could move a cursor, rewrite a clipboard or
 * reorder text:
 *  - a terminal escape sequence (ESC, or a C1 CSI/OSC/DCS/PM/APC, raw in
 *    UTF-8 as U+009B...) is dropped whole, so no "[2J" debris is left;
 *  - other C0 and C1 controls and DEL are dropped;
 *  - bidi embeddings, overrides and isolates (U+202A..U+202E,
 *    U+2066..U+2069) are dropped: they make a terminal or a web page show
 *    text in another order than it is;
 *  - every byte that is not UTF-8 becomes U+FFFD;
 *  - LG_SAN_LINE: CR, LF and tab become one space each, so a field stays
 *    on its line and cannot forge another line of a report;
 *    LG_SAN_BLOCK keeps LF and tab (text that is several lines by design).
 * The escaping of each format (XML, Markdown, JSON) is applied after this.
 * @test tests/unit/test_sanitize.c
 */
enum lg_san_mode { LG_SAN_LINE, LG_SAN_BLOCK };

/* Append the sanitised s (NULL appends nothing) to b. */
void lg_sanitize(struct lg_buf *b, const char *s, enum lg_san_mode mode);
/* The sanitised copy of s as a new string (caller frees); "" for NULL. */
char *lg_sanitize_dup(const char *s, enum lg_san_mode mode);

/*
 * "PREFIXmsg\n" on f with msg sanitised as one line: every message that may
 * quote the outside world (an API Status, a kubeconfig context, a server
 * URL, a rubric value) goes to stderr through this.
 */
void lg_print_line(FILE *f, const char *prefix, const char *msg);

/*
 * The length of the valid UTF-8 sequence at s and its code point in *cp,
 * or 0 when s does not start one (overlong forms, surrogates and values
 * past U+10FFFF are invalid). Never reads past a NUL.
 */
size_t lg_utf8_decode(const unsigned char *s, uint32_t *cp);

#endif

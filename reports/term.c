/* SPDX-License-Identifier: MIT */
/* term.c: the live terminal view, one line per objective as it finishes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../harness/sanitize.h"
#include "report.h"

/* SGR colour per verdict: green, red, magenta (not our data), yellow. */
static const char *const verdict_color[] = {
    [LG_PASS] = "\x1b[32m",
    [LG_FAIL] = "\x1b[31m",
    [LG_ERROR] = "\x1b[1;35m",
    [LG_SKIP] = "\x1b[33m",
};

#define TERM_RESET "\x1b[0m"
/* Back to the line's start and erase it: the running line goes away. */
#define TERM_ERASE_LINE "\r\x1b[K"

/* Where hints and wrapped text start: under the objective's id. */
enum { INDENT_HEAD = 11, INDENT_HINT = 13, MIN_WIDTH = 40, MAX_WIDTH = 1000 };

/* COLUMNS as a positive number, else 0. */
static long env_columns(void)
{
	const char *env = getenv("COLUMNS");
	char *end;
	long v;

	if (!env || !*env)
		return 0;
	v = strtol(env, &end, 10);
	return *end || v <= 0 ? 0 : v;
}

/* The window's width: the TTY's, else COLUMNS (what shells export and
 * what a user sets for a pipe), else 80. */
static int term_width(int fd)
{
	struct winsize ws;
	long v = 0;

	if (fd >= 0 && isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0)
		v = ws.ws_col;
	if (v <= 0)
		v = env_columns();
	if (v <= 0)
		v = 80;
	return v < MIN_WIDTH ? MIN_WIDTH : v > MAX_WIDTH ? MAX_WIDTH : (int)v;
}

void lg_term_init(struct lg_term *t, FILE *out, enum lg_lang lang)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	int fd = fileno(out);

	memset(t, 0, sizeof(*t));
	t->out = out;
	t->lang = lang;
	t->tty = fd >= 0 && isatty(fd);
	t->width = term_width(fd);
	/* https://no-color.org: any non-empty NO_COLOR turns colour off; a
	 * dumb terminal (TERM=dumb: Emacs shells, some CI logs) shows SGR
	 * sequences as garbage. */
	t->color = !(no_color && *no_color) &&
		   !(term && !strcmp(term, "dumb")) && t->tty;
}

static const char *tr(const struct lg_term *t, const char *es, const char *en)
{
	return t->lang == LG_LANG_EN ? en : es;
}

/* ---- display width ---------------------------------------------------- */

/* Columns of one code point: a short table of the wide and zero-width
 * blocks, so the width does not depend on the C locale. */
static int codepoint_width(uint32_t c)
{
	static const struct {
		uint32_t lo, hi;
		int cols;
	} blocks[] = {
	    {0x300, 0x36f, 0},	 {0x200b, 0x200f, 0},	{0xfe00, 0xfe0f, 0},
	    {0x1100, 0x115f, 2}, {0x2e80, 0xa4cf, 2},	{0xac00, 0xd7a3, 2},
	    {0xf900, 0xfaff, 2}, {0xfe30, 0xfe4f, 2},	{0xff00, 0xff60, 2},
	    {0xffe0, 0xffe6, 2}, {0x1f300, 0x1faff, 2}, {0x20000, 0x3fffd, 2},
	};
	size_t i;

	for (i = 0; i < LG_ARRAY_SIZE(blocks); i++)
		if (c >= blocks[i].lo && c <= blocks[i].hi)
			return blocks[i].cols;
	return 1;
}

/* The length of the escape sequence at s (n bytes left): ESC, '[' and
 * parameters up to a final byte. */
static size_t sgr_len(const unsigned char *u, size_t n)
{
	size_t i = 1;

	while (i < n && !(i > 1 && u[i] >= 0x40 && u[i] <= 0x7e))
		i++;
	return i < n ? i + 1 : n;
}

/* One unit at s (n > 0 bytes left): a code point or an SGR sequence.
 * Returns its length in bytes and sets *cols. Text here went through
 * lg_escape_term, so it is valid UTF-8; a stray byte counts as one. */
static size_t unit_at(const char *s, size_t n, int *cols)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c;
	size_t len;

	*cols = 0;
	if (u[0] == 0x1b)
		return sgr_len(u, n);
	len = u[0] < 0x80 ? 0 : lg_utf8_decode(u, &c);
	if (len == 0 || len > n) {
		*cols = 1;
		return 1;
	}
	*cols = codepoint_width(c);
	return len;
}

static size_t width_n(const char *s, size_t n)
{
	size_t w = 0, i = 0;
	int cols;

	while (i < n) {
		i += unit_at(s + i, n - i, &cols);
		w += (size_t)cols;
	}
	return w;
}

size_t lg_term_display_width(const char *s)
{
	return width_n(s, strlen(s));
}

/* ---- word wrapping ------------------------------------------------------ */

/* Text laid out in lines of at most width columns; a new line starts with
 * indent spaces. fresh: nothing on the line yet after its indent/prefix,
 * so the next word needs no space before it. */
struct wrap {
	struct lg_buf *b;
	int width, indent, col;
	bool fresh;
};

static void wrap_newline(struct wrap *w)
{
	lg_buf_addf(w->b, "\n%*s", w->indent, "");
	w->col = w->indent;
	w->fresh = true;
}

/* A word wider than a whole line is cut at code points. */
static void wrap_cut(struct wrap *w, const char *s, size_t n)
{
	size_t i = 0, len;
	int cols;

	while (i < n) {
		len = unit_at(s + i, n - i, &cols);
		if (w->col + cols > w->width)
			wrap_newline(w);
		lg_buf_add(w->b, s + i, len);
		w->col += cols;
		w->fresh = false;
		i += len;
	}
}

static void wrap_word(struct wrap *w, const char *s, size_t n)
{
	int ww = (int)width_n(s, n);

	if (!w->fresh && w->col + 1 + ww > w->width)
		wrap_newline(w);
	else if (!w->fresh) {
		lg_buf_adds(w->b, " ");
		w->col++;
	}
	if (w->col + ww > w->width) {
		wrap_cut(w, s, n);
		return;
	}
	lg_buf_add(w->b, s, n);
	w->col += ww;
	w->fresh = false;
}

/* One more space between parts of a line, when the line has room. */
static void wrap_gap(struct wrap *w)
{
	if (w->col + 1 < w->width) {
		lg_buf_adds(w->b, " ");
		w->col++;
	}
}

/* A command in backquotes is kept on one line, so it can be copied,
 * when it fits the width under the indent: the end of the quote, else
 * p (the words are wrapped one by one). */
static const char *quoted_end(const struct wrap *w, const char *p)
{
	const char *end = *p == '`' ? strchr(p + 1, '`') : NULL;

	if (!end ||
	    width_n(p, (size_t)(end + 1 - p)) > (size_t)(w->width - w->indent))
		return p;
	return end + 1;
}

/* Words of text (sanitised for the terminal first) onto the wrap. */
static void wrap_text(struct wrap *w, const char *text)
{
	struct lg_buf e = LG_BUF_INIT;
	const char *p, *q;

	lg_escape_term(&e, text);
	for (p = e.buf; *p; p = q) {
		while (*p == ' ')
			p++;
		q = quoted_end(w, p);
		while (*q && *q != ' ')
			q++;
		if (q > p)
			wrap_word(w, p, (size_t)(q - p));
	}
	lg_buf_release(&e);
}

/* ---- the running line ------------------------------------------------- */

/* The terminal only shows what we print, so a short write is ignored. */
static void term_flush(struct lg_term *t, struct lg_buf *b)
{
	fwrite(b->buf, 1, b->len, t->out);
	fflush(t->out);
	lg_buf_release(b);
}

static void running_text(struct lg_term *t, const struct lg_check *check,
			 struct wrap *w)
{
	lg_buf_adds(w->b, "\xe2\x80\xa6 ");
	w->col = 2;
	wrap_text(w, tr(t, "comprobando", "running check"));
	wrap_text(w, check->id);
	if (check->flags & LG_CHECK_DISTURBS)
		wrap_text(w, tr(t,
				"(carga la malla: puede expulsar réplicas "
				"unos minutos)",
				"(loads the mesh: it may eject replicas for a "
				"few minutes)"));
}

/* On a TTY the line has no newline and must fit one row, or \r would
 * only take back its last row: it is cut at the width. */
static void draw_live(struct lg_term *t)
{
	struct lg_buf b = LG_BUF_INIT, line = LG_BUF_INIT;
	struct wrap w = {&line, MAX_WIDTH, 0, 0, true};
	size_t i = 0, len, col = 0;
	int cols;

	running_text(t, t->running[t->nrunning - 1], &w);
	while (i < line.len) {
		len = unit_at(line.buf + i, line.len - i, &cols);
		if (col + (size_t)cols > (size_t)t->width - 1)
			break;
		lg_buf_add(&b, line.buf + i, len);
		col += (size_t)cols;
		i += len;
	}
	lg_buf_release(&line);
	t->live_shown = true;
	term_flush(t, &b);
}

void lg_term_clear_live(struct lg_term *t)
{
	if (!t->live_shown)
		return;
	fputs(TERM_ERASE_LINE, t->out);
	fflush(t->out);
	t->live_shown = false;
}

void lg_term_started(struct lg_term *t, const struct lg_check *check)
{
	struct lg_buf b = LG_BUF_INIT;
	struct wrap w = {&b, t->width, INDENT_HEAD, 0, true};

	if (!(check->flags & (LG_CHECK_SLOW | LG_CHECK_DISTURBS)))
		return;
	if (t->tty) {
		lg_term_clear_live(t);
		if (t->nrunning < LG_ARRAY_SIZE(t->running))
			t->running[t->nrunning++] = check;
		draw_live(t);
		return;
	}
	running_text(t, check, &w);
	lg_buf_adds(&b, "\n");
	term_flush(t, &b);
}

/* The verdict's check no longer runs; its line is drawn again if another
 * still does. */
static void finished(struct lg_term *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->nrunning; i++)
		if (id && !strcmp(t->running[i]->id, id)) {
			memmove(&t->running[i], &t->running[i + 1],
				(t->nrunning - i - 1) * sizeof(t->running[0]));
			t->nrunning--;
			break;
		}
	if (t->tty && t->nrunning)
		draw_live(t);
}

/* ---- one objective ---------------------------------------------------- */

/* "7.5" with one decimal and a dot, like every number labgrade prints. */
static void seconds_1(struct lg_buf *b, double s)
{
	long long tenths = s > 0 ? (long long)(s * 10 + 0.5) : 0;

	lg_buf_addf(b, "%lld.%lld s", tenths / 10, tenths % 10);
}

/* A skip that only waits for lab steps not applied yet is "pending": the
 * student has something to do, and the points already seen are kept. */
static const char *word_of(const struct lg_term *t, const struct lg_result *r)
{
	if (r->verdict == LG_SKIP && lg_result_has_pending(r))
		return tr(t, "pendiente", "pending");
	return lg_report_verdict_word(r->verdict, t->lang);
}

static void status_word(struct lg_term *t, struct lg_buf *b,
			const struct lg_result *res)
{
	enum lg_verdict v = res->verdict;
	bool color = t->color && (unsigned)v < LG_ARRAY_SIZE(verdict_color);

	lg_buf_addf(b, "%s%-8s%s", color ? verdict_color[v] : "",
		    word_of(t, res), color ? TERM_RESET : "");
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* Assertions i and j say the same thing to do (their hints match). */
static bool same_hint(const struct lg_assertion *a,
		      const struct lg_assertion *b)
{
	return !b->ok && a->pending == b->pending && same(a->hint, b->hint);
}

/* Is the hint of assertion i already said by an earlier one? */
static bool hint_seen(const struct lg_result *res, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (res->asserts[i].hint &&
		    same_hint(&res->asserts[i], &res->asserts[j]))
			return true;
	return false;
}

/* "- what1; what2: hint", every assertion with that hint on one item, so
 * each command is said once. */
static void hint_item(struct lg_term *t, struct lg_buf *b,
		      const struct lg_result *res, size_t i)
{
	const struct lg_assertion *a = &res->asserts[i];
	struct lg_buf whats = LG_BUF_INIT;
	struct wrap w = {b, t->width, INDENT_HINT, INDENT_HINT, true};
	size_t j;

	for (j = i; j < res->nasserts; j++)
		if (j == i || (a->hint && same_hint(a, &res->asserts[j])))
			lg_buf_addf(&whats, "%s%s", j == i ? "" : "; ",
				    res->asserts[j].what ? res->asserts[j].what
							 : res->asserts[j].key);
	lg_buf_addf(b, "%*s- ", INDENT_HINT - 2, "");
	if (a->hint)
		lg_buf_adds(&whats, ":");
	wrap_text(&w, whats.buf);
	if (a->hint)
		wrap_text(&w, a->hint);
	lg_buf_adds(b, "\n");
	lg_buf_release(&whats);
}

static void hints(struct lg_term *t, struct lg_buf *b,
		  const struct lg_result *res)
{
	struct wrap w = {b, t->width, INDENT_HINT, INDENT_HINT, true};
	size_t i;

	for (i = 0; i < res->nwarnings; i++) {
		lg_buf_addf(b, "%*s! ", INDENT_HINT - 2, "");
		w.col = INDENT_HINT;
		w.fresh = true;
		wrap_text(&w, res->warnings[i]);
		lg_buf_adds(b, "\n");
	}
	for (i = 0; i < res->nasserts; i++)
		if (!res->asserts[i].ok && !hint_seen(res, i))
			hint_item(t, b, res, i);
}

/* The message repeats a hint or an assertion said below: leave it out. */
static bool message_said_below(const struct lg_result *res)
{
	size_t i;

	for (i = 0; i < res->nasserts; i++)
		if (!res->asserts[i].ok &&
		    (same(res->message, res->asserts[i].hint) ||
		     same(res->message, res->asserts[i].what)))
			return true;
	return false;
}

/* Verdict, id, points and time: the fixed start of the line. */
static void head(struct lg_term *t, struct lg_buf *b,
		 const struct lg_result *res)
{
	char pts[32], max[32];
	size_t start;

	status_word(t, b, res);
	lg_buf_adds(b, " ");
	start = b->len;
	lg_escape_term(b, res->id);
	if (b->len - start < 22)
		lg_buf_addf(b, "%*s", (int)(22 - (b->len - start)), "");
	lg_buf_addf(
	    b, " %5s/%-3s ",
	    lg_report_fmt_points(pts, sizeof(pts), lg_result_points(res)),
	    lg_report_fmt_points(max, sizeof(max), lg_result_max_points(res)));
	seconds_1(b, res->seconds);
}

void lg_term_result(struct lg_term *t, const struct lg_result *res)
{
	struct lg_buf b = LG_BUF_INIT, h = LG_BUF_INIT;
	struct wrap w = {&b, t->width, INDENT_HEAD, 0, true};

	lg_term_clear_live(t);
	head(t, &h, res);
	wrap_word(&w, h.buf, h.len);
	lg_buf_release(&h);
	w.fresh = false;
	if (res->source == LG_SOURCE_JOURNAL) {
		/* one unit: "(journal:" never ends a line without its time */
		h = (struct lg_buf)LG_BUF_INIT;
		lg_buf_addf(&h, "%s ", tr(t, "(diario:", "(journal:"));
		lg_escape_term(&h, res->journal_time ? res->journal_time : "?");
		lg_buf_adds(&h, ")");
		wrap_gap(&w);
		wrap_word(&w, h.buf, h.len);
		lg_buf_release(&h);
	}
	if (res->message && !message_said_below(res)) {
		wrap_gap(&w);
		wrap_text(&w, res->message);
	}
	lg_buf_adds(&b, "\n");
	hints(t, &b, res);
	term_flush(t, &b);
	finished(t, res->id);
}

void lg_term_total(struct lg_term *t, const struct lg_report *r)
{
	struct lg_buf b = LG_BUF_INIT;
	size_t n[4] = {0}, pending = 0;
	char pts[32], max[32];
	size_t i;

	lg_term_clear_live(t);
	for (i = 0; i < r->nresults; i++) {
		if (r->results[i].verdict == LG_SKIP &&
		    lg_result_has_pending(&r->results[i]))
			pending++;
		else if ((unsigned)r->results[i].verdict < LG_ARRAY_SIZE(n))
			n[r->results[i].verdict]++;
	}
	lg_buf_addf(
	    &b, "%s: %s/%s %s (", tr(t, "Total", "Total"),
	    lg_report_fmt_points(pts, sizeof(pts), lg_report_points(r)),
	    lg_report_fmt_points(max, sizeof(max), lg_report_max_points(r)),
	    tr(t, "puntos", "points"));
	for (i = 0; i < LG_ARRAY_SIZE(n); i++)
		lg_buf_addf(&b, "%s%s %zu", i ? ", " : "",
			    lg_report_verdict_word((enum lg_verdict)i, t->lang),
			    n[i]);
	if (pending)
		lg_buf_addf(&b, ", %s %zu", tr(t, "pendiente", "pending"),
			    pending);
	lg_buf_adds(&b, ") ");
	seconds_1(&b, r->seconds);
	lg_buf_adds(&b, "\n");
	term_flush(t, &b);
}

/* SPDX-License-Identifier: MIT */
/* term.c: the live terminal view, one line per objective as it finishes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

/* SGR colour per verdict: green, red, magenta (not our data), yellow. */
static const char *const verdict_color[] = {
    [LG_PASS] = "\x1b[32m",
    [LG_FAIL] = "\x1b[31m",
    [LG_ERROR] = "\x1b[1;35m",
    [LG_SKIP] = "\x1b[33m",
};

#define TERM_RESET "\x1b[0m"

void lg_term_init(struct lg_term *t, FILE *out, enum lg_lang lang)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	int fd = fileno(out);

	t->out = out;
	t->lang = lang;
	/* https://no-color.org: any non-empty NO_COLOR turns colour off; a
	 * dumb terminal (TERM=dumb: Emacs shells, some CI logs) shows SGR
	 * sequences as garbage. */
	t->color = !(no_color && *no_color) &&
		   !(term && !strcmp(term, "dumb")) && fd >= 0 && isatty(fd);
}

static const char *tr(const struct lg_term *t, const char *es, const char *en)
{
	return t->lang == LG_LANG_EN ? en : es;
}

/* The terminal only shows what we print, so a short write is ignored. */
static void term_flush(struct lg_term *t, struct lg_buf *b)
{
	fwrite(b->buf, 1, b->len, t->out);
	fflush(t->out);
	lg_buf_release(b);
}

void lg_term_started(struct lg_term *t, const struct lg_check *check)
{
	struct lg_buf b = LG_BUF_INIT;

	if (!(check->flags & (LG_CHECK_SLOW | LG_CHECK_DISTURBS)))
		return;
	lg_buf_adds(&b, "\xe2\x80\xa6 ");
	lg_buf_adds(&b, tr(t, "comprobando ", "running check "));
	lg_escape_term(&b, check->id);
	if (check->flags & LG_CHECK_DISTURBS)
		lg_buf_adds(&b, tr(t,
				   " (carga la malla: puede expulsar "
				   "réplicas unos minutos)",
				   " (loads the mesh: it may eject replicas "
				   "for a few minutes)"));
	lg_buf_adds(&b, "\n");
	term_flush(t, &b);
}

/* "7.5" with one decimal and a dot, like every number labgrade prints. */
static void seconds_1(struct lg_buf *b, double s)
{
	long long tenths = s > 0 ? (long long)(s * 10 + 0.5) : 0;

	lg_buf_addf(b, "%lld.%lld s", tenths / 10, tenths % 10);
}

static void status_word(struct lg_term *t, struct lg_buf *b, enum lg_verdict v)
{
	const char *word = lg_report_verdict_word(v, t->lang);
	bool color = t->color && (unsigned)v < LG_ARRAY_SIZE(verdict_color);

	lg_buf_addf(b, "%s%-8s%s", color ? verdict_color[v] : "", word,
		    color ? TERM_RESET : "");
}

/* Was this hint already printed for an earlier pending assertion? Every
 * assertion of a step that is not applied carries the same command. */
static bool hint_seen(const struct lg_result *res, size_t upto)
{
	const struct lg_assertion *a = &res->asserts[upto];
	size_t i;

	for (i = 0; i < upto; i++)
		if (res->asserts[i].pending && res->asserts[i].hint &&
		    a->hint && !strcmp(res->asserts[i].hint, a->hint))
			return true;
	return false;
}

static void hints(struct lg_buf *b, const struct lg_result *res)
{
	const struct lg_assertion *a;
	size_t i;

	for (i = 0; i < res->nwarnings; i++) {
		lg_buf_adds(b, "           ! ");
		lg_escape_term(b, res->warnings[i]);
		lg_buf_adds(b, "\n");
	}
	for (i = 0; i < res->nasserts; i++) {
		a = &res->asserts[i];
		if (a->ok || (a->pending && hint_seen(res, i)))
			continue;
		lg_buf_adds(b, "           - ");
		lg_escape_term(b, a->what ? a->what : a->key);
		if (a->hint) {
			lg_buf_adds(b, ": ");
			lg_escape_term(b, a->hint);
		}
		lg_buf_adds(b, "\n");
	}
}

void lg_term_result(struct lg_term *t, const struct lg_result *res)
{
	struct lg_buf b = LG_BUF_INIT;
	char pts[32], max[32];
	size_t start;

	status_word(t, &b, res->verdict);
	lg_buf_adds(&b, " ");
	start = b.len;
	lg_escape_term(&b, res->id);
	if (b.len - start < 22)
		lg_buf_addf(&b, "%*s", (int)(22 - (b.len - start)), "");
	lg_buf_addf(
	    &b, " %5s/%-3s ",
	    lg_report_fmt_points(pts, sizeof(pts), lg_result_points(res)),
	    lg_report_fmt_points(max, sizeof(max), lg_result_max_points(res)));
	seconds_1(&b, res->seconds);
	if (res->source == LG_SOURCE_JOURNAL) {
		lg_buf_adds(&b, tr(t, "  (diario: ", "  (journal: "));
		lg_escape_term(&b, res->journal_time ? res->journal_time : "?");
		lg_buf_adds(&b, ")");
	}
	if (res->message) {
		lg_buf_adds(&b, "  ");
		lg_escape_term(&b, res->message);
	}
	lg_buf_adds(&b, "\n");
	hints(&b, res);
	term_flush(t, &b);
}

void lg_term_total(struct lg_term *t, const struct lg_report *r)
{
	struct lg_buf b = LG_BUF_INIT;
	size_t n[4] = {0};
	char pts[32], max[32];
	size_t i;

	for (i = 0; i < r->nresults; i++)
		if ((unsigned)r->results[i].verdict < LG_ARRAY_SIZE(n))
			n[r->results[i].verdict]++;
	lg_buf_addf(
	    &b, "%s: %s/%s %s (", tr(t, "Total", "Total"),
	    lg_report_fmt_points(pts, sizeof(pts), lg_report_points(r)),
	    lg_report_fmt_points(max, sizeof(max), lg_report_max_points(r)),
	    tr(t, "puntos", "points"));
	for (i = 0; i < LG_ARRAY_SIZE(n); i++)
		lg_buf_addf(&b, "%s%s %zu", i ? ", " : "",
			    lg_report_verdict_word((enum lg_verdict)i, t->lang),
			    n[i]);
	lg_buf_adds(&b, ") ");
	seconds_1(&b, r->seconds);
	lg_buf_adds(&b, "\n");
	term_flush(t, &b);
}

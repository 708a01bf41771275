/* SPDX-License-Identifier: MIT */
/* markdown.c: the score report a student or instructor reads, in Markdown. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "report.h"

/* The report's fixed words, per language. */
struct md_words {
	const char *title, *server, *fingerprint, *started, *duration, *score;
	const char *objective, *status, *points, *total, *formula;
	const char *ok, *failed, *expected, *observed, *hint, *evidence;
	const char *warning;
	const char *journal, *none;
	const char *pending, *held_journal, *warnings;
};

static const struct md_words words_es = {
    .title = "Informe de labgrade",
    .server = "Servidor",
    .fingerprint = "Huella del clúster",
    .started = "Inicio",
    .duration = "Duración",
    .score = "Puntuación",
    .objective = "Objetivo",
    .status = "Estado",
    .points = "Puntos",
    .total = "Total",
    .formula = "Cada objetivo suma los puntos de las comprobaciones que "
	       "se cumplen (rubric.yaml); un objetivo omitido suma 0.",
    .ok = "cumple",
    .failed = "no cumple",
    .expected = "esperado",
    .observed = "observado",
    .hint = "Cómo arreglarlo",
    .evidence = "Evidencias",
    .warning = "Aviso",
    .journal = "Tomado del diario de progreso: superado el",
    .none = "desconocida",
    .pending = "pendiente",
    .held_journal = "según el diario de progreso, superado el",
    .warnings = "Avisos",
};

static const struct md_words words_en = {
    .title = "labgrade report",
    .server = "Server",
    .fingerprint = "Cluster fingerprint",
    .started = "Started",
    .duration = "Duration",
    .score = "Score",
    .objective = "Objective",
    .status = "Status",
    .points = "Points",
    .total = "Total",
    .formula = "Each objective earns the points of the assertions that "
	       "hold (rubric.yaml); a skipped objective earns 0.",
    .ok = "ok",
    .failed = "failed",
    .expected = "expected",
    .observed = "observed",
    .hint = "How to fix it",
    .evidence = "Evidence",
    .warning = "Warning",
    .journal = "From the progress journal: passed at",
    .none = "unknown",
    .pending = "pending",
    .held_journal = "from the progress journal, passed at",
    .warnings = "Warnings",
};

static void points_of(struct lg_buf *b, double pts, double max)
{
	char p[32], m[32];

	lg_buf_addf(b, "%s/%s", lg_report_fmt_points(p, sizeof(p), pts),
		    lg_report_fmt_points(m, sizeof(m), max));
}

/* Problems with the run itself (the journal), before any result. */
static void warnings(struct lg_buf *b, const struct lg_report *r,
		     const struct md_words *w)
{
	size_t i;

	if (!r->nwarnings)
		return;
	lg_buf_addf(b, "**%s:**\n\n", w->warnings);
	for (i = 0; i < r->nwarnings; i++) {
		lg_buf_adds(b, "- ");
		lg_escape_md(b, r->warnings[i]);
		lg_buf_adds(b, "\n");
	}
	lg_buf_adds(b, "\n");
}

static void header(struct lg_buf *b, const struct lg_report *r,
		   const struct md_words *w)
{
	char secs[32];

	lg_buf_addf(b, "# %s: ", w->title);
	lg_escape_md(b, r->cluster_name);
	lg_buf_addf(b, "\n\n- **%s:** ", w->server);
	lg_escape_md(b, r->server ? r->server : w->none);
	lg_buf_addf(b, "\n- **%s:** ", w->fingerprint);
	lg_escape_md(b, r->fingerprint ? r->fingerprint : w->none);
	lg_buf_addf(b, "\n- **%s:** ", w->started);
	lg_escape_md(b, r->started ? r->started : w->none);
	lg_buf_addf(b, "\n- **%s:** %s s\n- **%s:** ", w->duration,
		    lg_report_fmt_seconds(secs, sizeof(secs), r->seconds),
		    w->score);
	points_of(b, lg_report_points(r), lg_report_max_points(r));
	lg_buf_adds(b, "\n\n");
	warnings(b, r, w);
}

/* "1. Title (id)", escaped; used in the table and in headings. */
static void objective_name(struct lg_buf *b, const struct lg_result *res)
{
	lg_buf_addf(b, "%d\\. ", res->objective);
	lg_escape_md(b, res->title ? res->title : res->id);
	lg_buf_adds(b, " (");
	lg_escape_md(b, res->id);
	lg_buf_adds(b, ")");
}

static void score_table(struct lg_buf *b, const struct lg_report *r,
			const struct lg_result **sorted,
			const struct md_words *w)
{
	size_t i;

	lg_buf_addf(b, "| %s | %s | %s |\n|---|---|---:|\n", w->objective,
		    w->status, w->points);
	for (i = 0; i < r->nresults; i++) {
		lg_buf_adds(b, "| ");
		objective_name(b, sorted[i]);
		lg_buf_addf(
		    b, " | %s | ",
		    lg_report_verdict_word(sorted[i]->verdict, r->lang));
		points_of(b, lg_result_points(sorted[i]),
			  lg_result_max_points(sorted[i]));
		lg_buf_adds(b, " |\n");
	}
	lg_buf_addf(b, "| **%s** | | **", w->total);
	points_of(b, lg_report_points(r), lg_report_max_points(r));
	lg_buf_addf(b, "** |\n\n%s\n\n", w->formula);
}

static void assertion(struct lg_buf *b, const struct lg_assertion *a,
		      const struct md_words *w)
{
	lg_buf_addf(b, "- **%s**: ",
		    a->pending ? w->pending
		    : a->ok    ? w->ok
			       : w->failed);
	lg_escape_md(b, a->what ? a->what : a->key);
	lg_buf_adds(b, " (");
	lg_escape_md(b, a->key);
	lg_buf_adds(b, ", ");
	points_of(b, a->points, a->max_points);
	lg_buf_addf(b, ")\n  - %s: ", w->expected);
	lg_escape_md(b, a->expected);
	lg_buf_addf(b, "\n  - %s: ", w->observed);
	lg_escape_md(b, a->observed);
	if (a->source == LG_SOURCE_JOURNAL) {
		lg_buf_addf(b, " (%s ", w->held_journal);
		lg_escape_md(b, a->journal_time ? a->journal_time : "?");
		lg_buf_adds(b, ")");
	}
	lg_buf_adds(b, "\n");
	if (!a->ok && a->hint) {
		lg_buf_addf(b, "  - **%s:** ", w->hint);
		lg_escape_md(b, a->hint);
		lg_buf_adds(b, "\n");
	}
}

/* "## N. Title (id)", the verdict with its message, the journal time. */
static void objective_head(struct lg_buf *b, const struct lg_result *res,
			   enum lg_lang lang, const struct md_words *w)
{
	lg_buf_adds(b, "## ");
	objective_name(b, res);
	lg_buf_addf(b, "\n\n**%s**",
		    lg_report_verdict_word(res->verdict, lang));
	if (res->message) {
		lg_buf_adds(b, ": ");
		lg_escape_md(b, res->message);
	}
	if (res->source == LG_SOURCE_JOURNAL) {
		lg_buf_addf(b, "\n\n%s ", w->journal);
		lg_escape_md(b, res->journal_time ? res->journal_time : "?");
	}
	lg_buf_adds(b, "\n\n");
}

static void evidence(struct lg_buf *b, const struct lg_result *res,
		     const struct md_words *w)
{
	size_t i;

	if (!res->nevidence)
		return;
	lg_buf_addf(b, "%s**%s:**\n\n", res->nasserts ? "\n" : "", w->evidence);
	for (i = 0; i < res->nevidence; i++) {
		lg_buf_adds(b, "- ");
		lg_escape_md(b, res->evidence[i]);
		lg_buf_adds(b, "\n");
	}
}

static void objective(struct lg_buf *b, const struct lg_result *res,
		      enum lg_lang lang, const struct md_words *w)
{
	size_t i;

	objective_head(b, res, lang, w);
	for (i = 0; i < res->nwarnings; i++) {
		lg_buf_addf(b, "> **%s:** ", w->warning);
		lg_escape_md(b, res->warnings[i]);
		lg_buf_adds(b, "\n\n");
	}
	for (i = 0; i < res->nasserts; i++)
		assertion(b, &res->asserts[i], w);
	evidence(b, res, w);
	if (res->nasserts || res->nevidence)
		lg_buf_adds(b, "\n");
}

enum lg_err lg_report_markdown(FILE *out, const struct lg_report *r,
			       struct lg_error *err)
{
	const struct md_words *w =
	    r->lang == LG_LANG_EN ? &words_en : &words_es;
	const struct lg_result **sorted = lg_report_sorted(r);
	struct lg_buf b;
	enum lg_err rc;
	size_t i;

	lg_buf_init(&b, SIZE_MAX);
	header(&b, r, w);
	score_table(&b, r, sorted, w);
	for (i = 0; i < r->nresults; i++)
		objective(&b, sorted[i], r->lang, w);
	rc = lg_report_flush(out, &b, err);
	lg_buf_release(&b);
	free(sorted);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* explain.c: an objective told from its check's table and the rubric. */
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "sanitize.h"

#define TR(lang, es, en) ((lang) == LG_LANG_EN ? (en) : (es))

static void put_sanitized(FILE *out, const char *s)
{
	char *clean = lg_sanitize_dup(s, LG_SAN_LINE);

	fputs(clean, out);
	free(clean);
}

/* The title: the rubric's (an instructor may reword it), else the
 * check's. */
static void title(FILE *out, const struct lg_check *c,
		  const struct lg_rubric_objective *o, enum lg_lang lang)
{
	const char *t = TR(lang, c->title_es, c->title_en);

	if (o)
		t = TR(lang, o->title_es, o->title_en);
	fprintf(out, "%s: ", c->id);
	put_sanitized(out, t);
	fprintf(out, " (%s %d)\n", TR(lang, "objetivo", "objective"),
		o ? o->number : c->objective);
}

/* How the check works, from its flags and prerequisites. */
static void how(FILE *out, const struct lg_check *c, enum lg_lang lang)
{
	size_t i;

	if (c->prereqs && c->prereqs[0]) {
		fputs(TR(lang, "Requiere que antes pasen:",
			 "Needs these to pass first:"),
		      out);
		for (i = 0; c->prereqs[i]; i++)
			fprintf(out, "%s %s", i ? "," : "", c->prereqs[i]);
		fputs("\n", out);
	}
	if (c->flags & LG_CHECK_NEEDS_GATEWAY)
		fputs(TR(lang,
			 "Envía peticiones a Bookinfo a través del gateway "
			 "de entrada (--gateway-url si no se encuentra).\n",
			 "Sends requests to Bookinfo through the ingress "
			 "gateway (--gateway-url when it cannot be found).\n"),
		      out);
	if (c->flags & LG_CHECK_DISTURBS)
		fputs(TR(lang,
			 "Carga la malla: se evalúa la última y puede "
			 "expulsar réplicas unos minutos.\n",
			 "Loads the mesh: it is graded last and may eject "
			 "replicas for a few minutes.\n"),
		      out);
	if (c->flags & LG_CHECK_OPTIONAL)
		fputs(TR(lang,
			 "Opcional: solo cuenta si la rúbrica lo activa.\n",
			 "Optional: graded only when the rubric enables it.\n"),
		      out);
}

static void asserts(FILE *out, const struct lg_check *c,
		    const struct lg_rubric_objective *o, enum lg_lang lang)
{
	size_t i;
	double pts;

	fputs(TR(lang, "\nQué se comprueba (puntos de la rúbrica):\n",
		 "\nWhat is checked (points from the rubric):\n"),
	      out);
	for (i = 0; i < c->nasserts; i++) {
		const struct lg_assert_def *d = &c->asserts[i];

		pts = o ? lg_rubric_points(o, d->key) : -1;
		fprintf(out, "  %4ld  %s: %s", pts < 0 ? 0L : (long)pts, d->key,
			TR(lang, d->what_es, d->what_en));
		if (d->step)
			fprintf(out, " [%s %s]", TR(lang, "paso", "step"),
				d->step);
		fputs("\n", out);
	}
}

/* The lab's steps in order, each with the text that applies it. */
static void steps(FILE *out, const struct lg_check *c, const char *ns,
		  enum lg_lang lang)
{
	size_t i;
	char *apply;

	if (!c->nsteps)
		return;
	fputs(TR(lang,
		 "\nPasos del laboratorio, en orden (cada uno reescribe la "
		 "configuración del anterior: el que está aplicado se evalúa "
		 "en vivo, uno anterior se toma del diario de progreso, uno "
		 "sin aplicar queda pendiente):\n",
		 "\nLab steps, in order (each overwrites the configuration of "
		 "the one before: the step in effect is graded live, an "
		 "earlier one is taken from the progress journal, one not "
		 "applied yet is pending):\n"),
	      out);
	for (i = 0; i < c->nsteps; i++) {
		apply =
		    lg_steps_apply_text(&c->steps[i], ns, lang == LG_LANG_EN);
		fprintf(out, "  %zu. %s\n", i + 1, c->steps[i].id);
		if (lang == LG_LANG_EN)
			fprintf(out, "     %s\n", c->steps[i].means);
		fprintf(out, "     %s\n", apply);
		free(apply);
	}
}

void lg_explain(FILE *out, const struct lg_check *c, const struct lg_rubric *r,
		enum lg_lang lang)
{
	const struct lg_rubric_objective *o =
	    r ? lg_rubric_find(r, c->id) : NULL;
	const char *ns =
	    r ? lg_rubric_param_str(r, o, "bookinfo-namespace", "bookinfo")
	      : "bookinfo";
	char *clean_ns = lg_sanitize_dup(ns, LG_SAN_LINE);

	title(out, c, o, lang);
	how(out, c, lang);
	asserts(out, c, o, lang);
	steps(out, c, clean_ns, lang);
	free(clean_ns);
}

/* SPDX-License-Identifier: MIT */
/* sched.c: plans and runs the checks (see sched.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "sched.h"

static bool is_needed(const bool *need, const struct lg_check *c);
static bool prereqs_placed(const struct lg_sched *s, const struct lg_check *c);
static const struct lg_sched_item *find_item(const struct lg_sched *s,
					     const char *id);

static size_t index_of(const struct lg_check *c)
{
	size_t i;

	for (i = 0; i < lg_nchecks; i++)
		if (lg_checks[i] == c)
			return i;
	return lg_nchecks;
}

static bool is_needed(const bool *need, const struct lg_check *c)
{
	size_t i = index_of(c);

	return i < lg_nchecks && need[i];
}

/* Mark c and, transitively, its prerequisites. */
static enum lg_err mark(bool *need, const struct lg_check *c, unsigned depth,
			struct lg_error *err)
{
	size_t i;

	if (depth > lg_nchecks)
		return lg_errorf(err, LG_ECONFIG,
				 "prerequisite cycle through check '%s'",
				 c->id);
	need[index_of(c)] = true;
	for (i = 0; c->prereqs && c->prereqs[i]; i++) {
		const struct lg_check *p = lg_check_find(c->prereqs[i]);

		if (!p)
			return lg_errorf(err, LG_ECONFIG,
					 "check '%s' needs unknown check '%s'",
					 c->id, c->prereqs[i]);
		if (mark(need, p, depth + 1, err) != LG_OK)
			return err->code;
	}
	return LG_OK;
}

static const struct lg_sched_item *find_item(const struct lg_sched *s,
					     const char *id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->items[i].check->id, id) == 0)
			return &s->items[i];
	return NULL;
}

static bool prereqs_placed(const struct lg_sched *s, const struct lg_check *c)
{
	size_t i;

	for (i = 0; c->prereqs && c->prereqs[i]; i++)
		if (!find_item(s, c->prereqs[i]))
			return false;
	return true;
}

/* Objective order reads best in every report; id breaks ties. */
static bool runs_before(const struct lg_check *a, const struct lg_check *b)
{
	if (a->objective != b->objective)
		return a->objective < b->objective;
	return strcmp(a->id, b->id) < 0;
}

/* The next check to place: needed, unplaced, prerequisites placed. */
static const struct lg_check *next_ready(const struct lg_sched *s,
					 const bool *need, bool disturbs)
{
	const struct lg_check *best = NULL;
	size_t i;

	for (i = 0; i < lg_nchecks; i++) {
		const struct lg_check *c = lg_checks[i];

		if (!is_needed(need, c) || find_item(s, c->id) ||
		    !!(c->flags & LG_CHECK_DISTURBS) != disturbs ||
		    !prereqs_placed(s, c))
			continue;
		if (!best || runs_before(c, best))
			best = c;
	}
	return best;
}

static void place(struct lg_sched *s, const bool *need, bool disturbs)
{
	const struct lg_check *c;

	while ((c = next_ready(s, need, disturbs)) != NULL) {
		s->items[s->n].check = c;
		s->n++;
	}
}

static bool is_requested(const struct lg_check *c, const char *const *ids,
			 size_t nids)
{
	size_t i;

	if (nids == 0)
		return true;
	for (i = 0; i < nids; i++)
		if (strcmp(ids[i], c->id) == 0)
			return true;
	return false;
}

enum lg_err lg_sched_plan(struct lg_sched *s, const char *const *ids,
			  size_t nids, struct lg_error *err)
{
	bool *need = lg_xcalloc(lg_nchecks + 1, sizeof(*need));
	size_t i, want = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < (nids ? nids : lg_nchecks); i++) {
		const struct lg_check *c =
		    nids ? lg_check_find(ids[i]) : lg_checks[i];

		if (!c) {
			lg_errorf(err, LG_EUSAGE,
				  "unknown check '%s' (see 'labgrade list')",
				  ids[i]);
			goto fail;
		}
		if (mark(need, c, 0, err) != LG_OK)
			goto fail;
	}
	for (i = 0; i < lg_nchecks; i++)
		want += need[i];
	s->items = lg_xcalloc(want + 1, sizeof(*s->items));
	place(s, need, false);
	place(s, need, true);
	if (s->n != want) {
		lg_errorf(err, LG_ECONFIG,
			  "prerequisites of the checks form "
			  "a cycle");
		goto fail;
	}
	for (i = 0; i < s->n; i++)
		s->items[i].requested =
		    is_requested(s->items[i].check, ids, nids);
	free(need);
	return LG_OK;
fail:
	free(need);
	lg_sched_release(s);
	return err->code;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *verdict_word(const struct lg_ctx *ctx, enum lg_verdict v)
{
	switch (v) {
	case LG_FAIL:
		return lg_tr(ctx, "falló", "failed");
	case LG_ERROR:
		return lg_tr(ctx, "no se pudo evaluar", "could not be graded");
	case LG_SKIP:
		return lg_tr(ctx, "se omitió", "was skipped");
	default:
		return lg_tr(ctx, "pasó", "passed");
	}
}

/*
 * A prerequisite that did not pass blocks the item: skip when it failed or
 * was skipped, error when it could not be graded (then neither can this
 * one: never a skip that would read as a fail). true when blocked.
 */
static bool prereq_blocks(const struct lg_sched *s, struct lg_sched_item *it,
			  const struct lg_ctx *ctx)
{
	const struct lg_check *c = it->check;
	size_t i;

	for (i = 0; c->prereqs && c->prereqs[i]; i++) {
		const struct lg_sched_item *p = find_item(s, c->prereqs[i]);
		enum lg_verdict v = p ? p->result.verdict : LG_SKIP;

		if (v == LG_PASS)
			continue;
		if (v == LG_ERROR) {
			lg_result_errorf(&it->result,
					 LG_TR(ctx,
					       "sin evaluar: el requisito %s "
					       "no se pudo evaluar",
					       "not graded: prerequisite %s "
					       "could not be graded"),
					 c->prereqs[i]);
			return true;
		}
		it->prereq_skip = true;
		lg_result_skipf(&it->result,
				LG_TR(ctx, "omitido: el requisito %s %s",
				      "skipped: prerequisite %s %s"),
				c->prereqs[i], verdict_word(ctx, v));
		return true;
	}
	return false;
}

/* Why the item must not run (recorded in its result); false when it may. */
static bool must_skip(const struct lg_sched *s, struct lg_sched_item *it,
		      const struct lg_ctx *ctx)
{
	if (ctx->objective && !ctx->objective->enabled) {
		lg_result_skipf(&it->result, "%s",
				lg_tr(ctx, "omitido: desactivado en la rúbrica",
				      "skipped: disabled in the rubric"));
		return true;
	}
	if (prereq_blocks(s, it, ctx))
		return true;
	if ((it->check->flags & LG_CHECK_NEEDS_GATEWAY) && !ctx->gateway_url &&
	    !(ctx->state && ctx->state->gateway_url)) {
		it->prereq_skip = true;
		lg_result_skipf(&it->result, "%s",
				lg_tr(ctx,
				      "omitido: no se conoce ningún gateway",
				      "skipped: no gateway is known"));
		return true;
	}
	return false;
}

static const char *title_of(const struct lg_ctx *ctx)
{
	const struct lg_rubric_objective *o = ctx->objective;
	const char *t = o ? lg_tr(ctx, o->title_es, o->title_en) : NULL;

	return t ? t : lg_tr(ctx, ctx->check->title_es, ctx->check->title_en);
}

/* The objective's whole worth, so that a check that stopped early on an
 * error or a skip still shows what was at stake (10 not 6). */
static double objective_points(const struct lg_rubric_objective *o)
{
	double sum = 0;
	size_t i;

	for (i = 0; o && i < o->npoints; i++)
		sum += o->points[i].points;
	return sum;
}

static void run_one(struct lg_sched *s, struct lg_sched_item *it,
		    const struct lg_ctx *base)
{
	struct lg_ctx ctx = *base;
	double t0;
	enum lg_verdict v;

	ctx.check = it->check;
	ctx.objective =
	    base->rubric ? lg_rubric_find(base->rubric, it->check->id) : NULL;
	lg_result_init(&it->result, it->check->id, title_of(&ctx),
		       it->check->objective);
	it->result.max_points = objective_points(ctx.objective);
	if (must_skip(s, it, &ctx))
		return;
	t0 = now_seconds();
	v = it->check->run(&ctx, &it->result);
	it->ran = true;
	it->result.seconds = now_seconds() - t0;
	/* the returned verdict must agree with what was recorded: an error
	 * always wins, and a pass cannot hide a failed assertion */
	if (v == LG_ERROR && it->result.verdict != LG_ERROR)
		lg_result_errorf(&it->result, "%s", "check reported an error");
	else if (v == LG_PASS || it->result.verdict == LG_PASS)
		lg_result_finish(&it->result);
}

void lg_sched_run(struct lg_sched *s, const struct lg_ctx *base,
		  const struct lg_sched_hooks *hooks)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct lg_sched_item *it = &s->items[i];

		if (hooks && hooks->started)
			hooks->started(hooks->data, it->check);
		run_one(s, it, base);
		if (hooks && hooks->finished)
			hooks->finished(hooks->data, it);
	}
}

int lg_sched_exit_code(const struct lg_sched *s)
{
	bool failed = false;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct lg_sched_item *it = &s->items[i];

		if (it->result.verdict == LG_ERROR)
			return 3;
		if (it->result.verdict == LG_FAIL || it->prereq_skip)
			failed = true;
	}
	return failed ? 1 : 0;
}

void lg_sched_release(struct lg_sched *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		lg_result_release(&s->items[i].result);
	free(s->items);
	s->items = NULL;
	s->n = 0;
}

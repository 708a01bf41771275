/* SPDX-License-Identifier: MIT */
/* common.c: what every check shares: assertions scored by the rubric and
 * rubric parameters of the running objective. */
#include <stdlib.h>
#include <string.h>

#include "../harness/i18n.h"
#include "../harness/journal.h"
#include "check.h"

static const struct lg_assert_def *find_def(const struct lg_check *c,
					    const char *key)
{
	size_t i;

	for (i = 0; c && i < c->nasserts; i++)
		if (strcmp(c->asserts[i].key, key) == 0)
			return &c->asserts[i];
	return NULL;
}

/*
 * The text comes from the check's table so that reports read the same in
 * every run; a key missing from the table is a programmer error, but it is
 * still recorded (with the key as text) rather than lost.
 */
bool lg_check_assert(struct lg_ctx *ctx, struct lg_result *res, const char *key,
		     bool ok, const char *expected, const char *observed,
		     const char *hint)
{
	const struct lg_assert_def *d = find_def(ctx->check, key);
	const char *what = d ? lg_tr(ctx, d->what_es, d->what_en) : key;
	double pts =
	    ctx->objective ? lg_rubric_points(ctx->objective, key) : -1;

	if (pts < 0)
		pts = 0;
	return lg_result_assert(res, key, what, ok, pts, expected, observed,
				hint);
}

const char *lg_param_str(const struct lg_ctx *ctx, const char *key,
			 const char *def)
{
	if (!ctx->rubric)
		return def;
	return lg_rubric_param_str(ctx->rubric, ctx->objective, key, def);
}

double lg_param_num(const struct lg_ctx *ctx, const char *key, double def)
{
	if (!ctx->rubric)
		return def;
	return lg_rubric_param_num(ctx->rubric, ctx->objective, key, def);
}

char *lg_check_step_key(const struct lg_check *c, const char *step)
{
	return lg_xasprintf("%s.%s", c->id, step);
}

static double def_points(const struct lg_ctx *ctx, const char *key)
{
	double pts =
	    ctx->objective ? lg_rubric_points(ctx->objective, key) : -1;

	return pts < 0 ? 0 : pts;
}

bool lg_check_step_from_journal(struct lg_ctx *ctx, struct lg_result *res,
				const char *step, const char *how_to_apply)
{
	const struct lg_check *c = ctx->check;
	const struct lg_journal_entry *e = NULL;
	char *key = lg_check_step_key(c, step);
	size_t i;

	if (ctx->journal)
		e = lg_journal_find(ctx->journal, key);
	free(key);
	for (i = 0; i < c->nasserts; i++) {
		const struct lg_assert_def *d = &c->asserts[i];
		const char *what = lg_tr(ctx, d->what_es, d->what_en);

		if (!d->step || strcmp(d->step, step) != 0)
			continue;
		if (e)
			lg_result_assert_journal(res, d->key, what,
						 def_points(ctx, d->key),
						 e->time, e->evidence);
		else
			lg_result_assert_pending(res, d->key, what,
						 def_points(ctx, d->key),
						 how_to_apply);
	}
	return e != NULL;
}

static bool journal_has(const struct lg_ctx *ctx, const char *step)
{
	char *key = lg_check_step_key(ctx->check, step);
	bool held = ctx->journal && lg_journal_find(ctx->journal, key);

	free(key);
	return held;
}

enum lg_step_mode lg_check_step_mode(const struct lg_ctx *ctx,
				     const struct lg_steps_view *v,
				     const char *step, enum lg_step_effect eff)
{
	bool held = journal_has(ctx, step);

	if (eff == LG_STEP_FULL)
		return LG_STEP_JUDGE;
	if (eff == LG_STEP_HALF ||
	    lg_steps_is_attempt_at(v, ctx->check->id, step))
		return held ? LG_STEP_JOURNAL : LG_STEP_JUDGE;
	return held ? LG_STEP_JOURNAL : LG_STEP_PENDING;
}

static const struct lg_step_def *step_def(const struct lg_check *c,
					  const char *step)
{
	size_t i;

	for (i = 0; i < c->nsteps; i++)
		if (strcmp(c->steps[i].id, step) == 0)
			return &c->steps[i];
	return NULL;
}

void lg_check_step_skip(struct lg_ctx *ctx, struct lg_result *res,
			const struct lg_steps_view *v, const char *step)
{
	const struct lg_step_def *d = step_def(ctx->check, step);
	char *how = d ? lg_steps_apply_text(d, v->ns, ctx->lang == LG_LANG_EN)
		      : lg_xstrdup(step);
	char *why =
	    lg_steps_explain(v, ctx->check->id, step, ctx->lang == LG_LANG_EN);

	if (lg_check_step_from_journal(ctx, res, step, how) && why)
		lg_result_evidencef(res, "%s: %s", step, why);
	free(how);
	free(why);
}

char *lg_check_step_why(const struct lg_ctx *ctx, const struct lg_steps_view *v,
			const char *step, const char *tail)
{
	char *why =
	    lg_steps_explain(v, ctx->check->id, step, ctx->lang == LG_LANG_EN);
	char *s;

	if (!why)
		return tail ? lg_xstrdup(tail) : NULL;
	if (!tail)
		return why;
	s = lg_xasprintf("%s | %s", why, tail);
	free(why);
	return s;
}

void lg_state_release(struct lg_state *s)
{
	free(s->gateway_url);
	free(s->gateway_how);
	lg_steps_cache_free(s->steps);
	memset(s, 0, sizeof(*s));
}

enum lg_err lg_check_steps_read(struct lg_ctx *ctx, struct lg_result *res,
				const char *ns, struct lg_steps_view *v,
				struct lg_error *err)
{
	return lg_steps_read_shared(ctx->cluster, res, ns,
				    ctx->state ? &ctx->state->steps : NULL, v,
				    err);
}

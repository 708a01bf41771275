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

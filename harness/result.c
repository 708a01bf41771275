/* SPDX-License-Identifier: MIT */
/* result.c: the verdict of one objective, its assertions and its evidence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

static char *dup_or_null(const char *s)
{
	return s ? lg_xstrdup(s) : NULL;
}

const char *lg_verdict_name(enum lg_verdict v)
{
	switch (v) {
	case LG_PASS:
		return "pass";
	case LG_FAIL:
		return "fail";
	case LG_ERROR:
		return "error";
	case LG_SKIP:
		return "skip";
	}
	return "unknown";
}

void lg_result_init(struct lg_result *res, const char *id, const char *title,
		    int objective)
{
	memset(res, 0, sizeof(*res));
	res->id = dup_or_null(id);
	res->title = dup_or_null(title);
	res->objective = objective;
	res->verdict = LG_PASS;
}

static void assertion_release(struct lg_assertion *a)
{
	free(a->key);
	free(a->what);
	free(a->expected);
	free(a->observed);
	free(a->hint);
	free(a->journal_time);
}

void lg_result_release(struct lg_result *res)
{
	size_t i;

	for (i = 0; i < res->nasserts; i++)
		assertion_release(&res->asserts[i]);
	free(res->asserts);
	for (i = 0; i < res->nevidence; i++)
		free(res->evidence[i]);
	free(res->evidence);
	for (i = 0; i < res->nwarnings; i++)
		free(res->warnings[i]);
	free(res->warnings);
	free(res->id);
	free(res->title);
	free(res->message);
	free(res->journal_time);
	memset(res, 0, sizeof(*res));
}

bool lg_result_assert(struct lg_result *res, const char *key, const char *what,
		      bool ok, double max_points, const char *expected,
		      const char *observed, const char *hint)
{
	struct lg_assertion *a;

	res->asserts = lg_xrealloc(res->asserts,
				   (res->nasserts + 1) * sizeof(*res->asserts));
	a = &res->asserts[res->nasserts++];
	memset(a, 0, sizeof(*a));
	a->key = dup_or_null(key);
	a->what = dup_or_null(what);
	a->expected = dup_or_null(expected);
	a->observed = dup_or_null(observed);
	a->hint = ok ? NULL : dup_or_null(hint);
	a->ok = ok;
	a->max_points = max_points > 0 ? max_points : 0;
	a->points = ok ? a->max_points : 0;
	return ok;
}

void lg_result_assert_pending(struct lg_result *res, const char *key,
			      const char *what, double max_points,
			      const char *hint)
{
	lg_result_assert(res, key, what, false, max_points, NULL, NULL, hint);
	res->asserts[res->nasserts - 1].pending = true;
}

void lg_result_assert_journal(struct lg_result *res, const char *key,
			      const char *what, double max_points,
			      const char *time, const char *observed)
{
	struct lg_assertion *a;

	lg_result_assert(res, key, what, true, max_points, NULL, observed,
			 NULL);
	a = &res->asserts[res->nasserts - 1];
	a->source = LG_SOURCE_JOURNAL;
	a->journal_time = dup_or_null(time);
}

/* The evidence array takes the string. */
static void evidence_take(struct lg_result *res, char *line)
{
	res->evidence = lg_xrealloc(res->evidence, (res->nevidence + 1) *
						       sizeof(*res->evidence));
	res->evidence[res->nevidence++] = line;
}

void lg_result_evidencef(struct lg_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	evidence_take(res, lg_xvasprintf(fmt, ap));
	va_end(ap);
}

void lg_result_warnf(struct lg_result *res, const char *fmt, ...)
{
	va_list ap;

	res->warnings = lg_xrealloc(res->warnings, (res->nwarnings + 1) *
						       sizeof(*res->warnings));
	va_start(ap, fmt);
	res->warnings[res->nwarnings++] = lg_xvasprintf(fmt, ap);
	va_end(ap);
}

/* How bad a verdict is: a worse one replaces a milder one, never back. */
static int severity(enum lg_verdict v)
{
	switch (v) {
	case LG_PASS:
		return 0;
	case LG_SKIP:
		return 1;
	case LG_FAIL:
		return 2;
	case LG_ERROR:
		return 3;
	}
	return 0;
}

/*
 * The first message wins (curl's failf), with one exception: a worse verdict
 * brings its own message, because "error: <why a fail>" would tell the
 * reader the wrong thing. Every message that loses is kept as evidence.
 */
static enum lg_verdict set_verdict(struct lg_result *res, enum lg_verdict v,
				   const char *fmt, va_list ap) LG_PRINTF(3, 0);

static enum lg_verdict set_verdict(struct lg_result *res, enum lg_verdict v,
				   const char *fmt, va_list ap)
{
	char *msg = lg_xvasprintf(fmt, ap);
	bool worse = severity(v) > severity(res->verdict);

	if (!res->message) {
		res->message = msg;
	} else if (worse && res->verdict != LG_PASS) {
		evidence_take(res, res->message);
		res->message = msg;
	} else {
		evidence_take(res, msg);
	}
	if (worse)
		res->verdict = v;
	return res->verdict;
}

enum lg_verdict lg_result_failf(struct lg_result *res, const char *fmt, ...)
{
	va_list ap;
	enum lg_verdict v;

	va_start(ap, fmt);
	v = set_verdict(res, LG_FAIL, fmt, ap);
	va_end(ap);
	return v;
}

enum lg_verdict lg_result_errorf(struct lg_result *res, const char *fmt, ...)
{
	va_list ap;
	enum lg_verdict v;

	va_start(ap, fmt);
	v = set_verdict(res, LG_ERROR, fmt, ap);
	va_end(ap);
	return v;
}

enum lg_verdict lg_result_skipf(struct lg_result *res, const char *fmt, ...)
{
	va_list ap;
	enum lg_verdict v;

	va_start(ap, fmt);
	v = set_verdict(res, LG_SKIP, fmt, ap);
	va_end(ap);
	return v;
}

static const struct lg_assertion *first_where(const struct lg_result *res,
					      bool pending)
{
	size_t i;

	for (i = 0; i < res->nasserts; i++)
		if (!res->asserts[i].ok && res->asserts[i].pending == pending)
			return &res->asserts[i];
	return NULL;
}

/* A pass that rests on the journal says so, with its latest time (RFC 3339
 * strings of one format compare as times). */
static void note_journal_source(struct lg_result *res)
{
	const char *latest = NULL;
	size_t i;

	for (i = 0; i < res->nasserts; i++) {
		const struct lg_assertion *a = &res->asserts[i];

		if (a->source != LG_SOURCE_JOURNAL || !a->journal_time)
			continue;
		if (!latest || strcmp(a->journal_time, latest) > 0)
			latest = a->journal_time;
	}
	if (!latest)
		return;
	res->source = LG_SOURCE_JOURNAL;
	free(res->journal_time);
	res->journal_time = lg_xstrdup(latest);
}

bool lg_result_has_pending(const struct lg_result *res)
{
	return first_where(res, true) != NULL;
}

enum lg_verdict lg_result_finish(struct lg_result *res)
{
	const struct lg_assertion *failed = first_where(res, false);
	const struct lg_assertion *pending = first_where(res, true);

	if (res->verdict == LG_ERROR || res->verdict == LG_SKIP)
		return res->verdict;
	if (failed)
		res->verdict = LG_FAIL;
	else if (pending)
		res->verdict = LG_SKIP;
	if (res->verdict == LG_FAIL && !res->message)
		res->message = lg_xstrdup(failed && failed->what  ? failed->what
					  : failed && failed->key ? failed->key
								  : "failed");
	if (res->verdict == LG_SKIP && !res->message)
		res->message = lg_xstrdup(pending->hint	  ? pending->hint
					  : pending->what ? pending->what
							  : pending->key);
	if (res->verdict == LG_PASS)
		note_journal_source(res);
	return res->verdict;
}

double lg_result_points(const struct lg_result *res)
{
	double sum = 0;
	size_t i;

	/* A skipped objective was not graded: nothing it holds counts,
	 * unless it waits only for steps not applied yet. */
	if (res->verdict == LG_SKIP && !first_where(res, true))
		return 0;
	for (i = 0; i < res->nasserts; i++)
		sum += res->asserts[i].points;
	return sum;
}

double lg_result_max_points(const struct lg_result *res)
{
	double sum = 0;
	size_t i;

	if (res->max_points > 0)
		return res->max_points;
	for (i = 0; i < res->nasserts; i++)
		sum += res->asserts[i].max_points;
	return sum;
}

/* SPDX-License-Identifier: MIT */
/* result.h: the verdict of one objective, its assertions and its evidence. */
#ifndef LG_RESULT_H
#define LG_RESULT_H

#include "lg.h"

/*
 * pass: every assertion holds. fail: the cluster does not meet the objective
 * (partial points per assertion, a hint per failed one). error: labgrade
 * could not tell (never a pass, never silently a fail). skip: a prerequisite
 * failed, or the step is not in effect and not in the journal.
 */
enum lg_verdict { LG_PASS = 0, LG_FAIL, LG_ERROR, LG_SKIP };

const char *lg_verdict_name(enum lg_verdict v); /* "pass", "fail", ... */

/* Where the verdict came from: observed now, or the progress journal. */
enum lg_source { LG_SOURCE_LIVE = 0, LG_SOURCE_JOURNAL };

/* One thing checked. Strings are owned by the assertion. */
struct lg_assertion {
	char *key;  /* stable id from rubric.yaml, e.g. "istiod-available" */
	char *what; /* what was checked, in the report's language */
	char *expected; /* what the objective needs */
	char *observed; /* what the cluster showed */
	char *hint;	/* cause and fixing command; NULL when ok */
	bool ok;
	/* Its lab step is not configured now and the journal holds no pass:
	 * neither ok nor failed, it earns nothing yet. */
	bool pending;
	enum lg_source source; /* observed now, or taken from the journal */
	char *journal_time;    /* RFC 3339, when source is the journal */
	double points;	       /* earned */
	double max_points;
};

/*
 * struct lg_result: owned strings and arrays; lg_result_release() frees
 * them. An all-zero struct is an empty, valid result.
 * @test tests/unit/test_result.c
 */
struct lg_result {
	char *id;      /* check id, kebab-case */
	char *title;   /* objective title in the report's language */
	int objective; /* the lab's objective number */
	enum lg_verdict verdict;
	char *message; /* one line: the first failure, error or skip reason */
	struct lg_assertion *asserts;
	size_t nasserts;
	char **evidence; /* free-form lines: what was requested and seen */
	size_t nevidence;
	/* What the student should fix although no point is lost (an Istio
	 * validation warning, a deprecated field): every report shows them,
	 * also on a pass. */
	char **warnings;
	size_t nwarnings;
	double seconds;
	enum lg_source source;
	char *journal_time; /* RFC 3339, when source is LG_SOURCE_JOURNAL */
	/* Added: the objective's total from the rubric, set by whoever runs
	 * the check; 0 means "the sum of the recorded assertions", which
	 * undercounts a check that stopped early on an error. */
	double max_points;
};

void lg_result_init(struct lg_result *res, const char *id, const char *title,
		    int objective);
void lg_result_release(struct lg_result *res);

/*
 * Record an assertion. expected, observed and hint are copied (hint may be
 * NULL and is dropped when ok). Returns ok, so a check can branch on it.
 */
bool lg_result_assert(struct lg_result *res, const char *key, const char *what,
		      bool ok, double max_points, const char *expected,
		      const char *observed, const char *hint);

/*
 * Record an assertion whose lab step is not in effect now and not in the
 * journal: pending, 0 points, hint says which step to apply (copied).
 */
void lg_result_assert_pending(struct lg_result *res, const char *key,
			      const char *what, double max_points,
			      const char *hint);

/*
 * Record an assertion as held because the progress journal says its step
 * passed at `time` (RFC 3339); observed is the journal's evidence line.
 */
void lg_result_assert_journal(struct lg_result *res, const char *key,
			      const char *what, double max_points,
			      const char *time, const char *observed);

/* Add a warning (printf-style; see struct lg_result). */
void lg_result_warnf(struct lg_result *res, const char *fmt, ...)
    LG_PRINTF(2, 3);

/* Add one line of evidence (printf-style). Control characters are kept:
 * escaping is the writers' job. */
void lg_result_evidencef(struct lg_result *res, const char *fmt, ...)
    LG_PRINTF(2, 3);

/*
 * Set the verdict with a message. The first message wins (curl's failf):
 * later calls only add the text as evidence. Each returns the verdict it set,
 * so a check can end with `return lg_result_errorf(res, ...)`. An error
 * always overrides a fail or pass; a fail overrides a pass.
 * (Precisely: error > fail > skip > pass, a verdict is only replaced by a
 * worse one, and the call returns the verdict in force. When a worse
 * verdict replaces one that had a message, the new message becomes the
 * message and the old one moves to the evidence; see
 * docs/internals/results.md.)
 */
enum lg_verdict lg_result_failf(struct lg_result *res, const char *fmt, ...)
    LG_PRINTF(2, 3);
enum lg_verdict lg_result_errorf(struct lg_result *res, const char *fmt, ...)
    LG_PRINTF(2, 3);
enum lg_verdict lg_result_skipf(struct lg_result *res, const char *fmt, ...)
    LG_PRINTF(2, 3);

/*
 * The verdict the assertions imply: error if an error was recorded, else
 * fail if any assertion failed, else skip if any is pending (the step is
 * not in effect and not in the journal; the first pending hint becomes the
 * message), else pass (skip stays skip). Sets res->verdict and, for a fail
 * without a message, the first failed assertion's "what" as the message.
 * A pass that rests on the journal gets source LG_SOURCE_JOURNAL and the
 * latest journal time.
 */
enum lg_verdict lg_result_finish(struct lg_result *res);

/*
 * Earned points: the sum over the assertions (0 for a skip, except one
 * that is skipped only because some steps are pending: the steps already
 * seen keep their points). Maximum: the
 * max_points field when set, else the sum of the assertions' maxima.
 */
/* Does some assertion wait for a lab step that is not applied yet? */
bool lg_result_has_pending(const struct lg_result *res);

double lg_result_points(const struct lg_result *res);
double lg_result_max_points(const struct lg_result *res);

#endif

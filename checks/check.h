/* SPDX-License-Identifier: MIT */
/* check.h: the interface every objective's check implements. */
#ifndef LG_CHECK_H
#define LG_CHECK_H

#include "../harness/cluster.h"
#include "../harness/result.h"
#include "../harness/rubric.h"
#include "../harness/steps.h"

/*
 * Adding a check (git's builtin.h checklist):
 *  1. Write checks/<id_in_snake_case>.c with a header comment: the objective
 *     text, the evidence gathered, why the pass/fail rule is right.
 *  2. Export exactly one `const struct lg_check lg_check_<id>` with
 *     designated initializers; everything else in the file is static.
 *  3. List its assertions in .asserts, each with a stable key, and give the
 *     same keys points in rubric.yaml (a test compares the two).
 *  4. Add it to lg_checks[] in checks/registry.c, keeping the id order.
 *  5. A check whose lab steps overwrite each other's configuration lists
 *     them in .steps (struct lg_step_def, harness/steps.h) and asks
 *     lg_check_step_mode() how each is graded this run.
 *  6. Add cases under tests/ (unit cases on recorded objects, and an
 *     integration case against the simulated cluster).
 * Every file to touch, in order: CONTRIBUTING.md, "Adding an objective".
 * Checks never print, never write to the cluster and never start processes.
 */

enum lg_lang { LG_LANG_ES = 0, LG_LANG_EN };

/* Preconditions the scheduler enforces before calling run. */
enum lg_check_flags {
	LG_CHECK_NEEDS_GATEWAY = 1 << 0, /* sends traffic through the gateway */
	LG_CHECK_DISTURBS = 1 << 1,	 /* changes mesh state: run last */
	LG_CHECK_SLOW = 1 << 2,		 /* takes seconds: show progress */
	LG_CHECK_OPTIONAL = 1 << 3,	 /* not graded by the default rubric */
	LG_CHECK_ALONE = 1 << 4, /* counts metrics: no other check at once */
};

/*
 * One assertion a check can make: a stable key, its text, and the lab step
 * it belongs to. The lab's steps overwrite each other, so an assertion of a
 * step that is no longer configured is taken from the progress journal
 * (lg_check_step_from_journal); step NULL means "judged live every time".
 */
struct lg_assert_def {
	const char *key;
	const char *what_es;
	const char *what_en;
	const char *step;
};

/* What the checks learn and share in one run (filled as they go). */
struct lg_state {
	char *gateway_url; /* base URL for traffic, "http://host:port" */
	char *gateway_how; /* how it was found, for the evidence */
	/* The traffic checks' lists, read once per run (harness/steps.h). */
	struct lg_steps_cache *steps;
};

/* Free what the state holds; it is empty again. */
void lg_state_release(struct lg_state *s);

struct lg_journal;

/* Everything a check may use. Borrowed from the caller of run. */
struct lg_ctx {
	struct lg_cluster *cluster;
	const struct lg_rubric *rubric;
	const struct lg_rubric_objective *objective;
	enum lg_lang lang;
	const char *gateway_url; /* --gateway-url, or NULL */
	/* --ingress-url: where httpbin's gateway answers (the lab's second
	 * port-forward), or NULL; only ingress-gateway reads it */
	const char *ingress_url;
	struct lg_state *state;
	const struct lg_check *check;
	/* Passes recorded by earlier runs (read-only; NULL with
	 * --no-journal). Keys are "<check id>.<step>". */
	const struct lg_journal *journal;
};

struct lg_check {
	const char *id; /* kebab-case, as in rubric.yaml */
	int objective;	/* the lab's objective number */
	const char *title_es;
	const char *title_en;
	const char *const *prereqs; /* ids that must pass first; NULL-ended */
	unsigned flags;		    /* enum lg_check_flags */
	const struct lg_assert_def *asserts;
	size_t nasserts;
	const struct lg_step_def *steps; /* lab steps, in lab order */
	size_t nsteps;
	enum lg_verdict (*run)(struct lg_ctx *ctx, struct lg_result *res);
};

/* The table, sorted by id. */
extern const struct lg_check *const lg_checks[];
extern const size_t lg_nchecks;

/* The check with this id, or NULL (binary search). */
const struct lg_check *lg_check_find(const char *id);

/* The string for the context's language. */
const char *lg_tr(const struct lg_ctx *ctx, const char *es, const char *en);

/*
 * Record assertion `key` of the running check: its text from the check's
 * table, its points from the rubric (0 when the rubric omits it). hint may
 * be NULL when ok. Returns ok.
 */
bool lg_check_assert(struct lg_ctx *ctx, struct lg_result *res, const char *key,
		     bool ok, const char *expected, const char *observed,
		     const char *hint);

/*
 * For a lab step that is not configured now: record each assertion of the
 * running check whose .step is `step` as held when the journal holds
 * "<id>.<step>" (with its time and evidence), else as pending with the hint
 * how_to_apply (the lab command that applies the step). Returns true when
 * the journal had the step.
 */
bool lg_check_step_from_journal(struct lg_ctx *ctx, struct lg_result *res,
				const char *step, const char *how_to_apply);

/*
 * lg_steps_read_shared() for the running check: the mesh configuration is
 * listed once per run (ctx->state->steps), whichever check comes first.
 */
enum lg_err lg_check_steps_read(struct lg_ctx *ctx, struct lg_result *res,
				const char *ns, struct lg_steps_view *v,
				struct lg_error *err);

/*
 * How step `step` of the running check is graded this run (see
 * harness/steps.h): JUDGE when eff is LG_STEP_FULL; when it is HALF, or
 * the configuration is an attempt nearest to this step, JUDGE unless the
 * journal holds the step's pass (JOURNAL); else JOURNAL or PENDING.
 * @test tests/unit/test_checks.c (the cases)
 */
enum lg_step_mode lg_check_step_mode(const struct lg_ctx *ctx,
				     const struct lg_steps_view *v,
				     const char *step, enum lg_step_effect eff);

/*
 * Record a step that is not judged: from the journal, or pending with its
 * row's apply text. Also notes, as evidence, what the configuration holds
 * for that step when that is an attempt held back by the journal.
 */
void lg_check_step_skip(struct lg_ctx *ctx, struct lg_result *res,
			const struct lg_steps_view *v, const char *step);

/*
 * What is wrong with the configuration for step, in the context's
 * language, followed by " | " and tail (when not NULL); NULL with no known
 * cause and no tail. Caller frees.
 */
char *lg_check_step_why(const struct lg_ctx *ctx, const struct lg_steps_view *v,
			const char *step, const char *tail);

/* The journal key of a step: "<check id>.<step>" (caller frees). */
char *lg_check_step_key(const struct lg_check *c, const char *step);

/* A rubric parameter for the running check (see lg_rubric_param_*). */
const char *lg_param_str(const struct lg_ctx *ctx, const char *key,
			 const char *def);
double lg_param_num(const struct lg_ctx *ctx, const char *key, double def);

#endif

/* SPDX-License-Identifier: MIT */
/* sched.h: which checks run, in what order and how many at once, what their
 * verdicts mean for the exit status, and which passes go to the journal. */
#ifndef LG_SCHED_H
#define LG_SCHED_H

#include "../checks/check.h"

/* Checks run at once by `labgrade all` (they mostly wait on the network). */
#define LG_SCHED_THREADS 4
/* Upper bound on lg_sched.threads; larger values are clamped. */
#define LG_SCHED_MAX_THREADS 16
/*
 * The check that finds the gateway and fills ctx->state (the only shared
 * mutable state). A check flagged LG_CHECK_NEEDS_GATEWAY is planned with it
 * and starts only after it finished, as if it were a prerequisite for
 * ordering; its verdict blocks only checks that list it in .prereqs.
 */
#define LG_SCHED_GATEWAY_CHECK "gateway"

/* One planned check and, once run, its result (owned). */
struct lg_sched_item {
	const struct lg_check *check;
	struct lg_result result;
	bool requested;	  /* asked for; false for a prerequisite pulled in */
	bool prereq_skip; /* skipped because a prerequisite did not pass */
	bool ran;	  /* run was called */
};

/*
 * struct lg_sched: the plan, its run options and what the run did with the
 * journal. items are in plan order: every prerequisite before the checks
 * that need it, otherwise by objective number then id, and
 * LG_CHECK_DISTURBS checks after all others (they change the mesh for
 * minutes). Reports use this order whatever order the checks finished in.
 * An all-zero struct is an empty plan whose run takes one check at a time
 * and writes no journal.
 * @test tests/unit/test_sched.c tests/unit/test_registry.c
 */
struct lg_sched {
	struct lg_sched_item *items;
	size_t n;

	/* Options: set by the caller between planning and running. */
	unsigned threads; /* checks at once; 0 and 1 mean one at a time */
	/* Record passes observed live in the journal (ctx->cluster). */
	bool journal_write;
	const char *journal_ns; /* borrowed; NULL: LG_JOURNAL_DEFAULT_NS */
	/* Borrowed; set when the journal could not be read (why). A check
	 * with steps that leaves one pending (only the journal could have
	 * shown it) becomes an ERROR with this message: its grade is
	 * incomplete; another check with steps gets it as evidence. */
	const char *journal_note;

	/* Set by lg_sched_run. */
	unsigned journal_recorded; /* entries written */
	char *journal_error;	   /* first failed write (owned), or NULL */
};

/* Told before and after each check (the terminal view). May be NULL. */
struct lg_sched_hooks {
	void (*started)(void *data, const struct lg_check *c);
	void (*finished)(void *data, const struct lg_sched_item *it);
	void *data;
};

/*
 * Plan the checks named in ids (nids of them; none means every check in
 * the registry), adding their prerequisites, transitively. An unknown id
 * is LG_EUSAGE with "unknown check 'x'" in err; a prerequisite cycle (a
 * programmer error) is LG_ECONFIG. On error the plan is left empty.
 */
enum lg_err lg_sched_plan(struct lg_sched *s, const char *const *ids,
			  size_t nids, struct lg_error *err);

/*
 * lg_sched_plan over another table of checks (ntable of them, in any
 * order; borrowed and must outlive the plan). The registry's plan is
 * lg_sched_plan_from(s, lg_checks, lg_nchecks, ...); tests pass their own.
 */
enum lg_err lg_sched_plan_from(struct lg_sched *s,
			       const struct lg_check *const *table,
			       size_t ntable, const char *const *ids,
			       size_t nids, struct lg_error *err);

/*
 * Run the plan. For each item, the context is *base (borrowed; its journal
 * is the one every check reads) with check and objective (from
 * base->rubric) set. A check whose prerequisite did not pass becomes SKIP
 * ("skipped: prerequisite istio-install failed") and its run is never
 * called (when the prerequisite is an ERROR, so is the check: it could not
 * be graded); so does one the rubric disables, and one that needs the
 * gateway when no gateway URL is known. The seconds of each run are
 * measured.
 *
 * Concurrency: up to s->threads checks run at once, each starting as soon
 * as every check it depends on has finished. LG_CHECK_DISTURBS checks start
 * only when every other check has finished, and run alone, one at a time.
 * The hooks are called under one lock, never from two threads at once:
 * started just before a check's run (not for a check that is skipped),
 * finished for every item in plan order, as soon as it and every item
 * before it are done. base->state may only be written by
 * LG_SCHED_GATEWAY_CHECK (see there).
 *
 * Journal: with s->journal_write, after each check, every lab step (the
 * distinct lg_assert_def.step values of the check) whose assertions all
 * hold and were observed live is recorded as "<id>.<step>", and a check
 * that passed entirely live as "<id>", in namespace s->journal_ns through
 * base->cluster. A failed write never changes a verdict: it adds the
 * evidence line "journal not updated: ..." to the check, sets
 * s->journal_error, and no further write is attempted (except after a
 * conflict, which is worth retrying). Blocks until every check finished.
 */
void lg_sched_run(struct lg_sched *s, const struct lg_ctx *base,
		  const struct lg_sched_hooks *hooks);

/*
 * The exit status docs/design.md defines: 3 when any result is an error (the
 * grade is incomplete), else 1 when any failed, was skipped because a
 * prerequisite did not pass, or waits for a lab step not applied yet
 * (pending), else 0 (skips of disabled or optional objectives are fine).
 */
int lg_sched_exit_code(const struct lg_sched *s);

/* Free the plan, its results and journal_error; options are kept. */
void lg_sched_release(struct lg_sched *s);

#endif

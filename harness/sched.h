/* SPDX-License-Identifier: MIT */
/* sched.h: which checks run, in what order, and what their verdicts mean
 * for the exit status. */
#ifndef LG_SCHED_H
#define LG_SCHED_H

#include "../checks/check.h"

/* One planned check and, once run, its result (owned). */
struct lg_sched_item {
	const struct lg_check *check;
	struct lg_result result;
	bool requested;	  /* asked for; false for a prerequisite pulled in */
	bool prereq_skip; /* skipped because a prerequisite did not pass */
	bool ran;	  /* run was called */
};

/*
 * struct lg_sched: the plan. items are in execution order: every
 * prerequisite before the checks that need it, otherwise by objective
 * number then id, and LG_CHECK_DISTURBS checks after all others (they
 * change the mesh for minutes). An all-zero struct is an empty plan.
 * @test tests/unit/test_registry.c
 */
struct lg_sched {
	struct lg_sched_item *items;
	size_t n;
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
 * Run the plan sequentially. For each item, the context is *base with
 * check and objective (from base->rubric) set. A check whose prerequisite
 * did not pass becomes SKIP ("skipped: prerequisite istio-install failed")
 * and its run is never called (when the prerequisite is an ERROR, so is
 * the check: it could not be graded); so does one the rubric disables, and one
 * that needs the gateway when no gateway URL is known. The seconds of each
 * run are measured. Blocks for as long as the checks take.
 */
void lg_sched_run(struct lg_sched *s, const struct lg_ctx *base,
		  const struct lg_sched_hooks *hooks);

/*
 * The exit status DESIGN.md defines: 3 when any result is an error (the
 * grade is incomplete), else 1 when any failed or was skipped because a
 * prerequisite did not pass, else 0 (skips of disabled or optional
 * objectives are fine).
 */
int lg_sched_exit_code(const struct lg_sched *s);

void lg_sched_release(struct lg_sched *s);

#endif

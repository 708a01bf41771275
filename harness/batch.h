/* SPDX-License-Identifier: MIT */
/* batch.h: grading a whole class over SSH, one student per roster entry. */
#ifndef LG_BATCH_H
#define LG_BATCH_H

#include "../reports/report.h"
#include "roster.h"
#include "rubric.h"
#include "sched.h"

/*
 * One student's row. Graded: error is NULL and rep holds the results.
 * Not graded (no SSH, no kubeconfig, ...): error says why, and rep holds
 * every planned objective as an ERROR with that reason, so that every
 * class output has the same columns for everyone.
 */
struct lg_batch_row {
	char *name;
	const struct lg_roster_student *student;
	size_t index; /* in the roster */
	char *error;
	struct lg_sched sched;
	struct lg_result *results; /* shallow copies of sched's */
	struct lg_report rep;
	char *server, *fingerprint;
	char started[32];
	char **warnings;
	size_t nwarnings;
	int exit_code; /* as `labgrade all` would exit for this student */
};

/* Told when a student starts and ends (under one lock). May be NULL. */
struct lg_batch_hooks {
	void (*started)(void *data, const struct lg_batch_row *row);
	void (*finished)(void *data, const struct lg_batch_row *row,
			 size_t done, size_t total);
	void *data;
};

struct lg_batch_opts {
	const struct lg_roster *roster;
	const struct lg_rubric *rubric;
	enum lg_lang lang;
	bool trust_new_hosts; /* or the roster's */
	bool no_journal;
	long request_timeout_ms; /* 0: the rubric's, else the default */
	unsigned shard, nshards; /* grade only this slice; 0 0: all */
};

/*
 * struct lg_batch: the rows, in roster order (students outside the shard
 * are left out).
 * @test tests/integration/test_batch.sh
 */
struct lg_batch {
	struct lg_batch_row *rows;
	size_t n;
};

/*
 * Grade every student of the roster (or of the shard), up to
 * roster->parallel at once, each with its own SSH session, cluster client
 * and plan. A student who cannot be reached or graded never stops the
 * others. Always fills b (release it with lg_batch_release).
 */
void lg_batch_run(struct lg_batch *b, const struct lg_batch_opts *o,
		  const struct lg_batch_hooks *hooks);

/* Whether the student named name falls in shard i of n (a stable hash of
 * the name, so a roster edited elsewhere keeps its slices). */
bool lg_batch_in_shard(const char *name, unsigned i, unsigned n);

/* 3 if any student could not be graded or has an error, else 1 if any
 * objective failed, else 0. */
int lg_batch_exit_code(const struct lg_batch *b);
void lg_batch_release(struct lg_batch *b);

#endif

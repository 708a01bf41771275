/* SPDX-License-Identifier: MIT */
/* sched.c: plans the checks and turns their verdicts into an exit status
 * (see sched.h; running them is sched_run.c). */
#include <stdlib.h>
#include <string.h>

#include "sched.h"
#include "sched_int.h"

/* The table being planned from. */
struct table {
	const struct lg_check *const *v;
	size_t n;
};

static const struct lg_check *table_find(const struct table *t, const char *id);
static bool deps_placed(const struct lg_sched *s, const struct table *t,
			const struct lg_check *c);

const char *lg_sched_dep_at(const struct lg_check *c, size_t i)
{
	size_t n = 0;

	while (c->prereqs && c->prereqs[n]) {
		if (n == i)
			return c->prereqs[n];
		n++;
	}
	if (i != n || !(c->flags & LG_CHECK_NEEDS_GATEWAY) ||
	    strcmp(c->id, LG_SCHED_GATEWAY_CHECK) == 0)
		return NULL;
	for (n = 0; c->prereqs && c->prereqs[n]; n++)
		if (strcmp(c->prereqs[n], LG_SCHED_GATEWAY_CHECK) == 0)
			return NULL;
	return LG_SCHED_GATEWAY_CHECK;
}

static size_t index_of(const struct table *t, const struct lg_check *c)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i] == c)
			return i;
	return t->n;
}

static const struct lg_check *table_find(const struct table *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i]->id, id) == 0)
			return t->v[i];
	return NULL;
}

/*
 * Mark c and, transitively, what it depends on. The implicit gateway
 * dependency is only followed when the table has that check (a table
 * without it plans fine: the gateway URL then comes from the caller).
 */
static enum lg_err mark(const struct table *t, bool *need,
			const struct lg_check *c, unsigned depth,
			struct lg_error *err)
{
	const char *id;
	size_t i;

	if (depth > t->n)
		return lg_errorf(err, LG_ECONFIG,
				 "prerequisite cycle through check '%s'",
				 c->id);
	need[index_of(t, c)] = true;
	for (i = 0; (id = lg_sched_dep_at(c, i)) != NULL; i++) {
		const struct lg_check *p = table_find(t, id);
		bool implicit = !c->prereqs || !c->prereqs[i];

		if (!p && implicit)
			continue;
		if (!p)
			return lg_errorf(err, LG_ECONFIG,
					 "check '%s' needs unknown check '%s'",
					 c->id, id);
		if (mark(t, need, p, depth + 1, err) != LG_OK)
			return err->code;
	}
	return LG_OK;
}

size_t lg_sched_item_index(const struct lg_sched *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->items[i].check->id, id) == 0)
			return i;
	return s->n;
}

/* Every dependency that is in the table is already placed. */
static bool deps_placed(const struct lg_sched *s, const struct table *t,
			const struct lg_check *c)
{
	const char *id;
	size_t i;

	for (i = 0; (id = lg_sched_dep_at(c, i)) != NULL; i++)
		if (table_find(t, id) && lg_sched_item_index(s, id) == s->n)
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

/* The next check to place: needed, unplaced, dependencies placed. */
static const struct lg_check *next_ready(const struct lg_sched *s,
					 const struct table *t,
					 const bool *need, bool disturbs)
{
	const struct lg_check *best = NULL;
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct lg_check *c = t->v[i];

		if (!need[i] || lg_sched_item_index(s, c->id) < s->n ||
		    !!(c->flags & LG_CHECK_DISTURBS) != disturbs ||
		    !deps_placed(s, t, c))
			continue;
		if (!best || runs_before(c, best))
			best = c;
	}
	return best;
}

static void place(struct lg_sched *s, const struct table *t, const bool *need,
		  bool disturbs)
{
	const struct lg_check *c;

	while ((c = next_ready(s, t, need, disturbs)) != NULL) {
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

/* Mark what the ids need; LG_OK or the error (in err). */
static enum lg_err mark_all(const struct table *t, bool *need,
			    const char *const *ids, size_t nids,
			    struct lg_error *err)
{
	size_t i;

	for (i = 0; i < (nids ? nids : t->n); i++) {
		const struct lg_check *c =
		    nids ? table_find(t, ids[i]) : t->v[i];

		if (!c)
			return lg_errorf(
			    err, LG_EUSAGE,
			    "unknown check '%s' (see 'labgrade list')", ids[i]);
		if (mark(t, need, c, 0, err) != LG_OK)
			return err->code;
	}
	return LG_OK;
}

enum lg_err lg_sched_plan_from(struct lg_sched *s,
			       const struct lg_check *const *table,
			       size_t ntable, const char *const *ids,
			       size_t nids, struct lg_error *err)
{
	const struct table t = {table, ntable};
	bool *need = lg_xcalloc(ntable + 1, sizeof(*need));
	size_t i, want = 0;

	memset(s, 0, sizeof(*s));
	if (mark_all(&t, need, ids, nids, err) != LG_OK)
		goto fail;
	for (i = 0; i < ntable; i++)
		want += need[i];
	s->items = lg_xcalloc(want + 1, sizeof(*s->items));
	place(s, &t, need, false);
	place(s, &t, need, true);
	if (s->n != want) {
		lg_errorf(err, LG_ECONFIG,
			  "prerequisites of the checks form a cycle");
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

enum lg_err lg_sched_plan(struct lg_sched *s, const char *const *ids,
			  size_t nids, struct lg_error *err)
{
	return lg_sched_plan_from(s, lg_checks, lg_nchecks, ids, nids, err);
}

int lg_sched_exit_code(const struct lg_sched *s)
{
	bool failed = false;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct lg_sched_item *it = &s->items[i];

		if (it->result.verdict == LG_ERROR)
			return 3;
		/* A step not applied yet is no pass either: the lab is not
		 * done, and a CI job must not read it as success. */
		if (it->result.verdict == LG_FAIL || it->prereq_skip ||
		    (it->result.verdict == LG_SKIP &&
		     lg_result_has_pending(&it->result)))
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
	free(s->journal_error);
	s->journal_error = NULL;
	s->journal_recorded = 0;
}

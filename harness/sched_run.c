/* SPDX-License-Identifier: MIT */
/* sched_run.c: runs a plan on a small pool of threads and records the
 * passes it observed in the progress journal (see sched.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "journal.h"
#include "sched.h"
#include "sched_int.h"

enum item_state { ITEM_WAITING = 0, ITEM_RUNNING, ITEM_DONE };

/*
 * One run. lock guards st, nstarted, nreported, running and disturbing,
 * and every call of a hook; an item's result is written only by the thread
 * that runs it, and read by others only once st says ITEM_DONE (the lock
 * orders the two). journal_lock makes this process's journal writes one
 * at a time, so that its own threads do not conflict with each other.
 */
struct runner {
	struct lg_sched *s;
	const struct lg_ctx *base;
	const struct lg_sched_hooks *hooks;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_mutex_t journal_lock;
	enum item_state *st;
	size_t nstarted, nreported;
	unsigned running;
	bool disturbing;  /* an LG_CHECK_DISTURBS or _ALONE check is running */
	bool journal_off; /* a write failed for good: no more attempts */
};

static void record_journal(struct runner *r, struct lg_sched_item *it);

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool is_disturbing(const struct lg_check *c)
{
	return (c->flags & LG_CHECK_DISTURBS) != 0;
}

/* A check that must have the mesh to itself while it runs. */
static bool is_alone(const struct lg_check *c)
{
	return (c->flags & (LG_CHECK_DISTURBS | LG_CHECK_ALONE)) != 0;
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

/* The verdict of prerequisite id as this run knows it: one that is not in
 * the plan, or not finished (a hand-made plan in the wrong order), never
 * ran, so it counts as skipped. */
static enum lg_verdict prereq_verdict(const struct runner *r, const char *id)
{
	size_t j = lg_sched_item_index(r->s, id);

	if (j == r->s->n || r->st[j] != ITEM_DONE)
		return LG_SKIP;
	return r->s->items[j].result.verdict;
}

/*
 * A prerequisite that did not pass blocks the item: skip when it failed or
 * was skipped, error when it could not be graded (then neither can this
 * one: never a skip that would read as a fail). true when blocked.
 */
static bool prereq_blocks(const struct runner *r, struct lg_sched_item *it,
			  const struct lg_ctx *ctx)
{
	const struct lg_check *c = it->check;
	size_t i;

	for (i = 0; c->prereqs && c->prereqs[i]; i++) {
		enum lg_verdict v = prereq_verdict(r, c->prereqs[i]);

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
static bool must_skip(const struct runner *r, struct lg_sched_item *it,
		      const struct lg_ctx *ctx)
{
	if (ctx->objective && !ctx->objective->enabled) {
		lg_result_skipf(&it->result, "%s",
				lg_tr(ctx, "omitido: desactivado en la rúbrica",
				      "skipped: disabled in the rubric"));
		return true;
	}
	if (prereq_blocks(r, it, ctx))
		return true;
	/* state is final here: the gateway check finished before this one
	 * was allowed to start (lg_sched_dep_at) */
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

static bool has_steps(const struct lg_check *c)
{
	size_t i;

	for (i = 0; i < c->nasserts; i++)
		if (c->asserts[i].step)
			return true;
	return false;
}

/*
 * The journal could not be read: a step left pending might be in it, so
 * the check's grade is incomplete (an error naming the cause, never points
 * silently lost); a check with steps all seen live only says so.
 */
static void note_unread_journal(const struct lg_sched *s,
				struct lg_sched_item *it)
{
	if (!s->journal_note || !has_steps(it->check))
		return;
	if (lg_result_has_pending(&it->result))
		lg_result_errorf(&it->result, "%s", s->journal_note);
	else
		lg_result_evidencef(&it->result, "%s", s->journal_note);
}

/* Call the started hook under the lock (one thread at a time). */
static void hook_started(struct runner *r, const struct lg_check *c)
{
	if (!r->hooks || !r->hooks->started)
		return;
	pthread_mutex_lock(&r->lock);
	r->hooks->started(r->hooks->data, c);
	pthread_mutex_unlock(&r->lock);
}

/* Run item i (or record why it must not run). Called without the lock. */
static void run_one(struct runner *r, size_t i)
{
	struct lg_sched_item *it = &r->s->items[i];
	struct lg_ctx ctx = *r->base;
	double t0;
	enum lg_verdict v;

	ctx.check = it->check;
	ctx.objective = r->base->rubric
			    ? lg_rubric_find(r->base->rubric, it->check->id)
			    : NULL;
	lg_result_init(&it->result, it->check->id, title_of(&ctx),
		       it->check->objective);
	/* an objective the rubric does not grade (optional, or enabled:
	 * false) is out of the total, not a loss of its points */
	it->result.max_points = !ctx.objective || ctx.objective->enabled
				    ? objective_points(ctx.objective)
				    : 0;
	if (must_skip(r, it, &ctx))
		return;
	hook_started(r, it->check);
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
	note_unread_journal(r->s, it);
}

/* ---- choosing what runs next (all with the lock held) ---------------- */

static bool deps_done(const struct runner *r, size_t i)
{
	const struct lg_check *c = r->s->items[i].check;
	const char *id;
	size_t k, j;

	for (k = 0; (id = lg_sched_dep_at(c, k)) != NULL; k++) {
		j = lg_sched_item_index(r->s, id);
		if (j < r->s->n && r->st[j] != ITEM_DONE)
			return false;
	}
	return true;
}

/* Nothing runs and every check that does not disturb the mesh is done. */
static bool calm(const struct runner *r)
{
	size_t i;

	if (r->running)
		return false;
	for (i = 0; i < r->s->n; i++)
		if (!is_disturbing(r->s->items[i].check) &&
		    r->st[i] != ITEM_DONE)
			return false;
	return true;
}

static bool is_ready(const struct runner *r, size_t i)
{
	if (r->st[i] != ITEM_WAITING || r->disturbing)
		return false;
	if (is_disturbing(r->s->items[i].check) && !calm(r))
		return false;
	if (is_alone(r->s->items[i].check) && r->running)
		return false;
	return deps_done(r, i);
}

/*
 * The next item to start, waiting while none is ready; s->n when every
 * item has started. A plan that cannot progress (a hand-made one with a
 * cycle) starts its first waiting item anyway once nothing runs: its
 * unfinished prerequisites then count as skipped.
 */
static size_t next_job(struct runner *r)
{
	size_t i;

	for (;;) {
		if (r->nstarted == r->s->n)
			return r->s->n;
		for (i = 0; i < r->s->n; i++)
			if (is_ready(r, i))
				return i;
		if (!r->running)
			for (i = 0; i < r->s->n; i++)
				if (r->st[i] == ITEM_WAITING)
					return i;
		pthread_cond_wait(&r->cond, &r->lock);
	}
}

/* Tell the finished hook about every done item not yet told, in plan
 * order, stopping at the first that is not done. */
static void report_done(struct runner *r)
{
	while (r->nreported < r->s->n && r->st[r->nreported] == ITEM_DONE) {
		if (r->hooks && r->hooks->finished)
			r->hooks->finished(r->hooks->data,
					   &r->s->items[r->nreported]);
		r->nreported++;
	}
}

static void *worker(void *arg)
{
	struct runner *r = arg;
	size_t i;

	pthread_mutex_lock(&r->lock);
	while ((i = next_job(r)) < r->s->n) {
		r->st[i] = ITEM_RUNNING;
		r->nstarted++;
		r->running++;
		r->disturbing = is_alone(r->s->items[i].check);
		pthread_mutex_unlock(&r->lock);
		run_one(r, i);
		record_journal(r, &r->s->items[i]);
		pthread_mutex_lock(&r->lock);
		r->st[i] = ITEM_DONE;
		r->running--;
		r->disturbing = false;
		report_done(r);
		pthread_cond_broadcast(&r->cond);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static unsigned pool_size(const struct lg_sched *s)
{
	unsigned n = s->threads ? s->threads : 1;

	if (n > LG_SCHED_MAX_THREADS)
		n = LG_SCHED_MAX_THREADS;
	if (n > s->n)
		n = (unsigned)s->n;
	return n ? n : 1;
}

void lg_sched_run(struct lg_sched *s, const struct lg_ctx *base,
		  const struct lg_sched_hooks *hooks)
{
	struct runner r = {0};
	pthread_t tids[LG_SCHED_MAX_THREADS];
	unsigned want = pool_size(s), made = 0, k;

	r.s = s;
	r.base = base;
	r.hooks = hooks;
	r.st = lg_xcalloc(s->n + 1, sizeof(*r.st));
	pthread_mutex_init(&r.lock, NULL);
	pthread_mutex_init(&r.journal_lock, NULL);
	pthread_cond_init(&r.cond, NULL);
	/* the caller's thread is one of the workers; if a thread cannot be
	 * created the run is only slower, never wrong */
	for (k = 1; k < want; k++)
		if (pthread_create(&tids[made], NULL, worker, &r) == 0)
			made++;
	worker(&r);
	for (k = 0; k < made; k++)
		pthread_join(tids[k], NULL);
	pthread_cond_destroy(&r.cond);
	pthread_mutex_destroy(&r.journal_lock);
	pthread_mutex_destroy(&r.lock);
	free(r.st);
}

/* ---- the progress journal -------------------------------------------- */

static const struct lg_assert_def *def_of(const struct lg_check *c,
					  const char *key)
{
	size_t i;

	for (i = 0; key && i < c->nasserts; i++)
		if (strcmp(c->asserts[i].key, key) == 0)
			return &c->asserts[i];
	return NULL;
}

static bool is_live_ok(const struct lg_assertion *a)
{
	return a->ok && !a->pending && a->source == LG_SOURCE_LIVE;
}

/* Whether assertion a belongs to step (NULL: every assertion does). */
static bool in_step(const struct lg_check *c, const struct lg_assertion *a,
		    const char *step)
{
	const struct lg_assert_def *d;

	if (!step)
		return true;
	d = def_of(c, a->key);
	return d && d->step && strcmp(d->step, step) == 0;
}

/*
 * Sum up the assertions of step (NULL: all of them) into e, the observed
 * values joined as its evidence. false when there is none, or one that
 * does not hold or was not observed live now.
 */
static bool summarize(const struct lg_check *c, const struct lg_result *res,
		      const char *step, struct lg_journal_entry *e,
		      struct lg_buf *ev)
{
	size_t i, n = 0;

	for (i = 0; i < res->nasserts; i++) {
		const struct lg_assertion *a = &res->asserts[i];

		if (!in_step(c, a, step))
			continue;
		if (!is_live_ok(a))
			return false;
		n++;
		e->points += a->points;
		e->max_points += a->max_points;
		if (a->observed && *a->observed)
			lg_buf_addf(ev, "%s%s", ev->len ? "; " : "",
				    a->observed);
	}
	if (!ev->len && res->nevidence)
		lg_buf_adds(ev, res->evidence[0]);
	return n > 0 || !step;
}

/*
 * One write, at most one process-wide at a time. A failure that is not a
 * conflict turns the journal off for the rest of the run. *noted: the
 * result already says the journal was not updated (once is enough).
 */
static void journal_put(struct runner *r, struct lg_result *res,
			const char *key, const struct lg_journal_entry *e,
			bool *noted)
{
	struct lg_error err = {0};

	pthread_mutex_lock(&r->journal_lock);
	if (!r->journal_off &&
	    lg_journal_record(r->base->cluster, r->s->journal_ns, key, e,
			      &err) == LG_OK) {
		r->s->journal_recorded++;
		goto out;
	}
	if (!r->journal_off) {
		r->journal_off = err.code != LG_ECONFLICT;
		if (!r->s->journal_error)
			r->s->journal_error = lg_xstrdup(err.msg);
	}
	if (!*noted)
		lg_result_evidencef(res, "journal not updated: %s",
				    r->journal_off ? r->s->journal_error
						   : err.msg);
	*noted = true;
out:
	pthread_mutex_unlock(&r->journal_lock);
}

/* Record step (NULL: the whole check, as "<id>") if it held, live. */
static void record_one(struct runner *r, struct lg_sched_item *it,
		       const char *step, bool *noted)
{
	struct lg_journal_entry e = {0};
	struct lg_buf ev = LG_BUF_INIT;
	char *key = step ? lg_check_step_key(it->check, step)
			 : lg_xstrdup(it->check->id);

	if (summarize(it->check, &it->result, step, &e, &ev)) {
		e.evidence = ev.buf;
		journal_put(r, &it->result, key, &e, noted);
	}
	lg_buf_release(&ev);
	free(key);
}

static bool is_first_of_step(const struct lg_check *c, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (c->asserts[j].step &&
		    strcmp(c->asserts[j].step, c->asserts[i].step) == 0)
			return false;
	return true;
}

/*
 * After a check: record each of its steps that held live, and the check
 * itself when it passed entirely live (a pass is recorded after
 * every passing check). A pass taken from the journal is not recorded
 * again: its time would become now.
 */
static void record_journal(struct runner *r, struct lg_sched_item *it)
{
	const struct lg_check *c = it->check;
	bool noted = false;
	size_t i;

	if (!r->s->journal_write || !r->base->cluster || !it->ran)
		return;
	for (i = 0; i < c->nasserts; i++)
		if (c->asserts[i].step && is_first_of_step(c, i))
			record_one(r, it, c->asserts[i].step, &noted);
	if (it->result.verdict == LG_PASS &&
	    it->result.source == LG_SOURCE_LIVE)
		record_one(r, it, NULL, &noted);
}

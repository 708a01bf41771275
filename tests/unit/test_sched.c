/* SPDX-License-Identifier: MIT */
/* test_sched.c: the scheduler on fake checks: plan order, prerequisites,
 * concurrency, disturbing checks alone and last, and the journal writes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "../../harness/journal.h"
#include "../../harness/sched.h"
#include "../../reports/report.h"

#define CM_PATH "/api/v1/namespaces/bookinfo/configmaps/labgrade-progress"
#define CM_COLL "/api/v1/namespaces/bookinfo/configmaps"

/* ---- timing and what the fake checks saw ------------------------------ */

#define MAX_SPANS 16

/* When each fake check ran, and how many ran at once at most. */
struct spans {
	pthread_mutex_t lock;
	struct {
		const char *id;
		double start, end;
	} v[MAX_SPANS];
	size_t n;
	int inside, max_inside;
	int runs;
};

static struct spans spans = {.lock = PTHREAD_MUTEX_INITIALIZER};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static void spans_reset(void)
{
	pthread_mutex_lock(&spans.lock);
	spans.n = 0;
	spans.inside = spans.max_inside = spans.runs = 0;
	pthread_mutex_unlock(&spans.lock);
}

/* Record that check id ran from start to end. */
static void span_add(const char *id, double start, double end)
{
	pthread_mutex_lock(&spans.lock);
	if (spans.n < MAX_SPANS) {
		spans.v[spans.n].id = id;
		spans.v[spans.n].start = start;
		spans.v[spans.n].end = end;
		spans.n++;
	}
	pthread_mutex_unlock(&spans.lock);
}

static void enter(int delta)
{
	pthread_mutex_lock(&spans.lock);
	spans.inside += delta;
	if (delta > 0)
		spans.runs++;
	if (spans.inside > spans.max_inside)
		spans.max_inside = spans.inside;
	pthread_mutex_unlock(&spans.lock);
}

/* The milliseconds a fake check sleeps: the number after "sleep" in its
 * title_en ("sleep 300"), else 0. */
static long sleep_of(const struct lg_check *c)
{
	const char *p = c->title_en ? strstr(c->title_en, "sleep ") : NULL;

	return p ? strtol(p + 6, NULL, 10) : 0;
}

/* ---- fake checks ------------------------------------------------------ */

static enum lg_verdict run_pass(struct lg_ctx *ctx, struct lg_result *res)
{
	double t0 = now();

	enter(1);
	sleep_ms(sleep_of(ctx->check));
	lg_result_assert(res, "k", "k", true, 1, "x", "x", NULL);
	enter(-1);
	span_add(ctx->check->id, t0, now());
	return lg_result_finish(res);
}

static enum lg_verdict run_fail(struct lg_ctx *ctx, struct lg_result *res)
{
	(void)ctx;
	enter(1);
	lg_result_assert(res, "k", "k", false, 1, "x", "y", "fix it");
	enter(-1);
	return lg_result_finish(res);
}

static enum lg_verdict run_error(struct lg_ctx *ctx, struct lg_result *res)
{
	(void)ctx;
	enter(1);
	enter(-1);
	return lg_result_errorf(res, "API down");
}

/* One step seen live, one not applied yet: a skip that is no pass. */
static enum lg_verdict run_pending(struct lg_ctx *ctx, struct lg_result *res)
{
	(void)ctx;
	lg_result_assert(res, "k", "k", true, 1, "x", "x", NULL);
	lg_result_assert_pending(res, "k2", "k2", 1, "kubectl apply -f step2");
	return lg_result_finish(res);
}

static const char *const needs_a[] = {"a", NULL};
static const char *const needs_b[] = {"b", NULL};
static const char *const needs_ab[] = {"a", "b", NULL};
static const char *const needs_x[] = {"x", NULL};
static const char *const needs_nope[] = {"nope", NULL};
static const struct lg_assert_def one[] = {{"k", "k", "k", NULL}};

#define FAKE(ID, OBJ, TITLE, PRE, FLAGS, RUN)                                  \
	{                                                                      \
		.id = ID, .objective = OBJ, .title_es = TITLE,                 \
		.title_en = TITLE, .prereqs = PRE, .flags = FLAGS,             \
		.asserts = one, .nasserts = 1, .run = RUN                      \
	}

static size_t pos(const struct lg_sched *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->items[i].check->id, id) == 0)
			return i;
	return (size_t)-1;
}

static const struct lg_sched_item *item(const struct lg_sched *s,
					const char *id)
{
	size_t i = pos(s, id);

	assert_true(i < s->n);
	return &s->items[i];
}

/* ---- planning --------------------------------------------------------- */

static void test_sched__plan_orders_prereqs(void **state)
{
	static const struct lg_check a = FAKE("a", 1, "A", NULL, 0, run_pass);
	static const struct lg_check b =
	    FAKE("b", 2, "B", needs_a, 0, run_pass);
	static const struct lg_check c =
	    FAKE("c", 0, "C", needs_ab, 0, run_pass);
	static const struct lg_check d =
	    FAKE("d", 0, "D", NULL, LG_CHECK_DISTURBS, run_pass);
	static const struct lg_check e = FAKE("e", 9, "E", NULL, 0, run_pass);
	const struct lg_check *const table[] = {&e, &d, &c, &b, &a};
	const char *ids[] = {"c"};
	struct lg_sched s = {0};
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_sched_plan_from(&s, table, 5, NULL, 0, &err),
			 LG_OK);
	assert_int_equal(s.n, 5);
	/* c has the lowest objective but waits for both prerequisites; d
	 * (objective 0) disturbs the mesh, so it goes last */
	assert_string_equal(s.items[0].check->id, "a");
	assert_string_equal(s.items[1].check->id, "b");
	assert_string_equal(s.items[2].check->id, "c");
	assert_string_equal(s.items[3].check->id, "e");
	assert_string_equal(s.items[4].check->id, "d");
	lg_sched_release(&s);

	assert_int_equal(lg_sched_plan_from(&s, table, 5, ids, 1, &err), LG_OK);
	assert_int_equal(s.n, 3);
	assert_false(item(&s, "a")->requested);
	assert_false(item(&s, "b")->requested);
	assert_true(item(&s, "c")->requested);
	lg_sched_release(&s);
}

static void test_sched__plan_gateway_implicit(void **state)
{
	static const struct lg_check gw =
	    FAKE("gateway", 3, "G", NULL, 0, run_pass);
	static const struct lg_check t =
	    FAKE("t", 1, "T", NULL, LG_CHECK_NEEDS_GATEWAY, run_pass);
	const struct lg_check *const table[] = {&t, &gw};
	const char *ids[] = {"t"};
	struct lg_sched s = {0};
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_sched_plan_from(&s, table, 2, ids, 1, &err), LG_OK);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.items[0].check->id, "gateway");
	assert_false(s.items[0].requested);
	assert_string_equal(s.items[1].check->id, "t");
	lg_sched_release(&s);
	/* a table without the gateway check plans the check alone */
	assert_int_equal(lg_sched_plan_from(&s, table, 1, ids, 1, &err), LG_OK);
	assert_int_equal(s.n, 1);
	lg_sched_release(&s);
}

static void test_sched__plan_errors(void **state)
{
	static const struct lg_check a =
	    FAKE("a", 1, "A", needs_b, 0, run_pass);
	static const struct lg_check b =
	    FAKE("b", 2, "B", needs_a, 0, run_pass);
	static const struct lg_check n =
	    FAKE("n", 1, "N", needs_nope, 0, run_pass);
	const struct lg_check *const cyc[] = {&a, &b};
	const struct lg_check *const lone[] = {&n};
	const char *ids[] = {"zzz"};
	struct lg_sched s = {0};
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_sched_plan_from(&s, cyc, 2, ids, 1, &err),
			 LG_EUSAGE);
	assert_non_null(strstr(err.msg, "'zzz'"));
	lg_error_clear(&err);
	assert_int_equal(lg_sched_plan_from(&s, cyc, 2, NULL, 0, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "cycle"));
	assert_null(s.items);
	assert_int_equal(s.n, 0);
	lg_error_clear(&err);
	assert_int_equal(lg_sched_plan_from(&s, lone, 1, NULL, 0, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "'nope'"));
}

/* ---- running ---------------------------------------------------------- */

static void plan(struct lg_sched *s, const struct lg_check *const *table,
		 size_t n, unsigned threads)
{
	struct lg_error err = {0};

	assert_int_equal(lg_sched_plan_from(s, table, n, NULL, 0, &err), LG_OK);
	s->threads = threads;
}

static void test_sched__prereq_verdicts_propagate(void **state)
{
	static const struct lg_check a = FAKE("a", 1, "A", NULL, 0, run_fail);
	static const struct lg_check b =
	    FAKE("b", 2, "B", needs_a, 0, run_pass);
	static const struct lg_check c =
	    FAKE("c", 3, "C", needs_b, 0, run_pass);
	static const struct lg_check x = FAKE("x", 4, "X", NULL, 0, run_error);
	static const struct lg_check y =
	    FAKE("y", 5, "Y", needs_x, 0, run_pass);
	const struct lg_check *const table[] = {&a, &b, &c, &x, &y};
	struct lg_sched s = {0};
	struct lg_ctx ctx = {.lang = LG_LANG_EN};

	(void)state;
	spans_reset();
	plan(&s, table, 5, 4);
	lg_sched_run(&s, &ctx, NULL);
	assert_int_equal(spans.runs, 2); /* only a and x ran */
	assert_int_equal(item(&s, "a")->result.verdict, LG_FAIL);
	assert_int_equal(item(&s, "b")->result.verdict, LG_SKIP);
	assert_string_equal(item(&s, "b")->result.message,
			    "skipped: prerequisite a failed");
	assert_int_equal(item(&s, "c")->result.verdict, LG_SKIP);
	assert_string_equal(item(&s, "c")->result.message,
			    "skipped: prerequisite b was skipped");
	assert_true(item(&s, "c")->prereq_skip);
	assert_false(item(&s, "c")->ran);
	/* an error is never turned into a skip that reads as a fail */
	assert_int_equal(item(&s, "y")->result.verdict, LG_ERROR);
	assert_non_null(strstr(item(&s, "y")->result.message, "x"));
	assert_int_equal(lg_sched_exit_code(&s), 3);
	lg_sched_release(&s);
}

/* Run two checks that sleep 300 ms each with the given pool; seconds. */
static double two_sleepers(unsigned threads)
{
	static const struct lg_check p =
	    FAKE("p", 1, "sleep 300", NULL, 0, run_pass);
	static const struct lg_check q =
	    FAKE("q", 2, "sleep 300", NULL, 0, run_pass);
	const struct lg_check *const table[] = {&p, &q};
	struct lg_sched s = {0};
	struct lg_ctx ctx = {0};
	double t0;

	spans_reset();
	plan(&s, table, 2, threads);
	t0 = now();
	lg_sched_run(&s, &ctx, NULL);
	t0 = now() - t0;
	assert_int_equal(lg_sched_exit_code(&s), 0);
	assert_true(s.items[0].result.seconds >= 0.29);
	assert_true(s.items[1].result.seconds >= 0.29);
	lg_sched_release(&s);
	return t0;
}

static void test_sched__runs_concurrently(void **state)
{
	(void)state;
	assert_true(two_sleepers(4) < 0.5);
	assert_int_equal(spans.max_inside, 2);
	/* and the default (zero) is one at a time */
	assert_true(two_sleepers(0) >= 0.59);
	assert_int_equal(spans.max_inside, 1);
}

static bool is_disturbing_id(const char *id)
{
	return id[0] == 'd';
}

static void test_sched__disturbing_last_and_alone(void **state)
{
	static const struct lg_check p1 =
	    FAKE("p1", 1, "sleep 120", NULL, 0, run_pass);
	static const struct lg_check p2 =
	    FAKE("p2", 2, "sleep 60", NULL, 0, run_pass);
	static const struct lg_check p3 =
	    FAKE("p3", 8, "sleep 200", NULL, 0, run_pass);
	static const struct lg_check d1 =
	    FAKE("d1", 3, "sleep 80", NULL, LG_CHECK_DISTURBS, run_pass);
	static const struct lg_check d2 =
	    FAKE("d2", 4, "sleep 80", NULL, LG_CHECK_DISTURBS, run_pass);
	const struct lg_check *const table[] = {&d2, &p3, &d1, &p2, &p1};
	struct lg_sched s = {0};
	struct lg_ctx ctx = {0};
	double last_plain = 0;
	size_t i, j;

	(void)state;
	spans_reset();
	plan(&s, table, 5, 4);
	lg_sched_run(&s, &ctx, NULL);
	assert_int_equal(spans.n, 5);
	assert_string_equal(s.items[3].check->id, "d1");
	assert_string_equal(s.items[4].check->id, "d2");
	for (i = 0; i < spans.n; i++)
		if (!is_disturbing_id(spans.v[i].id) &&
		    spans.v[i].end > last_plain)
			last_plain = spans.v[i].end;
	for (i = 0; i < spans.n; i++) {
		if (!is_disturbing_id(spans.v[i].id))
			continue;
		/* after every other check, and overlapping no other run */
		assert_true(spans.v[i].start >= last_plain);
		for (j = 0; j < spans.n; j++)
			assert_true(j == i ||
				    spans.v[j].end <= spans.v[i].start ||
				    spans.v[j].start >= spans.v[i].end);
	}
	/* the plain ones did overlap: the pool was used */
	assert_true(spans.max_inside >= 2);
	lg_sched_release(&s);
}

/* An LG_CHECK_ALONE check (it counts the mesh's metrics, which other
 * checks' traffic would inflate) overlaps no other check. */
static void test_sched__alone_overlaps_nothing(void **state)
{
	static const struct lg_check p1 =
	    FAKE("p1", 1, "sleep 120", NULL, 0, run_pass);
	static const struct lg_check p2 =
	    FAKE("p2", 2, "sleep 120", NULL, 0, run_pass);
	static const struct lg_check a1 =
	    FAKE("a1", 3, "sleep 100", NULL, LG_CHECK_ALONE, run_pass);
	static const struct lg_check p3 =
	    FAKE("p3", 4, "sleep 120", NULL, 0, run_pass);
	const struct lg_check *const table[] = {&p1, &p2, &a1, &p3};
	struct lg_sched s = {0};
	struct lg_ctx ctx = {0};
	size_t i, alone = MAX_SPANS;

	(void)state;
	spans_reset();
	plan(&s, table, 4, 4);
	lg_sched_run(&s, &ctx, NULL);
	assert_int_equal(lg_sched_exit_code(&s), 0);
	assert_int_equal(spans.n, 4);
	for (i = 0; i < spans.n; i++)
		if (strcmp(spans.v[i].id, "a1") == 0)
			alone = i;
	assert_true(alone < spans.n);
	for (i = 0; i < spans.n; i++)
		assert_true(i == alone ||
			    spans.v[i].end <= spans.v[alone].start ||
			    spans.v[i].start >= spans.v[alone].end);
	/* the others still shared the pool */
	assert_true(spans.max_inside >= 2);
	lg_sched_release(&s);
}

/* A lab step not applied yet leaves the objective a skip, and the exit
 * status 1: a CI job must not read an unfinished lab as success. */
static void test_sched__pending_step_exits_1(void **state)
{
	static const struct lg_check p =
	    FAKE("p", 1, "P", NULL, 0, run_pending);
	static const struct lg_check q = FAKE("q", 2, "Q", NULL, 0, run_pass);
	const struct lg_check *const table[] = {&p, &q};
	struct lg_sched s = {0};
	struct lg_ctx ctx = {0};

	(void)state;
	plan(&s, table, 2, 0);
	lg_sched_run(&s, &ctx, NULL);
	assert_int_equal(item(&s, "p")->result.verdict, LG_SKIP);
	assert_true(lg_result_points(&item(&s, "p")->result) == 1);
	assert_int_equal(lg_sched_exit_code(&s), 1);
	lg_sched_release(&s);
}

/* The hooks: what they saw, and whether two ever ran at once. */
struct hook_log {
	char order[64];
	int inside, overlaps, started;
};

static void hook_started(void *data, const struct lg_check *c)
{
	struct hook_log *h = data;

	(void)c;
	if (__atomic_add_fetch(&h->inside, 1, __ATOMIC_SEQ_CST) != 1)
		__atomic_add_fetch(&h->overlaps, 1, __ATOMIC_SEQ_CST);
	sleep_ms(20);
	h->started++;
	__atomic_sub_fetch(&h->inside, 1, __ATOMIC_SEQ_CST);
}

static void hook_finished(void *data, const struct lg_sched_item *it)
{
	struct hook_log *h = data;
	size_t n = strlen(h->order);

	if (__atomic_add_fetch(&h->inside, 1, __ATOMIC_SEQ_CST) != 1)
		__atomic_add_fetch(&h->overlaps, 1, __ATOMIC_SEQ_CST);
	sleep_ms(5);
	snprintf(h->order + n, sizeof(h->order) - n, "%s ", it->check->id);
	__atomic_sub_fetch(&h->inside, 1, __ATOMIC_SEQ_CST);
}

static void test_sched__hooks_one_at_a_time_in_plan_order(void **state)
{
	static const struct lg_check a =
	    FAKE("a", 1, "sleep 200", NULL, 0, run_pass);
	static const struct lg_check b = FAKE("b", 2, "B", NULL, 0, run_pass);
	static const struct lg_check c = FAKE("c", 3, "C", NULL, 0, run_pass);
	static const struct lg_check f = FAKE("f", 4, "F", NULL, 0, run_fail);
	static const struct lg_check g =
	    FAKE("g", 5, "G", needs_x, 0, run_pass);
	const struct lg_check *const table[] = {&g, &f, &c, &b, &a};
	struct hook_log h = {{0}, 0, 0, 0};
	struct lg_sched_hooks hooks = {hook_started, hook_finished, &h};
	struct lg_sched s = {0};
	struct lg_ctx ctx = {0};
	struct lg_error err = {0};
	const char *ids[] = {"a", "b", "c", "f"};

	(void)state;
	assert_int_equal(lg_sched_plan_from(&s, table, 5, ids, 4, &err), LG_OK);
	s.threads = 4;
	lg_sched_run(&s, &ctx, &hooks);
	/* a finished last but is reported first */
	assert_string_equal(h.order, "a b c f ");
	assert_int_equal(h.overlaps, 0);
	assert_int_equal(h.started, 4);
	lg_sched_release(&s);

	/* a check that is skipped is not announced as started */
	memset(&h, 0, sizeof(h));
	s.n = 1;
	s.items = lg_xcalloc(1, sizeof(*s.items));
	s.items[0].check = &g; /* needs x, which is not in the plan */
	lg_sched_run(&s, &ctx, &hooks);
	assert_int_equal(h.started, 0);
	assert_string_equal(h.order, "g ");
	assert_int_equal(s.items[0].result.verdict, LG_SKIP);
	lg_sched_release(&s);
}

/* ---- the journal: an in-memory API server ------------------------------ */

/* Our ConfigMap only, with resourceVersion preconditions as the real one. */
struct fake {
	pthread_mutex_t lock;
	cJSON *cm;
	unsigned long rv;
	long write_status; /* nonzero: every write answers this */
	unsigned writes;
};

static void status_body(struct lg_buf *resp, long *status, long code,
			const char *reason)
{
	*status = code;
	lg_buf_addf(resp,
		    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
		    "\"Failure\",\"message\":\"configmaps: %s\",\"reason\":"
		    "\"%s\",\"code\":%ld}",
		    reason, reason, code);
}

static void store(struct fake *f, cJSON *body)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(body, "metadata");
	char rv[32];

	snprintf(rv, sizeof(rv), "%lu", ++f->rv);
	cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
	cJSON_AddStringToObject(md, "resourceVersion", rv);
	cJSON_Delete(f->cm);
	f->cm = body;
}

static void answer_cm(struct fake *f, struct lg_buf *resp, long *status,
		      long code)
{
	char *s = cJSON_PrintUnformatted(f->cm);

	*status = code;
	lg_buf_adds(resp, s);
	free(s);
}

static bool rv_current(const struct fake *f, const cJSON *o)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	const cJSON *rv =
	    cJSON_GetObjectItemCaseSensitive(md, "resourceVersion");
	char cur[32];

	snprintf(cur, sizeof(cur), "%lu", f->rv);
	return cJSON_IsString(rv) && strcmp(rv->valuestring, cur) == 0;
}

static void do_write(struct fake *f, bool create, const char *body,
		     struct lg_buf *resp, long *status)
{
	cJSON *o = cJSON_Parse(body);

	f->writes++;
	if (f->write_status) {
		status_body(resp, status, f->write_status, "Forbidden");
	} else if (create ? f->cm != NULL : !f->cm || !rv_current(f, o)) {
		status_body(resp, status, 409, "Conflict");
	} else {
		store(f, o);
		answer_cm(f, resp, status, create ? 201 : 200);
		return;
	}
	cJSON_Delete(o);
}

static enum lg_err fake_request(void *data, const char *method,
				const char *path, const char *content_type,
				const char *body, struct lg_buf *resp,
				long *status, struct lg_error *err)
{
	struct fake *f = data;

	(void)content_type;
	(void)err;
	pthread_mutex_lock(&f->lock);
	if (!strcmp(method, "GET") && !strcmp(path, CM_PATH) && f->cm)
		answer_cm(f, resp, status, 200);
	else if (!strcmp(method, "GET"))
		status_body(resp, status, 404, "NotFound");
	else if (!strcmp(method, "POST") && !strcmp(path, CM_COLL))
		do_write(f, true, body, resp, status);
	else if (!strcmp(method, "PUT") && !strcmp(path, CM_PATH))
		do_write(f, false, body, resp, status);
	else
		status_body(resp, status, 405, "MethodNotAllowed");
	pthread_mutex_unlock(&f->lock);
	return LG_OK;
}

static void fake_free(void *data)
{
	(void)data; /* the test owns the fake */
}

static const struct lg_transport fake_transport = {
    .request = fake_request,
    .free = fake_free,
};

static struct lg_cluster *fake_open(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	return lg_cluster_open_transport_take(&fake_transport, f,
					      "https://fake:6443");
}

static void fake_close(struct fake *f, struct lg_cluster *c)
{
	lg_cluster_free(c);
	cJSON_Delete(f->cm);
	pthread_mutex_destroy(&f->lock);
}

/* The raw value stored for key, or NULL. Borrowed from f. */
static const char *stored(const struct fake *f, const char *key)
{
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(f->cm, "data");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static size_t nstored(const struct fake *f)
{
	return (size_t)cJSON_GetArraySize(
	    cJSON_GetObjectItemCaseSensitive(f->cm, "data"));
}

/* A check with lab steps: s1 holds live, s2 fails live, s3 is not in
 * effect (journal or pending), k5 belongs to no step. */
static const struct lg_assert_def stepped[] = {
    {"k1", "k1", "k1", "s1"}, {"k2", "k2", "k2", "s1"},
    {"k3", "k3", "k3", "s2"}, {"k4", "k4", "k4", "s3"},
    {"k5", "k5", "k5", NULL},
};

static enum lg_verdict run_stepped(struct lg_ctx *ctx, struct lg_result *res)
{
	lg_result_assert(res, "k1", "k1", true, 2, "v1", "split 47/53", NULL);
	lg_result_assert(res, "k2", "k2", true, 3, "v1", "only v1", NULL);
	lg_result_assert(res, "k3", "k3", false, 4, "v2", "v3", "apply it");
	lg_check_step_from_journal(ctx, res, "s3", "kubectl apply -f s3");
	lg_result_assert(res, "k5", "k5", true, 1, "ok", "ok", NULL);
	return lg_result_finish(res);
}

/* The same check once the student fixed s2 (s3 still not in effect). */
static enum lg_verdict run_stepped_ok(struct lg_ctx *ctx, struct lg_result *res)
{
	lg_check_step_from_journal(ctx, res, "s1", "kubectl apply -f s1");
	lg_result_assert(res, "k3", "k3", true, 4, "v2", "v2 seen", NULL);
	lg_check_step_from_journal(ctx, res, "s3", "kubectl apply -f s3");
	lg_result_assert(res, "k5", "k5", true, 1, "ok", "ok", NULL);
	return lg_result_finish(res);
}

/* Every step of stepped (k1 to k4) seen live. */
static enum lg_verdict run_all_live(struct lg_ctx *ctx, struct lg_result *res)
{
	(void)ctx;
	lg_result_assert(res, "k1", "k1", true, 2, "v1", "v1", NULL);
	lg_result_assert(res, "k2", "k2", true, 3, "v1", "v1", NULL);
	lg_result_assert(res, "k3", "k3", true, 4, "v2", "v2", NULL);
	lg_result_assert(res, "k4", "k4", true, 1, "v3", "v3", NULL);
	return lg_result_finish(res);
}

static const struct lg_check st = {.id = "st",
				   .objective = 6,
				   .title_es = "S",
				   .title_en = "S",
				   .asserts = stepped,
				   .nasserts = LG_ARRAY_SIZE(stepped),
				   .run = run_stepped};

static void run_journal(struct lg_sched *s, const struct lg_check *const *t,
			size_t n, struct lg_cluster *c,
			const struct lg_journal *j)
{
	struct lg_ctx ctx = {0};

	ctx.cluster = c;
	ctx.journal = j;
	plan(s, t, n, 4);
	s->journal_write = true;
	lg_sched_run(s, &ctx, NULL);
}

static void test_sched__journal_records_live_steps_only(void **state)
{
	static const struct lg_check plain =
	    FAKE("plain", 1, "P", NULL, 0, run_pass);
	static const struct lg_check bad =
	    FAKE("bad", 2, "B", NULL, 0, run_fail);
	const struct lg_check *const table[] = {&st, &plain, &bad};
	struct lg_sched s = {0};
	struct fake f;
	struct lg_cluster *c = fake_open(&f);
	const char *v;

	(void)state;
	run_journal(&s, table, 3, c, NULL);
	/* s1 held live; s2 failed; s3 pending; st as a whole did not pass */
	v = stored(&f, "st.s1");
	assert_non_null(v);
	assert_non_null(strstr(v, "\"points\":5"));
	assert_non_null(strstr(v, "\"max_points\":5"));
	assert_non_null(strstr(v, "split 47/53; only v1"));
	assert_null(stored(&f, "st.s2"));
	assert_null(stored(&f, "st.s3"));
	assert_null(stored(&f, "st"));
	/* a passing check without steps is recorded, a failing one not */
	assert_non_null(stored(&f, "plain"));
	assert_null(stored(&f, "bad"));
	assert_int_equal(nstored(&f), 2);
	assert_int_equal(s.journal_recorded, 2);
	assert_null(s.journal_error);
	assert_int_equal(item(&s, "st")->result.verdict, LG_FAIL);
	lg_sched_release(&s);
	fake_close(&f, c);
}

static void test_sched__journal_pass_not_recorded_again(void **state)
{
	static const struct lg_check st2 = {.id = "st",
					    .objective = 6,
					    .title_es = "S",
					    .title_en = "S",
					    .asserts = stepped,
					    .nasserts = LG_ARRAY_SIZE(stepped),
					    .run = run_stepped_ok};
	const struct lg_check *const first[] = {&st};
	const struct lg_check *const later[] = {&st2};
	struct lg_sched s = {0};
	struct lg_journal j = LG_JOURNAL_INIT;
	struct lg_error err = {0};
	struct fake f;
	struct lg_cluster *c = fake_open(&f);
	unsigned writes;
	char *before;

	(void)state;
	run_journal(&s, first, 1, c, NULL);
	lg_sched_release(&s);
	before = lg_xstrdup(stored(&f, "st.s1"));
	writes = f.writes;
	assert_int_equal(lg_journal_read(c, "bookinfo", &j, &err), LG_OK);
	run_journal(&s, later, 1, c, &j);
	/* s1 came from the journal: shown as such, its entry untouched */
	assert_int_equal(item(&s, "st")->result.asserts[0].source,
			 LG_SOURCE_JOURNAL);
	assert_string_equal(stored(&f, "st.s1"), before);
	assert_non_null(stored(&f, "st.s2")); /* observed live now */
	assert_null(stored(&f, "st.s3"));     /* still pending */
	assert_null(stored(&f, "st"));	      /* a skip: s3 is pending */
	assert_int_equal(s.journal_recorded, 1);
	assert_int_equal(f.writes, writes + 1);
	lg_sched_release(&s);
	lg_journal_release(&j);
	free(before);
	fake_close(&f, c);
}

static void test_sched__journal_off_writes_nothing(void **state)
{
	static const struct lg_check plain =
	    FAKE("plain", 1, "P", NULL, 0, run_pass);
	const struct lg_check *const table[] = {&plain, &st};
	struct lg_sched s = {0};
	struct lg_ctx ctx = {0};
	struct fake f;
	struct lg_cluster *c = fake_open(&f);

	(void)state;
	ctx.cluster = c;
	plan(&s, table, 2, 4); /* journal_write stays false */
	lg_sched_run(&s, &ctx, NULL);
	assert_int_equal(f.writes, 0);
	assert_null(f.cm);
	assert_int_equal(s.journal_recorded, 0);
	lg_sched_release(&s);
	fake_close(&f, c);
}

static bool has_evidence(const struct lg_result *res, const char *needle)
{
	size_t i;

	for (i = 0; i < res->nevidence; i++)
		if (strstr(res->evidence[i], needle))
			return true;
	return false;
}

static void test_sched__journal_failure_is_a_warning(void **state)
{
	static const struct lg_check p1 = FAKE("p1", 1, "P", NULL, 0, run_pass);
	static const struct lg_check p2 = FAKE("p2", 2, "P", NULL, 0, run_pass);
	const struct lg_check *const table[] = {&p1, &p2};
	struct lg_sched s = {0};
	struct fake f;
	struct lg_cluster *c = fake_open(&f);

	(void)state;
	f.write_status = 403;
	run_journal(&s, table, 2, c, NULL);
	/* the verdicts stand; both say why the journal was not updated */
	assert_int_equal(lg_sched_exit_code(&s), 0);
	assert_int_equal(s.items[0].result.verdict, LG_PASS);
	assert_int_equal(s.items[1].result.verdict, LG_PASS);
	assert_true(has_evidence(&s.items[0].result, "journal not updated: "));
	assert_true(has_evidence(&s.items[1].result, "journal not updated: "));
	assert_non_null(s.journal_error);
	/* after a refusal, no second attempt */
	assert_int_equal(f.writes, 1);
	assert_int_equal(s.journal_recorded, 0);
	lg_sched_release(&s);
	assert_null(s.journal_error);
	fake_close(&f, c);
}

static void test_sched__unread_journal_makes_pending_steps_errors(void **state)
{
	static const struct lg_check plain =
	    FAKE("plain", 1, "P", NULL, 0, run_pass);
	const struct lg_check *const table[] = {&plain, &st};
	struct lg_sched s = {0};
	struct lg_ctx ctx = {0};

	(void)state;
	plan(&s, table, 2, 2);
	s.journal_note = "cannot read the progress journal: RBAC says no";
	lg_sched_run(&s, &ctx, NULL);
	assert_false(has_evidence(&item(&s, "plain")->result, "RBAC"));
	assert_int_equal(item(&s, "plain")->result.verdict, LG_PASS);
	/* its step s3 could only come from the journal: the grade of st is
	 * incomplete, an error naming the cause, not a fail */
	assert_true(item(&s, "st")->result.asserts[3].pending);
	assert_int_equal(item(&s, "st")->result.verdict, LG_ERROR);
	assert_non_null(strstr(item(&s, "st")->result.message,
			       "cannot read the progress journal: RBAC"));
	assert_int_equal(lg_sched_exit_code(&s), 3);
	lg_sched_release(&s);
}

/* Every step in effect: the unread journal was not needed, only noted. */
static void test_sched__unread_journal_not_needed(void **state)
{
	static const struct lg_check ok = {.id = "st",
					   .objective = 6,
					   .title_es = "S",
					   .title_en = "S",
					   .asserts = stepped,
					   .nasserts = 4,
					   .run = run_all_live};
	const struct lg_check *const table[] = {&ok};
	struct lg_sched s = {0};
	struct lg_ctx ctx = {0};

	(void)state;
	plan(&s, table, 1, 1);
	s.journal_note = "cannot read the progress journal: RBAC says no";
	lg_sched_run(&s, &ctx, NULL);
	assert_int_equal(s.items[0].result.verdict, LG_PASS);
	assert_true(has_evidence(&s.items[0].result, "RBAC says no"));
	assert_int_equal(lg_sched_exit_code(&s), 0);
	lg_sched_release(&s);
}

/* ---- what the reports say about the journal ---------------------------- */

enum writer { W_JSON, W_MD, W_JUNIT };

static char *render(const struct lg_report *rep, enum writer w)
{
	struct lg_error err = {0};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	if (w == W_JSON)
		assert_int_equal(lg_report_json(f, rep, &err), LG_OK);
	else if (w == W_MD)
		assert_int_equal(lg_report_markdown(f, rep, &err), LG_OK);
	else
		assert_int_equal(lg_report_junit(f, &rep, 1, &err), LG_OK);
	fclose(f);
	return text;
}

static const cJSON *at(const cJSON *o, const char *a, int i, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);

	if (i >= 0)
		x = cJSON_GetArrayItem(x, i);
	return b ? cJSON_GetObjectItemCaseSensitive(x, b) : x;
}

static void check_json(const struct lg_report *rep)
{
	char *text = render(rep, W_JSON);
	cJSON *root = cJSON_Parse(text);
	const cJSON *res = cJSON_GetArrayItem(at(root, "results", -1, NULL), 0);

	assert_non_null(root);
	assert_string_equal(at(root, "warnings", 0, NULL)->valuestring,
			    "journal not updated: RBAC");
	assert_true(cJSON_IsTrue(at(res, "assertions", 0, "ok")));
	assert_string_equal(at(res, "assertions", 0, "source")->valuestring,
			    "journal");
	assert_string_equal(
	    at(res, "assertions", 0, "journal_time")->valuestring,
	    "2026-11-25T14:02:00Z");
	assert_true(cJSON_IsFalse(at(res, "assertions", 0, "pending")));
	assert_true(cJSON_IsTrue(at(res, "assertions", 1, "pending")));
	assert_string_equal(at(res, "assertions", 1, "source")->valuestring,
			    "live");
	assert_true(cJSON_IsNull(at(res, "assertions", 1, "journal_time")));
	cJSON_Delete(root);
	free(text);
}

static void test_sched__reports_show_journal_source(void **state)
{
	struct lg_result res = {0};
	const char *warnings[] = {"journal not updated: RBAC"};
	struct lg_report rep = {0};
	char *md, *xml;

	(void)state;
	lg_result_init(&res, "traffic-shifting", "Traffic shifting", 6);
	lg_result_assert_journal(&res, "split-live", "the split", 4,
				 "2026-11-25T14:02:00Z", "47/53");
	lg_result_assert_pending(&res, "all-v3-live", "all v3", 2,
				 "kubectl apply -f reviews-v3.yaml");
	lg_result_finish(&res);
	rep.cluster_name = "c";
	rep.lang = LG_LANG_EN;
	rep.results = &res;
	rep.nresults = 1;
	rep.warnings = warnings;
	rep.nwarnings = 1;
	check_json(&rep);
	md = render(&rep, W_MD);
	assert_non_null(strstr(md, "- journal not updated: RBAC"));
	assert_non_null(strstr(md, "**pending**: all v3"));
	assert_non_null(strstr(md,
			       "47/53 (from the progress journal, passed at "
			       "2026-11-25T14:02:00Z)"));
	xml = render(&rep, W_JUNIT);
	assert_non_null(strstr(xml, "name=\"warning.1\" value=\"journal not "
				    "updated: RBAC\""));
	assert_non_null(strstr(xml, "PENDING all-v3-live: kubectl apply"));
	assert_non_null(strstr(xml, "ok     split-live: 47/53 (from the "
				    "progress journal, passed at "));
	free(md);
	free(xml);
	lg_result_release(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sched__plan_orders_prereqs),
	    cmocka_unit_test(test_sched__plan_gateway_implicit),
	    cmocka_unit_test(test_sched__plan_errors),
	    cmocka_unit_test(test_sched__prereq_verdicts_propagate),
	    cmocka_unit_test(test_sched__runs_concurrently),
	    cmocka_unit_test(test_sched__disturbing_last_and_alone),
	    cmocka_unit_test(test_sched__alone_overlaps_nothing),
	    cmocka_unit_test(test_sched__pending_step_exits_1),
	    cmocka_unit_test(test_sched__hooks_one_at_a_time_in_plan_order),
	    cmocka_unit_test(test_sched__journal_records_live_steps_only),
	    cmocka_unit_test(test_sched__journal_pass_not_recorded_again),
	    cmocka_unit_test(test_sched__journal_off_writes_nothing),
	    cmocka_unit_test(test_sched__journal_failure_is_a_warning),
	    cmocka_unit_test(
		test_sched__unread_journal_makes_pending_steps_errors),
	    cmocka_unit_test(test_sched__unread_journal_not_needed),
	    cmocka_unit_test(test_sched__reports_show_journal_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_journal.c: the progress journal against an in-memory API server. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../harness/journal.h"

#define CM_PATH "/api/v1/namespaces/bookinfo/configmaps/labgrade-progress"
#define CM_COLL "/api/v1/namespaces/bookinfo/configmaps"

/*
 * The fake API server: one namespace's ConfigMaps collection holding at
 * most our ConfigMap, with resourceVersion preconditions as the real one.
 * Shared by several clients (each has a struct fake_conn pointing here).
 */
struct fake {
	pthread_mutex_t lock;
	cJSON *cm;
	unsigned long rv;
	int put_conflicts;	 /* answer the next N PUTs 409 Conflict */
	long write_status;	 /* nonzero: every write answers this */
	long read_status;	 /* nonzero: every read answers this */
	int read_5xx;		 /* answer the next N reads 500 */
	bool read_truncated;	 /* reads answer half a ConfigMap */
	void (*hook)(void *arg); /* runs once, before the next write */
	void *hook_arg;
	unsigned gets, posts, puts, conflicts, foreign;
};

struct fake_conn {
	struct fake *srv;
};

static void status_body(struct lg_buf *resp, long *status, long code,
			const char *reason, const char *msg)
{
	*status = code;
	lg_buf_addf(resp,
		    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
		    "\"Failure\",\"message\":\"%s\",\"reason\":\"%s\","
		    "\"details\":{\"name\":\"labgrade-progress\",\"kind\":"
		    "\"configmaps\"},\"code\":%ld}",
		    msg, reason, code);
}

static void answer_cm(struct fake *f, struct lg_buf *resp, long *status,
		      long code)
{
	char *s = cJSON_PrintUnformatted(f->cm);

	*status = code;
	lg_buf_adds(resp, s);
	free(s);
}

/* Store body as the new ConfigMap under the next resourceVersion. */
/* The ConfigMap cut in the middle, as a connection that dropped. */
static void answer_half(struct fake *f, struct lg_buf *resp, long *status)
{
	char *s = cJSON_PrintUnformatted(f->cm);

	*status = 200;
	lg_buf_add(resp, s, strlen(s) / 2);
	free(s);
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

static void do_post(struct fake *f, const char *body, struct lg_buf *resp,
		    long *status)
{
	cJSON *o = cJSON_Parse(body);
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(md, "name");

	f->posts++;
	if (!cJSON_IsString(name) ||
	    strcmp(name->valuestring, "labgrade-progress") != 0) {
		f->foreign++;
		cJSON_Delete(o);
		status_body(resp, status, 400, "BadRequest", "not ours");
		return;
	}
	if (f->cm) {
		cJSON_Delete(o);
		status_body(resp, status, 409, "AlreadyExists",
			    "configmaps \\\"labgrade-progress\\\" already "
			    "exists");
		return;
	}
	store(f, o);
	answer_cm(f, resp, status, 201);
}

static void do_put(struct fake *f, const char *body, struct lg_buf *resp,
		   long *status)
{
	cJSON *o = cJSON_Parse(body);
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	const cJSON *rv =
	    cJSON_GetObjectItemCaseSensitive(md, "resourceVersion");
	char cur[32];

	f->puts++;
	snprintf(cur, sizeof(cur), "%lu", f->rv);
	if (!f->cm) {
		cJSON_Delete(o);
		status_body(resp, status, 404, "NotFound", "not found");
		return;
	}
	if (f->put_conflicts > 0 || !cJSON_IsString(rv) ||
	    strcmp(rv->valuestring, cur) != 0) {
		if (f->put_conflicts > 0)
			f->put_conflicts--;
		f->conflicts++;
		cJSON_Delete(o);
		status_body(resp, status, 409, "Conflict",
			    "the object has been modified");
		return;
	}
	store(f, o);
	answer_cm(f, resp, status, 200);
}

static void serve(struct fake *f, const char *method, const char *path,
		  const char *body, struct lg_buf *resp, long *status)
{
	bool is_cm = strcmp(path, CM_PATH) == 0;

	if (strcmp(method, "GET") == 0 && is_cm) {
		f->gets++;
		if (f->read_5xx > 0 && f->read_5xx--)
			status_body(resp, status, 500, "InternalError",
				    "etcdserver: leader changed");
		else if (f->read_status)
			status_body(resp, status, f->read_status, "Forbidden",
				    "configmaps is forbidden");
		else if (f->read_truncated && f->cm)
			answer_half(f, resp, status);
		else if (!f->cm)
			status_body(resp, status, 404, "NotFound", "not found");
		else
			answer_cm(f, resp, status, 200);
	} else if (f->write_status) {
		status_body(resp, status, f->write_status, "Forbidden",
			    "configmaps is forbidden: User \\\"student\\\" "
			    "cannot update resource");
	} else if (strcmp(method, "POST") == 0 && !strcmp(path, CM_COLL)) {
		do_post(f, body, resp, status);
	} else if (strcmp(method, "PUT") == 0 && is_cm) {
		do_put(f, body, resp, status);
	} else {
		f->foreign++;
		status_body(resp, status, 405, "MethodNotAllowed", "no");
	}
}

static enum lg_err fake_request(void *data, const char *method,
				const char *path, const char *content_type,
				const char *body, struct lg_buf *resp,
				long *status, struct lg_error *err)
{
	struct fake *f = ((struct fake_conn *)data)->srv;
	void (*hook)(void *) = NULL;

	(void)content_type;
	(void)err;
	/* The hook is another writer: it runs unlocked, as a rival would. */
	pthread_mutex_lock(&f->lock);
	if (strcmp(method, "GET") != 0 && f->hook) {
		hook = f->hook;
		f->hook = NULL;
	}
	pthread_mutex_unlock(&f->lock);
	if (hook)
		hook(f->hook_arg);
	pthread_mutex_lock(&f->lock);
	serve(f, method, path, body, resp, status);
	pthread_mutex_unlock(&f->lock);
	return LG_OK;
}

static void fake_free(void *data)
{
	free(data);
}

static const struct lg_transport fake_transport = {
    .request = fake_request,
    .free = fake_free,
};

static struct lg_cluster *fake_client(struct fake *f)
{
	struct fake_conn *conn = lg_xcalloc(1, sizeof(*conn));

	conn->srv = f;
	return lg_cluster_open_transport_take(&fake_transport, conn,
					      "https://fake:6443");
}

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
}

static void fake_release(struct fake *f)
{
	cJSON_Delete(f->cm);
	pthread_mutex_destroy(&f->lock);
}

/* Seed the server with a ConfigMap whose data holds these raw pairs. */
static void fake_seed(struct fake *f, const char *const *kv, size_t n)
{
	cJSON *cm = cJSON_CreateObject(), *md, *data;
	size_t i;

	cJSON_AddStringToObject(cm, "apiVersion", "v1");
	cJSON_AddStringToObject(cm, "kind", "ConfigMap");
	md = cJSON_AddObjectToObject(cm, "metadata");
	cJSON_AddStringToObject(md, "name", "labgrade-progress");
	data = cJSON_AddObjectToObject(cm, "data");
	for (i = 0; i + 1 < n; i += 2)
		cJSON_AddStringToObject(data, kv[i], kv[i + 1]);
	store(f, cm);
}

static enum lg_err record(struct lg_cluster *c, const char *id, double points,
			  const char *evidence, struct lg_error *err)
{
	struct lg_journal_entry e = {0};

	e.points = points;
	e.max_points = 10;
	e.evidence = (char *)evidence;
	e.when = 1795615320; /* 2026-11-25T14:02:00Z */
	return lg_journal_record(c, NULL, id, &e, err);
}

static void test_journal__read_missing_is_empty(void **state)
{
	struct fake f;
	struct lg_cluster *c;
	struct lg_journal j = LG_JOURNAL_INIT;
	struct lg_error err = {0};

	(void)state;
	fake_init(&f);
	c = fake_client(&f);
	assert_int_equal(lg_journal_read(c, "bookinfo", &j, &err), LG_OK);
	assert_false(j.exists);
	assert_int_equal(j.nentries, 0);
	assert_null(lg_journal_find(&j, "gateway"));
	assert_int_equal(err.code, LG_OK); /* the 404 left no trace */
	assert_string_equal(err.msg, "");
	lg_journal_release(&j);
	lg_cluster_free(c);
	fake_release(&f);
}

static void test_journal__record_creates_then_updates(void **state)
{
	struct fake f;
	struct lg_cluster *c;
	struct lg_journal j = LG_JOURNAL_INIT;
	const struct lg_journal_entry *e;

	(void)state;
	fake_init(&f);
	c = fake_client(&f);
	assert_int_equal(
	    record(c, "gateway", 10, "GET /productpage: 200", NULL), LG_OK);
	assert_int_equal(f.posts, 1);
	assert_int_equal(record(c, "traffic-shifting", 8,
				"50/50 split observed 47/53", NULL),
			 LG_OK);
	assert_int_equal(record(c, "gateway", 7, "again", NULL), LG_OK);
	assert_int_equal(f.puts, 2);
	assert_int_equal(f.foreign, 0);

	assert_int_equal(lg_journal_read(c, NULL, &j, NULL), LG_OK);
	assert_true(j.exists);
	assert_string_equal(j.resource_version, "3");
	assert_int_equal(j.nentries, 2);
	e = lg_journal_find(&j, "traffic-shifting");
	assert_non_null(e);
	assert_string_equal(e->time, "2026-11-25T14:02:00Z");
	assert_true(e->when == 1795615320);
	assert_true(e->points == 8 && e->max_points == 10);
	assert_string_equal(e->evidence, "50/50 split observed 47/53");
	e = lg_journal_find(&j, "gateway");
	assert_true(e->points == 7);
	assert_string_equal(e->evidence, "again");
	lg_journal_release(&j);
	assert_int_equal(j.nentries, 0);
	lg_cluster_free(c);
	fake_release(&f);
}

static void test_journal__keeps_other_keys(void **state)
{
	static const char *const kv[] = {"zz-note", "kept as is"};
	struct fake f;
	struct lg_cluster *c;
	const cJSON *data;

	(void)state;
	fake_init(&f);
	fake_seed(&f, kv, LG_ARRAY_SIZE(kv));
	c = fake_client(&f);
	assert_int_equal(record(c, "gateway", 10, "ok", NULL), LG_OK);
	data = cJSON_GetObjectItemCaseSensitive(f.cm, "data");
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(data, "zz-note")->valuestring,
	    "kept as is");
	assert_non_null(cJSON_GetObjectItemCaseSensitive(data, "gateway"));
	lg_cluster_free(c);
	fake_release(&f);
}

static void test_journal__conflict_is_retried(void **state)
{
	struct fake f;
	struct lg_cluster *c;
	struct lg_error err = {0};

	(void)state;
	fake_init(&f);
	c = fake_client(&f);
	assert_int_equal(record(c, "gateway", 10, "ok", NULL), LG_OK);
	f.put_conflicts = 3;
	assert_int_equal(record(c, "mirroring", 10, "ok", NULL), LG_OK);
	assert_int_equal(f.puts, 4);
	assert_int_equal(f.gets, 1 + 4); /* each retry reads again */
	/* a conflict that never ends gives up after 8 attempts */
	f.put_conflicts = 1000;
	f.puts = 0;
	assert_int_equal(record(c, "fault-injection", 10, "ok", &err),
			 LG_ECONFLICT);
	assert_int_equal(f.puts, 8);
	assert_non_null(strstr(err.msg, "'fault-injection'"));
	assert_null(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(f.cm, "data"), "fault-injection"));
	lg_cluster_free(c);
	fake_release(&f);
}

/* The rival writer of the interleaving tests. */
struct rival {
	struct fake *f;
	const char *id;
	enum lg_err rc;
};

static void rival_writes(void *arg)
{
	struct rival *r = arg;
	struct lg_cluster *c = fake_client(r->f);

	r->rc = record(c, r->id, 5, "rival", NULL);
	lg_cluster_free(c);
}

static void check_both(struct fake *f, struct lg_cluster *c, size_t n)
{
	struct lg_journal j = LG_JOURNAL_INIT;

	assert_int_equal(lg_journal_read(c, NULL, &j, NULL), LG_OK);
	assert_int_equal(j.nentries, n);
	assert_non_null(lg_journal_find(&j, "gateway"));
	assert_non_null(lg_journal_find(&j, "mirroring"));
	assert_int_equal(f->foreign, 0);
	lg_journal_release(&j);
}

static void test_journal__interleaved_update_loses_nothing(void **state)
{
	struct fake f;
	struct lg_cluster *c;
	struct rival r;

	(void)state;
	fake_init(&f);
	c = fake_client(&f);
	assert_int_equal(record(c, "request-routing", 10, "ok", NULL), LG_OK);
	/* Between our GET and our PUT, the rival records "mirroring". */
	r = (struct rival){.f = &f, .id = "mirroring"};
	f.hook = rival_writes;
	f.hook_arg = &r;
	assert_int_equal(record(c, "gateway", 10, "ours", NULL), LG_OK);
	assert_int_equal(r.rc, LG_OK);
	assert_int_equal(f.conflicts, 1); /* our first PUT was stale */
	check_both(&f, c, 3);
	lg_cluster_free(c);
	fake_release(&f);
}

static void test_journal__interleaved_create_loses_nothing(void **state)
{
	struct fake f;
	struct lg_cluster *c;
	struct rival r;

	(void)state;
	fake_init(&f);
	c = fake_client(&f);
	/* Both find no ConfigMap; the rival creates it first: our POST gets
	 * 409 AlreadyExists and we must update instead. */
	r = (struct rival){.f = &f, .id = "mirroring"};
	f.hook = rival_writes;
	f.hook_arg = &r;
	assert_int_equal(record(c, "gateway", 10, "ours", NULL), LG_OK);
	assert_int_equal(r.rc, LG_OK);
	assert_int_equal(f.posts, 2);
	assert_int_equal(f.puts, 1);
	check_both(&f, c, 2);
	lg_cluster_free(c);
	fake_release(&f);
}

#define THREADS 4
#define PER_THREAD 5

struct worker {
	struct fake *f;
	int n;
	int failures;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct lg_cluster *c = fake_client(w->f);
	char id[32];
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		snprintf(id, sizeof(id), "t%d-%d", w->n, i);
		if (record(c, id, 1, "thread", NULL) != LG_OK)
			w->failures++;
	}
	lg_cluster_free(c);
	return NULL;
}

static void test_journal__concurrent_threads_lose_nothing(void **state)
{
	struct fake f;
	struct worker w[THREADS];
	pthread_t th[THREADS];
	struct lg_cluster *c;
	struct lg_journal j = LG_JOURNAL_INIT;
	int i;

	(void)state;
	fake_init(&f);
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.f = &f, .n = i};
		assert_int_equal(
		    pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
	c = fake_client(&f);
	assert_int_equal(lg_journal_read(c, NULL, &j, NULL), LG_OK);
	assert_int_equal(j.nentries, THREADS * PER_THREAD);
	printf("%d threads x %d records: %u conflicts retried\n", THREADS,
	       PER_THREAD, f.conflicts);
	lg_journal_release(&j);
	lg_cluster_free(c);
	fake_release(&f);
}

static void test_journal__malformed_entries_skipped(void **state)
{
	static const char *const kv[] = {
	    "gateway",
	    "not json",
	    "mirroring",
	    "{\"time\":\"yesterday\",\"points\":1,"
	    "\"max_points\":1,\"evidence\":\"x\"}",
	    "fault-injection",
	    "{\"time\":\"2026-11-25T14:02:00Z\","
	    "\"points\":5,\"max_points\":3}",
	    "ingress-gateway",
	    "[1,2]",
	    "traffic-shifting",
	    "{\"time\":\"2026-11-25T14:02:00Z\","
	    "\"points\":10,\"max_points\":10,"
	    "\"evidence\":\"47/53\"}",
	};
	struct fake f;
	struct lg_cluster *c;
	struct lg_journal j = LG_JOURNAL_INIT;

	(void)state;
	fake_init(&f);
	fake_seed(&f, kv, LG_ARRAY_SIZE(kv));
	c = fake_client(&f);
	assert_int_equal(lg_journal_read(c, NULL, &j, NULL), LG_OK);
	assert_int_equal(j.nentries, 1);
	assert_non_null(lg_journal_find(&j, "traffic-shifting"));
	assert_null(lg_journal_find(&j, "gateway"));
	assert_int_equal(j.nnotes, 4);
	assert_non_null(strstr(j.notes[0], "'gateway' ignored"));
	assert_non_null(strstr(j.notes[1], "'mirroring' ignored"));
	assert_non_null(strstr(j.notes[2], "points"));
	lg_journal_release(&j);
	lg_cluster_free(c);
	fake_release(&f);
}

static void test_journal__forbidden_write_is_an_error(void **state)
{
	struct fake f;
	struct lg_cluster *c;
	struct lg_error err = {0};

	(void)state;
	fake_init(&f);
	f.write_status = 403;
	c = fake_client(&f);
	assert_int_equal(record(c, "gateway", 10, "ok", &err), LG_EFORBIDDEN);
	assert_non_null(strstr(err.msg, "cannot record 'gateway'"));
	assert_int_equal(f.gets, 1); /* not retried: only 409 is */
	assert_null(f.cm);
	lg_cluster_free(c);
	fake_release(&f);
}

static void test_journal__read_errors(void **state)
{
	struct fake f;
	struct lg_cluster *c;
	struct lg_journal j = LG_JOURNAL_INIT;
	struct lg_error err = {0};

	(void)state;
	fake_init(&f);
	f.read_status = 403;
	c = fake_client(&f);
	assert_int_equal(lg_journal_read(c, NULL, &j, &err), LG_EFORBIDDEN);
	assert_non_null(strstr(err.msg, "cannot read the progress journal "
					"bookinfo/labgrade-progress: GET "));
	assert_non_null(strstr(err.msg, "forbidden"));
	assert_int_equal(f.gets, 1); /* RBAC will not change its mind */
	lg_journal_release(&j);
	/* a body that is not a ConfigMap with a resourceVersion */
	f.read_status = 0;
	f.cm = cJSON_CreateObject();
	lg_error_clear(&err);
	assert_int_equal(lg_journal_read(c, NULL, &j, &err), LG_EPARSE);
	lg_journal_release(&j);
	lg_cluster_free(c);
	fake_release(&f);
}

/* One 500 is retried; two are the cause, named. */
static void test_journal__transient_5xx_retried_once(void **state)
{
	static const char *const kv[] = {"gateway", "{\"time\":\"2026-11-25T"
						    "10:00:00Z\",\"points\":"
						    "10,\"max_points\":10}"};
	struct fake f;
	struct lg_cluster *c;
	struct lg_journal j = LG_JOURNAL_INIT;
	struct lg_error err = {0};

	(void)state;
	fake_init(&f);
	fake_seed(&f, kv, 2);
	c = fake_client(&f);
	f.read_5xx = 1;
	assert_int_equal(lg_journal_read(c, "bookinfo", &j, &err), LG_OK);
	assert_int_equal(f.gets, 2);
	assert_int_equal(err.code, LG_OK);
	assert_non_null(lg_journal_find(&j, "gateway"));
	lg_journal_release(&j);
	f.read_5xx = 2;
	assert_int_equal(lg_journal_read(c, "bookinfo", &j, &err), LG_ESERVER);
	assert_int_equal(f.gets, 4); /* one retry, no more */
	assert_non_null(strstr(err.msg, "cannot read the progress journal "
					"bookinfo/labgrade-progress: "));
	assert_non_null(strstr(err.msg, "500"));
	assert_null(lg_journal_find(&j, "gateway"));
	lg_journal_release(&j);
	lg_cluster_free(c);
	fake_release(&f);
}

static void test_journal__truncated_body_is_an_error(void **state)
{
	static const char *const kv[] = {"gateway", "{}"};
	struct fake f;
	struct lg_cluster *c;
	struct lg_journal j = LG_JOURNAL_INIT;
	struct lg_error err = {0};

	(void)state;
	fake_init(&f);
	fake_seed(&f, kv, 2);
	f.read_truncated = true;
	c = fake_client(&f);
	assert_int_equal(lg_journal_read(c, NULL, &j, &err), LG_EPARSE);
	assert_non_null(strstr(err.msg, "cannot read the progress journal "
					"bookinfo/labgrade-progress: "));
	assert_false(j.exists);
	lg_journal_release(&j);
	lg_cluster_free(c);
	fake_release(&f);
}

static bool is_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int more = 0;

	for (; *p; p++) {
		if (more) {
			if ((*p & 0xC0) != 0x80)
				return false;
			more--;
		} else if (*p >= 0xC0) {
			more = *p >= 0xE0 ? 2 : 1;
		} else if (*p >= 0x80) {
			return false;
		}
	}
	return more == 0;
}

static void test_journal__evidence_is_scrubbed(void **state)
{
	const char *jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6IkFCQyJ9."
			  "eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.Zm9v";
	struct fake f;
	struct lg_cluster *c;
	struct lg_journal j = LG_JOURNAL_INIT;
	struct lg_buf ev = LG_BUF_INIT;
	const struct lg_journal_entry *e;
	int i;

	(void)state;
	fake_init(&f);
	c = fake_client(&f);
	lg_buf_addf(&ev,
		    "line one\nAuthorization: Bearer s3cr3t token %s "
		    "pod reviews-v3-7d5f8c9b6-x2x4q.bookinfo.svc.cluster"
		    ".local ok",
		    jwt);
	assert_int_equal(record(c, "gateway", 1, ev.buf, NULL), LG_OK);
	lg_buf_reset(&ev);
	for (i = 0; i < 300; i++)
		lg_buf_adds(&ev, "\xc3\xa9"); /* é */
	assert_int_equal(record(c, "mirroring", 1, ev.buf, NULL), LG_OK);
	assert_int_equal(lg_journal_read(c, NULL, &j, NULL), LG_OK);
	e = lg_journal_find(&j, "gateway");
	assert_null(strchr(e->evidence, '\n'));
	assert_null(strstr(e->evidence, "s3cr3t"));
	assert_null(strstr(e->evidence, "eyJ"));
	assert_non_null(strstr(e->evidence, "line one Authorization: Bearer "
					    "[redacted] token [redacted]"));
	/* lower-case host and pod names are not secrets */
	assert_non_null(strstr(e->evidence, "reviews-v3-7d5f8c9b6-x2x4q"));
	e = lg_journal_find(&j, "mirroring");
	assert_true(strlen(e->evidence) <= LG_JOURNAL_EVIDENCE_MAX);
	assert_true(strlen(e->evidence) >= LG_JOURNAL_EVIDENCE_MAX - 4);
	assert_true(is_utf8(e->evidence));
	assert_non_null(strstr(e->evidence, "..."));
	lg_buf_release(&ev);
	lg_journal_release(&j);
	lg_cluster_free(c);
	fake_release(&f);
}

static void test_journal__bad_key_or_namespace(void **state)
{
	struct fake f;
	struct lg_cluster *c;
	struct lg_journal_entry e = {0};
	struct lg_journal j = LG_JOURNAL_INIT;
	struct lg_error err = {0};

	(void)state;
	fake_init(&f);
	c = fake_client(&f);
	assert_int_equal(lg_journal_record(c, NULL, "a/b", &e, &err),
			 LG_EUSAGE);
	assert_int_equal(lg_journal_record(c, NULL, "", &e, NULL), LG_EUSAGE);
	assert_int_equal(lg_journal_record(c, "Bad/ns", "ok", &e, NULL),
			 LG_EUSAGE);
	assert_int_equal(lg_journal_read(c, "../x", &j, NULL), LG_EUSAGE);
	assert_int_equal(lg_cluster_requests(c), 0);
	lg_journal_release(&j);
	lg_cluster_free(c);
	fake_release(&f);
}

static void test_journal__time_round_trip(void **state)
{
	char buf[21];
	time_t t;

	(void)state;
	lg_journal_format_time(0, buf);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	lg_journal_format_time(1795615320, buf);
	assert_string_equal(buf, "2026-11-25T14:02:00Z");
	assert_true(lg_journal_parse_time("2026-11-25T14:02:00Z", &t));
	assert_true(t == 1795615320);
	assert_true(lg_journal_parse_time("2026-11-25T15:02:00.123+01:00", &t));
	assert_true(t == 1795615320);
	assert_true(lg_journal_parse_time("2026-11-25t13:32:00-00:30", &t));
	assert_true(t == 1795615320); /* 13:32 at -00:30 is 14:02 UTC */
	assert_false(lg_journal_parse_time("2026-13-01T00:00:00Z", &t));
	assert_false(lg_journal_parse_time("2026-11-25 14:02:00Z", &t));
	assert_false(lg_journal_parse_time("2026-11-25T14:02:00", &t));
	assert_false(lg_journal_parse_time("2026-11-25T14:02:00+0100", &t));
	assert_false(lg_journal_parse_time("2026-11-25T14:02:00+01", &t));
	assert_false(lg_journal_parse_time("", &t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_journal__read_missing_is_empty),
	    cmocka_unit_test(test_journal__record_creates_then_updates),
	    cmocka_unit_test(test_journal__keeps_other_keys),
	    cmocka_unit_test(test_journal__conflict_is_retried),
	    cmocka_unit_test(test_journal__interleaved_update_loses_nothing),
	    cmocka_unit_test(test_journal__interleaved_create_loses_nothing),
	    cmocka_unit_test(test_journal__concurrent_threads_lose_nothing),
	    cmocka_unit_test(test_journal__malformed_entries_skipped),
	    cmocka_unit_test(test_journal__forbidden_write_is_an_error),
	    cmocka_unit_test(test_journal__read_errors),
	    cmocka_unit_test(test_journal__transient_5xx_retried_once),
	    cmocka_unit_test(test_journal__truncated_body_is_an_error),
	    cmocka_unit_test(test_journal__evidence_is_scrubbed),
	    cmocka_unit_test(test_journal__bad_key_or_namespace),
	    cmocka_unit_test(test_journal__time_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

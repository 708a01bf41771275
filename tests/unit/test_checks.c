/* SPDX-License-Identifier: MIT */
/* test_checks.c: runs every case under tests/cases/<check-id>/<case>/ (the
 * check against recorded API answers, compared with expect.yaml), and tests
 * the helpers checks are built on (expect, gwfind, i18n). */
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../checks/check.h"
#include "../../harness/expect.h"
#include "../../harness/steps.h"
#include "../../harness/gwfind.h"
#include "../../harness/i18n.h"
#include "../../harness/journal.h"
#include "../../harness/sched.h"
#include "../../harness/yaml.h"

#define CASES "tests/cases"
/* A case with this file runs with the progress journal it holds. */
#define JOURNAL_FILE                                                           \
	"api_v1_namespaces_bookinfo_configmaps_labgrade-progress.json"

/*
 * A one-answer-for-all HTTP server on 127.0.0.1 standing in for the mesh's
 * gateway: every connection gets the bytes of the case's gateway.http (a
 * whole HTTP response), so productpage-reachable is tested for real.
 */
struct fake_gw {
	int fd;
	int port;
	char *answer;
	volatile int stop;
	pthread_t thread;
};

static void serve_one(struct fake_gw *g, int c)
{
	char req[4096];
	ssize_t n;
	size_t len = strlen(g->answer), off = 0;

	n = read(c, req, sizeof(req)); /* one read holds a GET's headers */
	(void)n;
	while (off < len) {
		n = write(c, g->answer + off, len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(c);
}

static void *fake_gw_main(void *arg)
{
	struct fake_gw *g = arg;
	struct pollfd p = {g->fd, POLLIN, 0};

	while (!g->stop) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		serve_one(g, accept(g->fd, NULL, NULL));
	}
	return NULL;
}

static void fake_gw_start(struct fake_gw *g, const char *file)
{
	struct sockaddr_in a = {0};
	socklen_t alen = sizeof(a);
	struct lg_buf b = LG_BUF_INIT;
	FILE *f = fopen(file, "rb");
	char chunk[4096];
	size_t n;

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		lg_buf_add(&b, chunk, n);
	fclose(f);
	g->answer = lg_buf_detach(&b, NULL);
	g->stop = 0;
	g->fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(g->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(g->fd, 128), 0);
	getsockname(g->fd, (struct sockaddr *)&a, &alen);
	g->port = ntohs(a.sin_port);
	pthread_create(&g->thread, NULL, fake_gw_main, g);
}

static void fake_gw_stop(struct fake_gw *g)
{
	g->stop = 1;
	pthread_join(g->thread, NULL);
	close(g->fd);
	free(g->answer);
}

/*
 * Answers that change between reads (sidecar metrics before and after a
 * load): the n-th GET of path P is answered from P~n, else from the
 * highest P~k (k < n) that exists, else from P itself. Everything else is
 * the plain fixture transport underneath.
 */
struct seq_fixture {
	struct lg_cluster *inner;
	pthread_mutex_t mu;
	char **paths;
	unsigned *counts;
	size_t n;
};

static unsigned seq_count(struct seq_fixture *f, const char *path)
{
	unsigned k;
	size_t i;

	pthread_mutex_lock(&f->mu);
	for (i = 0; i < f->n && strcmp(f->paths[i], path) != 0; i++)
		;
	if (i == f->n) {
		f->paths = lg_xrealloc(f->paths, (f->n + 1) * sizeof(char *));
		f->counts =
		    lg_xrealloc(f->counts, (f->n + 1) * sizeof(unsigned));
		f->paths[f->n] = lg_xstrdup(path);
		f->counts[f->n++] = 0;
	}
	k = ++f->counts[i];
	pthread_mutex_unlock(&f->mu);
	return k;
}

static enum lg_err seq_request(void *data, const char *method, const char *path,
			       const char *ctype, const char *body,
			       struct lg_buf *resp, long *status,
			       struct lg_error *err)
{
	struct seq_fixture *f = data;
	struct lg_error e = {0};
	unsigned k = strcmp(method, "GET") ? 1 : seq_count(f, path);
	enum lg_err rc;
	char *p;

	for (; k >= 2; k--) {
		p = lg_xasprintf("%s~%u", path, k);
		lg_buf_reset(resp);
		lg_cluster_request(f->inner, method, p, ctype, body, resp,
				   status, &e);
		free(p);
		lg_error_clear(&e);
		if (*status != 404)
			return LG_OK;
	}
	lg_buf_reset(resp);
	rc = lg_cluster_request(f->inner, method, path, ctype, body, resp,
				status, &e);
	if (rc == LG_ETOOBIG || rc == LG_EHTTP || rc == LG_ETIMEOUT)
		return lg_errorf(err, rc, "%s", e.msg);
	return LG_OK;
}

static void seq_free(void *data)
{
	struct seq_fixture *f = data;
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->paths[i]);
	free(f->paths);
	free(f->counts);
	lg_cluster_free(f->inner);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

static struct lg_cluster *seq_fixture_open(const char *dir)
{
	static const struct lg_transport t = {seq_request, seq_free};
	struct seq_fixture *f = lg_xcalloc(1, sizeof(*f));
	char *server = lg_xasprintf("fixture:%s", dir);
	struct lg_cluster *c;

	f->inner = lg_cluster_open_fixture(dir);
	pthread_mutex_init(&f->mu, NULL);
	c = lg_cluster_open_transport_take(&t, f, server);
	free(server);
	return c;
}

/*
 * A gateway that answers by request, for checks that need varied traffic
 * (tests/cases/<id>/<case>/gateway/): the file METHOD_PATH[@USER][~N].http
 * holds a whole HTTP response, where PATH is the request path without its
 * query, '/' written '_' (GET_productpage.http, POST_login.http); @USER is
 * tried first when the request's Cookie holds session=USER; ~1..~K give
 * the answers of successive such requests, cycling. A first line
 * "#delay-ms N" delays the answer by N ms. Each connection has its own
 * thread, so a delayed answer holds up no other request.
 */
struct routed_gw {
	int fd, port;
	char *dir;
	volatile int stop;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_t *conns;
	size_t nconns;
	char **keys;
	unsigned *counts;
	size_t nkeys;
};

struct routed_conn {
	struct routed_gw *g;
	int fd;
};

static unsigned routed_next(struct routed_gw *g, const char *key)
{
	unsigned k;
	size_t i;

	pthread_mutex_lock(&g->mu);
	for (i = 0; i < g->nkeys && strcmp(g->keys[i], key) != 0; i++)
		;
	if (i == g->nkeys) {
		g->keys = lg_xrealloc(g->keys, (i + 1) * sizeof(*g->keys));
		g->counts = lg_xrealloc(g->counts, (i + 1) * sizeof(unsigned));
		g->keys[i] = lg_xstrdup(key);
		g->counts[g->nkeys++] = 0;
	}
	k = ++g->counts[i];
	pthread_mutex_unlock(&g->mu);
	return k;
}

/* The answer file for name (without .http), or NULL. */
static char *routed_file(struct routed_gw *g, const char *name)
{
	unsigned k = 0, n;
	char *f;

	for (;;) {
		f = lg_xasprintf("%s/gateway/%s~%u.http", g->dir, name, k + 1);
		if (access(f, R_OK) != 0)
			break;
		free(f);
		k++;
	}
	free(f);
	if (k == 0) {
		f = lg_xasprintf("%s/gateway/%s.http", g->dir, name);
		if (access(f, R_OK) == 0)
			return f;
		free(f);
		return NULL;
	}
	n = routed_next(g, name);
	return lg_xasprintf("%s/gateway/%s~%u.http", g->dir, name,
			    (n - 1) % k + 1);
}

/* "GET_productpage" and the session user of a request. */
static void routed_parse(const char *req, char *key, size_t cap, char *user,
			 size_t ucap)
{
	const char *sp = strchr(req, ' '), *c;
	size_t n = 0, u = 0;

	key[0] = user[0] = '\0';
	if (!sp)
		return;
	for (c = req; c < sp && n + 1 < cap; c++)
		key[n++] = *c;
	if (n + 1 < cap)
		key[n++] = '_';
	for (c = sp + 1; *c == '/'; c++)
		;
	for (; *c && !strchr(" ?\r\n", *c) && n + 1 < cap; c++)
		key[n++] = *c == '/' ? '_' : *c;
	key[n] = '\0';
	c = strstr(req, "session=");
	if (!c)
		return;
	for (c += 8; *c && !strchr(";\r\n ", *c) && u + 1 < ucap; c++)
		user[u++] = *c;
	user[u] = '\0';
}

static void routed_send(int fd, const char *file)
{
	static const char not_found[] = "HTTP/1.1 404 Not Found\r\n"
					"Content-Length: 0\r\n"
					"Connection: close\r\n\r\n";
	struct lg_buf b = LG_BUF_INIT;
	const char *p = not_found;
	size_t len = sizeof(not_found) - 1, off = 0;
	char chunk[4096];
	ssize_t w;
	FILE *f = file ? fopen(file, "rb") : NULL;

	while (f && (len = fread(chunk, 1, sizeof(chunk), f)) > 0)
		lg_buf_add(&b, chunk, len);
	if (f)
		fclose(f);
	if (f) {
		p = b.buf;
		len = b.len;
	}
	if (strncmp(p, "#delay-ms ", 10) == 0) {
		usleep((useconds_t)strtoul(p + 10, NULL, 10) * 1000);
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + len;
		len = b.len - (size_t)(p - b.buf);
	}
	while (off < len && (w = write(fd, p + off, len - off)) > 0)
		off += (size_t)w;
	lg_buf_release(&b);
}

static void *routed_conn_main(void *arg)
{
	struct routed_conn *c = arg;
	char req[16384], key[256], user[128], *name, *file = NULL;
	size_t n = 0;
	ssize_t r;

	while (n + 1 < sizeof(req) &&
	       (r = read(c->fd, req + n, sizeof(req) - 1 - n)) > 0) {
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[n] = '\0';
	routed_parse(req, key, sizeof(key), user, sizeof(user));
	if (user[0]) {
		name = lg_xasprintf("%s@%s", key, user);
		file = routed_file(c->g, name);
		free(name);
	}
	if (!file)
		file = routed_file(c->g, key);
	routed_send(c->fd, file);
	free(file);
	close(c->fd);
	free(c);
	return NULL;
}

static void *routed_gw_main(void *arg)
{
	struct routed_gw *g = arg;
	struct pollfd p = {g->fd, POLLIN, 0};
	struct routed_conn *c;

	while (!g->stop) {
		if (poll(&p, 1, 20) <= 0)
			continue;
		c = lg_xcalloc(1, sizeof(*c));
		c->g = g;
		c->fd = accept(g->fd, NULL, NULL);
		pthread_mutex_lock(&g->mu);
		g->conns =
		    lg_xrealloc(g->conns, (g->nconns + 1) * sizeof(*g->conns));
		pthread_create(&g->conns[g->nconns++], NULL, routed_conn_main,
			       c);
		pthread_mutex_unlock(&g->mu);
	}
	return NULL;
}

static void routed_gw_start(struct routed_gw *g, const char *dir)
{
	struct sockaddr_in a = {0};
	socklen_t alen = sizeof(a);

	memset(g, 0, sizeof(*g));
	g->dir = lg_xstrdup(dir);
	pthread_mutex_init(&g->mu, NULL);
	g->fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(g->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(g->fd, 128), 0);
	getsockname(g->fd, (struct sockaddr *)&a, &alen);
	g->port = ntohs(a.sin_port);
	pthread_create(&g->thread, NULL, routed_gw_main, g);
}

static void routed_gw_stop(struct routed_gw *g)
{
	size_t i;

	g->stop = 1;
	pthread_join(g->thread, NULL);
	for (i = 0; i < g->nconns; i++)
		pthread_join(g->conns[i], NULL);
	for (i = 0; i < g->nkeys; i++)
		free(g->keys[i]);
	free(g->keys);
	free(g->counts);
	free(g->conns);
	free(g->dir);
	close(g->fd);
	pthread_mutex_destroy(&g->mu);
}

/* ---- the data-driven cases ---------------------------------------- */

static bool contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle);
}

static bool hint_has(const struct lg_result *r, const char *s)
{
	size_t i;

	for (i = 0; i < r->nasserts; i++)
		if (contains(r->asserts[i].hint, s))
			return true;
	return false;
}

static bool evidence_has(const struct lg_result *r, const char *s)
{
	size_t i;

	for (i = 0; i < r->nevidence; i++)
		if (contains(r->evidence[i], s))
			return true;
	for (i = 0; i < r->nasserts; i++)
		if (contains(r->asserts[i].observed, s))
			return true;
	return contains(r->message, s);
}

static bool warning_has(const struct lg_result *r, const char *s)
{
	size_t i;

	for (i = 0; i < r->nwarnings; i++)
		if (contains(r->warnings[i], s))
			return true;
	return false;
}

/* The failed (or, with pending, the pending) keys of r, in order, against
 * expect's list. A pending assertion (its step not in effect, not in the
 * journal) is neither held nor failed. */
static int compare_failed(const char *name, const struct lg_result *r,
			  const struct lg_ynode *want, bool pending)
{
	const char *what = pending ? "pending" : "failed";
	size_t i, k = 0;
	int bad = 0;

	for (i = 0; i < r->nasserts; i++) {
		if (r->asserts[i].ok || r->asserts[i].pending != pending)
			continue;
		if (k >= want->n ||
		    strcmp(want->items[k]->value, r->asserts[i].key) != 0) {
			print_message("%s: unexpected %s assertion '%s'\n",
				      name, what, r->asserts[i].key);
			bad++;
		}
		k++;
	}
	if (k != want->n) {
		print_message("%s: %zu %s assertion(s), expected %zu\n", name,
			      k, what, want->n);
		bad++;
	}
	return bad;
}

static int compare_text(const char *name, const struct lg_result *r,
			const struct lg_ynode *e)
{
	const char *msg = lg_ynode_str(e, "message_contains");
	const char *hint = lg_ynode_str(e, "hint_contains");
	const char *ev = lg_ynode_str(e, "evidence_contains");
	const char *warn = lg_ynode_str(e, "warning_contains");
	int bad = 0;

	if (msg && !contains(r->message, msg)) {
		print_message("%s: message '%s' lacks '%s'\n", name,
			      r->message ? r->message : "(none)", msg);
		bad++;
	}
	if (hint && !hint_has(r, hint)) {
		print_message("%s: no hint contains '%s'\n", name, hint);
		bad++;
	}
	if (ev && !evidence_has(r, ev)) {
		print_message("%s: no evidence contains '%s'\n", name, ev);
		bad++;
	}
	if (warn && !warning_has(r, warn)) {
		print_message("%s: no warning contains '%s'\n", name, warn);
		bad++;
	}
	return bad;
}

static int compare(const char *name, const struct lg_result *r,
		   const struct lg_ynode *e, bool texts)
{
	const char *verdict = lg_ynode_str(e, "verdict");
	const char *points = lg_ynode_str(e, "points");
	const struct lg_ynode *failed = lg_ynode_get(e, "failed");
	int bad = 0;

	assert_non_null(verdict);
	if (strcmp(verdict, lg_verdict_name(r->verdict)) != 0) {
		print_message("%s: verdict %s, expected %s (message: %s)\n",
			      name, lg_verdict_name(r->verdict), verdict,
			      r->message ? r->message : "(none)");
		bad++;
	}
	if (points && lg_result_points(r) != strtod(points, NULL)) {
		print_message("%s: %g points, expected %s\n", name,
			      lg_result_points(r), points);
		bad++;
	}
	if (failed)
		bad += compare_failed(name, r, failed, false);
	if (lg_ynode_get(e, "pending"))
		bad +=
		    compare_failed(name, r, lg_ynode_get(e, "pending"), true);
	return texts ? bad + compare_text(name, r, e) : bad;
}

static bool exists(const char *dir, const char *file)
{
	struct stat st;
	char *p = lg_xasprintf("%s/%s", dir, file);
	bool ok = stat(p, &st) == 0;

	free(p);
	return ok;
}

/*
 * Run check id on the case directory through the scheduler, so that its
 * prerequisites run too, exactly as `labgrade check ID` does. texts: also
 * compare the message, hint and evidence substrings (written in the case's
 * language); otherwise only what must not depend on the language.
 */
static int run_once(const struct lg_rubric *rubric, const char *id,
		    const char *dir, enum lg_lang lang,
		    const struct lg_ynode *e, bool texts)
{
	struct lg_error err = {0};
	struct lg_sched s = {0};
	struct lg_state state = {0};
	struct lg_ctx ctx = {0};
	struct fake_gw gw = {0};
	struct routed_gw rgw;
	struct lg_journal journal = LG_JOURNAL_INIT;
	char *url = NULL,
	     *name = lg_xasprintf("%s [%s]", dir, lg_i18n_code(lang));
	bool serve = exists(dir, "gateway.http");
	bool routed = exists(dir, "gateway");
	size_t i;
	int bad = 0;

	assert_int_equal(lg_sched_plan(&s, &id, 1, &err), LG_OK);
	if (serve) {
		char *file = lg_xasprintf("%s/gateway.http", dir);

		fake_gw_start(&gw, file);
		free(file);
		url = lg_xasprintf("http://127.0.0.1:%d", gw.port);
	}
	if (routed) { /* wins over gateway.http */
		routed_gw_start(&rgw, dir);
		free(url);
		url = lg_xasprintf("http://127.0.0.1:%d", rgw.port);
	}
	ctx.cluster = seq_fixture_open(dir);
	if (exists(dir, JOURNAL_FILE)) {
		assert_int_equal(
		    lg_journal_read(ctx.cluster, NULL, &journal, &err), LG_OK);
		ctx.journal = &journal;
	}
	ctx.rubric = rubric;
	ctx.lang = lang;
	ctx.gateway_url = url;
	ctx.ingress_url = url;
	ctx.state = &state;
	lg_sched_run(&s, &ctx, NULL);
	for (i = 0; i < s.n; i++)
		if (strcmp(s.items[i].check->id, id) == 0)
			bad = compare(name, &s.items[i].result, e, texts);
	if (serve)
		fake_gw_stop(&gw);
	if (routed)
		routed_gw_stop(&rgw);
	lg_journal_release(&journal);
	lg_cluster_free(ctx.cluster);
	lg_sched_release(&s);
	lg_state_release(&state);
	free(url);
	free(name);
	return bad;
}

/*
 * A case's params.yaml ({key: value}) replaces or adds parameters of the
 * case's objective: a timing window scaled down so that a case with a
 * delayed answer runs in a fraction of a second. The key `enabled: true`
 * is not a parameter: it grades an objective the rubric marks optional.
 */
static void override_params(struct lg_rubric *r, const char *id,
			    const char *dir)
{
	struct lg_error err = {0};
	struct lg_ynode **docs = NULL;
	struct lg_rubric_objective *o = NULL;
	char *file = lg_xasprintf("%s/params.yaml", dir);
	size_t ndocs = 0, i, k;

	assert_int_equal(lg_yaml_parse_file(file, &docs, &ndocs, &err), LG_OK);
	for (i = 0; i < r->nobjectives; i++)
		if (strcmp(r->objectives[i].id, id) == 0)
			o = &r->objectives[i];
	assert_non_null(o);
	for (i = 0; ndocs == 1 && i < docs[0]->n; i++) {
		if (strcmp(docs[0]->keys[i], "enabled") == 0) {
			o->enabled =
			    strcmp(docs[0]->items[i]->value, "true") == 0;
			continue;
		}
		for (k = 0; k < o->nparams; k++)
			if (strcmp(o->params[k].key, docs[0]->keys[i]) == 0)
				break;
		if (k == o->nparams) {
			o->params = lg_xrealloc(o->params,
						(k + 1) * sizeof(*o->params));
			o->params[o->nparams++].key =
			    lg_xstrdup(docs[0]->keys[i]);
			o->params[k].value = NULL;
		}
		free(o->params[k].value);
		o->params[k].value = lg_xstrdup(docs[0]->items[i]->value);
	}
	lg_ynode_free_docs(docs, ndocs);
	free(file);
}

/* Each case in its language (expect.yaml `lang`, default en), then in the
 * other one: the verdict, points and failed keys must not change. */
static int run_case(const struct lg_rubric *rubric, const char *id,
		    const char *dir)
{
	struct lg_error err = {0};
	struct lg_ynode **docs = NULL;
	size_t ndocs = 0;
	char *exp = lg_xasprintf("%s/expect.yaml", dir);
	enum lg_lang lang = LG_LANG_EN;
	struct lg_rubric own = {0};
	int bad;

	assert_int_equal(lg_yaml_parse_file(exp, &docs, &ndocs, &err), LG_OK);
	assert_int_equal(ndocs, 1);
	if (exists(dir, "params.yaml")) {
		assert_int_equal(lg_rubric_load(&own, "rubric.yaml", &err),
				 LG_OK);
		override_params(&own, id, dir);
		rubric = &own;
	}
	if (lg_ynode_str(docs[0], "lang"))
		assert_true(
		    lg_i18n_parse(lg_ynode_str(docs[0], "lang"), &lang));
	bad = run_once(rubric, id, dir, lang, docs[0], true);
	bad += run_once(rubric, id, dir,
			lang == LG_LANG_EN ? LG_LANG_ES : LG_LANG_EN, docs[0],
			false);
	lg_ynode_free_docs(docs, ndocs);
	lg_rubric_release(&own);
	free(exp);
	return bad;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The subdirectory names of dir, sorted; NULL-terminated. */
static char **subdirs(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **out = lg_xcalloc(1, sizeof(*out));

	*n = 0;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		out = lg_xrealloc(out, (*n + 2) * sizeof(*out));
		out[(*n)++] = lg_xstrdup(e->d_name);
		out[*n] = NULL;
	}
	closedir(d);
	qsort(out, *n, sizeof(*out), cmp_names);
	return out;
}

static void test_checks__cases(void **state)
{
	struct lg_rubric rubric = {0};
	struct lg_error err = {0};
	size_t nids, ncases, i, j, total = 0;
	char **ids = subdirs(CASES, &nids);
	int bad = 0;

	(void)state;
	assert_int_equal(lg_rubric_load(&rubric, "rubric.yaml", &err), LG_OK);
	for (i = 0; i < nids; i++) {
		char *dir = lg_xasprintf(CASES "/%s", ids[i]);
		char **cases = subdirs(dir, &ncases);

		assert_non_null(lg_check_find(ids[i]));
		for (j = 0; j < ncases; j++) {
			char *c = lg_xasprintf("%s/%s", dir, cases[j]);

			bad += run_case(&rubric, ids[i], c);
			total++;
			free(c);
		}
		assert_true(ncases >= 5);
		lg_expect_split_free(cases);
		free(dir);
	}
	print_message("%zu cases, %d mismatch(es)\n", total, bad);
	lg_expect_split_free(ids);
	lg_rubric_release(&rubric);
	assert_int_equal(bad, 0);
}

/* ---- helpers ------------------------------------------------------ */

static void test_checks__image_tag(void **state)
{
	static const char *const cases[][2] = {
	    {"docker.io/istio/pilot:1.24.2", "1.24.2"},
	    {"registry.local:5000/istio/pilot:1.24.0", "1.24.0"},
	    {"registry.local:5000/istio/pilot", NULL},
	    {"pilot@sha256:abcd", NULL},
	    {"istio/pilot:1.24.1@sha256:abcd", "1.24.1"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < LG_ARRAY_SIZE(cases); i++) {
		char *t = lg_expect_image_tag(cases[i][0]);

		if (cases[i][1])
			assert_string_equal(t, cases[i][1]);
		else
			assert_null(t);
		free(t);
	}
	assert_null(lg_expect_image_tag(NULL));
}

static void test_checks__version_matches(void **state)
{
	(void)state;
	assert_true(lg_expect_version_matches("1.24.2", "1.24"));
	assert_true(lg_expect_version_matches("1.24", "1.24"));
	assert_true(lg_expect_version_matches("v1.24.0", "1.24"));
	assert_true(lg_expect_version_matches("1.24-dev", "1.24"));
	assert_false(lg_expect_version_matches("1.240.0", "1.24"));
	assert_false(lg_expect_version_matches("1.23.4", "1.24"));
	assert_false(lg_expect_version_matches(NULL, "1.24"));
	assert_false(lg_expect_version_matches("1.24", ""));
}

static void test_checks__split(void **state)
{
	size_t n;
	char **w = lg_expect_split("[a, b c,,d]", &n);

	(void)state;
	assert_int_equal(n, 4);
	assert_string_equal(w[0], "a");
	assert_string_equal(w[3], "d");
	assert_null(w[4]);
	lg_expect_split_free(w);
	w = lg_expect_split(NULL, &n);
	assert_int_equal(n, 0);
	assert_null(w[0]);
	lg_expect_split_free(w);
}

static void test_checks__pod_ready(void **state)
{
	const char *json =
	    "{\"spec\":{\"initContainers\":[{\"name\":\"istio-init\"},"
	    "{\"name\":\"istio-proxy\",\"restartPolicy\":\"Always\"}],"
	    "\"containers\":[{\"name\":\"app\",\"image\":\"x:1\"}]},"
	    "\"status\":{\"phase\":\"Running\",\"containerStatuses\":"
	    "[{\"name\":\"app\",\"ready\":true}],\"initContainerStatuses\":"
	    "[{\"name\":\"istio-proxy\",\"ready\":false,\"state\":"
	    "{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}}";
	cJSON *pod = cJSON_Parse(json);
	int ready, total;
	char *why;

	(void)state;
	lg_expect_pod_ready(pod, &ready, &total);
	assert_int_equal(total, 2);
	assert_int_equal(ready, 1);
	assert_false(lg_expect_pod_is_ready(pod));
	assert_non_null(lg_expect_container(pod, "istio-proxy"));
	assert_null(lg_expect_container(pod, "istio-init"));
	assert_string_equal(lg_expect_container_image(pod, "app"), "x:1");
	why = lg_expect_pod_problem(pod);
	assert_null(why); /* app is fine; the sidecar status is init-side */
	free(why);
	cJSON_Delete(pod);
	/* a wrongly shaped object is "absent", never a crash */
	pod = cJSON_Parse("{\"spec\":[],\"status\":\"x\"}");
	lg_expect_pod_ready(pod, &ready, &total);
	assert_int_equal(total, 0);
	assert_false(lg_expect_pod_is_ready(pod));
	assert_null(lg_expect_container(pod, "x"));
	assert_string_equal(lg_expect_name(pod), "");
	cJSON_Delete(pod);
}

static void test_checks__selector(void **state)
{
	cJSON *sel = cJSON_Parse("{\"app\":\"a\",\"v\":\"1\"}");
	cJSON *yes = cJSON_Parse("{\"app\":\"a\",\"v\":\"1\",\"x\":\"y\"}");
	cJSON *no = cJSON_Parse("{\"app\":\"a\"}");
	cJSON *empty = cJSON_Parse("{}");

	(void)state;
	assert_true(lg_expect_selector_matches(sel, yes));
	assert_false(lg_expect_selector_matches(sel, no));
	assert_false(lg_expect_selector_matches(empty, yes));
	assert_false(lg_expect_selector_matches(NULL, yes));
	cJSON_Delete(sel);
	cJSON_Delete(yes);
	cJSON_Delete(no);
	cJSON_Delete(empty);
}

static void test_checks__i18n_env(void **state)
{
	(void)state;
	unsetenv("LC_MESSAGES");
	setenv("LC_ALL", "", 1);
	setenv("LANG", "es_ES.UTF-8", 1);
	assert_int_equal(lg_i18n_from_env(), LG_LANG_ES);
	setenv("LC_ALL", "C", 1);
	assert_int_equal(lg_i18n_from_env(), LG_LANG_EN);
	setenv("LC_ALL", "es", 1);
	assert_int_equal(lg_i18n_from_env(), LG_LANG_ES);
	unsetenv("LC_ALL");
	setenv("LANG", "en_US.UTF-8", 1);
	assert_int_equal(lg_i18n_from_env(), LG_LANG_EN);
	unsetenv("LANG");
	assert_int_equal(lg_i18n_from_env(), LG_LANG_EN);
}

/* Discovery order: LoadBalancer, NodePort on a Ready node, ClusterIP. */
static void test_checks__gwfind_order(void **state)
{
	const char *svc_json =
	    "{\"metadata\":{\"name\":\"gw\"},\"spec\":{\"clusterIP\":"
	    "\"10.0.0.9\",\"ports\":[{\"name\":\"status-port\",\"port\":"
	    "15021,\"nodePort\":30021},{\"name\":\"http\",\"port\":80,"
	    "\"nodePort\":31080}]},\"status\":{\"loadBalancer\":{"
	    "\"ingress\":[{\"hostname\":\"lb.example\"}]}}}";
	cJSON *svc = cJSON_Parse(svc_json);
	struct lg_cluster *c = lg_cluster_open_fixture("tests/data/gwfind");
	struct lg_gw_candidates cands = {0};
	struct lg_result res = {0};
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_gwfind_service(c, &res, svc, &cands, &err), LG_OK);
	assert_int_equal(cands.n, 3);
	assert_string_equal(cands.items[0].url, "http://lb.example:80");
	assert_string_equal(cands.items[1].url, "http://192.168.56.11:31080");
	assert_non_null(strstr(cands.items[1].how, "node-b"));
	assert_string_equal(cands.items[2].url, "http://10.0.0.9:80");
	lg_gwfind_release(&cands);
	lg_result_release(&res);
	lg_cluster_free(c);
	cJSON_Delete(svc);
}

/* The traffic checks list the mesh configuration once per run: a second
 * reader gets the same lists with no request and one evidence line. */
static void test_checks__steps_read_once(void **state)
{
	struct lg_cluster *c =
	    lg_cluster_open_fixture(CASES "/request-routing/test-v2");
	struct lg_steps_cache *slot = NULL;
	struct lg_steps_view a, b;
	struct lg_result ra = {0}, rb = {0};
	struct lg_error err = {0};
	unsigned long n0, n1;

	(void)state;
	n0 = lg_cluster_requests(c);
	assert_int_equal(
	    lg_steps_read_shared(c, &ra, "bookinfo", &slot, &a, &err), LG_OK);
	n1 = lg_cluster_requests(c);
	assert_true(n1 - n0 >= 3);
	assert_int_equal(
	    lg_steps_read_shared(c, &rb, "bookinfo", &slot, &b, &err), LG_OK);
	assert_int_equal(lg_cluster_requests(c), n1);
	assert_int_equal(a.info.stage, LG_STAGE_TEST_V2);
	assert_int_equal(b.info.stage, LG_STAGE_TEST_V2);
	assert_int_equal(a.mesh.nvs, b.mesh.nvs);
	assert_true(a.cluster_wide);
	assert_int_equal(rb.nevidence, 1);
	assert_non_null(strstr(rb.evidence[0], "read once this run"));
	lg_steps_view_release(&a);
	lg_steps_view_release(&b);
	lg_result_release(&ra);
	lg_result_release(&rb);
	lg_steps_cache_free(slot);
	lg_cluster_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checks__cases),
	    cmocka_unit_test(test_checks__steps_read_once),
	    cmocka_unit_test(test_checks__image_tag),
	    cmocka_unit_test(test_checks__version_matches),
	    cmocka_unit_test(test_checks__split),
	    cmocka_unit_test(test_checks__pod_ready),
	    cmocka_unit_test(test_checks__selector),
	    cmocka_unit_test(test_checks__i18n_env),
	    cmocka_unit_test(test_checks__gwfind_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

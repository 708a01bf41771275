/* SPDX-License-Identifier: MIT */
/* cluster.c: the Kubernetes API client: error mapping, lists, transports. */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "exec_cred.h"

#define CL_TIMEOUT_MS 10000
#define CL_CONNECT_TIMEOUT_MS 5000
#define CL_MAX_BODY ((size_t)32 << 20)
#define CL_PAGE_LIMIT 500
#define CL_MAX_PAGES 10000
#define CL_POOL_MAX 8
#define CL_TOKEN_FILE_MAX ((size_t)64 << 10)

/* Which credential a 401 refers to, so its sentence can name it. */
enum cl_auth { CL_AUTH_NONE, CL_AUTH_CERT, CL_AUTH_TOKEN, CL_AUTH_EXEC };

struct lg_cluster {
	struct lg_transport t;
	void *tdata;
	char *server;
	char *namespace_;
	enum cl_auth auth;
	struct lg_cluster_opts opts;
	atomic_ulong requests;
};

/* The libcurl transport. */
struct cl_curl {
	char *base;	  /* URL prefix (host replaced by tls-server-name) */
	char *server;	  /* the kubeconfig's server, for messages (redacted) */
	char *proxy;	  /* its proxy-url, for messages (redacted), or NULL */
	char *connect_to; /* "NAME:PORT:HOST:PORT" for tls-server-name */
	char *host_hdr;	  /* "Host: HOST:PORT" to keep the real Host */
	struct curl_slist *connect_list;
	bool https;
	struct lg_kubeconfig kc; /* the fields below borrowed from here */
	struct lg_exec_cred *exec;
	struct lg_cluster_opts opts;
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock;
	CURL *pool[CL_POOL_MAX];
	size_t npool;
};

/* Credentials for one request (copies; wiped afterwards). */
struct cl_creds {
	char *token;
	struct lg_exec_out exec;
};

struct cl_sink {
	struct lg_buf *b;
	bool toobig;
};

/* A Kubernetes Status object, as far as messages need it. */
struct cl_status {
	const char *reason;
	const char *message;
	const char *kind;
	const char *name;
};

LG_TESTABLE enum lg_err lg_cluster_status_error(int auth, const char *method,
						const char *path, long status,
						const char *body, size_t len,
						struct lg_error *err);
LG_TESTABLE char *lg_cluster_rbac_sentence(const char *msg);
LG_TESTABLE char *lg_cluster_redact_url(const char *url);

/* ================================================================== */
/* Status -> a sentence a student understands.                         */

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A server's text, made safe to print: one line, no control bytes. */
static void clean_text(char *dst, size_t n, const char *src)
{
	size_t i;

	for (i = 0; src && src[i] && i + 1 < n; i++)
		dst[i] = iscntrl((unsigned char)src[i]) ? ' ' : src[i];
	dst[src ? i : 0] = '\0';
}

/* The text between `start` and the next '"' after it, or NULL. */
static char *quoted_after(const char *s, const char *start, const char **end)
{
	const char *a = s ? strstr(s, start) : NULL, *b;

	if (!a)
		return NULL;
	a += strlen(start);
	b = strchr(a, '"');
	if (!b)
		return NULL;
	*end = b + 1;
	return lg_xstrndup(a, (size_t)(b - a));
}

/*
 * kube's 'pods is forbidden: User "x" cannot list resource "pods" in API
 * group "" in the namespace "bookinfo"' as 'RBAC: user "x" may not list
 * pods in namespace "bookinfo"'. NULL when the message has another shape.
 */
LG_TESTABLE char *lg_cluster_rbac_sentence(const char *msg)
{
	const char *p = msg, *verb_end;
	char *user, *verb = NULL, *res = NULL, *grp = NULL, *ns = NULL;
	char *out = NULL;

	user = quoted_after(p, "User \"", &p);
	if (!user || strncmp(p, " cannot ", 8))
		goto out;
	p += 8;
	verb_end = strchr(p, ' ');
	if (!verb_end)
		goto out;
	verb = lg_xstrndup(p, (size_t)(verb_end - p));
	res = quoted_after(verb_end, " resource \"", &p);
	grp = res ? quoted_after(p, " in API group \"", &p) : NULL;
	if (!grp)
		goto out;
	ns = quoted_after(p, " in the namespace \"", &p);
	out = lg_xasprintf("RBAC: user \"%s\" may not %s %s%s%s %s%s%s", user,
			   verb, res, *grp ? "." : "", grp,
			   ns ? "in namespace \"" : "at the cluster scope",
			   ns ? ns : "", ns ? "\"" : "");
out:
	free(user);
	free(verb);
	free(res);
	free(grp);
	free(ns);
	return out;
}

static const char *auth_refused(int auth)
{
	switch (auth) {
	case CL_AUTH_CERT:
		return "the API server refused the client certificate "
		       "(expired, or not signed by the cluster's CA)";
	case CL_AUTH_TOKEN:
		return "the API server refused the token (expired, revoked, or "
		       "meant for another cluster)";
	case CL_AUTH_EXEC:
		return "the API server refused the credentials of the exec "
		       "plugin, even after running it again";
	default:
		return "the API server wants credentials, and the kubeconfig's "
		       "user has none";
	}
}

/* 4xx answers that need no more than their message. */
static const struct {
	long status;
	enum lg_err code;
	const char *text;
} simple_4xx[] = {
    {409, LG_ECONFLICT, "the object changed meanwhile (409 Conflict)"},
    {410, LG_ECONFLICT, "the data expired (410 Gone)"},
    {422, LG_EINVALID, "the API server rejected the object as invalid"},
    {429, LG_ESERVER, "the API server is overloaded (429)"},
};

static enum lg_err status_4xx(const char *what, long status,
			      const struct cl_status *st, const char *msg,
			      struct lg_error *err)
{
	const char *r = st->reason ? st->reason : "";
	const char *kind = st->kind ? st->kind : "object";
	const char *sep = *msg ? ": " : "";
	size_t i;

	if (status == 404 && st->name && *st->name)
		return lg_errorf(err, LG_ENOTFOUND,
				 "%s: %s \"%s\" does not exist", what, kind,
				 st->name);
	if (status == 404)
		return lg_errorf(
		    err, LG_ENOTFOUND,
		    "%s: the API server does not serve this path (not found; "
		    "is the resource's CRD installed?)",
		    what);
	if (status == 409 && !strcmp(r, "AlreadyExists"))
		return lg_errorf(err, LG_ECONFLICT,
				 "%s: %s \"%s\" already exists", what, kind,
				 st->name ? st->name : "");
	for (i = 0; i < LG_ARRAY_SIZE(simple_4xx); i++)
		if (simple_4xx[i].status == status)
			return lg_errorf(err, simple_4xx[i].code, "%s: %s%s%s",
					 what, simple_4xx[i].text, sep, msg);
	return lg_errorf(err, LG_EHTTP,
			 "%s: the API server answered %ld%s%s%s%s", what,
			 status, *r ? " " : "", r, sep, msg);
}

static enum lg_err status_sentence(int auth, const char *what, long status,
				   const struct cl_status *st,
				   struct lg_error *err)
{
	char msg[320];
	char *rbac;
	enum lg_err rc;

	clean_text(msg, sizeof(msg), st->message);
	if (status == 401)
		return lg_errorf(err, LG_EAUTH, "%s: %s", what,
				 auth_refused(auth));
	if (status == 403) {
		rbac = lg_cluster_rbac_sentence(msg);
		rc = lg_errorf(err, LG_EFORBIDDEN, "%s: %s%s", what,
			       rbac ? rbac : "RBAC: forbidden: ",
			       rbac ? "" : (*msg ? msg : "403 Forbidden"));
		free(rbac);
		return rc;
	}
	if (status >= 500)
		return lg_errorf(
		    err, LG_ESERVER, "%s: the API server failed (%ld%s%s)%s%s",
		    what, status, st->reason ? " " : "",
		    st->reason ? st->reason : "", *msg ? ": " : "", msg);
	return status_4xx(what, status, st, msg, err);
}

/*
 * Map a non-2xx answer to a typed error with a sentence, for every
 * transport alike. auth is an enum cl_auth value.
 */
LG_TESTABLE enum lg_err lg_cluster_status_error(int auth, const char *method,
						const char *path, long status,
						const char *body, size_t len,
						struct lg_error *err)
{
	cJSON *j = cJSON_ParseWithLength(body ? body : "", len);
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "details");
	struct cl_status st = {0};
	char *what = lg_xasprintf("%s %s", method, path);
	char safe_name[128], safe_kind[64];
	enum lg_err rc;

	if (j && jstr(j, "kind") && !strcmp(jstr(j, "kind"), "Status")) {
		st.reason = jstr(j, "reason");
		st.message = jstr(j, "message");
		clean_text(safe_kind, sizeof(safe_kind), jstr(d, "kind"));
		clean_text(safe_name, sizeof(safe_name), jstr(d, "name"));
		st.kind = jstr(d, "kind") ? safe_kind : NULL;
		st.name = jstr(d, "name") ? safe_name : NULL;
	}
	rc = status_sentence(auth, what, status, &st, err);
	free(what);
	cJSON_Delete(j);
	return rc;
}

/* ================================================================== */
/* The client over any transport.                                      */

struct lg_cluster *lg_cluster_open_transport_take(const struct lg_transport *t,
						  void *data,
						  const char *server)
{
	struct lg_cluster *c = lg_xcalloc(1, sizeof(*c));

	c->t = *t;
	c->tdata = data;
	c->server = lg_xstrdup(server ? server : "");
	c->namespace_ = lg_xstrdup("default");
	c->opts.timeout_ms = CL_TIMEOUT_MS;
	c->opts.connect_timeout_ms = CL_CONNECT_TIMEOUT_MS;
	c->opts.max_body = CL_MAX_BODY;
	c->opts.page_limit = CL_PAGE_LIMIT;
	atomic_init(&c->requests, 0);
	return c;
}

void lg_cluster_free(struct lg_cluster *c)
{
	if (!c)
		return;
	if (c->t.free)
		c->t.free(c->tdata);
	free(c->server);
	free(c->namespace_);
	free(c);
}

const char *lg_cluster_server(const struct lg_cluster *c)
{
	return c->server;
}

const char *lg_cluster_namespace(const struct lg_cluster *c)
{
	return c->namespace_;
}

unsigned long lg_cluster_requests(const struct lg_cluster *c)
{
	return atomic_load(&c->requests);
}

enum lg_err lg_cluster_request(struct lg_cluster *c, const char *method,
			       const char *path, const char *content_type,
			       const char *body, struct lg_buf *resp,
			       long *status, struct lg_error *err)
{
	struct lg_error e = {0};
	enum lg_err rc;

	atomic_fetch_add(&c->requests, 1);
	if (!resp->max || resp->max > c->opts.max_body)
		resp->max = c->opts.max_body;
	*status = 0;
	rc = c->t.request(c->tdata, method, path, content_type, body, resp,
			  status, &e);
	if (rc == LG_ETOOBIG && !e.code)
		lg_errorf(&e, rc, "the answer is larger than %zu bytes",
			  resp->max);
	if (rc != LG_OK)
		return lg_errorf(err, rc, "%s %s: %s", method, path,
				 e.code ? e.msg : lg_strerror(rc));
	if (*status >= 200 && *status < 300)
		return LG_OK;
	return lg_cluster_status_error((int)c->auth, method, path, *status,
				       resp->buf, resp->len, err);
}

static enum lg_err parse_body(const struct lg_buf *b, const char *path,
			      cJSON **out, struct lg_error *err)
{
	const char *end = NULL;

	*out = cJSON_ParseWithLengthOpts(b->buf, b->len, &end, false);
	while (*out && end && end < b->buf + b->len &&
	       isspace((unsigned char)*end))
		end++;
	if (*out && end == b->buf + b->len)
		return LG_OK;
	cJSON_Delete(*out);
	*out = NULL;
	return lg_errorf(err, LG_EPARSE,
			 "the answer to GET %s was cut short or is not JSON",
			 path);
}

/* GET and parse; *status is left for callers that care (list's 410). */
static enum lg_err get_json(struct lg_cluster *c, const char *path, cJSON **out,
			    long *status, struct lg_error *err)
{
	struct lg_buf b;
	enum lg_err rc;

	*out = NULL;
	lg_buf_init(&b, c->opts.max_body);
	rc = lg_cluster_request(c, "GET", path, NULL, NULL, &b, status, err);
	if (rc == LG_OK)
		rc = parse_body(&b, path, out, err);
	lg_buf_release(&b);
	return rc;
}

enum lg_err lg_cluster_get(struct lg_cluster *c, const char *path, cJSON **out,
			   struct lg_error *err)
{
	long status;

	return get_json(c, path, out, &status, err);
}

/* Percent-encode a continue token for a query string. */
static void add_escaped(struct lg_buf *b, const char *s)
{
	for (; *s; s++) {
		if (isalnum((unsigned char)*s) || strchr("-._~", *s))
			lg_buf_add(b, s, 1);
		else
			lg_buf_addf(b, "%%%02X", (unsigned char)*s);
	}
}

static char *page_path(const struct lg_cluster *c, const char *path,
		       const char *query, const char *cont)
{
	struct lg_buf b = LG_BUF_INIT;

	lg_buf_addf(&b, "%s%climit=%ld", path, strchr(path, '?') ? '&' : '?',
		    c->opts.page_limit);
	if (query && *query)
		lg_buf_addf(&b, "&%s", query);
	if (cont) {
		lg_buf_adds(&b, "&continue=");
		add_escaped(&b, cont);
	}
	return lg_buf_detach(&b, NULL);
}

/* Move one page's items into all; *cont becomes the next token or NULL. */
static enum lg_err take_page(cJSON *doc, cJSON *all, const char *path,
			     char **cont, struct lg_error *err)
{
	cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, "items");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
	const char *next = jstr(meta, "continue");

	if (!cJSON_IsArray(items) && !cJSON_IsNull(items))
		return lg_errorf(err, LG_EPARSE,
				 "GET %s: the answer is not a list", path);
	while (cJSON_IsArray(items) && cJSON_GetArraySize(items) > 0)
		cJSON_AddItemToArray(all, cJSON_DetachItemFromArray(items, 0));
	if (next && *next && *cont && !strcmp(next, *cont))
		return lg_errorf(
		    err, LG_EPARSE,
		    "GET %s: the API server gave the same continue token twice",
		    path);
	free(*cont);
	*cont = next && *next ? lg_xstrdup(next) : NULL;
	return LG_OK;
}

enum lg_err lg_cluster_list(struct lg_cluster *c, const char *path,
			    const char *query, cJSON **items,
			    struct lg_error *err)
{
	cJSON *all = cJSON_CreateArray(), *doc = NULL;
	char *cont = NULL, *p = NULL;
	struct lg_error e = {0};
	enum lg_err rc = LG_OK;
	long status = 0;
	int page;

	for (page = 0; page < CL_MAX_PAGES && rc == LG_OK; page++) {
		p = page_path(c, path, query, cont);
		rc = get_json(c, p, &doc, &status, &e);
		if (rc != LG_OK && status == 410 && cont)
			rc = lg_errorf(
			    err, LG_ECONFLICT,
			    "GET %s: the list changed too much while labgrade "
			    "paged through it (410 Gone: the continue token "
			    "expired); run labgrade again",
			    p);
		else if (rc != LG_OK)
			lg_errorf(err, rc, "%s", e.msg);
		else
			rc = take_page(doc, all, p, &cont, err);
		free(p);
		cJSON_Delete(doc);
		doc = NULL;
		if (!cont)
			break;
	}
	if (rc == LG_OK && cont)
		rc = lg_errorf(err, LG_EPARSE, "GET %s: more than %d pages",
			       path, CL_MAX_PAGES);
	free(cont);
	if (rc != LG_OK)
		cJSON_Delete(all);
	*items = rc == LG_OK ? all : NULL;
	return rc;
}

/* ================================================================== */
/* The fixture transport: one file per GET path.                       */

static char *fixture_name(const char *dir, const char *path, const char *ext)
{
	char *name = lg_xstrdup(path), *p, *out;

	for (p = name; *p; p++)
		if (strchr("/?&=", *p))
			*p = '_';
	for (p = name; *p == '_'; p++)
		;
	out = lg_xasprintf("%s/%s%s", dir, p, ext);
	free(name);
	return out;
}

/* Read a file into b: 1 read, 0 absent, -1 over the cap. */
static int read_into(const char *file, struct lg_buf *b)
{
	FILE *f = fopen(file, "rb");
	char chunk[8192];
	size_t n;
	int ret = 1;

	if (!f)
		return 0;
	while (ret == 1 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (lg_buf_add(b, chunk, n) != LG_OK)
			ret = -1;
	fclose(f);
	return ret;
}

static void status_body(struct lg_buf *resp, long code, const char *reason,
			const char *msg)
{
	lg_buf_reset(resp);
	lg_buf_addf(
	    resp,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
	    "\"message\":\"%s\",\"reason\":\"%s\",\"code\":%ld}",
	    msg, reason, code);
}

/* One GET path's answer: 1 found, 0 absent, -1 over the cap. */
static int fixture_lookup(const char *dir, const char *path,
			  struct lg_buf *resp, long *status)
{
	char *json = fixture_name(dir, path, ".json");
	char *st = fixture_name(dir, path, ".status");
	struct lg_buf sb = LG_BUF_INIT;
	int got = read_into(json, resp);

	if (got >= 0 && read_into(st, &sb) == 1) {
		*status = strtol(sb.buf, NULL, 10);
		got = 1;
	}
	lg_buf_release(&sb);
	free(json);
	free(st);
	return got;
}

/*
 * The path without lg_cluster_list's "limit=N" parameter, or NULL when it
 * has none: a single-page list can then be recorded under its plain path.
 */
static char *strip_limit(const char *path)
{
	const char *q = strchr(path, '?'), *p, *end;
	struct lg_buf b = LG_BUF_INIT;

	if (!q)
		return NULL;
	p = !strncmp(q + 1, "limit=", 6) ? q + 1 : strstr(q, "&limit=");
	if (!p)
		return NULL;
	p += *p == '&';
	end = p + 6 + strspn(p + 6, "0123456789");
	lg_buf_add(&b, path, (size_t)(p - path));
	lg_buf_adds(&b, *end == '&' ? end + 1 : end);
	while (b.len && strchr("?&", b.buf[b.len - 1]))
		b.buf[--b.len] = '\0';
	return lg_buf_detach(&b, NULL);
}

static enum lg_err fixture_request(void *data, const char *method,
				   const char *path, const char *content_type,
				   const char *body, struct lg_buf *resp,
				   long *status, struct lg_error *err)
{
	char *plain = NULL;
	int got;

	(void)content_type;
	(void)body;
	*status = 200;
	if (strcmp(method, "GET")) {
		*status = 403;
		status_body(resp, 403, "Forbidden", "fixtures are read-only");
		return LG_OK;
	}
	got = fixture_lookup(data, path, resp, status);
	if (got == 0 && (plain = strip_limit(path)))
		got = fixture_lookup(data, plain, resp, status);
	free(plain);
	if (got < 0)
		return lg_errorf(err, LG_ETOOBIG,
				 "the answer is larger than %zu bytes",
				 resp->max);
	if (got == 0) {
		*status = 404;
		status_body(resp, 404, "NotFound",
			    "the server could not find the requested resource");
	}
	return LG_OK;
}

static void fixture_free(void *data)
{
	free(data);
}

struct lg_cluster *lg_cluster_open_fixture(const char *dir)
{
	static const struct lg_transport t = {fixture_request, fixture_free};
	char *server = lg_xasprintf("fixture:%s", dir);
	struct lg_cluster *c;

	c = lg_cluster_open_transport_take(&t, lg_xstrdup(dir), server);
	free(server);
	return c;
}

/* ================================================================== */
/* The libcurl transport.                                              */

static pthread_once_t curl_init_ctl = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		lg_die("cannot initialise libcurl");
}

static void share_lock(CURL *h, curl_lock_data d, curl_lock_access a, void *u)
{
	struct cl_curl *t = u;

	(void)h;
	(void)a;
	pthread_mutex_lock(&t->share_locks[d]);
}

static void share_unlock(CURL *h, curl_lock_data d, void *u)
{
	struct cl_curl *t = u;

	(void)h;
	pthread_mutex_unlock(&t->share_locks[d]);
}

static void share_init(struct cl_curl *t)
{
	size_t i;

	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&t->share_locks[i], NULL);
	pthread_mutex_init(&t->pool_lock, NULL);
	t->share = curl_share_init();
	if (!t->share)
		lg_die("out of memory (curl_share_init)");
	curl_share_setopt(t->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(t->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(t->share, CURLSHOPT_USERDATA, t);
	curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(t->share, CURLSHOPT_SHARE,
			  CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
}

static CURL *pool_take(struct cl_curl *t)
{
	CURL *h = NULL;

	pthread_mutex_lock(&t->pool_lock);
	if (t->npool)
		h = t->pool[--t->npool];
	pthread_mutex_unlock(&t->pool_lock);
	if (h)
		curl_easy_reset(h);
	else if (!(h = curl_easy_init()))
		lg_die("out of memory (curl_easy_init)");
	return h;
}

static void pool_put(struct cl_curl *t, CURL *h)
{
	pthread_mutex_lock(&t->pool_lock);
	if (t->npool < CL_POOL_MAX) {
		t->pool[t->npool++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&t->pool_lock);
	if (h)
		curl_easy_cleanup(h);
}

static void curl_tp_free(void *data)
{
	struct cl_curl *t = data;
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->npool; i++)
		curl_easy_cleanup(t->pool[i]);
	if (t->share)
		curl_share_cleanup(t->share);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&t->share_locks[i]);
	pthread_mutex_destroy(&t->pool_lock);
	lg_exec_cred_free(t->exec);
	lg_kubeconfig_release(&t->kc);
	free(t->base);
	free(t->server);
	free(t->proxy);
	free(t->connect_to);
	curl_slist_free_all(t->connect_list);
	free(t->host_hdr);
	free(t);
}

/* ------------------------------------------------------------------ */
/* Credentials of one request.                                         */

static enum lg_err read_token_file(const char *file, char **tok,
				   struct lg_error *err)
{
	FILE *f = fopen(file, "rb");
	struct lg_buf b;
	char chunk[4096];
	size_t n;

	if (!f)
		return lg_errorf(err, LG_EIO,
				 "cannot read the token file '%s': %s", file,
				 strerror(errno));
	lg_buf_init(&b, CL_TOKEN_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (lg_buf_add(&b, chunk, n) != LG_OK)
			break;
	fclose(f);
	lg_secret_wipe(chunk, sizeof(chunk));
	while (b.len && isspace((unsigned char)b.buf[b.len - 1]))
		b.buf[--b.len] = '\0';
	if (!b.len) {
		lg_buf_release(&b);
		return lg_errorf(err, LG_EAUTH, "the token file '%s' is empty",
				 file);
	}
	*tok = lg_buf_detach(&b, NULL);
	return LG_OK;
}

/* The request's headers: the Authorization one holds the token. */
static void free_headers(struct curl_slist *hd)
{
	struct curl_slist *h;

	for (h = hd; h; h = h->next)
		lg_secret_wipe(h->data, strlen(h->data));
	curl_slist_free_all(hd);
}

static void creds_release(struct cl_creds *cr)
{
	lg_secret_free(cr->token);
	lg_exec_out_release(&cr->exec);
	memset(cr, 0, sizeof(*cr));
}

/* A readable tokenFile wins over token and is re-read (it rotates), as in
 * client-go's bearer round tripper; token is the fallback. */
static enum lg_err bearer_token(const struct cl_curl *t, char **tok,
				struct lg_error *err)
{
	enum lg_err rc = LG_OK;

	if (t->kc.token_file)
		rc = read_token_file(t->kc.token_file, tok, err);
	if (t->kc.token && (!t->kc.token_file || rc != LG_OK)) {
		if (rc != LG_OK)
			lg_error_clear(err); /* the fallback answers it */
		*tok = lg_xstrdup(t->kc.token);
		rc = LG_OK;
	}
	return rc;
}

/* The bearer token (tokenFile, token), else the exec plugin's. */
static enum lg_err creds_get(struct cl_curl *t, bool refresh,
			     struct cl_creds *cr, struct lg_error *err)
{
	enum lg_err rc = LG_OK;

	memset(cr, 0, sizeof(*cr));
	if (!t->https && (t->kc.token || t->kc.token_file || t->exec))
		return lg_errorf(
		    err, LG_ECONFIG,
		    "refusing to send the kubeconfig's credentials to %s over "
		    "plain http: they are only sent over https",
		    t->server);
	if (t->kc.token || t->kc.token_file)
		return bearer_token(t, &cr->token, err);
	if (t->exec)
		rc = lg_exec_cred_get(t->exec, refresh, &cr->exec, err);
	if (rc == LG_OK && cr->exec.token)
		cr->token = lg_xstrdup(cr->exec.token);
	return rc;
}

/* ------------------------------------------------------------------ */
/* One libcurl request.                                                */

static size_t sink_write(char *p, size_t size, size_t n, void *u)
{
	struct cl_sink *s = u;

	if (lg_buf_add(s->b, p, size * n) != LG_OK) {
		s->toobig = true;
		return 0;
	}
	return size * n;
}

static void set_blob(CURL *h, CURLoption opt, const char *data, size_t len)
{
	struct curl_blob blob = {(void *)(uintptr_t)data, len, CURL_BLOB_COPY};

	curl_easy_setopt(h, opt, &blob);
}

static void setup_tls(const struct cl_curl *t, CURL *h,
		      const struct cl_creds *cr)
{
	const struct lg_kubeconfig *kc = &t->kc;

	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (kc->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	/* With a kubeconfig CA, only that CA is trusted (as kubectl). */
	if (kc->ca_data || kc->ca_file)
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	if (kc->ca_data)
		set_blob(h, CURLOPT_CAINFO_BLOB, kc->ca_data, kc->ca_data_len);
	else if (kc->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, kc->ca_file);
	if (cr->exec.cert_data) {
		set_blob(h, CURLOPT_SSLCERT_BLOB, cr->exec.cert_data,
			 cr->exec.cert_len);
		set_blob(h, CURLOPT_SSLKEY_BLOB, cr->exec.key_data,
			 cr->exec.key_len);
	} else if (kc->cert_data) {
		set_blob(h, CURLOPT_SSLCERT_BLOB, kc->cert_data,
			 kc->cert_data_len);
		set_blob(h, CURLOPT_SSLKEY_BLOB, kc->key_data,
			 kc->key_data_len);
	} else if (kc->cert_file) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, kc->cert_file);
		curl_easy_setopt(h, CURLOPT_SSLKEY, kc->key_file);
	}
	curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
	curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	if (t->connect_list)
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, t->connect_list);
}

static struct curl_slist *make_headers(const struct cl_curl *t,
				       const char *content_type,
				       const char *body,
				       const struct cl_creds *cr)
{
	struct curl_slist *hd = NULL;
	char *auth;

	hd = curl_slist_append(hd, "Accept: application/json, */*");
	hd = curl_slist_append(hd, "Expect:");
	if (t->host_hdr)
		hd = curl_slist_append(hd, t->host_hdr);
	/* libcurl would label a body as a form; the API wants JSON */
	if (content_type || body) {
		auth = lg_xasprintf("Content-Type: %s",
				    content_type ? content_type
						 : "application/json");
		hd = curl_slist_append(hd, auth);
		free(auth);
	}
	if (cr->token && t->https) {
		auth = lg_xasprintf("Authorization: Bearer %s", cr->token);
		hd = curl_slist_append(hd, auth);
		lg_secret_free(auth);
	}
	return hd;
}

static void setup_request(const struct cl_curl *t, CURL *h, const char *method,
			  const char *url, const char *body,
			  struct cl_sink *sink)
{
	curl_easy_setopt(h, CURLOPT_SHARE, t->share);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, t->opts.timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 t->opts.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)sink->b->max);
	if (t->kc.proxy_url)
		curl_easy_setopt(h, CURLOPT_PROXY, t->kc.proxy_url);
	if (strcmp(method, "GET"))
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else if (!strcmp(method, "POST") || !strcmp(method, "PUT")) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	}
}

/* libcurl failures as sentences: BEFORE + server URL + AFTER (+ detail). */
static const struct {
	CURLcode cc;
	const char *before, *after;
	bool detail;
} curl_errs[] = {
    {CURLE_COULDNT_CONNECT, "cannot connect to ",
     ": is the API server running, and is this its address?", true},
    {CURLE_COULDNT_RESOLVE_HOST, "cannot resolve the host name of ", "", false},
    {CURLE_COULDNT_RESOLVE_PROXY, "cannot resolve the proxy for ", "", false},
    {CURLE_PEER_FAILED_VERIFICATION,
     "the API server's certificate is not trusted by the kubeconfig's "
     "certificate-authority: ",
     "", true},
    {CURLE_SSL_CONNECT_ERROR, "the TLS handshake with ", " failed", true},
    {CURLE_SSL_CERTPROBLEM, "the client certificate for ", " could not be used",
     true},
    {CURLE_SEND_ERROR, "", " closed or reset the connection before answering",
     false},
    {CURLE_RECV_ERROR, "", " closed or reset the connection before answering",
     false},
    {CURLE_GOT_NOTHING, "", " closed or reset the connection before answering",
     false},
    {CURLE_PARTIAL_FILE, "",
     " closed the connection before the whole answer arrived", false},
};

/*
 * With a proxy-url, libcurl connects to the proxy, which connects on. A
 * failure before the proxy answered is the proxy's, not the API server's;
 * a CONNECT the proxy refused says so. LG_OK: not a proxy failure.
 */
static enum lg_err proxy_error(const struct cl_curl *t, CURL *h, CURLcode cc,
			       const char *detail, struct lg_error *err)
{
	long code = 0;

	if (!t->proxy)
		return LG_OK;
	curl_easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &code);
	if (cc == CURLE_COULDNT_RESOLVE_PROXY)
		return lg_errorf(err, LG_EHTTP,
				 "cannot resolve the host name of the proxy "
				 "%s (the kubeconfig's proxy-url) (%s)",
				 t->proxy, detail);
	if (code >= 300)
		return lg_errorf(err, LG_EHTTP,
				 "the proxy %s (the kubeconfig's proxy-url) "
				 "refused to connect to %s: it answered %ld",
				 t->proxy, t->server, code);
	if (code == 0 && cc == CURLE_COULDNT_CONNECT)
		return lg_errorf(err, LG_EHTTP,
				 "cannot connect to the proxy %s (the "
				 "kubeconfig's proxy-url): is it running, and "
				 "is this its address? (%s)",
				 t->proxy, detail);
	return LG_OK;
}

static enum lg_err curl_error(const struct cl_curl *t, CURL *h, CURLcode cc,
			      const char *ebuf, bool toobig,
			      struct lg_error *err)
{
	const char *detail = *ebuf ? ebuf : curl_easy_strerror(cc);
	enum lg_err rc = proxy_error(t, h, cc, detail, err);
	size_t i;

	if (rc != LG_OK)
		return rc;

	if (cc == CURLE_OPERATION_TIMEDOUT)
		return lg_errorf(err, LG_ETIMEOUT,
				 "%s did not answer within %ld ms", t->server,
				 t->opts.timeout_ms);
	if (toobig || cc == CURLE_FILESIZE_EXCEEDED)
		return LG_ETOOBIG; /* the caller names the cap */
	if (cc == CURLE_PEER_FAILED_VERIFICATION && strstr(detail, "name"))
		return lg_errorf(err, LG_EHTTP,
				 "the API server's certificate is not valid "
				 "for the host name of %s (or tls-server-name) "
				 "(%s)",
				 t->server, detail);
	for (i = 0; i < LG_ARRAY_SIZE(curl_errs); i++)
		if (curl_errs[i].cc == cc)
			return lg_errorf(err, LG_EHTTP, "%s%s%s%s%s%s",
					 curl_errs[i].before, t->server,
					 curl_errs[i].after,
					 curl_errs[i].detail ? " (" : "",
					 curl_errs[i].detail ? detail : "",
					 curl_errs[i].detail ? ")" : "");
	return lg_errorf(err, LG_EHTTP, "the request to %s failed: %s",
			 t->server, detail);
}

static enum lg_err curl_once(struct cl_curl *t, bool refresh,
			     const char *method, const char *path,
			     const char *content_type, const char *body,
			     struct lg_buf *resp, long *status,
			     struct lg_error *err)
{
	struct cl_sink sink = {resp, false};
	struct cl_creds cr;
	struct curl_slist *hd = NULL;
	char ebuf[CURL_ERROR_SIZE] = "", *url = NULL;
	CURL *h;
	CURLcode cc;
	enum lg_err rc;

	rc = creds_get(t, refresh, &cr, err);
	if (rc != LG_OK)
		return rc;
	url = lg_xasprintf("%s%s", t->base, path);
	h = pool_take(t);
	setup_request(t, h, method, url, body, &sink);
	setup_tls(t, h, &cr);
	hd = make_headers(t, content_type, body, &cr);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	lg_buf_reset(resp);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (cc != CURLE_OK)
		rc = curl_error(t, h, cc, ebuf, sink.toobig, err);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_CONNECT_TO, NULL);
	pool_put(t, h);
	free_headers(hd);
	creds_release(&cr);
	free(url);
	return rc;
}

/* An exec plugin's credential that gets a 401 is renewed once. */
static enum lg_err curl_request(void *data, const char *method,
				const char *path, const char *content_type,
				const char *body, struct lg_buf *resp,
				long *status, struct lg_error *err)
{
	struct cl_curl *t = data;
	enum lg_err rc;

	rc = curl_once(t, false, method, path, content_type, body, resp, status,
		       err);
	if (rc == LG_OK && *status == 401 && t->exec)
		rc = curl_once(t, true, method, path, content_type, body, resp,
			       status, err);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Opening.                                                            */

static char *dup_or_null(const char *s)
{
	return s ? lg_xstrdup(s) : NULL;
}

static char *dup_blob(const char *s, size_t len)
{
	char *d;

	if (!s)
		return NULL;
	d = lg_xmalloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

/* What the transport needs of kc (the exec plugin goes to its cache). */
/*
 * url for messages and reports: a password in its user info
 * (https://user:pw@host) becomes "***", so that it is never printed.
 * Caller frees.
 */
LG_TESTABLE char *lg_cluster_redact_url(const char *url)
{
	const char *auth = strstr(url, "://"), *end, *at, *colon;

	auth = auth ? auth + 3 : url;
	end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(end - auth));
	while (at && memchr(at + 1, '@', (size_t)(end - at - 1)))
		at = memchr(at + 1, '@', (size_t)(end - at - 1));
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (!colon)
		return lg_xstrdup(url);
	return lg_xasprintf("%.*s:***%s", (int)(colon - url), url, at);
}

static void kc_copy(struct lg_kubeconfig *d, const struct lg_kubeconfig *s)
{
	memset(d, 0, sizeof(*d));
	d->server = dup_or_null(s->server);
	d->ca_file = dup_or_null(s->ca_file);
	d->ca_data = dup_blob(s->ca_data, s->ca_data_len);
	d->ca_data_len = s->ca_data_len;
	d->insecure = s->insecure;
	d->tls_server_name = dup_or_null(s->tls_server_name);
	d->proxy_url = dup_or_null(s->proxy_url);
	d->cert_file = dup_or_null(s->cert_file);
	d->cert_data = dup_blob(s->cert_data, s->cert_data_len);
	d->cert_data_len = s->cert_data_len;
	d->key_file = dup_or_null(s->key_file);
	d->key_data = dup_blob(s->key_data, s->key_data_len);
	d->key_data_len = s->key_data_len;
	d->token = dup_or_null(s->token);
	d->token_file = dup_or_null(s->token_file);
}

/* The tunnel's address (see tunnel_to). */
static void opts_tunnel(struct lg_cluster_opts *o,
			const struct lg_cluster_opts *in)
{
	o->connect_host = in->connect_host;
	o->connect_port = in->connect_port;
}

static void opts_fill(struct lg_cluster_opts *o,
		      const struct lg_cluster_opts *in)
{
	o->timeout_ms =
	    in && in->timeout_ms > 0 ? in->timeout_ms : CL_TIMEOUT_MS;
	o->connect_timeout_ms = in && in->connect_timeout_ms > 0
				    ? in->connect_timeout_ms
				    : CL_CONNECT_TIMEOUT_MS;
	o->max_body = in && in->max_body ? in->max_body : CL_MAX_BODY;
	o->page_limit =
	    in && in->page_limit > 0 ? in->page_limit : CL_PAGE_LIMIT;
	if (in)
		opts_tunnel(o, in);
}

/*
 * tls-server-name: the URL names the TLS name (for SNI and verification)
 * and CONNECT_TO sends the connection to the real host; the Host header
 * stays the real one.
 */
static void apply_sni(struct cl_curl *t, CURLU *u, const char *host,
		      const char *port, bool explicit_port)
{
	const char *name = t->kc.tls_server_name;

	t->connect_to = lg_xasprintf("%s:%s:%s:%s", name, port, host, port);
	t->connect_list = curl_slist_append(NULL, t->connect_to);
	t->host_hdr = explicit_port ? lg_xasprintf("Host: %s:%s", host, port)
				    : lg_xasprintf("Host: %s", host);
	curl_url_set(u, CURLUPART_HOST, name, 0);
}

/*
 * opts.connect_host: the URL's host (the tls-server-name when there is
 * one) goes to the tunnel instead; it replaces apply_sni's entry, which
 * would send it to the real host. connect_host is only read here.
 */
static void tunnel_to(struct cl_curl *t, CURLU *u, const char *port)
{
	char *name = NULL;

	curl_url_get(u, CURLUPART_HOST, &name, 0);
	free(t->connect_to);
	curl_slist_free_all(t->connect_list);
	t->connect_to =
	    lg_xasprintf("%s:%s:%s:%d", name ? name : "", port,
			 t->opts.connect_host, t->opts.connect_port);
	t->connect_list = curl_slist_append(NULL, t->connect_to);
	t->opts.connect_host = NULL; /* borrowed: do not keep it */
	curl_free(name);
}

static enum lg_err parse_server(struct cl_curl *t, struct lg_error *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *url = NULL, *p;
	enum lg_err rc = LG_OK;
	bool explicit_port;

	if (curl_url_set(u, CURLUPART_URL, t->kc.server, 0) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) ||
	    (strcmp(scheme, "https") && strcmp(scheme, "http"))) {
		rc = lg_errorf(err, LG_ECONFIG,
			       "the server URL '%s' is not an http(s) URL",
			       t->server);
		goto out;
	}
	t->https = !strcmp(scheme, "https");
	explicit_port = curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK;
	curl_free(port);
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	if (t->kc.tls_server_name)
		apply_sni(t, u, host, port, explicit_port);
	if (t->opts.connect_host)
		tunnel_to(t, u, port);
	curl_url_set(u, CURLUPART_QUERY, NULL, 0);
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	curl_url_get(u, CURLUPART_URL, &url, 0);
	t->base = lg_xstrdup(url);
	p = t->base + strlen(t->base);
	while (p > t->base && p[-1] == '/')
		*--p = '\0';
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(url);
	curl_url_cleanup(u);
	return rc;
}

static enum cl_auth auth_kind(const struct lg_kubeconfig *kc)
{
	if (kc->token || kc->token_file)
		return CL_AUTH_TOKEN;
	if (kc->exec)
		return CL_AUTH_EXEC;
	if (kc->cert_data || kc->cert_file)
		return CL_AUTH_CERT;
	return CL_AUTH_NONE;
}

enum lg_err lg_cluster_open(struct lg_cluster **out,
			    const struct lg_kubeconfig *kc,
			    const struct lg_cluster_opts *opts,
			    struct lg_error *err)
{
	static const struct lg_transport vt = {curl_request, curl_tp_free};
	struct cl_curl *t;
	enum lg_err rc;

	*out = NULL;
	if (kc->username && auth_kind(kc) == CL_AUTH_NONE)
		return lg_errorf(err, LG_ECONFIG,
				 "user \"%s\": basic auth is not supported, "
				 "use a client certificate or a token",
				 kc->user_name ? kc->user_name : "");
	pthread_once(&curl_init_ctl, curl_init_once);
	t = lg_xcalloc(1, sizeof(*t));
	opts_fill(&t->opts, opts);
	kc_copy(&t->kc, kc);
	t->server = lg_cluster_redact_url(kc->server ? kc->server : "");
	t->proxy = kc->proxy_url ? lg_cluster_redact_url(kc->proxy_url) : NULL;
	share_init(t);
	rc = parse_server(t, err);
	if (rc != LG_OK) {
		curl_tp_free(t);
		return rc;
	}
	/* a plugin that hangs costs one request's time, no more */
	if (kc->exec)
		t->exec = lg_exec_cred_new(kc, t->opts.timeout_ms);
	*out = lg_cluster_open_transport_take(&vt, t, t->server);
	(*out)->opts = t->opts;
	(*out)->auth = auth_kind(kc);
	free((*out)->namespace_);
	(*out)->namespace_ =
	    lg_xstrdup(kc->namespace_ ? kc->namespace_ : "default");
	return LG_OK;
}

/* ================================================================== */
/* Streams (watches).                                                  */

struct cl_stream {
	lg_cluster_line_fn on_line;
	lg_cluster_stop_fn stop;
	void *data;
	struct lg_buf line; /* the part of a line received so far */
	bool toobig;
};

static bool stream_line(struct cl_stream *s)
{
	bool go = !s->line.len || s->on_line(s->data, s->line.buf, s->line.len);

	lg_buf_reset(&s->line);
	return go;
}

static size_t stream_write(char *p, size_t size, size_t n, void *u)
{
	struct cl_stream *s = u;
	size_t len = size * n, left = len;
	const char *nl;

	while (left) {
		nl = memchr(p, '\n', left);
		if (lg_buf_add(&s->line, p, nl ? (size_t)(nl - p) : left) !=
		    LG_OK) {
			s->toobig = true;
			return 0;
		}
		if (!nl)
			break;
		if (!stream_line(s))
			return 0;
		left -= (size_t)(nl - p) + 1;
		p = (char *)(uintptr_t)(nl + 1);
	}
	return len;
}

static int stream_progress(void *u, curl_off_t a, curl_off_t b, curl_off_t c,
			   curl_off_t d)
{
	struct cl_stream *s = u;

	(void)a, (void)b, (void)c, (void)d;
	return s->stop && s->stop(s->data);
}

/* One stream over libcurl: the request as curl_once, other callbacks. */
static enum lg_err curl_stream(struct cl_curl *t, const char *path,
			       struct cl_stream *s, long *status,
			       struct lg_error *err)
{
	struct lg_buf unused = LG_BUF_INIT;
	struct cl_sink sink = {&unused, false};
	struct cl_creds cr;
	struct curl_slist *hd;
	char ebuf[CURL_ERROR_SIZE] = "", *url;
	CURL *h;
	CURLcode cc;
	enum lg_err rc = creds_get(t, false, &cr, err);

	if (rc != LG_OK)
		return rc;
	url = lg_xasprintf("%s%s", t->base, path);
	if (!(h = curl_easy_init()))
		lg_die("out of memory (curl_easy_init)");
	setup_request(t, h, "GET", url, NULL, &sink);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)0);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, stream_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, stream_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, s);
	setup_tls(t, h, &cr);
	hd = make_headers(t, NULL, NULL, &cr);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	/* the end of the stream may leave a last line without newline */
	if (cc == CURLE_OK)
		stream_line(s);
	else if (cc != CURLE_WRITE_ERROR && cc != CURLE_ABORTED_BY_CALLBACK)
		rc = curl_error(t, h, cc, ebuf, false, err);
	curl_easy_cleanup(h);
	free_headers(hd);
	creds_release(&cr);
	free(url);
	return rc;
}

enum lg_err lg_cluster_stream(struct lg_cluster *c, const char *path,
			      lg_cluster_line_fn on_line,
			      lg_cluster_stop_fn stop, void *data, long *status,
			      struct lg_error *err)
{
	struct cl_stream s = {on_line, stop, data, LG_BUF_INIT, false};
	enum lg_err rc;

	*status = 0;
	if (c->t.request != curl_request)
		return lg_errorf(err, LG_EUSAGE,
				 "GET %s: this client cannot stream", path);
	atomic_fetch_add(&c->requests, 1);
	lg_buf_init(&s.line, c->opts.max_body);
	rc = curl_stream(c->tdata, path, &s, status, err);
	if (rc == LG_OK && s.toobig)
		rc = lg_errorf(err, LG_ETOOBIG,
			       "GET %s: a watch event is larger than %zu bytes",
			       path, c->opts.max_body);
	lg_buf_release(&s.line);
	return rc;
}

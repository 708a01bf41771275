/* SPDX-License-Identifier: MIT */
/* test_cluster.c: the Kubernetes client: error mapping, lists, transports. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../harness/cluster.h"
#include "support/httpsrv.h"

enum lg_err lg_cluster_status_error(int auth, const char *method,
				    const char *path, long status,
				    const char *body, size_t len,
				    struct lg_error *err);
char *lg_cluster_rbac_sentence(const char *msg);
char *lg_cluster_redact_url(const char *url);

/* ================================================================== */
/* A scripted transport: answers in order, records what was asked.     */

#define SCRIPT_MAX 8

struct script {
	int n, i;
	long status[SCRIPT_MAX];
	const char *body[SCRIPT_MAX];
	enum lg_err rc[SCRIPT_MAX];
	char *path[SCRIPT_MAX];
};

static enum lg_err script_request(void *data, const char *method,
				  const char *path, const char *content_type,
				  const char *body, struct lg_buf *resp,
				  long *status, struct lg_error *err)
{
	struct script *s = data;
	int i = s->i++;

	(void)method;
	(void)content_type;
	(void)body;
	assert_true(i < s->n);
	s->path[i] = lg_xstrdup(path);
	if (s->rc[i] == LG_EHTTP)
		return lg_errorf(err, LG_EHTTP, "connection reset by peer");
	if (s->rc[i] != LG_OK)
		return s->rc[i];
	if (lg_buf_adds(resp, s->body[i]) != LG_OK)
		return LG_ETOOBIG;
	*status = s->status[i];
	return LG_OK;
}

static void script_free(void *data)
{
	struct script *s = data;
	int i;

	for (i = 0; i < SCRIPT_MAX; i++)
		free(s->path[i]);
	free(s);
}

static const struct lg_transport script_transport = {script_request,
						     script_free};

/* A client whose transport answers (status, body) pairs in order. */
static struct lg_cluster *scripted(struct script **out, int n, ...)
{
	struct script *s = lg_xcalloc(1, sizeof(*s));
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < n; i++) {
		s->status[i] = va_arg(ap, long);
		s->body[i] = va_arg(ap, const char *);
	}
	va_end(ap);
	s->n = n;
	*out = s;
	return lg_cluster_open_transport_take(&script_transport, s,
					      "https://kube.test:6443");
}

/* GET path through a one-answer script; the error code, message in err. */
static enum lg_err get_one(long status, const char *body, const char *path,
			   struct lg_error *err)
{
	struct script *s;
	struct lg_cluster *c = scripted(&s, 1, status, body);
	cJSON *j = NULL;
	enum lg_err rc;

	lg_error_clear(err);
	rc = lg_cluster_get(c, path, &j, err);
	cJSON_Delete(j);
	lg_cluster_free(c);
	return rc;
}

#define STATUS(code, reason, msg, details)                                     \
	"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","   \
	"\"message\":\"" msg "\",\"reason\":\"" reason "\"" details            \
	",\"code\":" #code "}"

static void test_cluster__status_sentences(void **state)
{
	struct lg_error err;

	(void)state;
	assert_int_equal(
	    get_one(403,
		    STATUS(403, "Forbidden",
			   "pods is forbidden: User \\\"student\\\" cannot "
			   "list resource \\\"pods\\\" in API group \\\"\\\" "
			   "in the namespace \\\"bookinfo\\\"",
			   ",\"details\":{\"kind\":\"pods\"}"),
		    "/api/v1/namespaces/bookinfo/pods", &err),
	    LG_EFORBIDDEN);
	assert_string_equal(
	    err.msg, "GET /api/v1/namespaces/bookinfo/pods: RBAC: user "
		     "\"student\" may not list pods in namespace \"bookinfo\"");
	assert_int_equal(
	    get_one(
		404,
		STATUS(404, "NotFound", "pods \\\"ghost\\\" not found",
		       ",\"details\":{\"name\":\"ghost\",\"kind\":\"pods\"}"),
		"/api/v1/namespaces/b/pods/ghost", &err),
	    LG_ENOTFOUND);
	assert_string_equal(err.msg, "GET /api/v1/namespaces/b/pods/ghost: "
				     "pods \"ghost\" does not exist");
	assert_int_equal(
	    get_one(404,
		    STATUS(404, "NotFound",
			   "the server could not find the requested resource",
			   ""),
		    "/apis/x.io/v1/things", &err),
	    LG_ENOTFOUND);
	assert_non_null(strstr(err.msg, "GET /apis/x.io/v1/things: "));
	assert_non_null(strstr(err.msg, "CRD"));
}

static void test_cluster__status_codes(void **state)
{
	struct lg_error err;

	(void)state;
	assert_int_equal(
	    get_one(401, STATUS(401, "Unauthorized", "Unauthorized", ""),
		    "/api", &err),
	    LG_EAUTH);
	assert_non_null(strstr(err.msg, "GET /api: "));
	assert_int_equal(
	    get_one(409,
		    STATUS(409, "Conflict", "the object has been modified", ""),
		    "/api/v1/x", &err),
	    LG_ECONFLICT);
	assert_non_null(strstr(err.msg, "has been modified"));
	assert_int_equal(
	    get_one(
		409,
		STATUS(409, "AlreadyExists", "exists",
		       ",\"details\":{\"name\":\"j\",\"kind\":\"configmaps\"}"),
		"/api/v1/x", &err),
	    LG_ECONFLICT);
	assert_non_null(strstr(err.msg, "configmaps \"j\" already exists"));
	assert_int_equal(
	    get_one(500, STATUS(500, "InternalError", "etcd is down", ""),
		    "/api/v1/x", &err),
	    LG_ESERVER);
	assert_string_equal(err.msg, "GET /api/v1/x: the API server failed "
				     "(500 InternalError): etcd is down");
	assert_int_equal(get_one(503, "<html>oops</html>", "/api/v1/x", &err),
			 LG_ESERVER);
	assert_non_null(strstr(err.msg, "503"));
	assert_int_equal(get_one(422, STATUS(422, "Invalid", "bad spec", ""),
				 "/api/v1/x", &err),
			 LG_EINVALID);
	assert_int_equal(get_one(400, "", "/api/v1/x", &err), LG_EHTTP);
	assert_non_null(strstr(err.msg, "400"));
}

static void test_cluster__401_names_the_credential(void **state)
{
	struct lg_error err = {0};
	const char *b = STATUS(401, "Unauthorized", "Unauthorized", "");

	(void)state;
	lg_cluster_status_error(1, "GET", "/api", 401, b, strlen(b), &err);
	assert_int_equal(err.code, LG_EAUTH);
	assert_string_equal(
	    err.msg, "GET /api: the API server refused the client certificate "
		     "(expired, or not signed by the cluster's CA)");
	lg_error_clear(&err);
	lg_cluster_status_error(2, "PUT", "/x", 401, b, strlen(b), &err);
	assert_non_null(
	    strstr(err.msg, "PUT /x: the API server refused the token"));
}

static void test_cluster__rbac_sentence(void **state)
{
	char *s;

	(void)state;
	s = lg_cluster_rbac_sentence(
	    "namespaces is forbidden: User \"system:serviceaccount:a:b\" "
	    "cannot list resource \"namespaces\" in API group \"\" at the "
	    "cluster scope");
	assert_string_equal(s, "RBAC: user \"system:serviceaccount:a:b\" may "
			       "not list namespaces at the cluster scope");
	free(s);
	s = lg_cluster_rbac_sentence(
	    "virtualservices.networking.istio.io \"reviews\" is forbidden: "
	    "User \"x\" cannot get resource \"virtualservices\" in API group "
	    "\"networking.istio.io\" in the namespace \"bookinfo\"");
	assert_string_equal(
	    s, "RBAC: user \"x\" may not get "
	       "virtualservices.networking.istio.io in namespace \"bookinfo\"");
	free(s);
	assert_null(lg_cluster_rbac_sentence("something else entirely"));
	assert_null(lg_cluster_rbac_sentence("User \"x\" cannot"));
}

static void test_cluster__truncated_json_is_eparse(void **state)
{
	struct lg_error err;

	(void)state;
	assert_int_equal(get_one(200, "{\"kind\":\"PodList\",\"items\":[",
				 "/api/v1/pods", &err),
			 LG_EPARSE);
	assert_string_equal(
	    err.msg,
	    "the answer to GET /api/v1/pods was cut short or is not JSON");
	assert_int_equal(get_one(200, "{} trailing", "/a", &err), LG_EPARSE);
	assert_int_equal(get_one(200, "", "/a", &err), LG_EPARSE);
	assert_int_equal(get_one(200, " {\"a\":1}\n", "/a", &err), LG_OK);
}

static void test_cluster__transport_errors_name_the_request(void **state)
{
	struct script *s;
	struct lg_cluster *c = scripted(&s, 2, 0L, "", 0L, "");
	struct lg_error err = {0};
	cJSON *j = NULL;

	(void)state;
	s->rc[0] = LG_EHTTP;
	s->rc[1] = LG_ETOOBIG;
	assert_int_equal(lg_cluster_get(c, "/api/v1/pods", &j, &err), LG_EHTTP);
	assert_string_equal(err.msg,
			    "GET /api/v1/pods: connection reset by peer");
	lg_error_clear(&err);
	assert_int_equal(lg_cluster_get(c, "/big", &j, &err), LG_ETOOBIG);
	assert_non_null(strstr(err.msg, "GET /big: the answer is larger"));
	assert_null(j);
	assert_int_equal(lg_cluster_requests(c), 2);
	assert_string_equal(lg_cluster_server(c), "https://kube.test:6443");
	assert_string_equal(lg_cluster_namespace(c), "default");
	lg_cluster_free(c);
}

static void test_cluster__list_follows_continue(void **state)
{
	struct script *s;
	struct lg_cluster *c = scripted(
	    &s, 3, 200L,
	    "{\"metadata\":{\"continue\":\"tok+1\"},\"items\":[{\"n\":1},{"
	    "\"n\":2}]}",
	    200L,
	    "{\"metadata\":{\"continue\":\"tok/"
	    "2\"},\"items\":[{\"n\":3},{\"n\":4}]}",
	    200L, "{\"metadata\":{\"continue\":\"\"},\"items\":[{\"n\":5}]}");
	struct lg_error err = {0};
	cJSON *items = NULL;
	int i;

	(void)state;
	assert_int_equal(
	    lg_cluster_list(c, "/api/v1/pods", "labelSelector=a", &items, &err),
	    LG_OK);
	assert_int_equal(cJSON_GetArraySize(items), 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(
		    cJSON_GetObjectItem(cJSON_GetArrayItem(items, i), "n")
			->valueint,
		    i + 1);
	assert_string_equal(s->path[0],
			    "/api/v1/pods?limit=500&labelSelector=a");
	assert_string_equal(
	    s->path[1],
	    "/api/v1/pods?limit=500&labelSelector=a&continue=tok%2B1");
	assert_string_equal(
	    s->path[2],
	    "/api/v1/pods?limit=500&labelSelector=a&continue=tok%2F2");
	assert_int_equal(lg_cluster_requests(c), 3);
	cJSON_Delete(items);
	lg_cluster_free(c);
}

static void test_cluster__list_gone_on_continue(void **state)
{
	struct script *s;
	struct lg_cluster *c = scripted(
	    &s, 2, 200L, "{\"metadata\":{\"continue\":\"t1\"},\"items\":[{}]}",
	    410L, STATUS(410, "Expired", "too old resource version", ""));
	struct lg_error err = {0};
	cJSON *items = NULL;

	(void)state;
	assert_int_equal(lg_cluster_list(c, "/api/v1/pods", NULL, &items, &err),
			 LG_ECONFLICT);
	assert_null(items);
	assert_non_null(
	    strstr(err.msg,
		   "GET /api/v1/pods?limit=500&continue=t1: the list changed"));
	assert_non_null(strstr(err.msg, "410 Gone"));
	lg_cluster_free(c);
}

static void test_cluster__list_rejects_loops_and_non_lists(void **state)
{
	struct script *s;
	struct lg_cluster *c = scripted(
	    &s, 3, 200L, "{\"metadata\":{\"continue\":\"same\"},\"items\":[]}",
	    200L, "{\"metadata\":{\"continue\":\"same\"},\"items\":[]}", 200L,
	    "{\"items\":{}}");
	struct lg_error err = {0};
	cJSON *items = NULL;

	(void)state;
	assert_int_equal(lg_cluster_list(c, "/a", NULL, &items, &err),
			 LG_EPARSE);
	assert_non_null(strstr(err.msg, "same continue token"));
	lg_error_clear(&err);
	assert_int_equal(lg_cluster_list(c, "/b", NULL, &items, &err),
			 LG_EPARSE);
	assert_non_null(strstr(err.msg, "not a list"));
	lg_cluster_free(c);
}

/* ================================================================== */
/* The fixture transport.                                              */

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = lg_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void remove_file(const char *dir, const char *name)
{
	char *p = lg_xasprintf("%s/%s", dir, name);

	unlink(p);
	free(p);
}

static const char *const fixture_files[][2] = {
    {"api_v1_namespaces_bookinfo_pods.json", "{\"items\":[{\"a\":1}]}"},
    {"api_v1_pods_limit_500_labelSelector_app_x.json",
     "{\"items\":[{\"b\":2}]}"},
    {"api_v1_namespaces_b_pods.json", "{\"items\":[{\"c\":3},{\"d\":4}]}"},
    {"apis_broken.json", "{}"},
    {"apis_broken.status", "503\n"},
};

static int fixture_setup(void **state)
{
	char *dir = lg_xstrdup("/tmp/lg-fixture-XXXXXX");
	size_t i;

	assert_non_null(mkdtemp(dir));
	for (i = 0; i < LG_ARRAY_SIZE(fixture_files); i++)
		write_file(dir, fixture_files[i][0], fixture_files[i][1]);
	*state = dir;
	return 0;
}

static int fixture_teardown(void **state)
{
	size_t i;

	for (i = 0; i < LG_ARRAY_SIZE(fixture_files); i++)
		remove_file(*state, fixture_files[i][0]);
	rmdir(*state);
	free(*state);
	return 0;
}

static void test_cluster__fixture_get(void **state)
{
	struct lg_cluster *c = lg_cluster_open_fixture(*state);
	struct lg_error err = {0};
	struct lg_buf b = LG_BUF_INIT;
	cJSON *j = NULL;
	long st;

	assert_int_equal(
	    lg_cluster_get(c, "/api/v1/namespaces/bookinfo/pods", &j, &err),
	    LG_OK);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "items")),
			 1);
	cJSON_Delete(j);
	assert_int_equal(lg_cluster_get(c, "/apis/broken", &j, &err),
			 LG_ESERVER);
	lg_error_clear(&err);
	assert_int_equal(lg_cluster_get(c, "/api/v1/nothing", &j, &err),
			 LG_ENOTFOUND);
	lg_error_clear(&err);
	assert_int_equal(lg_cluster_request(c, "PUT", "/api/v1/x",
					    "application/json", "{}", &b, &st,
					    &err),
			 LG_EFORBIDDEN);
	assert_int_equal(st, 403);
	lg_buf_release(&b);
	lg_cluster_free(c);
}

static void test_cluster__fixture_list(void **state)
{
	struct lg_cluster *c = lg_cluster_open_fixture(*state);
	struct lg_error err = {0};
	cJSON *j = NULL;

	assert_int_equal(
	    lg_cluster_list(c, "/api/v1/pods", "labelSelector=app=x", &j, &err),
	    LG_OK);
	assert_int_equal(cJSON_GetArraySize(j), 1);
	cJSON_Delete(j);
	/* a one-page list may be recorded without limit= */
	assert_int_equal(
	    lg_cluster_list(c, "/api/v1/namespaces/b/pods", NULL, &j, &err),
	    LG_OK);
	assert_int_equal(cJSON_GetArraySize(j), 2);
	cJSON_Delete(j);
	lg_cluster_free(c);
}

/* ================================================================== */
/* The libcurl transport against tests/unit/support/httpsrv.c.         */

/* A server answering every request with status_line and a JSON body. */
static struct srv *srv_json(enum srv_mode mode, const char *status_line,
			    const char *body)
{
	return srv_start(mode,
			 lg_xasprintf("HTTP/1.1 %s\r\nContent-Type: "
				      "application/json\r\nContent-Length: "
				      "%zu\r\n\r\n%s",
				      status_line, strlen(body), body));
}

/* A client for http://127.0.0.1:PORT with optional extras. */
static struct lg_cluster *http_cluster(int port, const char *token,
				       const char *sni, long timeout_ms,
				       size_t max_body)
{
	struct lg_kubeconfig kc = {0};
	struct lg_cluster_opts o = {0};
	struct lg_error err = {0};
	struct lg_cluster *c = NULL;

	kc.server = lg_xasprintf("http://127.0.0.1:%d", port);
	kc.token = token ? lg_xstrdup(token) : NULL;
	kc.tls_server_name = sni ? lg_xstrdup(sni) : NULL;
	kc.namespace_ = lg_xstrdup("bookinfo");
	o.timeout_ms = timeout_ms;
	o.max_body = max_body;
	assert_int_equal(lg_cluster_open(&c, &kc, &o, &err), LG_OK);
	lg_kubeconfig_release(&kc);
	return c;
}

static void test_cluster__http_reuses_one_connection(void **state)
{
	struct srv *s = srv_json(SRV_REPLY, "200 OK", "{\"kind\":\"x\"}");
	struct lg_cluster *c = http_cluster(s->port, NULL, NULL, 0, 0);
	struct lg_error err = {0};
	cJSON *j = NULL;

	(void)state;
	assert_int_equal(lg_cluster_get(c, "/api", &j, &err), LG_OK);
	assert_string_equal(cJSON_GetObjectItem(j, "kind")->valuestring, "x");
	cJSON_Delete(j);
	assert_int_equal(lg_cluster_get(c, "/apis", &j, &err), LG_OK);
	cJSON_Delete(j);
	assert_string_equal(lg_cluster_namespace(c), "bookinfo");
	lg_cluster_free(c);
	srv_stop(s);
	assert_int_equal(s->reqs, 2);
	assert_int_equal(s->nconn, 1); /* the second request reused it */
	assert_non_null(strstr(s->log.buf, "GET /api HTTP/1.1\r\n"));
	assert_non_null(strstr(s->log.buf, "Accept: application/json"));
	assert_null(strstr(s->log.buf, "Authorization"));
	srv_free(s);
}

struct worker {
	struct lg_cluster *c;
	int ok;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct lg_error err = {0};
	cJSON *j;
	int i;

	for (i = 0; i < 5; i++) {
		j = NULL;
		if (lg_cluster_get(w->c, "/api", &j, &err) == LG_OK)
			w->ok++;
		cJSON_Delete(j);
	}
	return NULL;
}

static void test_cluster__threads_share_one_client(void **state)
{
	struct srv *s = srv_json(SRV_REPLY, "200 OK", "{}");
	struct lg_cluster *c = http_cluster(s->port, NULL, NULL, 0, 0);
	struct worker w[4] = {{c, 0}, {c, 0}, {c, 0}, {c, 0}};
	pthread_t th[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, worker_main, &w[i]);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].ok, 5);
	}
	assert_int_equal(lg_cluster_requests(c), 20);
	lg_cluster_free(c);
	srv_stop(s);
	assert_int_equal(s->reqs, 20);
	assert_true(s->nconn <= 4); /* connections were reused */
	srv_free(s);
}

static void test_cluster__http_status_goes_through_mapping(void **state)
{
	struct srv *s =
	    srv_json(SRV_REPLY, "403 Forbidden",
		     STATUS(403, "Forbidden",
			    "pods is forbidden: User \\\"u\\\" cannot list "
			    "resource \\\"pods\\\" in API group \\\"\\\" in "
			    "the namespace \\\"bookinfo\\\"",
			    ""));
	struct lg_cluster *c = http_cluster(s->port, NULL, NULL, 0, 0);
	struct lg_error err = {0};
	cJSON *j = NULL;

	(void)state;
	assert_int_equal(lg_cluster_get(c, "/api/v1/pods", &j, &err),
			 LG_EFORBIDDEN);
	assert_string_equal(err.msg, "GET /api/v1/pods: RBAC: user \"u\" may "
				     "not list pods in namespace \"bookinfo\"");
	lg_cluster_free(c);
	srv_stop(s);
	srv_free(s);
}

static void test_cluster__token_never_sent_over_http(void **state)
{
	struct srv *s = srv_json(SRV_REPLY, "200 OK", "{}");
	struct lg_cluster *c =
	    http_cluster(s->port, "tok-SECRET-http", NULL, 0, 0);
	struct lg_error err = {0};
	cJSON *j = NULL;

	(void)state;
	assert_int_equal(lg_cluster_get(c, "/api", &j, &err), LG_ECONFIG);
	assert_non_null(strstr(err.msg, "GET /api: refusing to send"));
	assert_non_null(strstr(err.msg, "over plain http"));
	assert_null(strstr(err.msg, "SECRET"));
	lg_cluster_free(c);
	srv_stop(s);
	assert_int_equal(s->reqs, 0);
	assert_null(strstr(s->log.buf, "SECRET"));
	srv_free(s);
}

static void test_cluster__connection_refused(void **state)
{
	int port, fd = listen_any(&port);
	struct lg_cluster *c;
	struct lg_error err = {0};
	char *url = lg_xasprintf("http://127.0.0.1:%d", port);
	cJSON *j = NULL;

	(void)state;
	close(fd); /* nothing listens there now */
	c = http_cluster(port, NULL, NULL, 0, 0);
	assert_int_equal(lg_cluster_get(c, "/version", &j, &err), LG_EHTTP);
	assert_non_null(strstr(err.msg, "GET /version: cannot connect to"));
	assert_non_null(strstr(err.msg, url));
	lg_cluster_free(c);
	free(url);
}

static void test_cluster__timeout(void **state)
{
	struct srv *s = srv_json(SRV_HANG, "200 OK", "{}");
	struct lg_cluster *c = http_cluster(s->port, NULL, NULL, 300, 0);
	struct lg_error err = {0};
	cJSON *j = NULL;

	(void)state;
	assert_int_equal(lg_cluster_get(c, "/api", &j, &err), LG_ETIMEOUT);
	assert_non_null(strstr(err.msg, "GET /api: http://127.0.0.1:"));
	assert_non_null(strstr(err.msg, "did not answer within 300 ms"));
	lg_cluster_free(c);
	srv_stop(s);
	srv_free(s);
}

static void test_cluster__reset_and_early_close(void **state)
{
	struct srv *s = srv_json(SRV_RESET, "200 OK", "{}");
	struct lg_cluster *c = http_cluster(s->port, NULL, NULL, 0, 0);
	struct lg_error err = {0};
	cJSON *j = NULL;

	(void)state;
	assert_int_equal(lg_cluster_get(c, "/api", &j, &err), LG_EHTTP);
	assert_non_null(strstr(err.msg, "closed or reset the connection"));
	lg_cluster_free(c);
	srv_stop(s);
	srv_free(s);
	s = srv_json(SRV_CLOSE, "200 OK", "{}");
	c = http_cluster(s->port, NULL, NULL, 0, 0);
	lg_error_clear(&err);
	assert_int_equal(lg_cluster_get(c, "/api", &j, &err), LG_EHTTP);
	assert_non_null(strstr(err.msg, "GET /api: "));
	lg_cluster_free(c);
	srv_stop(s);
	srv_free(s);
}

static void test_cluster__http_body_cap(void **state)
{
	struct srv *s = srv_json(SRV_REPLY, "200 OK",
				 "{\"padding\":\"0123456789012345678901\"}");
	struct lg_cluster *c = http_cluster(s->port, NULL, NULL, 0, 16);
	struct lg_error err = {0};
	cJSON *j = NULL;

	(void)state;
	assert_int_equal(lg_cluster_get(c, "/big", &j, &err), LG_ETOOBIG);
	assert_non_null(
	    strstr(err.msg, "GET /big: the answer is larger than 16 bytes"));
	assert_null(j);
	lg_cluster_free(c);
	srv_stop(s);
	srv_free(s);
}

static void test_cluster__tls_server_name_keeps_address(void **state)
{
	struct srv *s = srv_json(SRV_REPLY, "200 OK", "{}");
	struct lg_cluster *c =
	    http_cluster(s->port, NULL, "kube.invalid", 0, 0);
	struct lg_error err = {0};
	char *host = lg_xasprintf("Host: 127.0.0.1:%d\r\n", s->port);
	cJSON *j = NULL;

	(void)state;
	/* kube.invalid does not resolve: only CONNECT_TO gets us there */
	assert_int_equal(lg_cluster_get(c, "/api", &j, &err), LG_OK);
	cJSON_Delete(j);
	lg_cluster_free(c);
	srv_stop(s);
	assert_non_null(strstr(s->log.buf, host));
	free(host);
	srv_free(s);
}

static void assert_redacted(const char *url, const char *want)
{
	char *got = lg_cluster_redact_url(url);

	assert_string_equal(got, want);
	free(got);
}

static void test_cluster__redact_url(void **state)
{
	(void)state;
	assert_redacted("https://alice:s3cret@10.0.0.1:6443/x",
			"https://alice:***@10.0.0.1:6443/x");
	assert_redacted("https://alice:p@ss@h/", "https://alice:***@h/");
	assert_redacted("https://alice@h:6443", "https://alice@h:6443");
	assert_redacted("https://h:6443/a@b:c", "https://h:6443/a@b:c");
	assert_redacted("http://:pw@h", "http://:***@h");
	assert_redacted("", "");
}

/* A client for server (and proxy), insecure, with a short timeout. */
static struct lg_cluster *url_cluster(const char *server, const char *proxy)
{
	struct lg_kubeconfig kc = {0};
	struct lg_cluster_opts o = {.timeout_ms = 3000};
	struct lg_error err = {0};
	struct lg_cluster *c = NULL;

	kc.server = lg_xstrdup(server);
	kc.proxy_url = proxy ? lg_xstrdup(proxy) : NULL;
	kc.insecure = true;
	assert_int_equal(lg_cluster_open(&c, &kc, &o, &err), LG_OK);
	lg_kubeconfig_release(&kc);
	return c;
}

/* The password of a server URL is in no message and no report field. */
static void test_cluster__server_password_never_shown(void **state)
{
	int port, fd = listen_any(&port);
	char *url;
	struct lg_cluster *c;
	struct lg_error err = {0};
	cJSON *j = NULL;

	(void)state;
	close(fd); /* a port nobody listens on now */
	url = lg_xasprintf("https://alice:s3cretPW@127.0.0.1:%d", port);
	c = url_cluster(url, NULL);
	assert_null(strstr(lg_cluster_server(c), "s3cretPW"));
	assert_non_null(strstr(lg_cluster_server(c), "alice:***@127.0.0.1"));
	assert_int_equal(lg_cluster_get(c, "/api", &j, &err), LG_EHTTP);
	assert_non_null(
	    strstr(err.msg, "cannot connect to https://alice:***@"));
	assert_null(strstr(err.msg, "s3cretPW"));
	lg_cluster_free(c);
	free(url);
}

/* An unreachable proxy is blamed on the proxy, not on the API server. */
static void test_cluster__proxy_failures_name_the_proxy(void **state)
{
	int port, fd = listen_any(&port);
	char *proxy;
	struct srv *s;
	struct lg_cluster *c;
	struct lg_error err = {0};
	cJSON *j = NULL;

	(void)state;
	close(fd);
	proxy = lg_xasprintf("http://bob:pr0xyPW@127.0.0.1:%d", port);
	c = url_cluster("https://192.0.2.1:6443", proxy);
	assert_int_equal(lg_cluster_get(c, "/api", &j, &err), LG_EHTTP);
	assert_non_null(strstr(err.msg, "cannot connect to the proxy "
					"http://bob:***@127.0.0.1:"));
	assert_non_null(strstr(err.msg, "proxy-url"));
	assert_null(strstr(err.msg, "is the API server running"));
	assert_null(strstr(err.msg, "pr0xyPW"));
	lg_cluster_free(c);
	free(proxy);
	/* a proxy that answers the CONNECT with 403 */
	s = srv_start(SRV_REPLY, lg_xstrdup("HTTP/1.1 403 Forbidden\r\n"
					    "Content-Length: 0\r\n\r\n"));
	proxy = lg_xasprintf("http://127.0.0.1:%d", s->port);
	c = url_cluster("https://192.0.2.1:6443", proxy);
	lg_error_clear(&err);
	assert_int_equal(lg_cluster_get(c, "/api", &j, &err), LG_EHTTP);
	assert_non_null(strstr(err.msg, "refused to connect to "
					"https://192.0.2.1:6443: it answered "
					"403"));
	lg_cluster_free(c);
	free(proxy);
	srv_stop(s);
	srv_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cluster__status_sentences),
	    cmocka_unit_test(test_cluster__status_codes),
	    cmocka_unit_test(test_cluster__401_names_the_credential),
	    cmocka_unit_test(test_cluster__rbac_sentence),
	    cmocka_unit_test(test_cluster__truncated_json_is_eparse),
	    cmocka_unit_test(test_cluster__transport_errors_name_the_request),
	    cmocka_unit_test(test_cluster__list_follows_continue),
	    cmocka_unit_test(test_cluster__list_gone_on_continue),
	    cmocka_unit_test(test_cluster__list_rejects_loops_and_non_lists),
	    cmocka_unit_test_setup_teardown(test_cluster__fixture_get,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_cluster__fixture_list,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test(test_cluster__http_reuses_one_connection),
	    cmocka_unit_test(test_cluster__threads_share_one_client),
	    cmocka_unit_test(test_cluster__http_status_goes_through_mapping),
	    cmocka_unit_test(test_cluster__token_never_sent_over_http),
	    cmocka_unit_test(test_cluster__connection_refused),
	    cmocka_unit_test(test_cluster__timeout),
	    cmocka_unit_test(test_cluster__reset_and_early_close),
	    cmocka_unit_test(test_cluster__http_body_cap),
	    cmocka_unit_test(test_cluster__tls_server_name_keeps_address),
	    cmocka_unit_test(test_cluster__redact_url),
	    cmocka_unit_test(test_cluster__server_password_never_shown),
	    cmocka_unit_test(test_cluster__proxy_failures_name_the_proxy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

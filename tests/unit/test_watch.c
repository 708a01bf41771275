/* SPDX-License-Identifier: MIT */
/* test_watch.c: the streaming GET under `labgrade watch` (harness/cluster.c:
 * lg_cluster_stream): lines as they come, the stop hook, the size cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../harness/cluster.h"
#include "../../harness/watch.h"
#include "support/httpsrv.h"

/* A server answering every request with body (HTTP/1.1, then closed). */
static struct srv *srv_body(enum srv_mode mode, const char *body)
{
	return srv_start(mode, lg_xasprintf("HTTP/1.1 200 OK\r\nContent-Type: "
					    "application/json\r\nContent-"
					    "Length: %zu\r\nConnection: "
					    "close\r\n\r\n%s",
					    strlen(body), body));
}

static struct lg_cluster *http_cluster(int port, size_t max_body)
{
	struct lg_kubeconfig kc = {0};
	struct lg_cluster_opts o = {0};
	struct lg_error err = {0};
	struct lg_cluster *c = NULL;

	kc.server = lg_xasprintf("http://127.0.0.1:%d", port);
	kc.namespace_ = lg_xstrdup("bookinfo");
	o.timeout_ms = 5000;
	o.max_body = max_body;
	assert_int_equal(lg_cluster_open(&c, &kc, &o, &err), LG_OK);
	lg_kubeconfig_release(&kc);
	return c;
}

/* The lines on_line was given, joined with '|'. */
static bool collect(void *data, const char *line, size_t len)
{
	struct lg_buf *b = data;

	if (b->len)
		lg_buf_adds(b, "|");
	lg_buf_add(b, line, len);
	return true;
}

static bool always(void *data)
{
	(void)data;
	return true;
}

static void test_watch__stream_hands_over_each_line(void **state)
{
	struct srv *s = srv_body(SRV_REPLY, "{\"type\":\"ADDED\"}\n\n{\"type\":"
					    "\"MODIFIED\"}\n{\"last\":1}");
	struct lg_cluster *c = http_cluster(s->port, 0);
	struct lg_buf got = LG_BUF_INIT;
	struct lg_error err = {0};
	long status = 0;

	(void)state;
	assert_int_equal(lg_cluster_stream(c, "/api/v1/pods?watch=1", collect,
					   NULL, &got, &status, &err),
			 LG_OK);
	assert_int_equal(status, 200);
	/* the empty line is skipped; the last one needs no newline */
	assert_string_equal(got.buf, "{\"type\":\"ADDED\"}|{\"type\":"
				     "\"MODIFIED\"}|{\"last\":1}");
	srv_stop(s);
	assert_non_null(strstr(s->log.buf, "GET /api/v1/pods?watch=1 "));
	lg_buf_release(&got);
	lg_cluster_free(c);
	srv_free(s);
}

/* A server that never answers: the stop hook ends the stream, no error. */
static void test_watch__stop_hook_ends_a_silent_stream(void **state)
{
	struct srv *s = srv_body(SRV_HANG, "");
	struct lg_cluster *c = http_cluster(s->port, 0);
	struct lg_buf got = LG_BUF_INIT;
	struct lg_error err = {0};
	long status = 0;

	(void)state;
	assert_int_equal(lg_cluster_stream(c, "/api/v1/pods?watch=1", collect,
					   always, &got, &status, &err),
			 LG_OK);
	assert_int_equal(got.len, 0);
	srv_stop(s);
	lg_cluster_free(c);
	srv_free(s);
}

static void test_watch__line_over_the_cap_is_an_error(void **state)
{
	struct srv *s = srv_body(SRV_REPLY, "{\"type\":\"ADDED\",\"object\":"
					    "{\"kind\":\"Pod\",\"x\":\"yyyy"
					    "yyyyyyyyyyy\"}}\n");
	struct lg_cluster *c = http_cluster(s->port, 32);
	struct lg_buf got = LG_BUF_INIT;
	struct lg_error err = {0};
	long status = 0;

	(void)state;
	assert_int_equal(lg_cluster_stream(c, "/api/v1/pods?watch=1", collect,
					   NULL, &got, &status, &err),
			 LG_ETOOBIG);
	assert_non_null(strstr(err.msg, "larger than 32 bytes"));
	srv_stop(s);
	lg_buf_release(&got);
	lg_cluster_free(c);
	srv_free(s);
}

/* Recorded answers cannot stream: said, not faked. */
static void test_watch__fixture_transport_cannot_stream(void **state)
{
	struct lg_cluster *c = lg_cluster_open_fixture("tests/cases");
	struct lg_error err = {0};
	long status = 0;

	(void)state;
	assert_int_equal(lg_cluster_stream(c, "/api/v1/pods?watch=1", collect,
					   NULL, NULL, &status, &err),
			 LG_EUSAGE);
	lg_cluster_free(c);
}

/*
 * A server whose every answer is a list (resourceVersion 5): the watch
 * gets a list instead of events, as when its resourceVersion is gone, so
 * the collection is listed afresh, and that fresh list counts as a change
 * (events may have been missed). Every collection the checks read is
 * listed, then watched from the list's resourceVersion.
 */
static void test_watch__a_watch_without_events_lists_again(void **state)
{
	static volatile sig_atomic_t stop;
	struct srv *s = srv_start(
	    SRV_REPLY,
	    lg_xstrdup("HTTP/1.1 200 OK\r\nContent-Type: "
		       "application/json\r\nContent-Length: 48\r\n"
		       "\r\n{\"metadata\":{\"resourceVersion\":\"5\"},"
		       "\"items\":[]}\n"));
	struct lg_cluster *c = http_cluster(s->port, 0);
	struct lg_watch *w = lg_watch_start(c, "bookinfo", &stop);
	static const char *const want[] = {
	    "GET /apis/networking.istio.io/v1/virtualservices?limit=1 ",
	    "GET /apis/networking.istio.io/v1/destinationrules?watch=1&"
	    "resourceVersion=5&",
	    "GET /apis/networking.istio.io/v1/gateways?limit=1 ",
	    "GET /apis/gateway.networking.k8s.io/v1/httproutes?watch=1&",
	    "GET /apis/gateway.networking.k8s.io/v1/gateways?watch=1&",
	    "GET /api/v1/namespaces/bookinfo/pods?watch=1&",
	    "GET /api/v1/namespaces?watch=1&",
	};
	size_t i;

	(void)state;
	assert_true(lg_watch_wait(w, 100));
	stop = 1;
	assert_false(lg_watch_wait(w, 100));
	lg_watch_free(w);
	srv_stop(s);
	for (i = 0; i < LG_ARRAY_SIZE(want); i++)
		if (!strstr(s->log.buf, want[i]))
			fail_msg("not requested: %s", want[i]);
	lg_cluster_free(c);
	srv_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_watch__stream_hands_over_each_line),
	    cmocka_unit_test(test_watch__stop_hook_ends_a_silent_stream),
	    cmocka_unit_test(test_watch__line_over_the_cap_is_an_error),
	    cmocka_unit_test(test_watch__fixture_transport_cannot_stream),
	    cmocka_unit_test(test_watch__a_watch_without_events_lists_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_probe.c: plain HTTP requests to the gateway (probe.c). */
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
#include <unistd.h>

#include <cmocka.h>

#include "../../harness/probe.h"
#include "support/httpsrv.h"

static char *reply(const char *status_line, const char *headers,
		   const char *body)
{
	return lg_xasprintf("HTTP/1.1 %s\r\n%sContent-Length: %zu\r\n\r\n%s",
			    status_line, headers, strlen(body), body);
}

static char *url_for(const struct srv *s, const char *path)
{
	return lg_xasprintf("http://127.0.0.1:%d%s", s->port, path);
}

static void test_probe__get_with_host_cookie_referer(void **state)
{
	struct srv *s = srv_start(SRV_REPLY, reply("200 OK", "", "hello"));
	char *url = url_for(s, "/status/200");
	struct lg_probe_req req = {.url = url,
				   .host = "httpbin.example.com",
				   .cookie = "session=abc",
				   .referer = "http://gw/productpage"};
	struct lg_probe_resp resp;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_probe(&req, &resp, &err), LG_OK);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.body.buf, "hello");
	assert_true(resp.seconds > 0.0);
	assert_null(resp.set_cookie);
	assert_null(resp.location);
	lg_probe_resp_release(&resp);
	srv_stop(s);
	assert_non_null(strstr(s->log.buf, "GET /status/200 HTTP/1.1\r\n"));
	assert_non_null(strstr(s->log.buf, "Host: httpbin.example.com\r\n"));
	assert_non_null(strstr(s->log.buf, "Cookie: session=abc\r\n"));
	assert_non_null(strstr(s->log.buf, "Referer: http://gw/productpage"));
	assert_null(strstr(s->log.buf, "Authorization"));
	free(url);
	srv_free(s);
}

static void test_probe__login_post_no_redirect(void **state)
{
	struct srv *s = srv_start(
	    SRV_REPLY, reply("302 FOUND",
			     "Location: http://gw/productpage\r\nSet-Cookie: "
			     "session=eyJ1c2VyIjoiamFzb24ifQ; HttpOnly; "
			     "Path=/\r\nset-cookie: other=1\r\n",
			     "redirecting"));
	char *url = url_for(s, "/login");
	struct lg_probe_req req = {
	    .method = "POST", .url = url, .body = "username=jason&passwd=x"};
	struct lg_probe_resp resp;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_probe(&req, &resp, &err), LG_OK);
	assert_int_equal(resp.status, 302);
	assert_string_equal(resp.set_cookie, "session=eyJ1c2VyIjoiamFzb24ifQ");
	assert_string_equal(resp.location, "http://gw/productpage");
	lg_probe_resp_release(&resp);
	srv_stop(s);
	assert_int_equal(s->reqs, 1); /* the redirect was not followed */
	assert_non_null(strstr(s->log.buf, "POST /login HTTP/1.1\r\n"));
	assert_non_null(strstr(
	    s->log.buf, "Content-Type: application/x-www-form-urlencoded"));
	assert_non_null(strstr(s->log.buf, "\r\n\r\nusername=jason&passwd=x"));
	free(url);
	srv_free(s);
}

static void test_probe__timeout(void **state)
{
	struct srv *s = srv_start(SRV_HANG, reply("200 OK", "", ""));
	char *url = url_for(s, "/productpage");
	struct lg_probe_req req = {.url = url, .timeout_ms = 300};
	struct lg_probe_resp resp;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_probe(&req, &resp, &err), LG_ETIMEOUT);
	assert_int_equal(resp.status, 0);
	assert_non_null(strstr(err.msg, "GET http://127.0.0.1:"));
	assert_non_null(strstr(err.msg, "no answer within 300 ms"));
	lg_probe_resp_release(&resp);
	srv_stop(s);
	free(url);
	srv_free(s);
}

static void test_probe__refused_and_reset(void **state)
{
	int port, fd = listen_any(&port);
	char *url = lg_xasprintf("http://127.0.0.1:%d/", port);
	struct lg_probe_req req = {.url = url};
	struct lg_probe_resp resp;
	struct lg_error err = {0};
	struct srv *s;

	(void)state;
	close(fd);
	assert_int_equal(lg_probe(&req, &resp, &err), LG_EHTTP);
	assert_non_null(strstr(err.msg, "cannot connect"));
	lg_probe_resp_release(&resp);
	free(url);
	s = srv_start(SRV_RESET, reply("200 OK", "", ""));
	url = url_for(s, "/");
	req.url = url;
	lg_error_clear(&err);
	assert_int_equal(lg_probe(&req, &resp, &err), LG_EHTTP);
	assert_non_null(strstr(err.msg, "closed or reset"));
	assert_int_equal(resp.status, 0);
	lg_probe_resp_release(&resp);
	srv_stop(s);
	srv_free(s);
	free(url);
}

static void test_probe__body_cap(void **state)
{
	size_t n = ((size_t)4 << 20) + 10;
	char *big = lg_xmalloc(n + 1);
	struct srv *s;
	char *url;
	struct lg_probe_req req = {0};
	struct lg_probe_resp resp;
	struct lg_error err = {0};

	(void)state;
	memset(big, 'x', n);
	big[n] = '\0';
	s = srv_start(SRV_REPLY, reply("200 OK", "", big));
	free(big);
	url = url_for(s, "/big");
	req.url = url;
	assert_int_equal(lg_probe(&req, &resp, &err), LG_ETOOBIG);
	assert_true(resp.body.len <= ((size_t)4 << 20));
	lg_probe_resp_release(&resp);
	srv_stop(s);
	srv_free(s);
	free(url);
}

static void test_probe__no_credentials_in_url(void **state)
{
	struct srv *s = srv_start(SRV_REPLY, reply("200 OK", "", ""));
	char *url = lg_xasprintf("http://user:pw@127.0.0.1:%d/", s->port);
	struct lg_probe_req req = {.url = url};
	struct lg_probe_resp resp;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_probe(&req, &resp, &err), LG_EUSAGE);
	assert_null(strstr(err.msg, "pw"));
	lg_probe_resp_release(&resp);
	srv_stop(s);
	assert_int_equal(s->reqs, 0);
	srv_free(s);
	free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe__get_with_host_cookie_referer),
	    cmocka_unit_test(test_probe__login_post_no_redirect),
	    cmocka_unit_test(test_probe__timeout),
	    cmocka_unit_test(test_probe__refused_and_reset),
	    cmocka_unit_test(test_probe__body_cap),
	    cmocka_unit_test(test_probe__no_credentials_in_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

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

/* ================================================================== */
/* A tiny HTTP server on 127.0.0.1 (as in test_cluster.c).             */

enum srv_mode { SRV_REPLY, SRV_HANG, SRV_CLOSE, SRV_RESET };

#define SRV_MAX_CONN 16

struct srv {
	int lfd, port;
	enum srv_mode mode;
	char *reply;
	pthread_t th, conn_th[SRV_MAX_CONN];
	int nconn;
	pthread_mutex_t mu;
	int reqs;
	struct lg_buf log;
	atomic_bool stop;
};

struct srv_conn {
	struct srv *s;
	int fd;
};

/* Wait for input; false when stopping or the peer closed. */
static bool srv_wait(struct srv *s, int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (!atomic_load(&s->stop)) {
		if (poll(&p, 1, 20) > 0)
			return true;
	}
	return false;
}

/* Read one request (head + Content-Length body) into b. */
static bool srv_read_request(struct srv *s, int fd, struct lg_buf *b)
{
	char chunk[4096], *end, *cl;
	ssize_t n;
	size_t want;

	lg_buf_reset(b);
	for (;;) {
		end = strstr(b->buf, "\r\n\r\n");
		if (end) {
			cl = strcasestr(b->buf, "Content-Length:");
			want =
			    (size_t)(end + 4 - b->buf) +
			    (cl && cl < end ? strtoul(cl + 15, NULL, 10) : 0);
			if (b->len >= want)
				return true;
		}
		if (!srv_wait(s, fd))
			return false;
		n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			return false;
		lg_buf_add(b, chunk, (size_t)n);
	}
}

static void *srv_conn_main(void *arg)
{
	struct srv_conn *c = arg;
	struct srv *s = c->s;
	struct lg_buf b = LG_BUF_INIT;
	struct linger lin = {1, 0};
	char sink[256];

	while (srv_read_request(s, c->fd, &b)) {
		pthread_mutex_lock(&s->mu);
		s->reqs++;
		lg_buf_add(&s->log, b.buf, b.len);
		pthread_mutex_unlock(&s->mu);
		if (s->mode == SRV_REPLY &&
		    send(c->fd, s->reply, strlen(s->reply), MSG_NOSIGNAL) > 0)
			continue;
		if (s->mode == SRV_RESET)
			setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lin,
				   sizeof(lin));
		while (s->mode == SRV_HANG && srv_wait(s, c->fd) &&
		       read(c->fd, sink, sizeof(sink)) > 0)
			;
		break;
	}
	close(c->fd);
	lg_buf_release(&b);
	free(c);
	return NULL;
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;
	struct srv_conn *c;
	int fd;

	while (srv_wait(s, s->lfd)) {
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		c = lg_xcalloc(1, sizeof(*c));
		c->s = s;
		c->fd = fd;
		pthread_mutex_lock(&s->mu);
		if (s->nconn < SRV_MAX_CONN)
			pthread_create(&s->conn_th[s->nconn++], NULL,
				       srv_conn_main, c);
		else
			close(fd), free(c);
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}

/* A listening socket on 127.0.0.1 with a free port. */
static int listen_any(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

/* raw_reply: the whole HTTP answer, taken (freed by srv_free). */
static struct srv *srv_start(enum srv_mode mode, char *raw_reply)
{
	struct srv *s = lg_xcalloc(1, sizeof(*s));

	s->mode = mode;
	s->reply = raw_reply;
	pthread_mutex_init(&s->mu, NULL);
	lg_buf_init(&s->log, 0);
	s->lfd = listen_any(&s->port);
	pthread_create(&s->th, NULL, srv_main, s);
	return s;
}

/* Stop, join; the log and counters stay readable until srv_free. */
static void srv_stop(struct srv *s)
{
	int i;

	atomic_store(&s->stop, true);
	pthread_join(s->th, NULL);
	for (i = 0; i < s->nconn; i++)
		pthread_join(s->conn_th[i], NULL);
	close(s->lfd);
}

static void srv_free(struct srv *s)
{
	lg_buf_release(&s->log);
	pthread_mutex_destroy(&s->mu);
	free(s->reply);
	free(s);
}

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

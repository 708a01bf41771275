/* SPDX-License-Identifier: MIT */
/* test_probe_multi.c: many gateway requests in flight (probe_multi.c). */
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../harness/probe_multi.h"

/*
 * A tiny HTTP server on 127.0.0.1, one thread per connection, that counts
 * how many requests it holds at one moment (the concurrency the client
 * really produced). Paths: /r/<index>/<delay ms> answers "req <index>"
 * after the delay; /hang never answers.
 */
#define SRV_MAX_CONN 128
#define SRV_MAX_IDX 256

struct srv {
	int lfd, port;
	pthread_t th, conn_th[SRV_MAX_CONN];
	int nconn;
	pthread_mutex_t mu;
	int cur, max, reqs;
	double arrive[SRV_MAX_IDX], leave[SRV_MAX_IDX];
	atomic_bool stop;
};

struct srv_conn {
	struct srv *s;
	int fd;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool srv_wait(struct srv *s, int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	double end = now() + ms / 1000.0;

	while (!atomic_load(&s->stop) && (ms < 0 || now() < end)) {
		if (poll(&p, 1, 10) > 0)
			return true;
	}
	return false;
}

/* Read one request head (GETs only) into b. */
static bool srv_read(struct srv *s, int fd, struct lg_buf *b)
{
	char chunk[2048];
	ssize_t n;

	lg_buf_reset(b);
	while (!strstr(b->buf, "\r\n\r\n")) {
		if (!srv_wait(s, fd, -1))
			return false;
		n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			return false;
		lg_buf_add(b, chunk, (size_t)n);
	}
	return true;
}

static void srv_enter(struct srv *s, int idx)
{
	pthread_mutex_lock(&s->mu);
	s->reqs++;
	if (++s->cur > s->max)
		s->max = s->cur;
	if (idx >= 0 && idx < SRV_MAX_IDX)
		s->arrive[idx] = now();
	pthread_mutex_unlock(&s->mu);
}

static void srv_leave(struct srv *s, int idx)
{
	pthread_mutex_lock(&s->mu);
	s->cur--;
	if (idx >= 0 && idx < SRV_MAX_IDX)
		s->leave[idx] = now();
	pthread_mutex_unlock(&s->mu);
}

/* Serve one request; false to close the connection. */
static bool srv_answer(struct srv *s, int fd, const char *head)
{
	int idx = -1, delay = 0;
	char body[64], *msg;
	bool ok;

	if (strncmp(head, "GET /hang ", 10) == 0) {
		srv_enter(s, -1);
		srv_wait(s, fd, -1); /* until the client gives up */
		srv_leave(s, -1);
		return false;
	}
	sscanf(head, "GET /r/%d/%d ", &idx, &delay);
	srv_enter(s, idx);
	srv_wait(s, -1, delay); /* fd -1: poll only sleeps */
	snprintf(body, sizeof(body), "req %d", idx);
	msg = lg_xasprintf("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
			   strlen(body), body);
	srv_leave(s, idx);
	ok = send(fd, msg, strlen(msg), MSG_NOSIGNAL) > 0;
	free(msg);
	return ok;
}

static void *srv_conn_main(void *arg)
{
	struct srv_conn *c = arg;
	struct lg_buf b = LG_BUF_INIT;

	while (srv_read(c->s, c->fd, &b) && srv_answer(c->s, c->fd, b.buf))
		;
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

	while (srv_wait(s, s->lfd, -1)) {
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

static int listen_any(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 128), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

static struct srv *srv_start(void)
{
	struct srv *s = lg_xcalloc(1, sizeof(*s));

	pthread_mutex_init(&s->mu, NULL);
	s->lfd = listen_any(&s->port);
	pthread_create(&s->th, NULL, srv_main, s);
	return s;
}

static void srv_stop_free(struct srv *s)
{
	int i;

	atomic_store(&s->stop, true);
	pthread_join(s->th, NULL);
	for (i = 0; i < s->nconn; i++)
		pthread_join(s->conn_th[i], NULL);
	close(s->lfd);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* n requests /r/<i>/<delay>; urls[i] owned by the caller (free_reqs). */
static struct lg_probe_req *make_reqs(const struct srv *s, size_t n,
				      int delay_ms)
{
	struct lg_probe_req *r = lg_xcalloc(n, sizeof(*r));
	size_t i;

	for (i = 0; i < n; i++)
		r[i].url = lg_xasprintf("http://127.0.0.1:%d/r/%zu/%d", s->port,
					i, delay_ms);
	return r;
}

static void free_reqs(struct lg_probe_req *r, struct lg_probe_resp *resps,
		      size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)(uintptr_t)r[i].url);
		lg_probe_resp_release(&resps[i]);
	}
	free(r);
	free(resps);
}

static void assert_answers_match(const struct lg_probe_resp *resps, size_t n)
{
	char want[32];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "req %zu", i);
		assert_int_equal(resps[i].status, 200);
		assert_string_equal(resps[i].body.buf, want);
	}
}

/* ================================================================== */

/* 40 requests, window 8: the server holds exactly 8 at its busiest, and
 * every answer lands in the slot of its own request. */
static void test_probe_multi__window_concurrency(void **state)
{
	struct srv *s = srv_start();
	size_t n = 40;
	struct lg_probe_req *reqs = make_reqs(s, n, 150);
	struct lg_probe_resp *resps = lg_xcalloc(n, sizeof(*resps));
	struct lg_probe_many_stats st;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(
	    lg_probe_many_ex(reqs, n, 8, 0, resps, NULL, &st, &err), LG_OK);
	assert_answers_match(resps, n);
	assert_int_equal(s->reqs, 40);
	assert_int_equal(s->max, 8);
	assert_int_equal(st.max_in_flight, 8);
	assert_int_equal(st.answered, 40);
	/* 5 rounds of 150 ms, not 40 */
	assert_true(st.seconds < 3.0);
	srv_stop_free(s);
	free_reqs(reqs, resps, n);
}

static void test_probe_multi__sequential(void **state)
{
	struct srv *s = srv_start();
	size_t n = 6;
	struct lg_probe_req *reqs = make_reqs(s, n, 20);
	struct lg_probe_resp *resps = lg_xcalloc(n, sizeof(*resps));
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_probe_many(reqs, n, 1, resps, &err), LG_OK);
	assert_answers_match(resps, n);
	assert_int_equal(s->max, 1);
	srv_stop_free(s);
	free_reqs(reqs, resps, n);
	/* concurrency 0 means 1 */
	s = srv_start();
	reqs = make_reqs(s, n, 20);
	resps = lg_xcalloc(n, sizeof(*resps));
	assert_int_equal(lg_probe_many(reqs, n, 0, resps, &err), LG_OK);
	assert_int_equal(s->max, 1);
	srv_stop_free(s);
	free_reqs(reqs, resps, n);
}

/* One slow request per wave: in barrier mode no request of wave 2 arrives
 * before every request of wave 1 has been answered; in window mode one
 * does (so the test can tell the two apart). */
static bool wave2_waited(const struct srv *s, size_t wave)
{
	double last_leave = 0;
	size_t i;

	for (i = 0; i < wave; i++)
		if (s->leave[i] > last_leave)
			last_leave = s->leave[i];
	for (i = wave; i < 2 * wave; i++)
		if (s->arrive[i] < last_leave)
			return false;
	return true;
}

static void run_waves(unsigned flags, bool expect_waited)
{
	struct srv *s = srv_start();
	size_t n = 20, i;
	struct lg_probe_req *reqs = make_reqs(s, n, 10);
	struct lg_probe_resp *resps = lg_xcalloc(n, sizeof(*resps));
	struct lg_error err = {0};

	for (i = 0; i < n; i += 10) {
		free((char *)(uintptr_t)reqs[i].url);
		reqs[i].url =
		    lg_xasprintf("http://127.0.0.1:%d/r/%zu/400", s->port, i);
	}
	assert_int_equal(
	    lg_probe_many_ex(reqs, n, 10, flags, resps, NULL, NULL, &err),
	    LG_OK);
	assert_answers_match(resps, n);
	assert_int_equal(s->max, 10);
	assert_true(wave2_waited(s, 10) == expect_waited);
	srv_stop_free(s);
	free_reqs(reqs, resps, n);
}

static void test_probe_multi__barrier_waves(void **state)
{
	(void)state;
	run_waves(LG_PROBE_MANY_BARRIER, true);
	run_waves(0, false);
}

/* Each request has its own timeout; the others still answer, and the
 * batch takes one timeout, not the sum. */
static void test_probe_multi__timeouts(void **state)
{
	struct srv *s = srv_start();
	size_t n = 4;
	struct lg_probe_req *reqs = make_reqs(s, n, 0);
	struct lg_probe_resp *resps = lg_xcalloc(n, sizeof(*resps));
	struct lg_probe_outcome out[4];
	struct lg_probe_many_stats st;
	struct lg_error err = {0};

	(void)state;
	free((char *)(uintptr_t)reqs[1].url);
	free((char *)(uintptr_t)reqs[3].url);
	reqs[1].url = lg_xasprintf("http://127.0.0.1:%d/hang", s->port);
	reqs[3].url = lg_xasprintf("http://127.0.0.1:%d/hang", s->port);
	reqs[1].timeout_ms = 300;
	reqs[3].timeout_ms = 300;
	reqs[0].timeout_ms = 2000;
	assert_int_equal(lg_probe_many_ex(reqs, n, 4, 0, resps, out, &st, &err),
			 LG_ETIMEOUT);
	assert_non_null(strstr(err.msg, "request 2 of 4: GET http://"));
	assert_non_null(strstr(err.msg, "no answer within 300 ms"));
	assert_int_equal(resps[0].status, 200);
	assert_int_equal(resps[1].status, 0);
	assert_int_equal(resps[2].status, 200);
	assert_int_equal(resps[3].status, 0);
	assert_int_equal(out[0].code, LG_OK);
	assert_string_equal(out[0].reason, "");
	assert_int_equal(out[1].code, LG_ETIMEOUT);
	assert_int_equal(out[3].code, LG_ETIMEOUT);
	assert_non_null(strstr(out[3].reason, "/hang: no answer within 300"));
	assert_int_equal(st.answered, 2);
	assert_true(st.seconds < 1.5);
	srv_stop_free(s);
	free_reqs(reqs, resps, n);
}

static void test_probe_multi__refused(void **state)
{
	int port, fd = listen_any(&port);
	struct lg_probe_req req = {0};
	struct lg_probe_resp resp;
	struct lg_probe_outcome out;
	struct lg_error err = {0};
	char *url = lg_xasprintf("http://127.0.0.1:%d/", port);

	(void)state;
	close(fd);
	req.url = url;
	assert_int_equal(
	    lg_probe_many_ex(&req, 1, 3, 0, &resp, &out, NULL, &err), LG_EHTTP);
	assert_int_equal(resp.status, 0);
	assert_int_equal(out.code, LG_EHTTP);
	assert_non_null(strstr(err.msg, "request 1 of 1"));
	lg_probe_resp_release(&resp);
	free(url);
}

static void test_probe_multi__bounds_and_usage(void **state)
{
	struct srv *s = srv_start();
	struct lg_probe_req reqs[2] = {{0}};
	struct lg_probe_resp resps[2];
	struct lg_error err = {0};
	char *good = lg_xasprintf("http://127.0.0.1:%d/r/0/0", s->port);
	char *bad = lg_xasprintf("http://u:secret@127.0.0.1:%d/", s->port);

	(void)state;
	assert_int_equal(
	    lg_probe_many(reqs, LG_PROBE_MANY_MAX + 1, 4, resps, &err),
	    LG_EUSAGE);
	assert_non_null(strstr(err.msg, "10001"));
	lg_error_clear(&err);
	reqs[0].url = good;
	reqs[1].url = bad;
	assert_int_equal(lg_probe_many(reqs, 2, 4, resps, &err), LG_EUSAGE);
	assert_null(strstr(err.msg, "secret"));
	assert_int_equal(resps[0].status, 0);
	assert_string_equal(resps[0].body.buf, "");
	lg_probe_resp_release(&resps[0]);
	lg_probe_resp_release(&resps[1]);
	assert_int_equal(lg_probe_many(reqs, 0, 4, resps, &err), LG_OK);
	assert_int_equal(s->reqs, 0); /* nothing was sent */
	srv_stop_free(s);
	free(good);
	free(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe_multi__window_concurrency),
	    cmocka_unit_test(test_probe_multi__sequential),
	    cmocka_unit_test(test_probe_multi__barrier_waves),
	    cmocka_unit_test(test_probe_multi__timeouts),
	    cmocka_unit_test(test_probe_multi__refused),
	    cmocka_unit_test(test_probe_multi__bounds_and_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

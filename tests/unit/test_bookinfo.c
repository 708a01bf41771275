/* SPDX-License-Identifier: MIT */
/* test_bookinfo.c: classification of recorded Bookinfo pages and JSON, the
 * tally, and login/observe against a tiny local HTTP server. */
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
#include <unistd.h>

#include <cmocka.h>

#include "../../harness/bookinfo.h"
#include "../../harness/stats.h"

#define DATA "tests/data/bookinfo/"

static char *slurp(const char *name, size_t *len)
{
	char *path = lg_xasprintf(DATA "%s", name);
	struct lg_buf b = LG_BUF_INIT;
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		lg_buf_add(&b, chunk, n);
	fclose(f);
	free(path);
	return lg_buf_detach(&b, len);
}

static void page(const char *name, struct lg_bookinfo_obs *o)
{
	size_t len;
	char *body = slurp(name, &len);

	memset(o, 0, sizeof(*o));
	lg_bookinfo_classify_page(body, len, o);
	free(body);
}

static void json(const char *name, struct lg_bookinfo_obs *o)
{
	size_t len;
	char *body = slurp(name, &len);

	memset(o, 0, sizeof(*o));
	lg_bookinfo_classify_json(body, len, o);
	free(body);
}

static void test_bookinfo__page_versions(void **state)
{
	struct lg_bookinfo_obs o;

	(void)state;
	page("page-v1.html", &o);
	assert_true(o.is_bookinfo);
	assert_int_equal(o.version, 1);
	assert_int_equal(o.stars, LG_BOOKINFO_STARS_NONE);
	assert_string_equal(o.pod, "reviews-v1-5c9d8b6f7-abcde");
	assert_false(o.reviews_error || o.ratings_error);
	page("page-v2.html", &o);
	assert_int_equal(o.version, 2);
	assert_int_equal(o.stars, LG_BOOKINFO_STARS_BLACK);
	assert_string_equal(o.pod, "reviews-v2-7f9c4b5d8-qwert");
	page("page-v3.html", &o);
	assert_int_equal(o.version, 3);
	assert_int_equal(o.stars, LG_BOOKINFO_STARS_RED);
	/* no pod name: v1 is told by reviews without stars */
	page("page-v1-nopod.html", &o);
	assert_int_equal(o.version, 1);
	assert_string_equal(o.pod, "");
}

static void test_bookinfo__page_errors(void **state)
{
	struct lg_bookinfo_obs o;

	(void)state;
	/* the error paragraph's text-red-500 is not red stars */
	page("page-v3-ratings-error.html", &o);
	assert_true(o.ratings_error);
	assert_false(o.reviews_error);
	assert_int_equal(o.stars, LG_BOOKINFO_STARS_NONE);
	assert_int_equal(o.version, 3);
	page("page-reviews-error.html", &o);
	assert_true(o.is_bookinfo);
	assert_true(o.reviews_error);
	assert_int_equal(o.version, 0);
}

static void test_bookinfo__page_old_markers(void **state)
{
	struct lg_bookinfo_obs o;

	(void)state;
	page("page-old-v2.html", &o);
	assert_int_equal(o.stars, LG_BOOKINFO_STARS_BLACK);
	assert_int_equal(o.version, 2);
	assert_string_equal(o.pod, "reviews-v2-56f6855586-cnrjp");
	page("page-old-v3-nopod.html", &o);
	assert_int_equal(o.stars, LG_BOOKINFO_STARS_RED);
	assert_int_equal(o.version, 3);
}

static void test_bookinfo__page_hostile(void **state)
{
	static const char nul[] = "<title>Simple Bookstore App</title>\0"
				  "Reviews served by: reviews-v3-x";
	struct lg_bookinfo_obs o;

	(void)state;
	page("not-bookinfo.html", &o);
	assert_false(o.is_bookinfo);
	assert_int_equal(o.version, 0);
	assert_int_equal(o.stars, LG_BOOKINFO_STARS_NONE);
	page("served-by-at-end.html", &o);
	assert_true(o.is_bookinfo);
	assert_string_equal(o.pod, "");
	assert_int_equal(o.version, 0);
	page("served-by-long.html", &o);
	assert_int_equal(strlen(o.pod), sizeof(o.pod) - 1);
	assert_int_equal(o.version, 2);
	/* markers after a NUL byte still count: the length rules */
	memset(&o, 0, sizeof(o));
	lg_bookinfo_classify_page(nul, sizeof(nul) - 1, &o);
	assert_int_equal(o.version, 3);
	/* ...and nothing past len is read */
	lg_bookinfo_classify_page(nul, 10, &o);
	assert_false(o.is_bookinfo);
	lg_bookinfo_classify_page(NULL, 0, &o);
	assert_false(o.is_bookinfo);
	lg_bookinfo_classify_page("", 0, &o);
	assert_false(o.is_bookinfo);
}

static void test_bookinfo__json(void **state)
{
	struct lg_bookinfo_obs o;

	(void)state;
	json("api-v1.json", &o);
	assert_true(o.is_bookinfo);
	assert_int_equal(o.version, 1);
	assert_int_equal(o.stars, LG_BOOKINFO_STARS_NONE);
	assert_string_equal(o.pod, "reviews-v1-5c9d8b6f7-abcde");
	json("api-v2.json", &o);
	assert_int_equal(o.version, 2);
	assert_int_equal(o.stars, LG_BOOKINFO_STARS_BLACK);
	json("api-v3.json", &o);
	assert_int_equal(o.version, 3);
	assert_int_equal(o.stars, LG_BOOKINFO_STARS_RED);
	json("api-v3-ratings-error.json", &o);
	assert_true(o.ratings_error);
	assert_int_equal(o.stars, LG_BOOKINFO_STARS_NONE);
	assert_int_equal(o.version, 3);
	json("api-reviews-error.json", &o);
	assert_true(o.is_bookinfo);
	assert_true(o.reviews_error);
	assert_int_equal(o.version, 0);
	json("api-nopod-red.json", &o);
	assert_int_equal(o.version, 3);
}

static void test_bookinfo__json_garbage(void **state)
{
	struct lg_bookinfo_obs o;

	(void)state;
	json("api-wrong-shape.json", &o);
	assert_false(o.is_bookinfo);
	assert_int_equal(o.version, 0);
	json("api-truncated.json", &o);
	assert_false(o.is_bookinfo);
	json("page-v2.html", &o); /* HTML is not JSON */
	assert_false(o.is_bookinfo);
	lg_bookinfo_classify_json("[1,2]", 5, &o);
	assert_false(o.is_bookinfo);
	lg_bookinfo_classify_json(NULL, 0, &o);
	assert_false(o.is_bookinfo);
}

static void test_bookinfo__tally(void **state)
{
	struct lg_bookinfo_tally t = {0};
	struct lg_bookinfo_obs o = {0};
	char *s;

	(void)state;
	o.status = 200;
	o.is_bookinfo = true;
	o.version = 1;
	o.seconds = 0.5;
	lg_bookinfo_tally_add(&t, &o);
	o.version = 3;
	o.stars = LG_BOOKINFO_STARS_RED;
	o.seconds = 0.1;
	lg_bookinfo_tally_add(&t, &o);
	o.reviews_error = true;
	o.seconds = 6.1;
	lg_bookinfo_tally_add(&t, &o);
	memset(&o, 0, sizeof(o));
	lg_bookinfo_tally_add(&t, &o);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.v[1], 1);
	assert_int_equal(t.v[3], 1);
	assert_int_equal(t.reviews_error, 1);
	assert_int_equal(t.no_answer, 1);
	assert_int_equal(t.red, 2);
	assert_true(t.min_seconds == 0.1 && t.max_seconds == 6.1);
	s = lg_bookinfo_tally_describe(&t);
	assert_string_equal(s, "4 request(s): reviews-v1 1, reviews-v3 1, "
			       "black stars 0, red stars 2, reviews "
			       "unavailable 1, no answer 1, 0.10-6.10 s");
	free(s);
}

static void test_bookinfo__describe(void **state)
{
	struct lg_bookinfo_obs o = {0};
	char *s;

	(void)state;
	snprintf(o.detail, sizeof(o.detail), "connection refused");
	s = lg_bookinfo_obs_describe(&o);
	assert_string_equal(s, "no answer: connection refused");
	free(s);
	o.status = 200;
	o.is_bookinfo = true;
	o.version = 2;
	o.stars = LG_BOOKINFO_STARS_BLACK;
	o.seconds = 0.25;
	s = lg_bookinfo_obs_describe(&o);
	assert_string_equal(s, "HTTP 200, reviews-v2 (black stars), 0.25 s");
	free(s);
}

/*
 * Random bytes with markers spliced in at random places, cut at random
 * lengths: classification never reads past len (ASan would say so) and
 * always leaves a consistent answer (a version only 0..3, a terminated
 * pod name).
 */
static void test_bookinfo__random_input(void **state)
{
	static const char *const bits[] = {
	    "Reviews served by:",
	    "<u>",
	    "reviews-v2-x",
	    "gap-x-1 text-red-500",
	    "<font color=\"black\">",
	    "Simple Bookstore App",
	    "{\"podname\":",
	    "\"reviews\":[{\"rating\":{\"color\":\"red\"}}]",
	    "<",
	    "}",
	    "Sorry, product reviews are currently unavailable"};
	struct lg_rng rng;
	struct lg_bookinfo_obs o;
	char buf[512];
	int round;
	size_t i, len;

	(void)state;
	lg_rng_seed(&rng, 42);
	for (round = 0; round < 3000; round++) {
		len = (size_t)(lg_rng_next(&rng) % sizeof(buf));
		for (i = 0; i < len; i++)
			buf[i] = (char)(lg_rng_next(&rng) & 0xff);
		for (i = 0; i < 4 && len > 64; i++) {
			const char *b =
			    bits[lg_rng_next(&rng) % LG_ARRAY_SIZE(bits)];
			size_t at = (size_t)(lg_rng_next(&rng) % (len - 60));

			memcpy(buf + at, b, strlen(b));
		}
		lg_bookinfo_classify_page(buf, len, &o);
		assert_true(o.version >= 0 && o.version <= 3);
		assert_true(strlen(o.pod) < sizeof(o.pod));
		lg_bookinfo_classify_json(buf, len, &o);
		assert_true(o.version >= 0 && o.version <= 3);
	}
}

/* ---- a local server: login and observe over real HTTP -------------- */

struct srv {
	int fd, port;
	volatile int stop;
	pthread_t thread;
};

#define LOGIN_OK                                                               \
	"HTTP/1.1 302 FOUND\r\nLocation: /productpage\r\nSet-Cookie: "         \
	"session=eyJ1c2VyIjoiamFzb24ifQ.abc; HttpOnly; Path=/\r\n"             \
	"Content-Length: 0\r\nConnection: close\r\n\r\n"
#define PAGE_FMT                                                               \
	"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close"      \
	"\r\n\r\n<title>Simple Bookstore App</title>Reviews served by:\n"      \
	"<u>%s</u>\n"
#define JSON_FMT                                                               \
	"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: "    \
	"close\r\n\r\n{\"podname\":\"%s\",\"reviews\":[]}"

/* jason (the session cookie) sees v2, everyone else v1. */
static void srv_answer(int c)
{
	char req[8192], *ans;
	const char *pod;
	size_t len = 0, off = 0;
	ssize_t n;

	/* the headers, and a POST's small body (curl may send it apart) */
	while (len + 1 < sizeof(req) &&
	       (n = read(c, req + len, sizeof(req) - 1 - len)) > 0) {
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") &&
		    (strncmp(req, "POST", 4) != 0 || strstr(req, "passwd=")))
			break;
	}
	req[len] = '\0';
	pod = strstr(req, "session=eyJ") ? "reviews-v2-a-b" : "reviews-v1-a-b";
	if (strncmp(req, "POST /login ", 12) == 0)
		ans = lg_xstrdup(strstr(req, "username=jason") &&
					 strstr(req, "Referer:")
				     ? LOGIN_OK
				     : "HTTP/1.1 200 OK\r\nConnection: close"
				       "\r\n\r\nlogin page");
	else if (strncmp(req, "GET /api/v1/products/0/reviews ", 31) == 0)
		ans = lg_xasprintf(JSON_FMT, pod);
	else
		ans = lg_xasprintf(PAGE_FMT, pod);
	len = strlen(ans);
	while (off < len && (n = write(c, ans + off, len - off)) > 0)
		off += (size_t)n;
	free(ans);
	close(c);
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;
	struct pollfd p = {s->fd, POLLIN, 0};

	while (!s->stop)
		if (poll(&p, 1, 20) > 0)
			srv_answer(accept(s->fd, NULL, NULL));
	return NULL;
}

static char *srv_start(struct srv *s)
{
	struct sockaddr_in a = {0};
	socklen_t alen = sizeof(a);

	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 64), 0);
	getsockname(s->fd, (struct sockaddr *)&a, &alen);
	s->port = ntohs(a.sin_port);
	s->stop = 0;
	pthread_create(&s->thread, NULL, srv_main, s);
	return lg_xasprintf("http://127.0.0.1:%d", s->port);
}

static void srv_stop(struct srv *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->fd);
}

static void test_bookinfo__login_and_observe(void **state)
{
	struct srv s = {0};
	char *url = srv_start(&s), *cookie = NULL;
	struct lg_error err = {0};
	struct lg_bookinfo_obs o[4];
	struct lg_bookinfo_ask asks[4] = {{NULL, LG_BOOKINFO_PAGE},
					  {NULL, LG_BOOKINFO_API},
					  {NULL, LG_BOOKINFO_PAGE},
					  {NULL, LG_BOOKINFO_API}};

	(void)state;
	assert_int_equal(lg_bookinfo_login(url, "jason", &cookie, &err), LG_OK);
	assert_non_null(cookie);
	assert_int_equal(strncmp(cookie, "session=eyJ", 11), 0);
	asks[2].cookie = asks[3].cookie = cookie;
	assert_int_equal(
	    lg_bookinfo_observe_set(url, asks, 4, 0, 5000, o, &err), LG_OK);
	assert_int_equal(o[0].version, 1);
	assert_int_equal(o[1].version, 1);
	assert_int_equal(o[2].version, 2);
	assert_int_equal(o[3].version, 2);
	assert_int_equal(o[3].status, 200);
	assert_int_equal(lg_bookinfo_pick_source(url, 5000), LG_BOOKINFO_API);
	free(cookie);
	/* another user gets no session: an error with what came back */
	assert_int_equal(lg_bookinfo_login(url, "alice", &cookie, &err),
			 LG_EHTTP);
	assert_null(cookie);
	assert_non_null(strstr(err.msg, "HTTP 200"));
	lg_error_clear(&err);
	assert_int_equal(lg_bookinfo_login(url, "a&b=c", &cookie, &err),
			 LG_EUSAGE);
	srv_stop(&s);
	/* the server is gone: an observation without an answer, not an error */
	assert_int_equal(
	    lg_bookinfo_observe(url, NULL, LG_BOOKINFO_PAGE, 2000, &o[0], &err),
	    LG_OK);
	assert_int_equal(o[0].status, 0);
	assert_true(o[0].detail[0] != '\0');
	free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bookinfo__page_versions),
	    cmocka_unit_test(test_bookinfo__page_errors),
	    cmocka_unit_test(test_bookinfo__page_old_markers),
	    cmocka_unit_test(test_bookinfo__page_hostile),
	    cmocka_unit_test(test_bookinfo__json),
	    cmocka_unit_test(test_bookinfo__json_garbage),
	    cmocka_unit_test(test_bookinfo__tally),
	    cmocka_unit_test(test_bookinfo__describe),
	    cmocka_unit_test(test_bookinfo__random_input),
	    cmocka_unit_test(test_bookinfo__login_and_observe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

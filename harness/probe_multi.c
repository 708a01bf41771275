/* SPDX-License-Identifier: MIT */
/* probe_multi.c: many gateway requests in flight at once over libcurl multi. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe_int.h"
#include "probe_multi.h"

#define PM_MAX_CONCURRENCY 1000U

/* One request in the batch: its easy handle and where its answer goes. */
struct pm_slot {
	CURL *h;
	struct curl_slist *hd;
	struct lg_probe_sink sink; /* sink.r: this request's answer */
	char ebuf[CURL_ERROR_SIZE];
};

/* The batch: everything owned by lg_probe_many_ex's frame. */
struct pm_batch {
	const struct lg_probe_req *reqs;
	size_t n, next, done;
	unsigned conc, flags, in_flight, max_in_flight;
	CURLM *m;
	struct pm_slot *slots;
	struct lg_probe_resp *resps;
	struct lg_probe_outcome *outcomes;
	struct lg_error *err;
	enum lg_err rc;
	size_t first_bad; /* index of the first failed request, n if none */
	struct lg_error first_err;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A fresh connection per request in barrier mode: a reused connection
 * would let a wave start while the previous one still drains, and the
 * point of the barrier is that the whole wave is new and simultaneous.
 */
static void pm_setup(struct pm_batch *b, struct pm_slot *s,
		     const struct lg_probe_req *req)
{
	s->hd = lg_probe_setup(s->h, req, &s->sink, s->ebuf);
	curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
	if (b->flags & LG_PROBE_MANY_BARRIER) {
		curl_easy_setopt(s->h, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(s->h, CURLOPT_FORBID_REUSE, 1L);
	}
}

/* Start request b->next in a free slot. */
static void pm_start(struct pm_batch *b)
{
	size_t i = b->next++;
	struct pm_slot *s = &b->slots[i];

	s->sink.r = &b->resps[i];
	s->h = curl_easy_init();
	if (!s->h)
		lg_die("out of memory (curl_easy_init)");
	pm_setup(b, s, &b->reqs[i]);
	if (curl_multi_add_handle(b->m, s->h) != CURLM_OK)
		lg_die("cannot add a request to libcurl's multi handle");
	b->in_flight++;
	if (b->in_flight > b->max_in_flight)
		b->max_in_flight = b->in_flight;
}

/* Keep the reason, cut to the outcome's size (an URL can be long). */
static void pm_outcome(struct lg_probe_outcome *o, const struct lg_error *e)
{
	size_t k = strnlen(e->msg, sizeof(o->reason) - 1);

	o->code = e->code;
	memcpy(o->reason, e->msg, k);
	o->reason[k] = '\0';
}

/* Request i finished: fill its answer, note a failure, free its handle. */
static void pm_finish(struct pm_batch *b, struct pm_slot *s, CURLcode cc)
{
	size_t i = (size_t)(s - b->slots);
	struct lg_error e = {0};

	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &s->sink.r->status);
	curl_easy_getinfo(s->h, CURLINFO_TOTAL_TIME, &s->sink.r->seconds);
	if (cc != CURLE_OK) {
		s->sink.r->status = 0;
		lg_probe_reason(&b->reqs[i], cc, s->ebuf, s->sink.toobig, &e);
		if (b->outcomes)
			pm_outcome(&b->outcomes[i], &e);
		if (i < b->first_bad) {
			b->first_bad = i;
			b->first_err = e;
		}
	}
	curl_multi_remove_handle(b->m, s->h);
	curl_easy_cleanup(s->h);
	curl_slist_free_all(s->hd);
	s->h = NULL;
	s->hd = NULL;
	b->in_flight--;
	b->done++;
}

static void pm_drain_messages(struct pm_batch *b)
{
	struct pm_slot *s;
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(b->m, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		s = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &s);
		pm_finish(b, s, msg->data.result);
	}
}

/* Start what may start: a full window, or in barrier mode a whole wave
 * once the previous wave is done. */
static void pm_fill(struct pm_batch *b)
{
	if ((b->flags & LG_PROBE_MANY_BARRIER) && b->in_flight > 0)
		return;
	while (b->next < b->n && b->in_flight < b->conc)
		pm_start(b);
}

static void pm_loop(struct pm_batch *b)
{
	int running = 0;

	pm_fill(b);
	while (b->done < b->n) {
		curl_multi_perform(b->m, &running);
		pm_drain_messages(b);
		pm_fill(b);
		if (b->done < b->n && running > 0)
			curl_multi_poll(b->m, NULL, 0, 100, NULL);
	}
}

static enum lg_err pm_validate(const struct lg_probe_req *reqs, size_t n,
			       struct lg_error *err)
{
	size_t i;

	if (n > LG_PROBE_MANY_MAX)
		return lg_errorf(err, LG_EUSAGE,
				 "%zu gateway requests asked for; at most %d "
				 "are sent in one batch",
				 n, LG_PROBE_MANY_MAX);
	for (i = 0; i < n; i++) {
		if (!reqs[i].url)
			return lg_errorf(err, LG_EUSAGE,
					 "gateway request %zu has no URL", i);
		if (lg_probe_has_userinfo(reqs[i].url))
			return lg_errorf(err, LG_EUSAGE,
					 "the gateway URL must not hold a "
					 "user name or password");
	}
	return LG_OK;
}

static void pm_init_outputs(struct lg_probe_resp *resps,
			    struct lg_probe_outcome *outcomes,
			    struct lg_probe_many_stats *stats, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&resps[i], 0, sizeof(resps[i]));
		lg_buf_init(&resps[i].body, LG_PROBE_MAX_BODY);
		if (outcomes)
			memset(&outcomes[i], 0, sizeof(outcomes[i]));
	}
	if (stats)
		memset(stats, 0, sizeof(*stats));
}

static void pm_report(struct pm_batch *b, struct lg_probe_many_stats *stats,
		      double t0)
{
	size_t i;

	if (stats) {
		stats->max_in_flight = b->max_in_flight;
		stats->seconds = now_seconds() - t0;
		for (i = 0; i < b->n; i++)
			if (b->resps[i].status != 0)
				stats->answered++;
	}
	if (b->first_bad < b->n)
		b->rc = lg_errorf(b->err, b->first_err.code,
				  "request %zu of %zu: %s", b->first_bad + 1,
				  b->n, b->first_err.msg);
}

enum lg_err lg_probe_many_ex(const struct lg_probe_req *reqs, size_t n,
			     unsigned concurrency, unsigned flags,
			     struct lg_probe_resp *resps,
			     struct lg_probe_outcome *outcomes,
			     struct lg_probe_many_stats *stats,
			     struct lg_error *err)
{
	struct pm_batch b = {0};
	double t0 = now_seconds();
	enum lg_err rc;

	pm_init_outputs(resps, outcomes, stats, n <= LG_PROBE_MANY_MAX ? n : 0);
	rc = pm_validate(reqs, n, err);
	if (rc != LG_OK || n == 0)
		return rc;
	lg_probe_global_init();
	b.reqs = reqs;
	b.n = n;
	b.conc = concurrency == 0 ? 1 : concurrency;
	if (b.conc > PM_MAX_CONCURRENCY)
		b.conc = PM_MAX_CONCURRENCY;
	b.flags = flags;
	b.resps = resps;
	b.outcomes = outcomes;
	b.err = err;
	b.first_bad = n;
	b.slots = lg_xcalloc(n, sizeof(*b.slots));
	b.m = curl_multi_init();
	if (!b.m)
		lg_die("out of memory (curl_multi_init)");
	/* no cap per host: the point is many connections to one gateway */
	curl_multi_setopt(b.m, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
	curl_multi_setopt(b.m, CURLMOPT_MAXCONNECTS, (long)b.conc);
	pm_loop(&b);
	pm_report(&b, stats, t0);
	curl_multi_cleanup(b.m);
	free(b.slots);
	return b.rc;
}

enum lg_err lg_probe_many(const struct lg_probe_req *reqs, size_t n,
			  unsigned concurrency, struct lg_probe_resp *resps,
			  struct lg_error *err)
{
	return lg_probe_many_ex(reqs, n, concurrency, 0, resps, NULL, NULL,
				err);
}

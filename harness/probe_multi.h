/* SPDX-License-Identifier: MIT */
/* probe_multi.h: many gateway requests in flight at once (libcurl multi). */
#ifndef LG_PROBE_MULTI_H
#define LG_PROBE_MULTI_H

#include "probe.h"

/* The most requests one call may send: load is bounded by design. */
#define LG_PROBE_MANY_MAX 10000

enum lg_probe_many_flags {
	/*
	 * Send in waves: `concurrency` requests start together and the next
	 * wave starts only when the whole wave has answered. Each request of
	 * a wave has its own connection, so the gateway really sees
	 * `concurrency` simultaneous requests (what a circuit breaker with
	 * one pending request needs to overflow). Without it, a new request
	 * starts as soon as one finishes (a sliding window).
	 */
	LG_PROBE_MANY_BARRIER = 1 << 0,
};

/* Why one request got no HTTP answer (code LG_OK when it got one). */
struct lg_probe_outcome {
	enum lg_err code; /* LG_OK, LG_ETIMEOUT, LG_EHTTP or LG_ETOOBIG */
	char reason[256]; /* one line, empty when code is LG_OK */
};

/* What a batch saw, for the evidence. */
struct lg_probe_many_stats {
	unsigned max_in_flight; /* most requests in flight at one moment */
	size_t answered;	/* requests with an HTTP answer */
	double seconds;		/* wall time of the whole batch */
};

/*
 * Send the n requests reqs[0..n-1] with at most `concurrency` in flight
 * (0 means 1), each with its own timeout (req->timeout_ms, default 15 s)
 * and its own connection when several are in flight. Blocks until every
 * request has answered or failed. Strings in reqs are borrowed.
 *
 * resps[0..n-1] is always fully written (caller releases each with
 * lg_probe_resp_release, also on error): status 0 when a request got no
 * HTTP answer. Returns LG_OK when every request got an HTTP answer (any
 * status); otherwise the code of the first request (by index) that did not,
 * with "request I of N: reason" in err -- the other answers are still
 * valid. LG_EUSAGE, nothing sent, when a URL is NULL or holds
 * user:password@ (resps are then initialised empty), or when
 * n > LG_PROBE_MANY_MAX (then nothing is written at all).
 * Thread-safe (no shared state besides libcurl's global init).
 * @test tests/unit/test_probe_multi.c
 */
enum lg_err lg_probe_many(const struct lg_probe_req *reqs, size_t n,
			  unsigned concurrency, struct lg_probe_resp *resps,
			  struct lg_error *err);

/*
 * As lg_probe_many, plus: flags (enum lg_probe_many_flags); outcomes, when
 * not NULL, receives n entries with each request's failure reason; stats,
 * when not NULL, what the batch saw (max_in_flight proves concurrency).
 */
enum lg_err lg_probe_many_ex(const struct lg_probe_req *reqs, size_t n,
			     unsigned concurrency, unsigned flags,
			     struct lg_probe_resp *resps,
			     struct lg_probe_outcome *outcomes,
			     struct lg_probe_many_stats *stats,
			     struct lg_error *err);

#endif

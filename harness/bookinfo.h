/* SPDX-License-Identifier: MIT */
/* bookinfo.h: what a user of Bookinfo sees through the mesh's gateway. */
#ifndef LG_BOOKINFO_H
#define LG_BOOKINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "cluster.h"
#include "istio.h"
#include "lg.h"
#include "result.h"

/*
 * Where an observation is taken. The page is what the lab talks about (its
 * timing and its error sentences); the JSON API is smaller and names the
 * reviews pod without HTML markers. Both go through productpage, which sets
 * `end-user` from the session cookie on its calls either way. The choice:
 * checks that count versions (request-routing, traffic-shifting) use the
 * API when lg_bookinfo_pick_source() finds it exposed, else the page;
 * fault-injection always observes the page, since the lab's result is the
 * page's ~6 s and its error sentence (the API would answer 500 instead).
 */
enum lg_bookinfo_source {
	LG_BOOKINFO_PAGE = 0, /* GET /productpage (HTML, always 200) */
	LG_BOOKINFO_API = 1,  /* GET /api/v1/products/0/reviews (JSON) */
};

/* Stars as the reviews service drew them. */
enum lg_bookinfo_stars {
	LG_BOOKINFO_STARS_NONE = 0, /* no rating shown (reviews-v1, or error) */
	LG_BOOKINFO_STARS_BLACK,    /* reviews-v2 */
	LG_BOOKINFO_STARS_RED,	    /* reviews-v3 */
};

/*
 * One page view, classified. All-zero is "nothing observed".
 * version: 1, 2 or 3 from the reviews pod name (reviews-v2-...), else from
 * the stars (black 2, red 3; none with a served-by name or a review text
 * and no error means 1), else 0 when it cannot be told.
 */
struct lg_bookinfo_obs {
	long status;	/* HTTP status; 0 when no answer came */
	double seconds; /* total time of the request */
	int version;	/* 1, 2, 3; 0 unknown */
	enum lg_bookinfo_stars stars;
	bool is_bookinfo;   /* the body is recognisably Bookinfo's */
	bool reviews_error; /* "Sorry, product reviews are currently ..." */
	bool ratings_error; /* "Ratings service is currently unavailable" */
	char pod[64];	    /* the reviews pod that served it, or "" */
	char detail[128];   /* transport error text when status is 0 */
};

/*
 * Classify a /productpage body by substring markers (never an HTML parser:
 * "Reviews served by:" + pod name, `gap-x-1 text-black-500` /
 * `gap-x-1 text-red-500` star divs, the older template's
 * `<font color="black">` / `<font color="red">` around its glyphicon stars,
 * the two error sentences). body need not be
 * NUL-terminated; any bytes are safe. Fills only the content fields of out
 * (version, stars, is_bookinfo, the errors, pod); status and seconds are
 * left alone.
 * @test tests/unit/test_bookinfo.c
 */
void lg_bookinfo_classify_page(const char *body, size_t len,
			       struct lg_bookinfo_obs *out);

/*
 * Classify a /api/v1/products/0/reviews body (JSON: podname,
 * reviews[].rating.color, rating.error, or {"error": "Sorry, ..."}).
 * Same contract as lg_bookinfo_classify_page; garbage leaves
 * is_bookinfo false.
 * @test tests/unit/test_bookinfo.c
 */
void lg_bookinfo_classify_json(const char *body, size_t len,
			       struct lg_bookinfo_obs *out);

/*
 * Log in as user: POST base_url/login with `username=USER&passwd=x` and a
 * Referer; expects 302 with Set-Cookie session=... . On success
 * *cookie_out is "session=..." (caller frees). Any other answer is
 * LG_EHTTP with what came back in err; no answer is LG_EHTTP/LG_ETIMEOUT.
 * Blocks for one request.
 * @test tests/unit/test_bookinfo.c
 */
enum lg_err lg_bookinfo_login(const char *base_url, const char *user,
			      char **cookie_out, struct lg_error *err);

/*
 * Take one observation: one GET of the source's path at base_url, as the
 * session in cookie ("session=...", NULL for anonymous), then classify.
 * A transport failure is not an error of this function: it is recorded
 * as status 0 with the reason in out->detail, because "the page did not
 * answer" is an observation the checks judge. Returns LG_OK always unless
 * an argument is invalid (LG_EUSAGE). Blocks up to timeout_ms.
 * @test tests/unit/test_bookinfo.c
 */
enum lg_err lg_bookinfo_observe(const char *base_url, const char *cookie,
				enum lg_bookinfo_source src, long timeout_ms,
				struct lg_bookinfo_obs *out,
				struct lg_error *err);

/*
 * n observations with the same session, sent concurrently (at most 16 in
 * flight). out has room for n. Same error contract as lg_bookinfo_observe.
 * Blocks until all have answered or timed out.
 * @test tests/unit/test_bookinfo.c
 */
enum lg_err lg_bookinfo_observe_many(const char *base_url, const char *cookie,
				     enum lg_bookinfo_source src,
				     long timeout_ms, size_t n,
				     struct lg_bookinfo_obs *out,
				     struct lg_error *err);

/* One planned observation of a mixed batch. */
struct lg_bookinfo_ask {
	const char *cookie; /* "session=...", NULL for anonymous; borrowed */
	enum lg_bookinfo_source src;
};

/*
 * n observations, each with its own session and source (anonymous and
 * jason together, so that a slow one does not delay the others), at most
 * `concurrency` in flight (0, or more than 16: min(n, 16)). Same error
 * contract as lg_bookinfo_observe (LG_EUSAGE also for n above
 * LG_PROBE_MANY_MAX); out has room for n. Blocks until all have answered
 * or timed out.
 * @test tests/unit/test_bookinfo.c
 */
enum lg_err lg_bookinfo_observe_set(const char *base_url,
				    const struct lg_bookinfo_ask *asks,
				    size_t n, unsigned concurrency,
				    long timeout_ms,
				    struct lg_bookinfo_obs *out,
				    struct lg_error *err);

/*
 * Which source answers at base_url: LG_BOOKINFO_API when the JSON API
 * answers 200 with a podname, else LG_BOOKINFO_PAGE (a gateway route that
 * exposes only /productpage). One anonymous request.
 * @test tests/unit/test_bookinfo.c
 */
enum lg_bookinfo_source lg_bookinfo_pick_source(const char *base_url,
						long timeout_ms);

/* Counts over a series of observations. All-zero is empty. */
struct lg_bookinfo_tally {
	size_t n;
	size_t v[4];	   /* v[0] unknown version, v[1..3] per version */
	size_t no_answer;  /* status 0 */
	size_t bad_status; /* an answer but not 200 (and not a reviews
			    * error of the JSON API) */
	size_t reviews_error;
	size_t ratings_error;
	size_t black, red; /* star colours seen */
	double min_seconds, max_seconds, sum_seconds;
};

void lg_bookinfo_tally_add(struct lg_bookinfo_tally *t,
			   const struct lg_bookinfo_obs *o);
/* "10 pages: reviews-v1 7, v3 3; 0 errors; 0.02-0.11 s". Caller frees. */
char *lg_bookinfo_tally_describe(const struct lg_bookinfo_tally *t);
/* "reviews-v2 (black stars), 0.04 s" / "HTTP 503" / "no answer: ...".
 * Caller frees. */
char *lg_bookinfo_obs_describe(const struct lg_bookinfo_obs *o);

/*
 * Read the Istio routing objects of the Bookinfo namespace ns
 * (VirtualServices and DestinationRules, every page) into m, which the
 * caller initialised and releases. One evidence line per list goes to res.
 * API errors come back as they are (LG_EFORBIDDEN...) with the cluster's
 * sentence in err; an absent CRD is an empty list. A malformed object is
 * skipped by the model and left as a note, never an error.
 * @test tests/cases/request-routing
 */
enum lg_err lg_bookinfo_mesh_read(struct lg_cluster *c, struct lg_result *res,
				  const char *ns, struct lg_mesh *m,
				  struct lg_error *err);

/*
 * How many views may be in flight at once without disturbing the mesh:
 * 1 when a connectionPool limit applies to reviews (the lab's circuit
 * breaker allows one pending request, so parallel views would overflow
 * into 503s that are the breaker's doing, not the routing's), else 0
 * (lg_bookinfo_observe_set's default). Reads the model only.
 * @test tests/cases/request-routing/circuit-breaker-in-place
 */
unsigned lg_bookinfo_concurrency(const struct lg_mesh *m, const char *ns);

#endif

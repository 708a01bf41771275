/* SPDX-License-Identifier: MIT */
/* stats.h: sequential tests of a split (Wald's SPRT), intervals, a PRNG. */
#ifndef LG_STATS_H
#define LG_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "lg.h"

/*
 * Judging an observed proportion (the v3 share of a 50/50 split) with a
 * sequential test: every observation either settles the verdict or asks for
 * one more, so a clear split is judged after a few dozen requests instead of
 * a fixed sample's worth. docs/internals/stats.md explains why the error
 * rates hold.
 *
 * H0: p = p0 (the split is right). H1: |p - p0| >= delta (it is wrong).
 * alpha bounds P(reject | p = p0); beta bounds P(accept | |p - p0| >= delta).
 * Two one-sided SPRTs run side by side (p0 vs p0 + delta, p0 vs p0 - delta),
 * each with alpha / 2; a side whose alternative falls outside (0, 1) is
 * dropped and the other gets all of alpha. At n_max observations without a
 * verdict, the fixed-sample rule decides and the result says so.
 */
enum lg_sprt_verdict {
	LG_SPRT_CONTINUE = 0, /* not certain enough yet: observe more */
	LG_SPRT_ACCEPT,	      /* p = p0 (the split is right) */
	LG_SPRT_REJECT,	      /* |p - p0| >= delta is the better explanation */
};

/* The largest default cap (for absurdly small tolerances). */
#define LG_SPRT_CAP_MAX 1000000u

/* One of the two one-sided tests. Internal; read-only for callers. */
struct lg_sprt_side {
	bool present;	 /* false when p0 +/- delta is outside (0, 1) */
	double llr_hit;	 /* log-likelihood-ratio step for a success */
	double llr_miss; /* ... for a failure */
	double tol;	 /* fixed-sample tolerance used at the cap */
};

/*
 * struct lg_sprt: configuration plus the observations so far. Plain data,
 * nothing to free; copying it copies the test. Fill it with lg_sprt_init().
 * @test tests/unit/test_stats.c
 */
struct lg_sprt {
	double p0, delta, alpha, beta;
	unsigned n_max;
	double upper; /* log(1 / alpha_side): reject when a side reaches it */
	double lower; /* log(beta): a side accepts H0 when it falls to it */
	struct lg_sprt_side side[2]; /* [0] p0 + delta, [1] p0 - delta */
	unsigned n, k;		     /* observations, successes */
	unsigned frozen;	     /* bit i: side i has accepted H0 */
	enum lg_sprt_verdict verdict;
	bool at_cap; /* the verdict came from the fixed-sample rule */
};

/*
 * Configure s for H0: p = p0 against |p - p0| >= delta with error rates
 * alpha and beta, capped at n_max observations (0: twice the fixed-sample
 * size, see lg_fixed_sample_size(), at most LG_SPRT_CAP_MAX). Requirements: 0 <
 * p0 < 1, 0 < delta, at least one of p0 +/- delta inside (0, 1), 0 < alpha < 1,
 * 0 < beta < 1; else LG_EUSAGE with the reason in err and s unusable.
 * The traffic-shifting defaults are p0 0.5, delta 0.3, alpha 0.001,
 * beta 0.01.
 */
enum lg_err lg_sprt_init(struct lg_sprt *s, double p0, double delta,
			 double alpha, double beta, unsigned n_max,
			 struct lg_error *err);

/*
 * Add one observation (success: the request hit the counted version) and
 * return the verdict. Once the verdict is ACCEPT or REJECT it is final:
 * later observations are ignored (not counted) and the verdict is returned
 * again, so late answers from requests already in flight change nothing.
 */
enum lg_sprt_verdict lg_sprt_add(struct lg_sprt *s, bool success);

/* The current verdict (CONTINUE until decided). */
enum lg_sprt_verdict lg_sprt_verdict(const struct lg_sprt *s);

/*
 * Clopper-Pearson (exact) two-sided interval for p from the counts so far,
 * at confidence conf (e.g. 0.95). With no observations it is [0, 1].
 */
void lg_sprt_interval(const struct lg_sprt *s, double conf, double *lo,
		      double *hi);

/*
 * Append the evidence line to out, e.g. "47/100 v3 (47 %), 95 % interval
 * [37 %, 57 %], decision after 100 requests: 50/50 accepted". what names
 * the success ("v3"; NULL: "successes"). The split is written
 * (1 - p0)/p0 in percent. A cap decision says so. Returns LG_ETOOBIG if out
 * is full (out then holds a prefix).
 */
enum lg_err lg_sprt_describe(const struct lg_sprt *s, const char *what,
			     struct lg_buf *out);

/*
 * The exact operating characteristic of the configured test (the counts in
 * s are ignored): for true success probability p, the probability that it
 * accepts, rejects, or reaches the cap, and the expected number of
 * observations. Dynamic programming over every path, O(n_max^2) time and
 * O(n_max) memory; it runs the very decision code lg_sprt_add() runs.
 */
struct lg_sprt_oc {
	double p_accept, p_reject, p_cap, asn;
};
void lg_sprt_oc(const struct lg_sprt *s, double p, struct lg_sprt_oc *out);

/*
 * The smallest fixed sample size n whose equal-tailed two-sided exact
 * binomial test of p = p0 has error rates alpha (split over the present
 * sides) and at most beta at p0 +/- delta: the comparison point for the
 * sequential test. Above 5000 the normal approximation is returned instead
 * (an exact search would take too long). 0 for invalid parameters.
 */
unsigned lg_fixed_sample_size(double p0, double delta, double alpha,
			      double beta);

/* P(X <= k) for X ~ Binomial(n, p); exact summation, O(k) time. */
double lg_binom_cdf(unsigned k, unsigned n, double p);

/* The standard normal quantile: Phi^-1(q) for 0 < q < 1. */
double lg_normal_quantile(double q);

/*
 * struct lg_rng: splitmix64, a small seeded generator for reproducible
 * tests and jitter (never rand()). Plain data; any seed is fine.
 */
struct lg_rng {
	uint64_t state;
};

void lg_rng_seed(struct lg_rng *r, uint64_t seed);
uint64_t lg_rng_next(struct lg_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double lg_rng_uniform(struct lg_rng *r);
/* true with probability p. */
bool lg_rng_bernoulli(struct lg_rng *r, double p);

#endif

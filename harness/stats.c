/* SPDX-License-Identifier: MIT */
/* stats.c: the two-sided SPRT of a split, exact binomial tools, a PRNG. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* Above this, lg_fixed_sample_size() answers with the normal approximation. */
#define FIXED_EXACT_MAX 5000u

static double side_p1(double p0, double delta, int i);
static unsigned side_count(double p0, double delta);
static enum lg_sprt_verdict sprt_judge(const struct lg_sprt *s, unsigned n,
				       unsigned k, unsigned *frozen,
				       bool *at_cap);
static enum lg_sprt_verdict cap_rule(const struct lg_sprt *s, unsigned n,
				     unsigned k, unsigned frozen);

/* The alternative of side i: p0 + delta (i = 0) or p0 - delta (i = 1). */
static double side_p1(double p0, double delta, int i)
{
	return i == 0 ? p0 + delta : p0 - delta;
}

static bool is_inside(double p)
{
	return p > 0.0 && p < 1.0;
}

static unsigned side_count(double p0, double delta)
{
	return (unsigned)is_inside(p0 + delta) +
	       (unsigned)is_inside(p0 - delta);
}

static bool is_valid(double p0, double delta, double alpha, double beta)
{
	return is_inside(p0) && delta > 0.0 && is_inside(alpha) &&
	       is_inside(beta) && side_count(p0, delta) > 0;
}

/*
 * The fixed-sample tolerance of one side: the normal-approximation critical
 * value of the fixed test with the same error rates, which splits delta in
 * the ratio of the two quantiles. At that sample size it meets both rates.
 */
static double side_tol(double p0, double p1, double delta, double z_a,
		       double z_b)
{
	double s0 = sqrt(p0 * (1.0 - p0)), s1 = sqrt(p1 * (1.0 - p1));

	return delta * z_a * s0 / (z_a * s0 + z_b * s1);
}

/* Twice the fixed sample size, within reason for absurd tolerances. */
static unsigned default_cap(double p0, double delta, double alpha, double beta)
{
	unsigned fixed = lg_fixed_sample_size(p0, delta, alpha, beta);

	if (fixed == 0 || fixed > LG_SPRT_CAP_MAX / 2)
		return LG_SPRT_CAP_MAX;
	return 2 * fixed;
}

enum lg_err lg_sprt_init(struct lg_sprt *s, double p0, double delta,
			 double alpha, double beta, unsigned n_max,
			 struct lg_error *err)
{
	double alpha_side, z_a, z_b, p1;
	int i;

	memset(s, 0, sizeof(*s));
	if (!is_valid(p0, delta, alpha, beta))
		return lg_errorf(err, LG_EUSAGE,
				 "sequential test: need 0 < p0 < 1, 0 < alpha, "
				 "beta < 1 and p0 +/- delta inside (0, 1); got "
				 "p0 %g, delta %g, alpha %g, beta %g",
				 p0, delta, alpha, beta);
	alpha_side = alpha / side_count(p0, delta);
	z_a = lg_normal_quantile(1.0 - alpha_side);
	z_b = lg_normal_quantile(1.0 - beta);
	s->p0 = p0;
	s->delta = delta;
	s->alpha = alpha;
	s->beta = beta;
	/* Ville's inequality makes these exact bounds, not approximations. */
	s->upper = -log(alpha_side);
	s->lower = log(beta);
	for (i = 0; i < 2; i++) {
		p1 = side_p1(p0, delta, i);
		s->side[i].present = is_inside(p1);
		if (!s->side[i].present)
			continue;
		s->side[i].llr_hit = log(p1 / p0);
		s->side[i].llr_miss = log((1.0 - p1) / (1.0 - p0));
		s->side[i].tol = side_tol(p0, p1, delta, z_a, z_b);
	}
	s->n_max = n_max ? n_max : default_cap(p0, delta, alpha, beta);
	return LG_OK;
}

/*
 * The decision after n observations with k successes, given which sides
 * had already accepted H0 (*frozen, updated). Shared by lg_sprt_add() and
 * lg_sprt_oc(), so the exact error rates are those of the code that runs.
 */
static enum lg_sprt_verdict sprt_judge(const struct lg_sprt *s, unsigned n,
				       unsigned k, unsigned *frozen,
				       bool *at_cap)
{
	unsigned all = 0;
	double llr;
	int i;

	*at_cap = false;
	for (i = 0; i < 2; i++) {
		if (!s->side[i].present)
			continue;
		all |= 1u << i;
		if (*frozen & (1u << i))
			continue;
		llr = k * s->side[i].llr_hit + (n - k) * s->side[i].llr_miss;
		if (llr >= s->upper)
			return LG_SPRT_REJECT;
		if (llr <= s->lower)
			*frozen |= 1u << i;
	}
	if (*frozen == all)
		return LG_SPRT_ACCEPT;
	if (n < s->n_max)
		return LG_SPRT_CONTINUE;
	*at_cap = true;
	return cap_rule(s, n, k, *frozen);
}

/*
 * At the cap, each side still undecided gets the fixed-sample rule: reject
 * when the observed share lies beyond its tolerance on that side. Sides that
 * already accepted keep their verdict, as in Sobel and Wald's procedure.
 */
static enum lg_sprt_verdict cap_rule(const struct lg_sprt *s, unsigned n,
				     unsigned k, unsigned frozen)
{
	double phat = (double)k / n;

	if (s->side[0].present && !(frozen & 1u) &&
	    phat - s->p0 > s->side[0].tol)
		return LG_SPRT_REJECT;
	if (s->side[1].present && !(frozen & 2u) &&
	    s->p0 - phat > s->side[1].tol)
		return LG_SPRT_REJECT;
	return LG_SPRT_ACCEPT;
}

enum lg_sprt_verdict lg_sprt_add(struct lg_sprt *s, bool success)
{
	if (s->verdict != LG_SPRT_CONTINUE)
		return s->verdict;
	s->n++;
	if (success)
		s->k++;
	s->verdict = sprt_judge(s, s->n, s->k, &s->frozen, &s->at_cap);
	return s->verdict;
}

enum lg_sprt_verdict lg_sprt_verdict(const struct lg_sprt *s)
{
	return s->verdict;
}

/* Bisection for the p in [0, 1] where f(p) crosses target; f monotone. */
static double solve_p(double (*f)(unsigned, unsigned, double), unsigned k,
		      unsigned n, double target, bool increasing)
{
	double lo = 0.0, hi = 1.0, mid;
	int it;

	for (it = 0; it < 100; it++) {
		mid = 0.5 * (lo + hi);
		if ((f(k, n, mid) < target) == increasing)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/* P(X >= k), increasing in p. */
static double binom_sf(unsigned k, unsigned n, double p)
{
	return k == 0 ? 1.0 : 1.0 - lg_binom_cdf(k - 1, n, p);
}

void lg_sprt_interval(const struct lg_sprt *s, double conf, double *lo,
		      double *hi)
{
	double tail = (1.0 - conf) / 2.0;

	*lo = 0.0;
	*hi = 1.0;
	if (s->n == 0)
		return;
	if (s->k > 0)
		*lo = solve_p(binom_sf, s->k, s->n, tail, true);
	if (s->k < s->n)
		*hi = solve_p(lg_binom_cdf, s->k, s->n, tail, false);
}

static enum lg_err describe_decision(const struct lg_sprt *s,
				     struct lg_buf *out)
{
	double a = 100.0 * (1.0 - s->p0), b = 100.0 * s->p0;
	const char *v = s->verdict == LG_SPRT_ACCEPT ? "accepted" : "rejected";

	if (s->verdict == LG_SPRT_CONTINUE)
		return lg_buf_addf(out, "no decision yet after %u requests",
				   s->n);
	if (!s->at_cap)
		return lg_buf_addf(out,
				   "decision after %u requests: %.0f/%.0f %s",
				   s->n, a, b, v);
	return lg_buf_addf(out,
			   "no early decision; at the cap of %u requests the "
			   "fixed-sample rule decided: %.0f/%.0f %s",
			   s->n, a, b, v);
}

enum lg_err lg_sprt_describe(const struct lg_sprt *s, const char *what,
			     struct lg_buf *out)
{
	double lo, hi;
	enum lg_err rc;

	if (!what)
		what = "successes";
	if (s->n == 0)
		return lg_buf_addf(out, "0/0 %s, no requests observed yet",
				   what);
	lg_sprt_interval(s, 0.95, &lo, &hi);
	rc = lg_buf_addf(out,
			 "%u/%u %s (%.0f %%), 95 %% interval [%.0f %%, "
			 "%.0f %%], ",
			 s->k, s->n, what, 100.0 * s->k / s->n, 100.0 * lo,
			 100.0 * hi);
	if (rc != LG_OK)
		return rc;
	return describe_decision(s, out);
}

/* Mass m moves to (n1 observations, k successes) from frozen state f. */
static void oc_move(const struct lg_sprt *s, unsigned n1, unsigned k,
		    unsigned f, double m, double *next, struct lg_sprt_oc *out)
{
	bool cap;

	switch (sprt_judge(s, n1, k, &f, &cap)) {
	case LG_SPRT_CONTINUE:
		next[k * 4 + f] += m;
		return;
	case LG_SPRT_ACCEPT:
		out->p_accept += m;
		break;
	case LG_SPRT_REJECT:
		out->p_reject += m;
		break;
	}
	out->asn += m * n1;
	if (cap)
		out->p_cap += m;
}

/*
 * One step of the dynamic programme: spread the mass of every undecided
 * state after n observations over its two successors. States are
 * (k, frozen) at index k * 4 + frozen.
 */
static void oc_step(const struct lg_sprt *s, double p, unsigned n,
		    const double *cur, double *next, struct lg_sprt_oc *out)
{
	unsigned k, f;
	double m;

	memset(next, 0, (size_t)(n + 2) * 4 * sizeof(*next));
	for (k = 0; k <= n; k++) {
		for (f = 0; f < 4; f++) {
			m = cur[k * 4 + f];
			if (m == 0.0)
				continue;
			oc_move(s, n + 1, k + 1, f, m * p, next, out);
			oc_move(s, n + 1, k, f, m * (1.0 - p), next, out);
		}
	}
}

void lg_sprt_oc(const struct lg_sprt *s, double p, struct lg_sprt_oc *out)
{
	double *cur, *next, *tmp;
	size_t cells = ((size_t)s->n_max + 2) * 4;
	unsigned n;

	memset(out, 0, sizeof(*out));
	cur = lg_xcalloc(cells, sizeof(*cur));
	next = lg_xcalloc(cells, sizeof(*next));
	cur[0] = 1.0;
	for (n = 0; n < s->n_max; n++) {
		oc_step(s, p, n, cur, next, out);
		tmp = cur;
		cur = next;
		next = tmp;
	}
	free(cur);
	free(next);
}

double lg_binom_cdf(unsigned k, unsigned n, double p)
{
	double lp, r, sum = 0.0;
	unsigned j;

	if (k >= n || p <= 0.0)
		return 1.0;
	if (p >= 1.0)
		return 0.0;
	/* log pmf by the ratio recurrence: thread-safe, unlike lgamma(). */
	lp = n * log1p(-p);
	r = log(p) - log1p(-p);
	for (j = 0; j <= k; j++) {
		sum += exp(lp);
		lp += log((double)(n - j) / (j + 1)) + r;
	}
	return sum > 1.0 ? 1.0 : sum;
}

/* The Binomial(n, p) probabilities of 0..n into pmf[]. */
static void binom_pmf(unsigned n, double p, double *pmf)
{
	double lp = n * log1p(-p), r = log(p) - log1p(-p);
	unsigned j;

	for (j = 0; j <= n; j++) {
		pmf[j] = exp(lp);
		if (j < n)
			lp += log((double)(n - j) / (j + 1)) + r;
	}
}

/*
 * The worst type II error of the equal-tailed exact test with n samples:
 * the acceptance region [a, b] keeps each present tail under alpha_side at
 * p0; beta is the mass of [a, b] at each alternative. pmf has n + 1 cells.
 */
static double fixed_beta(unsigned n, double p0, double delta, double alpha_side,
			 double *pmf)
{
	unsigned a = 0, b = n, j;
	double tail, worst = 0.0, acc;
	int i;

	binom_pmf(n, p0, pmf);
	if (is_inside(p0 - delta))
		for (tail = pmf[0]; a < n && tail <= alpha_side; tail += pmf[a])
			a++;
	if (is_inside(p0 + delta))
		for (tail = pmf[n]; b > 0 && tail <= alpha_side; tail += pmf[b])
			b--;
	for (i = 0; i < 2; i++) {
		if (!is_inside(side_p1(p0, delta, i)))
			continue;
		binom_pmf(n, side_p1(p0, delta, i), pmf);
		for (acc = 0.0, j = a; j <= b; j++)
			acc += pmf[j];
		worst = acc > worst ? acc : worst;
	}
	return worst;
}

/* The normal approximation of the fixed sample size (worst side). */
static double fixed_normal(double p0, double delta, double z_a, double z_b)
{
	double s0 = sqrt(p0 * (1.0 - p0)), s1, n, worst = 0.0;
	int i;

	for (i = 0; i < 2; i++) {
		if (!is_inside(side_p1(p0, delta, i)))
			continue;
		s1 =
		    sqrt(side_p1(p0, delta, i) * (1.0 - side_p1(p0, delta, i)));
		n = pow((z_a * s0 + z_b * s1) / delta, 2.0);
		worst = n > worst ? n : worst;
	}
	return ceil(worst);
}

unsigned lg_fixed_sample_size(double p0, double delta, double alpha,
			      double beta)
{
	double alpha_side, approx, *pmf;
	unsigned n, found = 0;

	if (!is_valid(p0, delta, alpha, beta))
		return 0;
	alpha_side = alpha / side_count(p0, delta);
	approx = fixed_normal(p0, delta, lg_normal_quantile(1.0 - alpha_side),
			      lg_normal_quantile(1.0 - beta));
	if (approx > FIXED_EXACT_MAX)
		return approx > 4e9 ? 0 : (unsigned)approx;
	/* The exact size is never below half the normal approximation. */
	pmf = lg_xcalloc(4 * (size_t)approx + 16, sizeof(*pmf));
	for (n = (unsigned)(approx / 2) + 1; n <= 4 * approx + 10; n++) {
		if (fixed_beta(n, p0, delta, alpha_side, pmf) <= beta) {
			found = n;
			break;
		}
	}
	free(pmf);
	return found ? found : (unsigned)approx;
}

static double normal_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

double lg_normal_quantile(double q)
{
	double lo = -40.0, hi = 40.0, mid;
	int it;

	if (q > 0.5)
		return -lg_normal_quantile(1.0 - q);
	for (it = 0; it < 200; it++) {
		mid = 0.5 * (lo + hi);
		if (normal_cdf(mid) < q)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

void lg_rng_seed(struct lg_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t lg_rng_next(struct lg_rng *r)
{
	uint64_t z = (r->state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

double lg_rng_uniform(struct lg_rng *r)
{
	return (double)(lg_rng_next(r) >> 11) * 0x1.0p-53;
}

bool lg_rng_bernoulli(struct lg_rng *r, double p)
{
	return lg_rng_uniform(r) < p;
}

/* SPDX-License-Identifier: MIT */
/* test_stats.c: the sequential split test's error rates, cap and tools. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../harness/stats.h"

#define RUNS 1000
#define P0 0.5
#define DELTA 0.3
#define ALPHA 0.001
#define BETA 0.01

struct mc {
	unsigned accepts, rejects, caps;
	double mean_n;
};

/* RUNS seeded runs of the default test against a true share p. */
static void monte_carlo(double p, uint64_t seed, struct mc *out)
{
	struct lg_sprt s;
	struct lg_rng rng;
	unsigned run, total = 0;

	memset(out, 0, sizeof(*out));
	lg_rng_seed(&rng, seed);
	for (run = 0; run < RUNS; run++) {
		assert_int_equal(
		    lg_sprt_init(&s, P0, DELTA, ALPHA, BETA, 0, NULL), LG_OK);
		while (lg_sprt_add(&s, lg_rng_bernoulli(&rng, p)) ==
		       LG_SPRT_CONTINUE)
			;
		out->accepts += s.verdict == LG_SPRT_ACCEPT;
		out->rejects += s.verdict == LG_SPRT_REJECT;
		out->caps += s.at_cap;
		total += s.n;
	}
	out->mean_n = (double)total / RUNS;
}

static void test_stats__true_split_rarely_fails(void **state)
{
	struct lg_sprt s;
	struct lg_sprt_oc oc;
	struct mc mc;

	(void)state;
	monte_carlo(0.5, 42, &mc);
	printf("p = 0.5: %u/%d runs rejected (rate %.4f, alpha %.3f), "
	       "%u reached the cap\n",
	       mc.rejects, RUNS, (double)mc.rejects / RUNS, ALPHA, mc.caps);
	/* 1 expected; 4 or more would have probability < 2 % if alpha held. */
	assert_true(mc.rejects <= 3);
	assert_int_equal(mc.accepts + mc.rejects, RUNS);

	/* The exact rate, cap included, over every path. */
	lg_sprt_init(&s, P0, DELTA, ALPHA, BETA, 0, NULL);
	lg_sprt_oc(&s, 0.5, &oc);
	printf("p = 0.5: exact P(reject) = %.6f\n", oc.p_reject);
	assert_true(oc.p_reject <= ALPHA);
	assert_true(oc.p_reject > ALPHA / 10); /* not trivially conservative */
	assert_true(fabs(oc.p_accept + oc.p_reject - 1.0) < 1e-9);
}

static void check_wrong_split(double p, uint64_t seed)
{
	struct lg_sprt s;
	struct lg_sprt_oc oc;
	struct mc mc;

	monte_carlo(p, seed, &mc);
	lg_sprt_init(&s, P0, DELTA, ALPHA, BETA, 0, NULL);
	lg_sprt_oc(&s, p, &oc);
	printf("p = %.1f: %u/%d runs passed (rate %.4f, beta %.2f), exact "
	       "%.6f, mean %.1f requests\n",
	       p, mc.accepts, RUNS, (double)mc.accepts / RUNS, BETA,
	       oc.p_accept, mc.mean_n);
	/* 10 expected; 26 or more would have probability < 1e-4. */
	assert_true(mc.accepts <= 25);
	assert_true(oc.p_accept <= BETA);
}

static void test_stats__wrong_split_rarely_passes(void **state)
{
	(void)state;
	check_wrong_split(0.8, 7);
	check_wrong_split(0.2, 8);
	check_wrong_split(0.9, 9);
	check_wrong_split(1.0, 10);
	check_wrong_split(0.0, 11);
}

static void test_stats__stops_early(void **state)
{
	struct lg_sprt s;
	struct lg_sprt_oc oc;
	struct mc mc;
	unsigned fixed = lg_fixed_sample_size(P0, DELTA, ALPHA, BETA);

	(void)state;
	monte_carlo(0.5, 4242, &mc);
	lg_sprt_init(&s, P0, DELTA, ALPHA, BETA, 0, NULL);
	lg_sprt_oc(&s, 0.5, &oc);
	printf("p = 0.5: mean %.1f requests (exact %.1f) vs %u for the fixed "
	       "test: %.0f %%\n",
	       mc.mean_n, oc.asn, fixed, 100.0 * oc.asn / fixed);
	assert_true(mc.mean_n <= fixed / 2.0);
	assert_true(oc.asn <= fixed / 2.0);
	lg_sprt_oc(&s, 0.0, &oc);
	assert_true(oc.asn <= fixed / 4.0); /* all v1: obviously wrong, fast */
	assert_true(fabs(mc.mean_n - 32.8) < 3.0);
}

static void test_stats__fixed_sample_size(void **state)
{
	unsigned n = lg_fixed_sample_size(P0, DELTA, ALPHA, BETA);

	(void)state;
	/* Checked independently (Python, exact binomial): at n = 78 the
	 * equal-tailed test accepts [25, 53] and holds both rates; at 77 the
	 * region [24, 53] lets 80/20 pass too often. */
	assert_int_equal(n, 78);
	assert_true(2 * lg_binom_cdf(24, 78, 0.5) <= ALPHA);
	assert_true(lg_binom_cdf(53, 78, 0.8) - lg_binom_cdf(24, 78, 0.8) <=
		    BETA);
	assert_true(lg_binom_cdf(53, 77, 0.8) - lg_binom_cdf(23, 77, 0.8) >
		    BETA);
	/* one side only when the other alternative leaves (0, 1) */
	assert_true(lg_fixed_sample_size(0.9, 0.2, ALPHA, BETA) > 0);
	assert_int_equal(lg_fixed_sample_size(0.5, 0.0, ALPHA, BETA), 0);
	assert_int_equal(lg_fixed_sample_size(0.5, 0.6, ALPHA, BETA), 0);
	/* large sizes come from the normal approximation, quickly */
	n = lg_fixed_sample_size(0.5, 0.01, ALPHA, BETA);
	assert_true(n > 78000 && n < 80000); /* ((3.29 + 2.33) / 2 / 0.01)^2 */
}

static void test_stats__cap_decides_by_fixed_rule(void **state)
{
	struct lg_sprt s;
	struct lg_buf b = LG_BUF_INIT;
	unsigned i;

	(void)state;
	/* 9 of 10: too few for the SPRT, beyond the tolerance at the cap */
	assert_int_equal(lg_sprt_init(&s, P0, DELTA, ALPHA, BETA, 10, NULL),
			 LG_OK);
	for (i = 0; i < 9; i++)
		assert_int_equal(lg_sprt_add(&s, i < 9), LG_SPRT_CONTINUE);
	assert_int_equal(lg_sprt_add(&s, false), LG_SPRT_REJECT);
	assert_true(s.at_cap);
	assert_int_equal(s.n, 10);
	/* decided: later answers are not counted */
	assert_int_equal(lg_sprt_add(&s, true), LG_SPRT_REJECT);
	assert_int_equal(s.n, 10);
	lg_sprt_describe(&s, "v3", &b);
	assert_non_null(strstr(b.buf, "at the cap of 10 requests"));
	assert_non_null(strstr(b.buf, "50/50 rejected"));
	lg_buf_release(&b);

	/* 6 of 10 is within the tolerance: accepted at the cap */
	lg_sprt_init(&s, P0, DELTA, ALPHA, BETA, 10, NULL);
	for (i = 0; i < 10; i++)
		lg_sprt_add(&s, i < 6);
	assert_int_equal(lg_sprt_verdict(&s), LG_SPRT_ACCEPT);
	assert_true(s.at_cap);
}

static void test_stats__decides_without_cap(void **state)
{
	struct lg_sprt s;
	unsigned i;

	(void)state;
	lg_sprt_init(&s, P0, DELTA, ALPHA, BETA, 0, NULL);
	assert_int_equal(s.n_max, 2 * 78);
	/* all v1: each miss moves the lower-side test up by log(1.6) */
	for (i = 0; i < 16; i++)
		assert_int_equal(lg_sprt_add(&s, false), LG_SPRT_CONTINUE);
	assert_int_equal(lg_sprt_add(&s, false), LG_SPRT_REJECT);
	assert_false(s.at_cap);
	/* a perfect alternation is accepted once both sides agree */
	lg_sprt_init(&s, P0, DELTA, ALPHA, BETA, 0, NULL);
	for (i = 0; lg_sprt_add(&s, i % 2) == LG_SPRT_CONTINUE; i++)
		;
	assert_int_equal(s.verdict, LG_SPRT_ACCEPT);
	assert_true(s.n >= 20 && s.n <= 22);
}

static void test_stats__init_validates(void **state)
{
	struct lg_sprt s;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_sprt_init(&s, 0.5, 0.6, ALPHA, BETA, 0, &err),
			 LG_EUSAGE);
	assert_non_null(strstr(err.msg, "delta 0.6"));
	assert_int_equal(lg_sprt_init(&s, 1.0, 0.3, ALPHA, BETA, 0, NULL),
			 LG_EUSAGE);
	assert_int_equal(lg_sprt_init(&s, 0.5, 0.3, 0.0, BETA, 0, NULL),
			 LG_EUSAGE);
	assert_int_equal(lg_sprt_init(&s, 0.5, 0.3, ALPHA, 1.0, 0, NULL),
			 LG_EUSAGE);
	/* one-sided: the upper alternative 1.1 does not exist */
	assert_int_equal(lg_sprt_init(&s, 0.9, 0.2, ALPHA, BETA, 0, NULL),
			 LG_OK);
	assert_false(s.side[0].present);
	assert_true(s.side[1].present);
	assert_true(fabs(s.upper - log(1.0 / ALPHA)) < 1e-12);
	/* an absurd tolerance still gets a sane cap, not 0 */
	assert_int_equal(lg_sprt_init(&s, 0.5, 1e-6, ALPHA, BETA, 0, NULL),
			 LG_OK);
	assert_int_equal(s.n_max, LG_SPRT_CAP_MAX);
	assert_int_equal(lg_sprt_add(&s, true), LG_SPRT_CONTINUE);
}

static void check_interval(unsigned k, unsigned n, double lo_want,
			   double hi_want)
{
	struct lg_sprt s;
	double lo, hi;

	lg_sprt_init(&s, P0, DELTA, ALPHA, BETA, 0, NULL);
	s.n = n;
	s.k = k;
	lg_sprt_interval(&s, 0.95, &lo, &hi);
	assert_true(fabs(lo - lo_want) < 1e-6);
	assert_true(fabs(hi - hi_want) < 1e-6);
}

static void test_stats__interval_known_values(void **state)
{
	(void)state;
	/* R: binom.test(k, n)$conf.int */
	check_interval(47, 100, 0.3694052, 0.5724185);
	check_interval(5, 10, 0.1870860, 0.8129140);
	check_interval(0, 10, 0.0, 0.3084971);
	check_interval(10, 10, 0.6915029, 1.0);
	check_interval(0, 0, 0.0, 1.0);
}

static void test_stats__describe(void **state)
{
	struct lg_sprt s;
	struct lg_buf b = LG_BUF_INIT;

	(void)state;
	lg_sprt_init(&s, P0, DELTA, ALPHA, BETA, 0, NULL);
	lg_sprt_describe(&s, "v3", &b);
	assert_string_equal(b.buf, "0/0 v3, no requests observed yet");
	lg_buf_reset(&b);
	s.n = 100;
	s.k = 47;
	s.verdict = LG_SPRT_ACCEPT;
	lg_sprt_describe(&s, "v3", &b);
	assert_string_equal(b.buf, "47/100 v3 (47 %), 95 % interval "
				   "[37 %, 57 %], decision after 100 "
				   "requests: 50/50 accepted");
	lg_buf_reset(&b);
	s.verdict = LG_SPRT_CONTINUE;
	lg_sprt_describe(&s, NULL, &b);
	assert_non_null(strstr(b.buf, "47/100 successes"));
	assert_non_null(strstr(b.buf, "no decision yet after 100 requests"));
	lg_buf_release(&b);
	/* a full buffer is reported, not overrun */
	lg_buf_init(&b, 10);
	s.verdict = LG_SPRT_ACCEPT;
	assert_int_equal(lg_sprt_describe(&s, "v3", &b), LG_ETOOBIG);
	lg_buf_release(&b);
}

static void test_stats__binomial_and_normal(void **state)
{
	(void)state;
	assert_true(fabs(lg_binom_cdf(5, 10, 0.5) - 638.0 / 1024) < 1e-12);
	assert_true(fabs(lg_binom_cdf(0, 10, 0.5) - 1.0 / 1024) < 1e-15);
	assert_true(lg_binom_cdf(10, 10, 0.3) == 1.0);
	assert_true(lg_binom_cdf(3, 10, 1.0) == 0.0);
	assert_true(lg_binom_cdf(3, 10, 0.0) == 1.0);
	assert_true(fabs(lg_normal_quantile(0.975) - 1.959963985) < 1e-8);
	assert_true(fabs(lg_normal_quantile(0.999) - 3.090232306) < 1e-8);
	assert_true(fabs(lg_normal_quantile(0.01) + 2.326347874) < 1e-8);
}

static void test_stats__rng_is_splitmix64(void **state)
{
	struct lg_rng a, b;
	double sum = 0.0;
	int i;

	(void)state;
	lg_rng_seed(&a, 0);
	/* the reference sequence of splitmix64 from seed 0 */
	assert_true(lg_rng_next(&a) == UINT64_C(0xe220a8397b1dcdaf));
	assert_true(lg_rng_next(&a) == UINT64_C(0x6e789e6aa1b965f4));
	lg_rng_seed(&a, 99);
	lg_rng_seed(&b, 99);
	for (i = 0; i < 10000; i++) {
		assert_true(lg_rng_next(&a) == lg_rng_next(&b));
		sum += lg_rng_uniform(&a);
		lg_rng_uniform(&b);
	}
	assert_true(fabs(sum / 10000 - 0.5) < 0.02);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stats__true_split_rarely_fails),
	    cmocka_unit_test(test_stats__wrong_split_rarely_passes),
	    cmocka_unit_test(test_stats__stops_early),
	    cmocka_unit_test(test_stats__fixed_sample_size),
	    cmocka_unit_test(test_stats__cap_decides_by_fixed_rule),
	    cmocka_unit_test(test_stats__decides_without_cap),
	    cmocka_unit_test(test_stats__init_validates),
	    cmocka_unit_test(test_stats__interval_known_values),
	    cmocka_unit_test(test_stats__describe),
	    cmocka_unit_test(test_stats__binomial_and_normal),
	    cmocka_unit_test(test_stats__rng_is_splitmix64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

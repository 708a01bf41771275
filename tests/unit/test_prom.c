/* SPDX-License-Identifier: MIT */
/* test_prom.c: the Prometheus text-format parser and its sums (prom.c). */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../harness/prom.h"

/* LG_TESTABLE helpers of checks/circuit_breaking.c and checks/mirroring.c:
 * the live metric logic, tested here on recorded sidecar texts. Index
 * order: UO, UH, NC, all calls to reviews, 5xx answered by reviews hosts;
 * v2 received, ratings from v2. */
void lg_circuit_breaking_count(const struct lg_prom *p, double counts[5]);
bool lg_circuit_breaking_judge(const double *before, const double *mid,
			       const double *after, bool can_eject,
			       double *control_uo, double *load_uo);
void lg_mirroring_count(const struct lg_prom *p, bool v2_side,
			double counts[2]);
void lg_mirroring_window(double pct, size_t n, double alpha, double slack,
			 double *lo, double *hi);

/* productpage's sidecar after a circuit-breaker run: the labels Istio 1.24
 * puts on istio_requests_total (docs/design.md, Istio facts: metrics). */
#define LBL_SRC                                                                \
	"reporter=\"source\",source_workload=\"productpage-v1\","              \
	"source_app=\"productpage\",destination_workload=\"reviews-v1\","      \
	"destination_version=\"v1\",destination_service=\"reviews.bookinfo."   \
	"svc.cluster.local\",destination_service_name=\"reviews\","            \
	"request_protocol=\"http\","

static const char istio_text[] =
    "# HELP istio_requests_total Total requests.\n"
    "# TYPE istio_requests_total counter\n"
    "istio_requests_total{" LBL_SRC "response_code=\"200\","
    "response_flags=\"-\"} 57\n"
    "istio_requests_total{" LBL_SRC "response_code=\"503\","
    "response_flags=\"UO\"} 12\n"
    "istio_requests_total{reporter=\"source\",source_workload=\""
    "productpage-v1\",destination_workload=\"unknown\","
    "destination_service_name=\"reviews\",response_code=\"503\","
    "response_flags=\"UO\"} 3\n"
    "istio_requests_total{reporter=\"source\",source_workload=\""
    "productpage-v1\",destination_workload=\"unknown\","
    "destination_service_name=\"reviews\",response_code=\"503\","
    "response_flags=\"UH\"} 4\n"
    "istio_requests_total{reporter=\"destination\",source_workload=\""
    "istio-gateway\",destination_workload=\"productpage-v1\","
    "destination_service_name=\"productpage\",response_code=\"200\","
    "response_flags=\"-\"} 72\n"
    "istio_requests_total{" LBL_SRC "response_code=\"503\","
    "response_flags=\"UO\"} NaN\n"
    "# TYPE envoy_cluster_upstream_rq_pending_overflow counter\n"
    "envoy_cluster_upstream_rq_pending_overflow{cluster_name=\"outbound|"
    "9080||reviews.bookinfo.svc.cluster.local\"} 15\n"
    "istio_build{component=\"proxy\",tag=\"1.24.2\"} 1\n";

static void test_prom__istio_sums(void **state)
{
	struct lg_prom p;
	struct lg_error err = {0};
	const struct lg_prom_match uo[] = {
	    {"reporter", "source"},
	    {"destination_service_name", "reviews"},
	    {"response_code", "503"},
	    {"response_flags", "UO"},
	};
	struct lg_prom_match uh[4];
	size_t k;

	(void)state;
	assert_int_equal(
	    lg_prom_parse(&p, istio_text, strlen(istio_text), NULL, &err),
	    LG_OK);
	assert_int_equal(p.n, 8);
	assert_int_equal(p.lines_bad, 0);
	/* 12 + 3; the NaN sample is matched by labels but not summed */
	assert_true(lg_prom_sum(&p, "istio_requests_total", uo, 4, &k) == 15.0);
	assert_int_equal(k, 2);
	memcpy(uh, uo, sizeof(uh));
	uh[3].value = "UH";
	assert_true(lg_prom_sum(&p, "istio_requests_total", uh, 4, &k) == 4.0);
	assert_int_equal(k, 1);
	uh[3].value = "DC";
	assert_true(lg_prom_sum(&p, "istio_requests_total", uh, 4, &k) == 0.0);
	assert_int_equal(k, 0);
	/* every sample of the name when no label is asked for */
	assert_true(lg_prom_sum(&p, "istio_requests_total", NULL, 0, &k) ==
		    57.0 + 12 + 3 + 4 + 72);
	assert_int_equal(k, 5);
	/* a label that is absent equals "" (PromQL) */
	uh[0].name = "no_such_label";
	uh[0].value = "";
	uh[3].value = "UH";
	assert_true(lg_prom_sum(&p, "istio_requests_total", uh, 4, NULL) ==
		    4.0);
	assert_string_equal(lg_prom_label(&p.samples[7], "tag"), "1.24.2");
	assert_null(lg_prom_label(&p.samples[7], "nope"));
	lg_prom_release(&p);
	/* only= keeps one metric */
	assert_int_equal(lg_prom_parse(&p, istio_text, strlen(istio_text),
				       "istio_build", &err),
			 LG_OK);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.samples[0].name, "istio_build");
	lg_prom_release(&p);
}

static void test_prom__syntax(void **state)
{
	static const char text[] =
	    "  # comment with { and \"\r\n"
	    "\n"
	    "a_b:c{l=\"x\\\\y\\\"z\\nw\",m=\"\" , } 1.5e3 1700000000123\r\n"
	    "plain -2\n"
	    "\tspaced   {  k = \"v\"  }   +Inf\n"
	    "neg -Inf\n"
	    "hex 0x1p4\n"
	    "last 7"; /* no final newline */
	struct lg_prom p;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_prom_parse(&p, text, strlen(text), NULL, &err),
			 LG_OK);
	assert_int_equal(p.lines_bad, 0);
	assert_int_equal(p.n, 6);
	assert_string_equal(p.samples[0].name, "a_b:c");
	assert_int_equal(p.samples[0].nlabels, 2);
	assert_string_equal(p.samples[0].labels[0].value, "x\\y\"z\nw");
	assert_string_equal(p.samples[0].labels[1].value, "");
	assert_true(p.samples[0].value == 1500.0);
	assert_true(p.samples[0].has_ts);
	assert_true(p.samples[0].ts == 1700000000123LL);
	assert_true(p.samples[1].value == -2.0);
	assert_false(p.samples[1].has_ts);
	assert_string_equal(p.samples[2].name, "spaced");
	assert_string_equal(lg_prom_label(&p.samples[2], "k"), "v");
	assert_true(isinf(p.samples[2].value) && p.samples[2].value > 0);
	assert_true(isinf(p.samples[3].value) && p.samples[3].value < 0);
	assert_true(p.samples[4].value == 16.0);
	assert_true(p.samples[5].value == 7.0);
	lg_prom_release(&p);
}

/* Each line is malformed; each is skipped and counted, the good one stays. */
static void test_prom__bad_lines_skipped(void **state)
{
	static const char *const bad[] = {
	    "m{l=\"unterminated} 1",
	    "m{l=\"v\"",
	    "m{l=\"v\" 1",
	    "m{l=v} 1",
	    "m{=\"v\"} 1",
	    "m{l=\"\\q\"} 1",
	    "m{l=\"v\"}",
	    "m 1 2 3",
	    "m one",
	    "m 1 1.5",
	    "m nanx",
	    "m 1,5",
	    "9m 1",
	    "{l=\"v\"} 1",
	    "m{l=\"v\"}{} 1",
	    "m 1e",
	    "m 123456789012345678901234567890123456789012345678901234567890123"
	    "45678901",
	};
	struct lg_buf b = LG_BUF_INIT;
	struct lg_prom p;
	struct lg_error err = {0};
	size_t i;

	(void)state;
	for (i = 0; i < LG_ARRAY_SIZE(bad); i++)
		lg_buf_addf(&b, "%s\n", bad[i]);
	lg_buf_adds(&b, "good{l=\"v\"} 3\n");
	assert_int_equal(lg_prom_parse(&p, b.buf, b.len, NULL, &err), LG_OK);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.lines_bad, LG_ARRAY_SIZE(bad));
	assert_int_equal(p.first_bad, 1);
	assert_string_equal(p.samples[0].name, "good");
	lg_prom_release(&p);
	lg_buf_release(&b);
}

static void test_prom__garbage_is_parse_error(void **state)
{
	static const char html[] =
	    "<html><body>503 Service Unavailable</body></html>\n";
	static const char nul[] = "m{l=\"a\0b\"} 1\nx\0 2\n";
	struct lg_prom p;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_prom_parse(&p, html, strlen(html), NULL, &err),
			 LG_EPARSE);
	assert_non_null(strstr(err.msg, "not Prometheus metrics: line 1"));
	assert_int_equal(p.n, 0);
	assert_null(p.samples);
	/* empty and comment-only texts are valid and empty */
	lg_error_clear(&err);
	assert_int_equal(lg_prom_parse(&p, "", 0, NULL, &err), LG_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(lg_prom_parse(&p, "# x\n\n", 5, NULL, &err), LG_OK);
	assert_int_equal(p.n, 0);
	/* embedded NULs: the label keeps its bytes up to the NUL (C strings),
	 * the line after a NUL in a name is malformed */
	assert_int_equal(lg_prom_parse(&p, nul, sizeof(nul) - 1, NULL, &err),
			 LG_OK);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.lines_bad, 1);
	lg_prom_release(&p);
}

static void test_prom__caps(void **state)
{
	size_t big = LG_PROM_MAX_TEXT + 1, i;
	char *text = lg_xmalloc(big);
	struct lg_buf b = LG_BUF_INIT;
	struct lg_prom p;
	struct lg_error err = {0};

	(void)state;
	memset(text, '\n', big);
	assert_int_equal(lg_prom_parse(&p, text, big, NULL, &err), LG_ETOOBIG);
	free(text);
	/* too many samples */
	lg_error_clear(&err);
	for (i = 0; i <= LG_PROM_MAX_SAMPLES; i++)
		lg_buf_adds(&b, "a 1\n");
	assert_int_equal(lg_prom_parse(&p, b.buf, b.len, NULL, &err),
			 LG_ETOOBIG);
	assert_int_equal(p.n, 0);
	assert_non_null(strstr(err.msg, "samples"));
	/* ...but filtered ones do not count */
	assert_int_equal(lg_prom_parse(&p, b.buf, b.len, "b", &err), LG_OK);
	assert_int_equal(p.n, 0);
	lg_buf_release(&b);
	/* too many labels */
	lg_buf_adds(&b, "m{");
	for (i = 0; i <= LG_PROM_MAX_LABELS; i++)
		lg_buf_addf(&b, "l%zu=\"v\",", i);
	lg_buf_adds(&b, "} 1\nok 2\n");
	assert_int_equal(lg_prom_parse(&p, b.buf, b.len, NULL, &err), LG_OK);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.lines_bad, 1);
	lg_prom_release(&p);
	lg_buf_release(&b);
}

/* Values read the same whatever LC_NUMERIC says. */
static void test_prom__locale_independent(void **state)
{
	struct lg_prom p;
	struct lg_error err = {0};
	const char *loc = setlocale(LC_NUMERIC, "es_ES.UTF-8");

	(void)state;
	if (!loc)
		loc = setlocale(LC_NUMERIC, "de_DE.UTF-8");
	assert_int_equal(lg_prom_parse(&p, "m 0.5\n", 6, NULL, &err), LG_OK);
	assert_int_equal(p.n, 1);
	assert_true(p.samples[0].value == 0.5);
	lg_prom_release(&p);
	setlocale(LC_NUMERIC, "C");
}

/* Deterministic mutation fuzzing: truncations, flipped and inserted bytes
 * of the istio text never crash, leak or break the struct's invariants. */
static void test_prom__fuzz(void **state)
{
	static const char alphabet[] = "{}\"\\=, \t\n#\r0aZ:_.+-eInN\0";
	size_t len = strlen(istio_text), i, j, k, n;
	uint32_t x = 2463534242u;
	char *buf = lg_xmalloc(len * 2);
	struct lg_prom p;
	struct lg_error err;

	(void)state;
	for (i = 0; i < 3000; i++) {
		memcpy(buf, istio_text, len);
		n = len;
		for (j = 0; j < 1 + i % 8; j++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			k = x % n;
			buf[k] = alphabet[(x >> 8) % (sizeof(alphabet) - 1)];
		}
		if (i % 3 == 0)
			n = x % len;
		lg_error_clear(&err);
		if (lg_prom_parse(&p, buf, n, NULL, &err) != LG_OK) {
			assert_int_equal(err.code, LG_EPARSE);
			assert_int_equal(p.n, 0);
			continue;
		}
		for (k = 0; k < p.n; k++) {
			assert_non_null(p.samples[k].name);
			assert_true(p.samples[k].nlabels <= LG_PROM_MAX_LABELS);
		}
		(void)lg_prom_sum(&p, "istio_requests_total", NULL, 0, NULL);
		lg_prom_release(&p);
	}
	free(buf);
}

/* ---- the checks' live metric logic -------------------------------- */

static void parse_ok(struct lg_prom *p, const char *text)
{
	struct lg_error err = {0};

	assert_int_equal(
	    lg_prom_parse(p, text, strlen(text), "istio_requests_total", &err),
	    LG_OK);
}

#define PP_BASE                                                                \
	"istio_requests_total{reporter=\"source\",source_workload=\""          \
	"productpage-v1\",destination_service_name=\"reviews\","

static void test_prom__circuit_breaking_counts(void **state)
{
	static const char before[] =
	    PP_BASE "response_code=\"200\",response_flags=\"-\"} 100\n";
	static const char mid[] =
	    PP_BASE "response_code=\"200\",response_flags=\"-\"} 110\n";
	static const char after[] = PP_BASE
	    "response_code=\"200\",response_flags=\"-\"} 150\n" PP_BASE
	    "destination_workload=\"reviews-v1\",response_code=\"503\","
	    "response_flags=\"UO\"} 12\n" PP_BASE
	    "destination_workload=\"unknown\",response_code=\"503\","
	    "response_flags=\"UO\"} 3\n" PP_BASE
	    "response_code=\"503\",response_flags=\"UH\"} 4\n"
	    /* the destination side and other services do not count */
	    "istio_requests_total{reporter=\"destination\",destination_"
	    "service_name=\"reviews\",response_code=\"503\",response_flags="
	    "\"UO\"} 99\n" PP_BASE
	    "response_code=\"504\",response_flags=\"UO\"} 98\n"
	    "istio_requests_total{reporter=\"source\",destination_service_"
	    "name=\"ratings\",response_code=\"503\",response_flags=\"UO\"} "
	    "97\n";
	double c0[5] = {0}, c1[5] = {0}, c2[5] = {0}, ctl, load;
	struct lg_prom p;

	(void)state;
	parse_ok(&p, before);
	lg_circuit_breaking_count(&p, c0);
	lg_prom_release(&p);
	parse_ok(&p, mid);
	lg_circuit_breaking_count(&p, c1);
	lg_prom_release(&p);
	parse_ok(&p, after);
	lg_circuit_breaking_count(&p, c2);
	/* counts add up over pods: the same text twice doubles them */
	lg_circuit_breaking_count(&p, c2);
	lg_prom_release(&p);
	assert_true(c2[0] == 30.0 && c2[1] == 8.0 && c2[2] == 0.0);
	assert_true(c2[3] == 2 * (150.0 + 12 + 3 + 4 + 98));
	assert_true(c2[4] == 0.0);
	assert_true(lg_circuit_breaking_judge(c0, c1, c2, false, &ctl, &load));
	assert_true(ctl == 0.0);
	assert_true(load == 30.0);
	/* a restarted productpage counts from zero again */
	c2[0] = 5;
	c1[0] = 40;
	lg_circuit_breaking_judge(c0, c1, c2, false, &ctl, &load);
	assert_true(ctl == 40.0);
	assert_true(load == 5.0);
}

/*
 * What Istio 1.24 really reports: a 503 NC has no cluster metadata, so the
 * service name comes from the Host header ("reviews:9080"); a failing host
 * retried by the default policy until the retries ran out shows as URX.
 * Neither may be lost, and a service whose name only starts with
 * "reviews" is another service.
 */
static void test_prom__circuit_breaking_host_header_and_urx(void **state)
{
#define SRC "istio_requests_total{reporter=\"source\",destination_service_name="
	static const char text[] = SRC
	    "\"reviews:9080\",response_code=\"503\",response_flags=\"NC\"} "
	    "6\n" SRC
	    "\"reviews.bookinfo.svc.cluster.local\",response_code=\"503\","
	    "response_flags=\"NC\"} 1\n" SRC
	    "\"reviews\",response_code=\"503\",response_flags=\"URX\"} 4\n" SRC
	    "\"reviewsx\",response_code=\"503\",response_flags=\"NC\"} 50\n" SRC
	    "\"reviews-v2\",response_code=\"503\",response_flags=\"URX\"} 50\n"
	    /* a reviews pod's own sidecar: the host failed, whatever the
	     * client then saw; 200s and other services do not count */
	    "istio_requests_total{reporter=\"destination\",destination_service_"
	    "name=\"reviews\",response_code=\"503\",response_flags=\"-\"} 2\n"
	    "istio_requests_total{reporter=\"destination\",destination_service_"
	    "name=\"reviews\",response_code=\"200\",response_flags=\"-\"} 9\n"
	    "istio_requests_total{reporter=\"destination\",destination_service_"
	    "name=\"ratings\",response_code=\"503\",response_flags=\"-\"} 9\n";
#undef SRC
	double c[5] = {0};
	struct lg_prom p;

	(void)state;
	parse_ok(&p, text);
	lg_circuit_breaking_count(&p, c);
	lg_prom_release(&p);
	assert_true(c[2] == 7.0); /* NC, by Host header and by FQDN */
	assert_true(c[4] == 6.0); /* URX at the client, 503 - at the host */
	assert_true(c[3] == 11.0);
	assert_true(c[0] == 0.0 && c[1] == 0.0);
}

/* A failing reviews host: its own 503s, then every call UH once ejected. */
static void test_prom__circuit_breaking_ejection(void **state)
{
	static const char before[] =
	    PP_BASE "response_code=\"200\",response_flags=\"-\"} 100\n";
	static const char after[] =
	    PP_BASE "response_code=\"200\",response_flags=\"-\"} 100\n" PP_BASE
		    "response_code=\"503\",response_flags=\"-\"} 1\n" PP_BASE
		    "response_code=\"500\",response_flags=\"-\"} 2\n" PP_BASE
		    "response_code=\"404\",response_flags=\"-\"} 7\n" PP_BASE
		    "response_code=\"503\",response_flags=\"UH\"} 69\n";
	static const char no_endpoints[] =
	    PP_BASE "response_code=\"200\",response_flags=\"-\"} 100\n" PP_BASE
		    "response_code=\"503\",response_flags=\"UH\"} 69\n";
	double c0[5] = {0}, c2[5] = {0}, c3[5] = {0}, ctl, load;
	struct lg_prom p;

	(void)state;
	parse_ok(&p, before);
	lg_circuit_breaking_count(&p, c0);
	lg_prom_release(&p);
	parse_ok(&p, after);
	lg_circuit_breaking_count(&p, c2);
	lg_prom_release(&p);
	parse_ok(&p, no_endpoints);
	lg_circuit_breaking_count(&p, c3);
	lg_prom_release(&p);
	assert_true(c2[4] == 3.0); /* 503 and 500 with no flag, not the 404 */
	assert_true(c2[1] == 69.0);
	/* tripped by ejection only when the rule can eject */
	assert_true(lg_circuit_breaking_judge(c0, c0, c2, true, &ctl, &load));
	assert_true(load == 0.0);
	assert_false(lg_circuit_breaking_judge(c0, c0, c2, false, &ctl, &load));
	/* the failure may predate the window: the host stayed ejected */
	assert_true(lg_circuit_breaking_judge(c2, c2, c2, true, &ctl, &load) ==
		    false); /* no new UH */
	c0[1] = 10;
	c0[4] = 3;
	assert_true(lg_circuit_breaking_judge(c0, c0, c2, true, &ctl, &load));
	/* UH without failing hosts (no endpoints) is not the breaker */
	assert_false(lg_circuit_breaking_judge(c0, c0, c3, true, &ctl, &load));
}

static void test_prom__mirroring_counts(void **state)
{
	static const char v2[] =
	    "istio_requests_total{reporter=\"destination\",source_workload=\""
	    "productpage-v1\",destination_workload=\"reviews-v2\"} 120\n"
	    /* v2's own calls to ratings, counted on its source side */
	    "istio_requests_total{reporter=\"source\",source_workload=\""
	    "reviews-v2\",destination_workload=\"ratings-v1\"} 50\n";
	static const char ratings[] =
	    "istio_requests_total{reporter=\"destination\",source_workload=\""
	    "reviews-v2\",destination_workload=\"ratings-v1\"} 7\n"
	    "istio_requests_total{reporter=\"destination\",source_workload=\""
	    "reviews-v3\",destination_workload=\"ratings-v1\"} 5\n";
	double c[2] = {0};
	struct lg_prom p;

	(void)state;
	parse_ok(&p, v2);
	lg_mirroring_count(&p, true, c);
	lg_prom_release(&p);
	parse_ok(&p, ratings);
	lg_mirroring_count(&p, false, c);
	lg_prom_release(&p);
	assert_true(c[0] == 120.0);
	assert_true(c[1] == 7.0);
}

static void test_prom__mirroring_window(void **state)
{
	double lo, hi;

	(void)state;
	/* Binomial(40, 0.5): P(X <= 9) <= 0.0005 < P(X <= 10), and P(X <=
	 * 29) < 0.9995 <= P(X <= 30) (computed exactly), then +-2 */
	lg_mirroring_window(50, 40, 0.001, 2, &lo, &hi);
	assert_true(lo == 8.0 && hi == 32.0);
	/* no mirror (0) and everything mirrored (40) fall outside */
	assert_true(0 < lo && 40 > hi);
	lg_mirroring_window(50, 40, 0.001, 0, &lo, &hi);
	assert_true(lo == 10.0 && hi == 30.0);
	lg_mirroring_window(100, 40, 0.001, 2, &lo, &hi);
	assert_true(lo == 38.0 && hi == 42.0);
	lg_mirroring_window(0, 40, 0.001, 2, &lo, &hi);
	assert_true(lo == 0.0 && hi == 2.0);
	lg_mirroring_window(50, 0, 0.001, 2, &lo, &hi);
	assert_true(lo == 0.0 && hi == 2.0);
}

static void test_prom__increase(void **state)
{
	(void)state;
	assert_true(lg_prom_increase(10, 25) == 15.0);
	assert_true(lg_prom_increase(10, 4) == 4.0); /* reset */
	assert_true(lg_prom_increase(NAN, 4) == 0.0);
	assert_true(lg_prom_increase(3, -1) == 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prom__istio_sums),
	    cmocka_unit_test(test_prom__syntax),
	    cmocka_unit_test(test_prom__bad_lines_skipped),
	    cmocka_unit_test(test_prom__garbage_is_parse_error),
	    cmocka_unit_test(test_prom__caps),
	    cmocka_unit_test(test_prom__locale_independent),
	    cmocka_unit_test(test_prom__fuzz),
	    cmocka_unit_test(test_prom__circuit_breaking_counts),
	    cmocka_unit_test(test_prom__circuit_breaking_ejection),
	    cmocka_unit_test(test_prom__circuit_breaking_host_header_and_urx),
	    cmocka_unit_test(test_prom__mirroring_counts),
	    cmocka_unit_test(test_prom__mirroring_window),
	    cmocka_unit_test(test_prom__increase),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

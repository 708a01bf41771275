/* SPDX-License-Identifier: MIT */
/* test_promql.c: Prometheus' query API answers read into samples
 * (promql.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../harness/promql.h"

/* An answer as Prometheus 2.54 writes it for a plain selector. */
static const char vector[] =
    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
    "[{\"metric\":{\"__name__\":\"istio_requests_total\",\"reporter\":"
    "\"destination\",\"destination_service_name\":\"reviews\"},\"value\":"
    "[1795000000.5,\"12\"]},{\"metric\":{\"__name__\":\"istio_requests_"
    "total\",\"reporter\":\"destination\",\"destination_service_name\":"
    "\"ratings\"},\"value\":[1795000000.5,\"3\"]},{\"metric\":{\"__name__\":"
    "\"istio_requests_total\",\"destination_service_name\":\"reviews\"},"
    "\"value\":[1795000000.5,\"NaN\"]}]}}";

static void test_promql__vector_sums(void **state)
{
	struct lg_prom p;
	struct lg_error err = {0};
	struct lg_prom_match m = {"destination_service_name", "reviews"};
	size_t n = 0;

	(void)state;
	assert_int_equal(lg_promql_parse(vector, strlen(vector), &p, &err),
			 LG_OK);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.samples[1].name, "istio_requests_total");
	assert_string_equal(lg_prom_label(&p.samples[1], "reporter"),
			    "destination");
	assert_null(lg_prom_label(&p.samples[1], "__name__"));
	assert_true(p.samples[0].has_ts && p.samples[0].ts == 1795000000500LL);
	/* the NaN series is skipped, as lg_prom_sum does for texts */
	assert_true(lg_prom_sum(&p, "istio_requests_total", &m, 1, &n) == 12);
	assert_int_equal(n, 1);
	lg_prom_release(&p);
}

static void test_promql__sum_by_drops_name(void **state)
{
	static const char sum[] =
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{\"destination_service_name\":"
	    "\"details\"},\"value\":[1,\"+Inf\"]}]}}";
	static const char scalar[] = "{\"status\":\"success\",\"data\":{"
				     "\"resultType\":\"scalar\",\"result\":"
				     "[1,\"4.5\"]}}";
	struct lg_prom p;

	(void)state;
	assert_int_equal(lg_promql_parse(sum, strlen(sum), &p, NULL), LG_OK);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.samples[0].name, "");
	assert_true(isinf(p.samples[0].value));
	lg_prom_release(&p);
	assert_int_equal(lg_promql_parse(scalar, strlen(scalar), &p, NULL),
			 LG_OK);
	assert_true(p.n == 1 && p.samples[0].value == 4.5);
	lg_prom_release(&p);
}

static void test_promql__errors(void **state)
{
	static const char bad_data[] =
	    "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
	    "\"1:1: parse error: unexpected character\"}";
	static const char matrix[] =
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[]}}";
	static const char html[] = "<html><body>Kiali</body></html>";
	static const char bad_value[] =
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{},\"value\":[1,\"12x\"]}]}}";
	struct lg_prom p;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_promql_parse(bad_data, strlen(bad_data), &p, &err),
			 LG_EHTTP);
	assert_non_null(strstr(err.msg, "bad_data"));
	assert_int_equal(p.n, 0);
	lg_error_clear(&err);
	assert_int_equal(lg_promql_parse(matrix, strlen(matrix), &p, &err),
			 LG_EPARSE);
	assert_non_null(strstr(err.msg, "matrix"));
	assert_int_equal(lg_promql_parse(html, strlen(html), &p, NULL),
			 LG_EPARSE);
	assert_int_equal(
	    lg_promql_parse(bad_value, strlen(bad_value), &p, NULL), LG_EPARSE);
	assert_int_equal(p.n, 0);
	/* a body cut short is not parsed past its length */
	assert_int_equal(lg_promql_parse(vector, 40, &p, NULL), LG_EPARSE);
	assert_int_equal(lg_promql_parse(NULL, 0, &p, NULL), LG_EPARSE);
}

static void test_promql__escape(void **state)
{
	char *e =
	    lg_promql_escape("istio_requests_total{a=\"b c\",d=~\"x|y\"}");

	(void)state;
	assert_string_equal(e, "istio_requests_total%7Ba%3D%22b%20c%22%2Cd%3D~"
			       "%22x%7Cy%22%7D");
	free(e);
	e = lg_promql_escape("");
	assert_string_equal(e, "");
	free(e);
}

/* The service's own answer fails the check; the way there is an error. */
static void test_promql__target_fault(void **state)
{
	(void)state;
	assert_true(lg_promql_target_fault(LG_ENOTFOUND, 404));
	assert_true(lg_promql_target_fault(LG_ESERVER, 503));
	assert_true(lg_promql_target_fault(LG_EHTTP, 400));
	assert_false(lg_promql_target_fault(LG_EFORBIDDEN, 403));
	assert_false(lg_promql_target_fault(LG_EAUTH, 401));
	assert_false(lg_promql_target_fault(LG_ESERVER, 429));
	assert_false(lg_promql_target_fault(LG_ESERVER, 500));
	assert_false(lg_promql_target_fault(LG_ETIMEOUT, 0));
	assert_false(lg_promql_target_fault(LG_EPARSE, 200));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_promql__vector_sums),
	    cmocka_unit_test(test_promql__sum_by_drops_name),
	    cmocka_unit_test(test_promql__errors),
	    cmocka_unit_test(test_promql__escape),
	    cmocka_unit_test(test_promql__target_fault),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

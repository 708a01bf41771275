/* SPDX-License-Identifier: MIT */
/* test_result.c: unit tests of the result model (harness/result.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../harness/result.h"

static void test_result__init_copies_and_release_empties(void **state)
{
	struct lg_result res;
	char id[] = "gateway";

	(void)state;
	lg_result_init(&res, id, "Bookinfo ingress gateway", 3);
	id[0] = 'X';
	assert_string_equal(res.id, "gateway");
	assert_string_equal(res.title, "Bookinfo ingress gateway");
	assert_int_equal(res.objective, 3);
	assert_int_equal(res.verdict, LG_PASS);
	assert_null(res.message);
	lg_result_release(&res);
	assert_null(res.id);
	assert_int_equal(res.nasserts, 0);
	/* releasing twice, or an all-zero result, is safe */
	lg_result_release(&res);
}

static void test_result__verdict_names(void **state)
{
	(void)state;
	assert_string_equal(lg_verdict_name(LG_PASS), "pass");
	assert_string_equal(lg_verdict_name(LG_FAIL), "fail");
	assert_string_equal(lg_verdict_name(LG_ERROR), "error");
	assert_string_equal(lg_verdict_name(LG_SKIP), "skip");
	assert_string_equal(lg_verdict_name((enum lg_verdict)42), "unknown");
}

static void test_result__assert_records_points_and_drops_hint(void **state)
{
	struct lg_result res;

	(void)state;
	lg_result_init(&res, "istio-install", "t", 1);
	assert_true(lg_result_assert(&res, "istiod-deployed", "istiod", true, 2,
				     "present", "present", "ignored"));
	assert_false(lg_result_assert(&res, "istio-version", "version", false,
				      3, "1.24.x", "1.23.2", "upgrade"));
	assert_int_equal(res.nasserts, 2);
	assert_null(res.asserts[0].hint);
	assert_true(res.asserts[0].points == 2);
	assert_string_equal(res.asserts[1].hint, "upgrade");
	assert_string_equal(res.asserts[1].observed, "1.23.2");
	assert_true(res.asserts[1].points == 0);
	assert_true(res.asserts[1].max_points == 3);
	assert_true(lg_result_points(&res) == 2);
	assert_true(lg_result_max_points(&res) == 5);
	res.max_points = 10; /* the rubric's total wins when set */
	assert_true(lg_result_max_points(&res) == 10);
	lg_result_release(&res);
}

static void test_result__first_message_wins(void **state)
{
	struct lg_result res;

	(void)state;
	lg_result_init(&res, "x", "t", 1);
	assert_int_equal(lg_result_failf(&res, "first %d", 1), LG_FAIL);
	assert_int_equal(lg_result_failf(&res, "second"), LG_FAIL);
	assert_string_equal(res.message, "first 1");
	assert_int_equal(res.nevidence, 1);
	assert_string_equal(res.evidence[0], "second");
	lg_result_release(&res);
}

static void test_result__error_overrides_fail_and_pass(void **state)
{
	struct lg_result res;

	(void)state;
	lg_result_init(&res, "x", "t", 1);
	lg_result_failf(&res, "wrong label");
	assert_int_equal(lg_result_errorf(&res, "403 from RBAC"), LG_ERROR);
	assert_int_equal(res.verdict, LG_ERROR);
	/* the worse verdict brings its message; the fail's is evidence */
	assert_string_equal(res.message, "403 from RBAC");
	assert_string_equal(res.evidence[0], "wrong label");
	/* a later fail or skip cannot lower an error */
	assert_int_equal(lg_result_failf(&res, "later"), LG_ERROR);
	assert_int_equal(lg_result_skipf(&res, "later"), LG_ERROR);
	assert_string_equal(res.message, "403 from RBAC");
	assert_int_equal(lg_result_finish(&res), LG_ERROR);
	lg_result_release(&res);
}

static void test_result__fail_overrides_pass_not_error(void **state)
{
	struct lg_result res;

	(void)state;
	lg_result_init(&res, "x", "t", 1);
	lg_result_errorf(&res, "timeout");
	assert_int_equal(lg_result_failf(&res, "wrong"), LG_ERROR);
	assert_string_equal(res.message, "timeout");
	lg_result_release(&res);

	lg_result_init(&res, "x", "t", 1);
	lg_result_skipf(&res, "no gateway");
	assert_int_equal(res.verdict, LG_SKIP);
	assert_int_equal(lg_result_failf(&res, "wrong"), LG_FAIL);
	lg_result_release(&res);
}

static void test_result__finish_fails_on_failed_assertion(void **state)
{
	struct lg_result res;

	(void)state;
	lg_result_init(&res, "x", "t", 1);
	lg_result_assert(&res, "a", "first ok", true, 1, "e", "o", NULL);
	lg_result_assert(&res, "b", "pods have sidecar", false, 1, "e", "o",
			 "h");
	lg_result_assert(&res, "c", "third", false, 1, "e", "o", "h");
	assert_int_equal(lg_result_finish(&res), LG_FAIL);
	assert_string_equal(res.message, "pods have sidecar");
	lg_result_release(&res);

	lg_result_init(&res, "x", "t", 1);
	lg_result_assert(&res, "a", "ok", true, 1, "e", "o", NULL);
	assert_int_equal(lg_result_finish(&res), LG_PASS);
	assert_null(res.message);
	lg_result_release(&res);
}

static void test_result__finish_keeps_skip_and_message(void **state)
{
	struct lg_result res;

	(void)state;
	lg_result_init(&res, "x", "t", 1);
	lg_result_assert(&res, "a", "partial", true, 4, "e", "o", NULL);
	lg_result_skipf(&res, "prerequisite %s failed", "gateway");
	assert_int_equal(lg_result_finish(&res), LG_SKIP);
	assert_string_equal(res.message, "prerequisite gateway failed");
	assert_true(lg_result_points(&res) == 0); /* skips earn nothing */
	lg_result_release(&res);

	lg_result_init(&res, "x", "t", 1);
	lg_result_assert(&res, "a", "what", false, 1, "e", "o", "h");
	lg_result_failf(&res, "explicit");
	assert_int_equal(lg_result_finish(&res), LG_FAIL);
	assert_string_equal(res.message, "explicit");
	lg_result_release(&res);
}

static void test_result__evidence_keeps_control_chars(void **state)
{
	struct lg_result res;

	(void)state;
	lg_result_init(&res, "x", NULL, 1);
	lg_result_evidencef(&res, "GET %s -> %d", "/api/v1\x1b[31m", 200);
	lg_result_evidencef(&res, "line2");
	assert_int_equal(res.nevidence, 2);
	assert_string_equal(res.evidence[0], "GET /api/v1\x1b[31m -> 200");
	assert_null(res.title);
	lg_result_release(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_result__init_copies_and_release_empties),
	    cmocka_unit_test(test_result__verdict_names),
	    cmocka_unit_test(test_result__assert_records_points_and_drops_hint),
	    cmocka_unit_test(test_result__first_message_wins),
	    cmocka_unit_test(test_result__error_overrides_fail_and_pass),
	    cmocka_unit_test(test_result__fail_overrides_pass_not_error),
	    cmocka_unit_test(test_result__finish_fails_on_failed_assertion),
	    cmocka_unit_test(test_result__finish_keeps_skip_and_message),
	    cmocka_unit_test(test_result__evidence_keeps_control_chars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

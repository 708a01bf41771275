/* SPDX-License-Identifier: MIT */
/* test_class.c: unit tests of the class outputs (reports/class.c) and of
 * reading a JSON report back (reports/json_read.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../reports/class.h"

/* Two objectives: a (5 of 5 points) and b (1 of 4). */
static void make_results(struct lg_result *r)
{
	lg_result_init(&r[0], "a-obj", "A", 1);
	lg_result_assert(&r[0], "k1", "one", true, 5, "x", "x", NULL);
	r[0].verdict = LG_PASS;
	lg_result_init(&r[1], "b-obj", "B", 2);
	lg_result_assert(&r[1], "k2", "two", true, 1, "y", "y", NULL);
	lg_result_assert(&r[1], "k3", "three", false, 3, "z", "w", "fix it");
	r[1].verdict = LG_FAIL;
}

static char *capture(enum lg_err (*w)(FILE *, const struct lg_class_entry *,
				      size_t, struct lg_error *),
		     const struct lg_class_entry *e, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct lg_error err = {0};

	assert_non_null(f);
	assert_int_equal(w(f, e, n, &err), LG_OK);
	fclose(f);
	return text;
}

static void test_class__csv_points_and_escaping(void **state)
{
	struct lg_result r[2];
	struct lg_report rep = {0};
	struct lg_class_entry e[2] = {{0}};
	char *csv;

	(void)state;
	make_results(r);
	rep.results = r;
	rep.nresults = 2;
	e[0] = (struct lg_class_entry){"ana", NULL, &rep, 1, 0};
	/* a name a spreadsheet would run, and a reason with a quote */
	e[1] =
	    (struct lg_class_entry){"=cmd", "said \"no\", twice", &rep, 3, 1};
	csv = capture(lg_class_csv, e, 2);
	assert_string_equal(csv, "student,a-obj,b-obj,total,max,status\r\n"
				 "ana,5,1,6,9,failed\r\n"
				 "'=cmd,5,1,6,9,not graded\r\n");
	free(csv);
	lg_result_release(&r[0]);
	lg_result_release(&r[1]);
}

static void test_class__markdown_row_has_reason(void **state)
{
	struct lg_result r[2];
	struct lg_report rep = {0};
	struct lg_class_entry e = {"bo|x", "no | pipes", &rep, 3, 0};
	char *md;

	(void)state;
	make_results(r);
	rep.results = r;
	rep.nresults = 2;
	md = capture(lg_class_markdown, &e, 1);
	assert_non_null(strstr(md, "| student | 1 a-obj | 2 b-obj | total | "
				   "status |\n"));
	assert_non_null(strstr(md, "| bo\\|x | 5 | 1 | 6/9 | not graded: no "
				   "\\| pipes |\n"));
	free(md);
	lg_result_release(&r[0]);
	lg_result_release(&r[1]);
}

/* class.json, read back, gives the same points per objective. */
static void test_class__json_round_trip(void **state)
{
	struct lg_result r[2];
	struct lg_report rep = {0};
	struct lg_class_entry e = {"cy", NULL, &rep, 1, 4};
	struct lg_class_owned own;
	struct lg_error err = {0};
	char *text;
	cJSON *j, *s;

	(void)state;
	make_results(r);
	rep.results = r;
	rep.nresults = 2;
	rep.cluster_name = "cy";
	rep.lang = LG_LANG_EN;
	text = capture(lg_class_json, &e, 1);
	j = cJSON_Parse(text);
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "students"), 0);
	assert_int_equal(cJSON_GetObjectItem(s, "exit_code")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(s, "index")->valueint, 4);
	assert_string_equal(cJSON_GetObjectItem(s, "status")->valuestring,
			    "failed");
	assert_int_equal(lg_class_read_report(cJSON_GetObjectItem(s, "report"),
					      &own, "t.json", &err),
			 LG_OK);
	assert_int_equal(own.nresults, 2);
	assert_true(lg_report_points(&own.rep) == 6);
	assert_true(lg_report_max_points(&own.rep) == 9);
	assert_int_equal(own.rep.lang, LG_LANG_EN);
	assert_int_equal(own.results[1].verdict, LG_FAIL);
	assert_string_equal(own.results[1].asserts[1].hint, "fix it");
	lg_class_owned_release(&own);
	assert_int_equal(lg_class_read_report(s, &own, "t.json", &err),
			 LG_EPARSE);
	assert_string_equal(err.msg, "t.json: not a labgrade report");
	lg_class_owned_release(&own);
	cJSON_Delete(j);
	free(text);
	lg_result_release(&r[0]);
	lg_result_release(&r[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_class__csv_points_and_escaping),
	    cmocka_unit_test(test_class__markdown_row_has_reason),
	    cmocka_unit_test(test_class__json_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_registry.c: the check table, rubric.yaml and tests/cases/ name the
 * same objectives and assertions; the scheduler plans and skips right. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../checks/check.h"
#include "../../harness/sched.h"

static void test_registry__sorted_by_id(void **state)
{
	size_t i;

	(void)state;
	assert_true(lg_nchecks >= 3);
	for (i = 1; i < lg_nchecks; i++)
		assert_true(strcmp(lg_checks[i - 1]->id, lg_checks[i]->id) < 0);
}

static void test_registry__find(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < lg_nchecks; i++)
		assert_ptr_equal(lg_check_find(lg_checks[i]->id), lg_checks[i]);
	assert_null(lg_check_find("no-such-check"));
	assert_null(lg_check_find(""));
	assert_null(lg_check_find(NULL));
}

static void test_registry__well_formed(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < lg_nchecks; i++) {
		const struct lg_check *c = lg_checks[i];

		assert_non_null(c->run);
		assert_non_null(c->title_es);
		assert_non_null(c->title_en);
		assert_true(c->nasserts > 0);
		for (j = 0; c->prereqs && c->prereqs[j]; j++)
			assert_non_null(lg_check_find(c->prereqs[j]));
	}
}

/* Is key one of the check's assertions? */
static bool has_assert(const struct lg_check *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->nasserts; i++)
		if (strcmp(c->asserts[i].key, key) == 0)
			return true;
	return false;
}

static void test_registry__matches_rubric(void **state)
{
	struct lg_rubric r = {0};
	struct lg_error err = {0};
	size_t i, j;

	(void)state;
	assert_int_equal(lg_rubric_load(&r, "rubric.yaml", &err), LG_OK);
	assert_int_equal(r.nobjectives, lg_nchecks);
	for (i = 0; i < r.nobjectives; i++) {
		const struct lg_rubric_objective *o = &r.objectives[i];
		const struct lg_check *c = lg_check_find(o->id);

		assert_non_null(c);
		assert_int_equal(c->objective, o->number);
		/* same keys both ways: equal counts and every key found */
		assert_int_equal(o->npoints, c->nasserts);
		for (j = 0; j < o->npoints; j++)
			assert_true(has_assert(c, o->points[j].key));
		for (j = 0; j < c->nasserts; j++)
			assert_true(lg_rubric_points(o, c->asserts[j].key) >=
				    0);
	}
	lg_rubric_release(&r);
}

static void test_registry__case_dirs_are_ids(void **state)
{
	DIR *d = opendir("tests/cases");
	struct dirent *e;
	size_t seen = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		assert_non_null(lg_check_find(e->d_name));
		seen++;
	}
	closedir(d);
	/* and every check has cases */
	assert_int_equal(seen, lg_nchecks);
}

static size_t pos(const struct lg_sched *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->items[i].check->id, id) == 0)
			return i;
	return (size_t)-1;
}

static void test_registry__plan_all(void **state)
{
	struct lg_sched s = {0};
	struct lg_error err = {0};
	size_t i, j;

	(void)state;
	assert_int_equal(lg_sched_plan(&s, NULL, 0, &err), LG_OK);
	assert_int_equal(s.n, lg_nchecks);
	for (i = 0; i < s.n; i++) {
		const struct lg_check *c = s.items[i].check;

		assert_true(s.items[i].requested);
		for (j = 0; c->prereqs && c->prereqs[j]; j++)
			assert_true(pos(&s, c->prereqs[j]) < i);
		if (i > 0 && !(c->flags & LG_CHECK_DISTURBS))
			assert_false(s.items[i - 1].check->flags &
				     LG_CHECK_DISTURBS);
	}
	assert_int_equal(pos(&s, "istio-install"), 0);
	lg_sched_release(&s);
}

static void test_registry__plan_pulls_prereqs(void **state)
{
	struct lg_sched s = {0};
	struct lg_error err = {0};
	const char *ids[] = {"gateway"};

	(void)state;
	assert_int_equal(lg_sched_plan(&s, ids, 1, &err), LG_OK);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.items[0].check->id, "istio-install");
	assert_false(s.items[0].requested);
	assert_string_equal(s.items[1].check->id, "gateway");
	assert_true(s.items[1].requested);
	lg_sched_release(&s);
}

static void test_registry__plan_unknown(void **state)
{
	struct lg_sched s = {0};
	struct lg_error err = {0};
	const char *ids[] = {"gateway", "nope"};

	(void)state;
	assert_int_equal(lg_sched_plan(&s, ids, 2, &err), LG_EUSAGE);
	assert_non_null(strstr(err.msg, "'nope'"));
	assert_int_equal(s.n, 0);
	assert_null(s.items);
}

/* ---- running: fake checks in a hand-made plan ---------------------- */

static int runs;

static enum lg_verdict run_fail(struct lg_ctx *ctx, struct lg_result *res)
{
	(void)ctx;
	runs++;
	return lg_result_failf(res, "broken");
}

static enum lg_verdict run_pass(struct lg_ctx *ctx, struct lg_result *res)
{
	(void)ctx;
	runs++;
	return lg_result_finish(res);
}

static enum lg_verdict run_error(struct lg_ctx *ctx, struct lg_result *res)
{
	(void)ctx;
	runs++;
	return lg_result_errorf(res, "API down");
}

static const char *const needs_a[] = {"a", NULL};
static const struct lg_assert_def one[] = {{"k", "k", "k", NULL}};

static void plan2(struct lg_sched *s, struct lg_check *a, struct lg_check *b)
{
	s->n = 2;
	s->items = lg_xcalloc(2, sizeof(*s->items));
	s->items[0].check = a;
	s->items[1].check = b;
}

static void test_registry__prereq_fail_skips(void **state)
{
	struct lg_check a = {.id = "a",
			     .objective = 1,
			     .title_es = "A",
			     .title_en = "A",
			     .asserts = one,
			     .nasserts = 1,
			     .run = run_fail};
	struct lg_check b = {.id = "b",
			     .objective = 2,
			     .title_es = "B",
			     .title_en = "B",
			     .prereqs = needs_a,
			     .asserts = one,
			     .nasserts = 1,
			     .run = run_pass};
	struct lg_sched s = {0};
	struct lg_ctx ctx = {0};

	(void)state;
	plan2(&s, &a, &b);
	runs = 0;
	ctx.lang = LG_LANG_EN;
	lg_sched_run(&s, &ctx, NULL);
	assert_int_equal(runs, 1); /* b's run was never called */
	assert_int_equal(s.items[0].result.verdict, LG_FAIL);
	assert_int_equal(s.items[1].result.verdict, LG_SKIP);
	assert_string_equal(s.items[1].result.message,
			    "skipped: prerequisite a failed");
	assert_true(s.items[1].prereq_skip);
	assert_int_equal(lg_sched_exit_code(&s), 1);
	lg_sched_release(&s);
}

static void test_registry__exit_codes(void **state)
{
	struct lg_check a = {.id = "a",
			     .objective = 1,
			     .title_es = "A",
			     .title_en = "A",
			     .asserts = one,
			     .nasserts = 1,
			     .run = run_pass};
	struct lg_check b = {.id = "b",
			     .objective = 2,
			     .title_es = "B",
			     .title_en = "B",
			     .asserts = one,
			     .nasserts = 1,
			     .run = run_pass};
	struct lg_sched s = {0};
	struct lg_ctx ctx = {0};

	(void)state;
	plan2(&s, &a, &b);
	lg_sched_run(&s, &ctx, NULL);
	assert_int_equal(lg_sched_exit_code(&s), 0);
	assert_true(s.items[0].result.seconds >= 0);
	lg_sched_release(&s);

	b.run = run_fail;
	plan2(&s, &a, &b);
	lg_sched_run(&s, &ctx, NULL);
	assert_int_equal(lg_sched_exit_code(&s), 1);
	lg_sched_release(&s);

	a.run = run_error; /* an error beats a fail: the grade is incomplete */
	plan2(&s, &a, &b);
	lg_sched_run(&s, &ctx, NULL);
	assert_int_equal(s.items[0].result.verdict, LG_ERROR);
	assert_int_equal(lg_sched_exit_code(&s), 3);
	lg_sched_release(&s);
}

static void test_registry__prereq_error_errors(void **state)
{
	struct lg_check a = {.id = "a",
			     .objective = 1,
			     .title_es = "A",
			     .title_en = "A",
			     .asserts = one,
			     .nasserts = 1,
			     .run = run_error};
	struct lg_check b = {.id = "b",
			     .objective = 2,
			     .title_es = "B",
			     .title_en = "B",
			     .prereqs = needs_a,
			     .asserts = one,
			     .nasserts = 1,
			     .run = run_pass};
	struct lg_sched s = {0};
	struct lg_ctx ctx = {0};

	(void)state;
	plan2(&s, &a, &b);
	runs = 0;
	ctx.lang = LG_LANG_EN;
	lg_sched_run(&s, &ctx, NULL);
	assert_int_equal(runs, 1);
	assert_int_equal(s.items[1].result.verdict, LG_ERROR);
	assert_non_null(strstr(s.items[1].result.message, "prerequisite a"));
	assert_int_equal(lg_sched_exit_code(&s), 3);
	lg_sched_release(&s);
}

/* A disabled objective is skipped without running, and costs nothing. */
static void test_registry__disabled_objective(void **state)
{
	/* the rubric names real checks (it refuses others); the fake checks
	 * take their ids and one assertion key each */
	static const char rubric[] = "version: 1\n"
				     "objectives:\n"
				     "  - id: istio-install\n"
				     "    number: 1\n"
				     "    title: {es: A, en: A}\n"
				     "    points: {istiod-deployed: 3}\n"
				     "  - id: gateway\n"
				     "    number: 2\n"
				     "    title: {es: B, en: B}\n"
				     "    points: {gateway-configured: 2}\n"
				     "    enabled: false\n";
	static const struct lg_assert_def ka[] = {
	    {"istiod-deployed", "k", "k", NULL}};
	static const struct lg_assert_def kb[] = {
	    {"gateway-configured", "k", "k", NULL}};
	struct lg_check a = {.id = "istio-install",
			     .objective = 1,
			     .title_es = "A",
			     .title_en = "A",
			     .asserts = ka,
			     .nasserts = 1,
			     .run = run_pass};
	struct lg_check b = {.id = "gateway",
			     .objective = 2,
			     .title_es = "B",
			     .title_en = "B",
			     .asserts = kb,
			     .nasserts = 1,
			     .run = run_fail};
	struct lg_rubric r = {0};
	struct lg_error err = {0};
	struct lg_sched s = {0};
	struct lg_ctx ctx = {0};

	(void)state;
	assert_int_equal(lg_rubric_load_string(&r, rubric, "t.yaml", &err),
			 LG_OK);
	plan2(&s, &a, &b);
	runs = 0;
	ctx.rubric = &r;
	ctx.lang = LG_LANG_EN;
	lg_sched_run(&s, &ctx, NULL);
	assert_int_equal(runs, 1);
	assert_int_equal(s.items[1].result.verdict, LG_SKIP);
	assert_false(s.items[1].prereq_skip);
	assert_int_equal(s.items[0].result.max_points, 3);
	assert_int_equal(s.items[1].result.max_points, 0);
	assert_int_equal(lg_sched_exit_code(&s), 0);
	lg_sched_release(&s);
	lg_rubric_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry__sorted_by_id),
	    cmocka_unit_test(test_registry__find),
	    cmocka_unit_test(test_registry__well_formed),
	    cmocka_unit_test(test_registry__matches_rubric),
	    cmocka_unit_test(test_registry__case_dirs_are_ids),
	    cmocka_unit_test(test_registry__plan_all),
	    cmocka_unit_test(test_registry__plan_pulls_prereqs),
	    cmocka_unit_test(test_registry__plan_unknown),
	    cmocka_unit_test(test_registry__prereq_fail_skips),
	    cmocka_unit_test(test_registry__prereq_error_errors),
	    cmocka_unit_test(test_registry__exit_codes),
	    cmocka_unit_test(test_registry__disabled_objective),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

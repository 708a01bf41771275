/* SPDX-License-Identifier: MIT */
/* test_rubric.c: unit tests of the rubric loader (harness/rubric.c). */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../harness/rubric.h"
#include "support/numlocale.h"

#define DATA "tests/data/rubric/"

/* One invalid rubric and the exact "FILE:LINE:COL: message" it must get. */
struct bad_case {
	const char *file;
	enum lg_err code;
	const char *pos; /* "LINE:COL" */
	const char *msg; /* the message's start, after the position */
};

static const struct bad_case bad_cases[] = {
    {"bad-unknown-top.yaml", LG_ECONFIG, "2:10",
     "unknown key 'grading' at the top (expected version, params or "
     "objectives)"},
    {"bad-unknown-objective-key.yaml", LG_ECONFIG, "5:13",
     "unknown key 'weight' in an objective"},
    {"bad-missing-id.yaml", LG_ECONFIG, "3:5", "objective 1 has no 'id'"},
    {"bad-missing-title.yaml", LG_ECONFIG, "3:5",
     "objective 'gateway' has no 'title'"},
    {"bad-missing-points.yaml", LG_ECONFIG, "3:5",
     "objective 'gateway' has no 'points'"},
    {"bad-title-no-en.yaml", LG_ECONFIG, "6:7",
     "'title' of objective 'gateway' has no 'en'"},
    {"bad-id-not-kebab.yaml", LG_ECONFIG, "3:9",
     "id 'Gateway_Ingress' is not kebab-case"},
    {"bad-duplicate-id.yaml", LG_ECONFIG, "7:9",
     "duplicate objective id 'gateway' (first at line 3)"},
    {"bad-points-not-number.yaml", LG_ECONFIG, "7:27",
     "points for 'gateway-configured' must be a whole number from 0 to "
     "1000, not 'four'"},
    {"bad-points-quoted.yaml", LG_ECONFIG, "7:27",
     "points for 'gateway-configured' must be a whole number from 0 to "
     "1000, not '4'"},
    {"bad-points-negative.yaml", LG_ECONFIG, "8:27",
     "points for 'gateway-programmed' must be a whole number from 0 to "
     "1000, not '-2'"},
    {"bad-points-misspelt.yaml", LG_ECONFIG, "8:26",
     "unknown assertion 'gateway-configred' in 'points' of objective "
     "'gateway' (expected gateway-configured, gateway-programmed or "
     "productpage-reachable)"},
    {"bad-points-huge.yaml", LG_ECONFIG, "8:27",
     "points for 'gateway-configured' must be a whole number from 0 to "
     "1000, not '1e23'"},
    {"bad-points-fraction.yaml", LG_ECONFIG, "8:27",
     "points for 'gateway-configured' must be a whole number from 0 to "
     "1000, not '4.5'"},
    {"bad-unknown-objective.yaml", LG_ECONFIG, "4:9",
     "unknown objective 'ambient-mode' (this labgrade grades "
     "circuit-breaking, egress-gateway, fault-injection"},
    {"bad-param-unknown.yaml", LG_ECONFIG, "4:14",
     "unknown parameter 'tolerance'"},
    {"bad-param-timeout-soon.yaml", LG_ECONFIG, "4:23",
     "parameter 'request-timeout-ms' must be a whole number from 1 to "
     "3600000, not 'soon'"},
    {"bad-param-namespace.yaml", LG_ECONFIG, "4:23",
     "parameter 'bookinfo-namespace' must be a namespace name (DNS-1123 "
     "label: lower-case letters, digits and '-', at most 63), not "
     "'../../kube-system/secrets?x='"},
    {"bad-param-requests-negative.yaml", LG_ECONFIG, "9:17",
     "parameter 'requests' must be a whole number from 1 to 2000, not "
     "'-5'"},
    {"bad-param-delay-negative.yaml", LG_ECONFIG, "9:28",
     "parameter 'fault-delay-seconds' must be a number of seconds above 0, "
     "at most 3600, not '-7'"},
    {"bad-param-split-alpha.yaml", LG_ECONFIG, "9:20",
     "parameter 'split-alpha' must be a probability between 0 and 1 (both "
     "excluded), not '2'"},
    {"bad-param-wrong-objective.yaml", LG_ECONFIG, "9:20",
     "parameter 'split-alpha' is read only by objective 'traffic-shifting', "
     "not by 'gateway'"},
    {"bad-param-fault-window.yaml", LG_ECONFIG, "4:5",
     "fault-min-seconds (9) must be below fault-max-seconds (8)"},
    {"bad-param-split-test.yaml", LG_ECONFIG, "4:5",
     "the split parameters do not make a test: sequential test: need"},
    {"bad-number-not-int.yaml", LG_ECONFIG, "4:13",
     "'number' of objective 'gateway' must be a whole number, not "
     "'3.5'"},
    {"bad-param-not-scalar.yaml", LG_ECONFIG, "8:21",
     "parameter 'gateway-name' must be a single value, not a list"},
    {"bad-global-param-map.yaml", LG_ECONFIG, "4:5",
     "parameter 'namespaces' must be a single value, not a map"},
    {"bad-version.yaml", LG_ECONFIG, "1:10", "unsupported version '2'"},
    {"bad-missing-version.yaml", LG_ECONFIG, "1:1", "missing 'version: 1'"},
    {"bad-enabled-not-bool.yaml", LG_ECONFIG, "7:14",
     "'enabled' must be true or false, not 'yes'"},
    {"bad-objectives-not-list.yaml", LG_ECONFIG, "3:3",
     "'objectives' must be a list, not a map"},
    {"bad-two-documents.yaml", LG_ECONFIG, "8:1",
     "a rubric is one YAML document"},
    {"bad-empty.yaml", LG_ECONFIG, "1:1", "the rubric is empty"},
    {"bad-duplicate-key.yaml", LG_EPARSE, "6:37",
     "duplicate key 'gateway-configured'"},
    {"bad-syntax.yaml", LG_EPARSE, "5:11", "did not find expected ',' or '}'"},
    {"bad-encoding.yaml", LG_EPARSE, "6:25", "invalid leading UTF-8 octet"},
    {"bad-alias.yaml", LG_EPARSE, "9:12",
     "anchors and aliases are not supported"},
};

static void test_rubric__bad_files_give_position_and_message(void **state)
{
	struct lg_rubric r;
	struct lg_error err;
	char path[256], want[512];
	size_t i;

	(void)state;
	for (i = 0; i < LG_ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		memset(&err, 0, sizeof(err));
		snprintf(path, sizeof(path), DATA "%s", c->file);
		snprintf(want, sizeof(want), "%s:%s: %s", path, c->pos, c->msg);
		if (lg_rubric_load(&r, path, &err) != c->code ||
		    strncmp(err.msg, want, strlen(want)) != 0)
			fail_msg("%s\n  want %s: %s...\n  got  %s: %s", c->file,
				 lg_strerror(c->code), want,
				 lg_strerror(err.code), err.msg);
		assert_int_equal(err.code, c->code);
		/* on error the rubric is left empty */
		assert_null(r.objectives);
		assert_int_equal(r.nobjectives, 0);
		assert_null(r.path);
	}
}

/* Every bad file in the directory is in the table, and vice versa. */
static void test_rubric__every_bad_file_is_tested(void **state)
{
	FILE *ls = popen("ls " DATA " | grep -c '^bad-.*\\.yaml$'", "r");
	unsigned n = 0;

	(void)state;
	assert_non_null(ls);
	assert_int_equal(fscanf(ls, "%u", &n), 1);
	pclose(ls);
	assert_int_equal(n, LG_ARRAY_SIZE(bad_cases));
}

static void test_rubric__unreadable_file_is_eio(void **state)
{
	struct lg_rubric r;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_rubric_load(&r, DATA "no-such-file.yaml", &err),
			 LG_EIO);
	assert_non_null(strstr(err.msg, "no-such-file.yaml"));
	assert_int_equal(r.nobjectives, 0);
}

/* A rubric that leaves a check out is refused, naming the check; the
 * shipped one covers every check. */
static void test_rubric__covers_every_check(void **state)
{
	struct lg_rubric r;
	struct lg_error err = {0};

	(void)state;
	if (lg_rubric_load(&r, "rubric.yaml", &err) != LG_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(lg_rubric_covers(&r, &err), LG_OK);
	lg_rubric_release(&r);
	if (lg_rubric_load(&r, DATA "good-minimal.yaml", &err) != LG_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(lg_rubric_covers(&r, &err), LG_ECONFIG);
	assert_non_null(strstr(err.msg, "good-minimal.yaml: no objective '"));
	lg_rubric_release(&r);
}

static void
test_rubric__repo_rubric_starts_with_the_install_objectives(void **state)
{
	struct lg_rubric r;
	struct lg_error err = {0};
	const struct lg_rubric_objective *o;

	(void)state;
	if (lg_rubric_load(&r, "rubric.yaml", &err) != LG_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(r.version, "1");
	assert_string_equal(r.path, "rubric.yaml");
	/* objectives are added as checks land; test_registry compares the
	 * whole set with the registry */
	assert_true(r.nobjectives >= 3);
	assert_string_equal(r.objectives[0].id, "istio-install");
	assert_string_equal(r.objectives[1].id, "sidecar-injection");
	assert_string_equal(r.objectives[2].id, "gateway");
	o = lg_rubric_find(&r, "sidecar-injection");
	assert_non_null(o);
	assert_int_equal(o->number, 2);
	assert_true(o->enabled);
	assert_string_equal(o->title_es, "Inyección de sidecars");
	assert_string_equal(o->title_en, "Sidecar injection");
	assert_int_equal(o->npoints, 4);
	assert_true(lg_rubric_points(o, "deployments-available") == 3);
	assert_true(lg_rubric_points(o, "no-such-key") == -1);
	assert_string_equal(
	    lg_rubric_param_str(&r, o, "bookinfo-deployments", NULL),
	    "productpage-v1,details-v1,reviews-v1,reviews-v2,"
	    "reviews-v3,ratings-v1");
	assert_string_equal(
	    lg_rubric_param_str(&r, o, "bookinfo-namespace", NULL), "bookinfo");
	o = lg_rubric_find(&r, "istio-install");
	assert_string_equal(lg_rubric_param_str(&r, o, "istio-version", NULL),
			    "1.24");
	assert_true(lg_rubric_param_num(&r, o, "request-timeout-ms", 0) ==
		    10000);
	assert_null(lg_rubric_find(&r, "no-such-objective"));
	lg_rubric_release(&r);
	assert_null(r.objectives);
}

/* The points the install objectives of the shipped rubric give, key by
 * key (the later objectives' keys are compared with their checks by
 * test_registry). */
static void test_rubric__repo_rubric_points(void **state)
{
	static const struct {
		const char *id, *key;
		double pts;
	} want[] = {
	    {"istio-install", "istiod-deployed", 2},
	    {"istio-install", "istiod-available", 2},
	    {"istio-install", "istio-crds", 2},
	    {"istio-install", "istio-version", 2},
	    {"istio-install", "gateway-api-crds", 2},
	    {"sidecar-injection", "namespace-labelled", 2},
	    {"sidecar-injection", "deployments-available", 3},
	    {"sidecar-injection", "pods-have-sidecar", 3},
	    {"sidecar-injection", "pods-ready", 2},
	    {"gateway", "gateway-configured", 4},
	    {"gateway", "gateway-programmed", 2},
	    {"gateway", "productpage-reachable", 4},
	};
	struct lg_rubric r;
	struct lg_error err = {0};
	size_t i, total = 0;

	(void)state;
	assert_int_equal(lg_rubric_load(&r, "rubric.yaml", &err), LG_OK);
	for (i = 0; i < LG_ARRAY_SIZE(want); i++)
		assert_true(lg_rubric_points(lg_rubric_find(&r, want[i].id),
					     want[i].key) == want[i].pts);
	for (i = 0; i < 3; i++)
		total += r.objectives[i].npoints;
	assert_int_equal(total, LG_ARRAY_SIZE(want));
	lg_rubric_release(&r);
}

static void test_rubric__params_override_and_optional(void **state)
{
	struct lg_rubric r;
	struct lg_error err = {0};
	const struct lg_rubric_objective *gw;

	(void)state;
	if (lg_rubric_load(&r, DATA "good-optional.yaml", &err) != LG_OK)
		fail_msg("%s", err.msg);
	gw = lg_rubric_find(&r, "traffic-shifting");
	assert_true(lg_rubric_param_num(&r, gw, "split-alpha", 1) == 0.1);
	assert_true(lg_rubric_param_num(&r, NULL, "split-alpha", 1) == 0.05);
	/* present but not a number: the default */
	assert_true(lg_rubric_param_num(&r, gw, "bookinfo-namespace", 7) == 7);
	assert_string_equal(lg_rubric_param_str(&r, gw, "split-batch", NULL),
			    "6");
	assert_string_equal(lg_rubric_param_str(&r, gw, "absent", "d"), "d");
	assert_true(gw->enabled);
	assert_false(lg_rubric_find(&r, "circuit-breaking")->enabled);
	assert_true(lg_rubric_find(&r, "mirroring")->enabled);
	assert_false(lg_rubric_find(&r, "gateway")->enabled);
	assert_true(lg_rubric_points(lg_rubric_find(&r, "mirroring"),
				     "mirror-config") == 0);
	lg_rubric_release(&r);
}

/* Numbers are read with a '.' even where the locale writes a ','. */
static void test_rubric__numbers_ignore_locale(void **state)
{
	struct lg_rubric r;
	struct lg_error err = {0};
	char dir[64];
	bool comma;

	(void)state;
	comma = comma_locale(dir, sizeof(dir));
	assert_int_equal(lg_rubric_load(&r, DATA "good-optional.yaml", &err),
			 LG_OK);
	assert_true(lg_rubric_param_num(&r, NULL, "split-alpha", 2.5) == 0.05);
	assert_true(lg_rubric_param_num(&r, NULL, "x", 2.5) == 2.5);
	lg_rubric_release(&r);
	locale_cleanup(dir);
	if (!comma)
		skip(); /* no comma locale: only the C locale was tested */
}

static void test_rubric__empty_documents_are_ignored(void **state)
{
	struct lg_rubric r;
	struct lg_error err = {0};

	(void)state;
	if (lg_rubric_load(&r, DATA "good-trailing-separator.yaml", &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r.nobjectives, 1);
	lg_rubric_release(&r);
}

static void test_rubric__load_string_names_the_source(void **state)
{
	struct lg_rubric r;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_rubric_load_string(&r,
					       "version: 1\nobjectives: "
					       "[]\n",
					       "inline", &err),
			 LG_ECONFIG);
	assert_string_equal(err.msg, "inline:2:13: 'objectives' is empty");
	lg_error_clear(&err);
	assert_int_equal(lg_rubric_load_string(&r, "- a\n", "inline", &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "inline:1:1: the rubric must be a "
					"map"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rubric__bad_files_give_position_and_message),
	    cmocka_unit_test(test_rubric__every_bad_file_is_tested),
	    cmocka_unit_test(test_rubric__unreadable_file_is_eio),
	    cmocka_unit_test(
		test_rubric__repo_rubric_starts_with_the_install_objectives),
	    cmocka_unit_test(test_rubric__repo_rubric_points),
	    cmocka_unit_test(test_rubric__covers_every_check),
	    cmocka_unit_test(test_rubric__params_override_and_optional),
	    cmocka_unit_test(test_rubric__numbers_ignore_locale),
	    cmocka_unit_test(test_rubric__empty_documents_are_ignored),
	    cmocka_unit_test(test_rubric__load_string_names_the_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

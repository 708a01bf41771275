/* SPDX-License-Identifier: MIT */
/* test_roster.c: unit tests of roster.yaml loading (harness/roster.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../harness/roster.h"

static void parse_ok(struct lg_roster *r, const char *text)
{
	struct lg_error err = {0};

	if (lg_roster_parse(r, text, strlen(text), "roster.yaml", &err))
		fail_msg("%s", err.msg);
}

/* Must fail with LG_ECONFIG and exactly this message. */
static void parse_bad(const char *text, const char *want)
{
	struct lg_roster r;
	struct lg_error err = {0};

	assert_int_equal(
	    lg_roster_parse(&r, text, strlen(text), "roster.yaml", &err),
	    LG_ECONFIG);
	if (strcmp(err.msg, want))
		fail_msg("want '%s', got '%s'", want, err.msg);
	assert_int_equal(r.n, 0);
	assert_null(r.students);
}

static void test_roster__defaults_apply(void **state)
{
	struct lg_roster r;

	(void)state;
	setenv("HOME", "/home/prof", 1);
	parse_ok(&r,
		 "defaults:\n  user: vagrant\n  identity: ~/k\n"
		 "students:\n"
		 "  - name: ana\n    host: 10.0.0.1\n"
		 "  - {name: bo, host: h2, port: 2222, user: root,\n"
		 "     password: pw, kubeconfig: /etc/kubernetes/admin.conf,"
		 "\n     gateway-url: 'http://10.0.0.2:30080', jump: j@g}\n");
	assert_int_equal(r.n, 2);
	assert_string_equal(r.students[0].user, "vagrant");
	assert_string_equal(r.students[0].identity, "/home/prof/k");
	assert_null(r.students[0].password);
	assert_int_equal(r.students[0].port, 22);
	assert_string_equal(r.students[0].kubeconfig, "~/.kube/config");
	assert_int_equal(r.students[0].line, 5);
	/* a student with a password does not inherit the identity */
	assert_null(r.students[1].identity);
	assert_string_equal(r.students[1].password, "pw");
	assert_int_equal(r.students[1].port, 2222);
	assert_string_equal(r.students[1].user, "root");
	assert_string_equal(r.students[1].gateway_url, "http://10.0.0.2:30080");
	assert_string_equal(r.students[1].jump, "j@g");
	assert_string_equal(r.known_hosts, "/home/prof/.ssh/known_hosts");
	assert_int_equal(r.connect_ms, 15000);
	assert_int_equal(r.grade_ms, 900000);
	assert_int_equal(r.parallel, 8);
	assert_false(r.trust_new_hosts);
	lg_roster_release(&r);
}

static void test_roster__top_level_options(void **state)
{
	struct lg_roster r;

	(void)state;
	parse_ok(&r, "timeouts: {connect: 3s, grade: 2m}\nparallel: 3\n"
		     "known-hosts: /k/known\ntrust-new-hosts: true\n"
		     "students: [{name: a, host: h, user: u}]\n");
	assert_int_equal(r.connect_ms, 3000);
	assert_int_equal(r.grade_ms, 120000);
	assert_int_equal(r.parallel, 3);
	assert_string_equal(r.known_hosts, "/k/known");
	assert_true(r.trust_new_hosts);
	lg_roster_release(&r);
}

static void test_roster__errors_say_where(void **state)
{
	(void)state;
	parse_bad("students:\n  - name: a\n    host: h\n    usr: x\n",
		  "roster.yaml:4:10: unknown key 'usr'");
	parse_bad("students:\n  - name: a\n    host: h\n",
		  "roster.yaml:2:5: student 'a' needs a 'user' (or one in "
		  "'defaults')");
	parse_bad("defaults: {user: u}\nstudents:\n  - host: h\n",
		  "roster.yaml:3:5: a student needs a 'name'");
	parse_bad("defaults: {user: u}\nstudents:\n  - name: a\n",
		  "roster.yaml:3:5: student 'a' needs a 'host'");
	parse_bad("defaults: {user: u, port: 70000}\nstudents: []\n",
		  "roster.yaml:1:27: 'port' must be 1-65535, not '70000'");
	parse_bad("defaults: {user: u}\nstudents:\n  - {name: a, host: h}\n"
		  "  - {name: a, host: h}\n",
		  "roster.yaml:4:12: student 'a' listed twice (first at line "
		  "3)");
	parse_bad("defaults: {user: u}\nstudents:\n  - {name: ../x, host: h}\n",
		  "roster.yaml:3:12: student name '../x' may only use letters, "
		  "digits and ._-@ (it names the student's report file)");
	parse_bad("timeouts: {connect: soon}\nstudents: []\n",
		  "roster.yaml:1:21: 'connect' must be a duration such as 30, "
		  "30s, 5m or 500ms, not 'soon'");
	parse_bad("defaults: {name: x}\nstudents: []\n",
		  "roster.yaml:1:18: unknown key 'name' in 'defaults'");
	parse_bad("defaults: {user: u}\nstudents: []\n",
		  "roster.yaml:2:11: 'students' is empty");
	parse_bad("color: red\n",
		  "roster.yaml:1:8: unknown key 'color' (students, defaults, "
		  "timeouts, known-hosts, trust-new-hosts, parallel)");
	parse_bad("students:\n  - {name: a, host: h, user: u, password: p,"
		  " identity: k}\n",
		  "roster.yaml:2:5: give 'identity' or 'password', not both");
	parse_bad("- a\n", "roster.yaml:1:1: a roster must be a map, not a "
			   "list");
}

static void test_roster__syntax_error_is_parse(void **state)
{
	struct lg_roster r;
	struct lg_error err = {0};
	const char *t = "students: [\n";

	(void)state;
	assert_int_equal(lg_roster_parse(&r, t, strlen(t), "r.yaml", &err),
			 LG_EPARSE);
	assert_true(strncmp(err.msg, "r.yaml:", 7) == 0);
}

static void test_roster__durations(void **state)
{
	long ms = 0;

	(void)state;
	assert_true(lg_roster_parse_duration("30", &ms));
	assert_int_equal(ms, 30000);
	assert_true(lg_roster_parse_duration("250ms", &ms));
	assert_int_equal(ms, 250);
	assert_true(lg_roster_parse_duration("5m", &ms));
	assert_int_equal(ms, 300000);
	assert_false(lg_roster_parse_duration("0", &ms));
	assert_false(lg_roster_parse_duration("-1", &ms));
	assert_false(lg_roster_parse_duration("5h", &ms));
	assert_false(lg_roster_parse_duration("99999999999", &ms));
	assert_false(lg_roster_parse_duration("", &ms));
}

static void test_roster__load_missing_file(void **state)
{
	struct lg_roster r;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_roster_load(&r, "/nonexistent/roster.yaml", &err),
			 LG_EIO);
	assert_string_equal(err.msg, "cannot read '/nonexistent/roster.yaml': "
				     "No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roster__defaults_apply),
	    cmocka_unit_test(test_roster__top_level_options),
	    cmocka_unit_test(test_roster__errors_say_where),
	    cmocka_unit_test(test_roster__syntax_error_is_parse),
	    cmocka_unit_test(test_roster__durations),
	    cmocka_unit_test(test_roster__load_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_sshconf.c: unit tests of ssh_config reading and the roster it
 * becomes (harness/sshconf.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../harness/roster.h"
#include "../../harness/sshconf.h"

/* What `vagrant ssh-config --host ana master` prints (Vagrant 2.3). */
static const char vagrant_out[] =
    "Host ana\n"
    "  HostName 127.0.0.1\n"
    "  User vagrant\n"
    "  Port 2222\n"
    "  UserKnownHostsFile /dev/null\n"
    "  StrictHostKeyChecking no\n"
    "  PasswordAuthentication no\n"
    "  IdentityFile /home/prof/ana/.vagrant/machines/master/virtualbox/"
    "private_key\n"
    "  IdentitiesOnly yes\n"
    "  LogLevel FATAL\n"
    "  PubkeyAcceptedKeyTypes +ssh-rsa\n"
    "  HostKeyAlgorithms +ssh-rsa\n"
    "\n";

static void parse_ok(struct lg_sshconf *c, const char *text, const char *f)
{
	struct lg_error err = {0};

	if (lg_sshconf_parse(c, text, strlen(text), f, &err))
		fail_msg("%s", err.msg);
}

static void parse_bad(const char *text, const char *want)
{
	struct lg_sshconf c;
	struct lg_error err = {0};

	assert_int_equal(lg_sshconf_parse(&c, text, strlen(text), "cfg", &err),
			 LG_ECONFIG);
	if (strcmp(err.msg, want))
		fail_msg("want '%s', got '%s'", want, err.msg);
	assert_int_equal(c.n, 0);
}

static void test_sshconf__vagrant_output(void **state)
{
	struct lg_sshconf c;

	(void)state;
	parse_ok(&c, vagrant_out, "ana.cfg");
	assert_int_equal(c.n, 1);
	assert_string_equal(c.hosts[0].alias, "ana");
	assert_string_equal(c.hosts[0].hostname, "127.0.0.1");
	assert_string_equal(c.hosts[0].user, "vagrant");
	assert_int_equal(c.hosts[0].port, 2222);
	assert_true(c.hosts[0].no_strict);
	assert_true(c.hosts[0].no_known);
	assert_true(strstr(c.hosts[0].identity, "private_key") != NULL);
	lg_sshconf_release(&c);
}

/* First value wins; Host * lends values; '=' and quotes; negation. */
static void test_sshconf__ssh_semantics(void **state)
{
	struct lg_sshconf c;

	(void)state;
	setenv("HOME", "/home/prof", 1);
	parse_ok(&c,
		 "# class of 2026\n"
		 "User=first\n"
		 "Host bo cy\n"
		 "  Port 2201\n"
		 "  IdentityFile \"~/keys/class key\"\n"
		 "Host cy\n"
		 "  Port 2202\n"
		 "  HostName cy.lab\n"
		 "Host * !cy\n"
		 "  ProxyJump gw@bastion:2022\n"
		 "  User ignored\n",
		 "c.cfg");
	assert_int_equal(c.n, 2);
	assert_string_equal(c.hosts[0].alias, "bo");
	assert_string_equal(c.hosts[0].user, "first");
	assert_int_equal(c.hosts[0].port, 2201);
	assert_null(c.hosts[0].hostname);
	assert_string_equal(c.hosts[0].identity, "/home/prof/keys/class key");
	assert_string_equal(c.hosts[0].jump, "gw@bastion:2022");
	assert_string_equal(c.hosts[1].alias, "cy");
	assert_int_equal(c.hosts[1].port, 2201);
	assert_string_equal(c.hosts[1].hostname, "cy.lab");
	assert_null(c.hosts[1].jump);
	assert_int_equal(c.hosts[1].line, 3);
	lg_sshconf_release(&c);
}

static void test_sshconf__errors_say_where(void **state)
{
	(void)state;
	parse_bad("Host a\n  Port 99999\n", "cfg:2: bad port '99999'");
	parse_bad("Host a\n  Colour blue\n", "cfg:2: unknown keyword 'colour'");
	parse_bad("Match host a\n",
		  "cfg:1: not supported here: keyword 'match'");
	parse_bad("Host a\n ProxyCommand nc %h %p\n",
		  "cfg:2: ProxyCommand is not supported (use ProxyJump)");
	parse_bad("Host a\n  HostName\n", "cfg:2: keyword has no value");
	parse_bad("Host a\n  User \"x\n", "cfg:2: unbalanced quotes");
	parse_bad("Host *\n  User x\n", "cfg: no Host block");
}

/* Parse every text, then write the roster; LG_OK or the error. */
static enum lg_err convert(const char *const *texts, size_t n,
			   struct lg_buf *out, bool *insecure,
			   struct lg_error *err)
{
	struct lg_sshconf c[4] = {0};
	char name[32];
	size_t i;
	enum lg_err rc;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		parse_ok(&c[i], texts[i], name);
	}
	rc = lg_sshconf_to_roster(c, n, out, insecure, err);
	for (i = 0; i < n; i++)
		lg_sshconf_release(&c[i]);
	return rc;
}

/* The roster written must load, and must not inherit the insecure bits. */
static void test_sshconf__roster_round_trip(void **state)
{
	const char *texts[] = {
	    vagrant_out, "Host bo\n HostName 10.1.1.2\n User \"v\\x y\"\n"};
	struct lg_buf b = LG_BUF_INIT;
	struct lg_error err = {0};
	struct lg_roster r;
	bool insecure;

	(void)state;
	assert_int_equal(convert(texts, 2, &b, &insecure, &err), LG_OK);
	assert_true(insecure);
	assert_non_null(strstr(b.buf, "# f0:1 turned host key checking off"));
	if (lg_roster_parse(&r, b.buf, b.len, "out.yaml", &err))
		fail_msg("%s\n%s", err.msg, b.buf);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.students[0].name, "ana");
	assert_string_equal(r.students[0].host, "127.0.0.1");
	assert_int_equal(r.students[0].port, 2222);
	assert_string_equal(r.students[1].user, "v\\x y");
	assert_int_equal(r.students[1].port, 22);
	assert_false(r.trust_new_hosts);
	lg_roster_release(&r);
	lg_buf_release(&b);
}

static void test_sshconf__duplicate_host_names_both(void **state)
{
	const char *texts[] = {"Host master\n User v\n",
			       "\nHost master\n User v\n"};
	struct lg_buf b = LG_BUF_INIT;
	struct lg_error err = {0};
	bool insecure;

	(void)state;
	assert_int_equal(convert(texts, 2, &b, &insecure, &err), LG_ECONFIG);
	assert_string_equal(err.msg,
			    "f1:2: host 'master' already at f0:1 (name each "
			    "VM, e.g. vagrant ssh-config --host NAME)");
	lg_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sshconf__vagrant_output),
	    cmocka_unit_test(test_sshconf__ssh_semantics),
	    cmocka_unit_test(test_sshconf__errors_say_where),
	    cmocka_unit_test(test_sshconf__roster_round_trip),
	    cmocka_unit_test(test_sshconf__duplicate_host_names_both),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_sanitize.c: the one filter for outside text (harness/sanitize.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../harness/cluster.h"
#include "../../harness/kubeconfig.h"
#include "../../harness/sanitize.h"
#include "support/httpsrv.h"

#define FFFD "\xef\xbf\xbd"

static void check(const char *in, enum lg_san_mode mode, const char *want)
{
	char *got = lg_sanitize_dup(in, mode);

	if (strcmp(got, want))
		fail_msg("sanitising '%s': want '%s', got '%s'", in, want, got);
	free(got);
}

/* Escape sequences go whole: no "[2J" or clipboard payload is left. */
static void test_sanitize__escape_sequences(void **state)
{
	(void)state;
	check("a\x1b[2Jb", LG_SAN_LINE, "ab");
	check("a\x1b[38;5;196mb", LG_SAN_LINE, "ab");
	check("\x1b]52;c;ZXZpbA==\x07"
	      "ok",
	      LG_SAN_LINE, "ok");
	check("\x1b]52;c;ZXZpbA==\x1b\\ok", LG_SAN_LINE, "ok");
	check("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", LG_SAN_LINE, "link");
	check("\x1bPq#0\x1b\\x", LG_SAN_LINE, "x");
	check("a\x1b"
	      "cb",
	      LG_SAN_LINE, "ab"); /* RIS: ESC and one character */
	check("\x1b[", LG_SAN_LINE, "");
	check("\x1b", LG_SAN_LINE, "");
	/* an unterminated OSC swallows the rest, as a terminal would */
	check("\x1b]0;title", LG_SAN_LINE, "");
}

/* C1 controls: raw (not UTF-8: U+FFFD) and UTF-8 encoded (dropped, with
 * the sequence a CSI or OSC introduces). */
static void test_sanitize__c1_controls(void **state)
{
	(void)state;
	check("a\x9b"
	      "2Jb",
	      LG_SAN_LINE, "a" FFFD "2Jb");
	check("a\xc2\x9b"
	      "2Jb",
	      LG_SAN_LINE, "ab");
	check("a\xc2\x9d"
	      "52;c;eA==\x07"
	      "b",
	      LG_SAN_LINE, "ab");
	check("a\xc2\x9d"
	      "0;t\xc2\x9c"
	      "b",
	      LG_SAN_LINE, "ab");
	check("a\xc2\x85"
	      "b\xc2\x80"
	      "c\xc2\x9f",
	      LG_SAN_LINE, "abc");
	check("a\xc2\xa0"
	      "b",
	      LG_SAN_LINE,
	      "a\xc2\xa0"
	      "b"); /* U+00A0 is text */
}

static void test_sanitize__c0_and_bidi(void **state)
{
	(void)state;
	check("a\x01\x07\x08\x7f"
	      "b",
	      LG_SAN_LINE, "ab");
	check("user\xe2\x80\xae"
	      "gnp.exe",
	      LG_SAN_LINE, "usergnp.exe");
	check("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"
	      "x\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
	      LG_SAN_LINE, "x");
	/* neighbours of the bidi ranges are text */
	check("\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5", LG_SAN_LINE,
	      "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5");
}

static void test_sanitize__line_breaks(void **state)
{
	(void)state;
	check("a\r\nFAILED x\nb\tc", LG_SAN_LINE, "a  FAILED x b c");
	check("a\r\nb\tc\x1b[2J", LG_SAN_BLOCK, "a\nb\tc");
}

static void test_sanitize__invalid_utf8(void **state)
{
	(void)state;
	check("ñ€😀", LG_SAN_LINE, "ñ€😀");
	check("\xff", LG_SAN_LINE, FFFD);
	check("\xc0\xaf", LG_SAN_LINE, FFFD FFFD);	    /* overlong */
	check("\xed\xa0\x80", LG_SAN_LINE, FFFD FFFD FFFD); /* surrogate */
	check("x\xe2\x82", LG_SAN_LINE, "x" FFFD FFFD);	    /* cut short */
	check("\xf4\x90\x80\x80", LG_SAN_LINE, FFFD FFFD FFFD FFFD);
	check(NULL, LG_SAN_LINE, "");
}

/* What goes to stderr: one line, the prefix kept as it is. */
static void test_sanitize__print_line(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	lg_print_line(f, "labgrade: ",
		      "context '\x1b[2Jevil\r\nlabgrade: fake' not found");
	fclose(f);
	assert_string_equal(text,
			    "labgrade: context 'evil  labgrade: fake' not "
			    "found\n");
	free(text);
}

/*
 * An API server whose Status carries the attack in reason and message: the
 * cluster client keeps the text as it came (values, not printing), and the
 * line labgrade prints from it is harmless.
 */
static void test_sanitize__api_status_on_stderr(void **state)
{
	static const char body[] =
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
	    "\"Failure\",\"message\":\"no\\u001b[2J\\u001b]52;c;eA==\\u0007"
	    "\\r\\nlabgrade: forged\\u009b2J\\u202e!\",\"reason\":\"Evil"
	    "\\u001b[31m\\r\\nlabgrade: forged too\",\"code\":418}";
	struct srv *s =
	    srv_start(SRV_REPLY,
		      lg_xasprintf("HTTP/1.1 418 I'm a teapot\r\nContent-Type: "
				   "application/json\r\nContent-Length: %zu"
				   "\r\n\r\n%s",
				   strlen(body), body));
	struct lg_kubeconfig kc = {0};
	struct lg_cluster_opts o = {0};
	struct lg_error err = {0};
	struct lg_cluster *c = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	cJSON *j = NULL;

	(void)state;
	kc.server = lg_xasprintf("http://127.0.0.1:%d", s->port);
	assert_int_equal(lg_cluster_open(&c, &kc, &o, &err), LG_OK);
	assert_int_not_equal(lg_cluster_get(c, "/api", &j, &err), LG_OK);
	/* the reason, as the server sent it, is in the message */
	assert_non_null(strstr(err.msg, "Evil\x1b[31m\r\nlabgrade: forged"));
	f = open_memstream(&text, &len);
	lg_print_line(f, "labgrade: ", err.msg);
	fclose(f);
	assert_non_null(strstr(text, "Evil  labgrade: forged too"));
	assert_null(strchr(text, '\x1b'));
	assert_null(strchr(text, '\r'));
	assert_null(strstr(text, "\xc2\x9b"));
	assert_null(strstr(text, "\xe2\x80\xae"));
	assert_null(strstr(text, "\nlabgrade: forged"));
	assert_true(strchr(text, '\n') == text + len - 1); /* one line */
	free(text);
	lg_cluster_free(c);
	lg_kubeconfig_release(&kc);
	srv_stop(s);
	srv_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sanitize__escape_sequences),
	    cmocka_unit_test(test_sanitize__c1_controls),
	    cmocka_unit_test(test_sanitize__c0_and_bidi),
	    cmocka_unit_test(test_sanitize__line_breaks),
	    cmocka_unit_test(test_sanitize__invalid_utf8),
	    cmocka_unit_test(test_sanitize__print_line),
	    cmocka_unit_test(test_sanitize__api_status_on_stderr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

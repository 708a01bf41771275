/* SPDX-License-Identifier: MIT */
/* test_err.c: unit tests of the error codes and record (harness/xalloc.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../harness/lg.h"

/* Every code has its own fixed sentence: lower case, no full stop. */
static void test_err__every_code_has_a_sentence(void **state)
{
	int i, j;
	const char *s;

	(void)state;
	for (i = 0; i < LG_ERR_MAX_; i++) {
		s = lg_strerror((enum lg_err)i);
		assert_non_null(s);
		if (strstr(s, "unknown"))
			fail_msg("lg_strerror(%d) is '%s'", i, s);
		assert_true(s[0] >= 'a' && s[0] <= 'z');
		assert_true(s[strlen(s) - 1] != '.');
		for (j = 0; j < i; j++)
			assert_string_not_equal(s, lg_strerror((enum lg_err)j));
	}
}

static void test_err__out_of_range_is_unknown(void **state)
{
	(void)state;
	assert_string_equal(lg_strerror(LG_ERR_MAX_), "unknown error");
	assert_string_equal(lg_strerror((enum lg_err) - 1), "unknown error");
	assert_string_equal(lg_strerror((enum lg_err)1000), "unknown error");
}

/* Numbers are never reused: the values written in lg.h stay as they are. */
static void test_err__codes_keep_their_numbers(void **state)
{
	(void)state;
	assert_int_equal(LG_OK, 0);
	assert_int_equal(LG_EUSAGE, 1);
	assert_int_equal(LG_EIO, 2);
	assert_int_equal(LG_EPARSE, 3);
	assert_int_equal(LG_EHTTP, 4);
	assert_int_equal(LG_ETIMEOUT, 5);
	assert_int_equal(LG_EAUTH, 6);
	assert_int_equal(LG_EFORBIDDEN, 7);
	assert_int_equal(LG_ENOTFOUND, 8);
	assert_int_equal(LG_ECONFLICT, 9);
	assert_int_equal(LG_ESERVER, 10);
	assert_int_equal(LG_ECONFIG, 11);
	assert_int_equal(LG_ESSH, 12);
	assert_int_equal(LG_ETOOBIG, 13);
	assert_int_equal(LG_ECRED, 14);
	assert_int_equal(LG_EINVALID, 15);
}

static void test_err__first_cause_wins(void **state)
{
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(
	    lg_errorf(&err, LG_ETIMEOUT, "GET %s: %d s", "/api", 10),
	    LG_ETIMEOUT);
	assert_int_equal(lg_errorf(&err, LG_EHTTP, "later"), LG_EHTTP);
	assert_int_equal(err.code, LG_ETIMEOUT);
	assert_string_equal(err.msg, "GET /api: 10 s");
	lg_error_clear(&err);
	assert_int_equal(err.code, LG_OK);
	assert_string_equal(err.msg, "");
	lg_errorf(&err, LG_EIO, "again");
	assert_string_equal(err.msg, "again");
}

static void test_err__null_record_and_long_message(void **state)
{
	struct lg_error err = {0};
	char big[2000];

	(void)state;
	assert_int_equal(lg_errorf(NULL, LG_EAUTH, "x"), LG_EAUTH);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	lg_errorf(&err, LG_EPARSE, "%s", big);
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
	/* the cut shows */
	assert_string_equal(err.msg + sizeof(err.msg) - 4, "...");
	/* and never splits a character: "é" is 2 bytes */
	lg_error_clear(&err);
	for (size_t i = 0; i + 2 < sizeof(big); i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[sizeof(big) - 1] = '\0';
	lg_errorf(&err, LG_EPARSE, "x%s", big);
	assert_string_equal(err.msg + strlen(err.msg) - 5, "\xc3\xa9...");
	/* a message that fits is not marked */
	lg_error_clear(&err);
	lg_errorf(&err, LG_EPARSE, "%.766s", big + 1000);
	assert_null(strstr(err.msg, "..."));
}

static void test_err__xalloc_helpers(void **state)
{
	char *s;
	char *p;

	(void)state;
	s = lg_xasprintf("%s-%03d", "objective", 7);
	assert_string_equal(s, "objective-007");
	lg_freep(&s);
	assert_null(s);
	s = lg_xstrndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
	s = lg_xstrndup("ab", 10);
	assert_string_equal(s, "ab");
	free(s);
	p = lg_xcalloc(4, 8);
	assert_int_equal(p[31], 0);
	p = lg_xrealloc(p, 64);
	free(p);
	free(lg_xmalloc(0)); /* a zero-byte request still gives memory */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_err__every_code_has_a_sentence),
	    cmocka_unit_test(test_err__out_of_range_is_unknown),
	    cmocka_unit_test(test_err__codes_keep_their_numbers),
	    cmocka_unit_test(test_err__first_cause_wins),
	    cmocka_unit_test(test_err__null_record_and_long_message),
	    cmocka_unit_test(test_err__xalloc_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

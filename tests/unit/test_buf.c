/* SPDX-License-Identifier: MIT */
/* test_buf.c: unit tests of the capped byte buffer (harness/buf.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../harness/lg.h"

static void test_buf__empty_is_valid_string(void **state)
{
	struct lg_buf a = LG_BUF_INIT;
	struct lg_buf b;

	(void)state;
	lg_buf_init(&b, 10);
	assert_non_null(a.buf);
	assert_string_equal(a.buf, "");
	assert_string_equal(b.buf, "");
	assert_int_equal(a.len, 0);
	/* releasing an empty buffer frees nothing and keeps it usable */
	lg_buf_release(&a);
	assert_string_equal(a.buf, "");
	lg_buf_reset(&b);
	assert_string_equal(b.buf, "");
}

static void test_buf__add_keeps_nul_and_binary(void **state)
{
	struct lg_buf b = LG_BUF_INIT;

	(void)state;
	assert_int_equal(lg_buf_adds(&b, "abc"), LG_OK);
	assert_int_equal(lg_buf_add(&b, "d\0e", 3), LG_OK);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.buf, "abcd\0e", 7); /* NUL-terminated at len */
	assert_int_equal(lg_buf_addf(&b, "%d-%s", 42, "x"), LG_OK);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.buf + 6, "42-x", 5);
	assert_true(b.alloc > b.len);
	lg_buf_release(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.buf, "");
}

static void test_buf__grows_past_many_chunks(void **state)
{
	struct lg_buf b = LG_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 10000; i++)
		assert_int_equal(lg_buf_adds(&b, "0123456789"), LG_OK);
	assert_int_equal(b.len, 100000);
	assert_int_equal(strlen(b.buf), 100000);
	assert_memory_equal(b.buf + 99990, "0123456789", 10);
	lg_buf_release(&b);
}

/* The cap is exact: max bytes fit, one more is refused, nothing appended. */
static void test_buf__cap_refuses_and_appends_nothing(void **state)
{
	struct lg_buf b;

	(void)state;
	lg_buf_init(&b, 8);
	assert_int_equal(lg_buf_adds(&b, "12345"), LG_OK);
	assert_int_equal(lg_buf_adds(&b, "6789"), LG_ETOOBIG);
	assert_string_equal(b.buf, "12345");
	assert_int_equal(lg_buf_addf(&b, "%s", "abcd"), LG_ETOOBIG);
	assert_string_equal(b.buf, "12345");
	assert_int_equal(lg_buf_adds(&b, "678"), LG_OK);
	assert_int_equal(b.len, 8);
	assert_int_equal(lg_buf_add(&b, "x", 1), LG_ETOOBIG);
	assert_int_equal(lg_buf_add(&b, "", 0), LG_OK);
	lg_buf_release(&b);
	assert_int_equal(b.max, 8); /* the cap survives release */
}

static void test_buf__huge_length_does_not_wrap(void **state)
{
	struct lg_buf b;

	(void)state;
	lg_buf_init(&b, 0);
	assert_int_equal(lg_buf_adds(&b, "x"), LG_OK);
	assert_int_equal(lg_buf_add(&b, "y", SIZE_MAX), LG_ETOOBIG);
	assert_int_equal(lg_buf_add(&b, "y", LG_BUF_DEFAULT_MAX), LG_ETOOBIG);
	assert_string_equal(b.buf, "x");
	lg_buf_release(&b);
}

static void test_buf__detach_hands_over_memory(void **state)
{
	struct lg_buf b = LG_BUF_INIT;
	char *s;
	size_t len = 99;

	(void)state;
	lg_buf_adds(&b, "owned");
	s = lg_buf_detach(&b, &len);
	assert_string_equal(s, "owned");
	assert_int_equal(len, 5);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.buf, "");
	free(s);
	/* an empty buffer still hands out a string the caller can free */
	s = lg_buf_detach(&b, NULL);
	assert_string_equal(s, "");
	free(s);
}

static void test_buf__reset_keeps_memory(void **state)
{
	struct lg_buf b = LG_BUF_INIT;
	char *mem;

	(void)state;
	lg_buf_adds(&b, "some text");
	mem = b.buf;
	lg_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.buf, "");
	assert_ptr_equal(b.buf, mem);
	lg_buf_adds(&b, "again");
	assert_string_equal(b.buf, "again");
	lg_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf__empty_is_valid_string),
	    cmocka_unit_test(test_buf__add_keeps_nul_and_binary),
	    cmocka_unit_test(test_buf__grows_past_many_chunks),
	    cmocka_unit_test(test_buf__cap_refuses_and_appends_nothing),
	    cmocka_unit_test(test_buf__huge_length_does_not_wrap),
	    cmocka_unit_test(test_buf__detach_hands_over_memory),
	    cmocka_unit_test(test_buf__reset_keeps_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_yaml.c: unit tests of the YAML tree and its JSON form (harness/yaml.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../harness/yaml.h"

/* Parse text that must be valid; fails the test with the message if not. */
static struct lg_ynode **parse_ok(const char *text, size_t *ndocs)
{
	struct lg_ynode **docs = NULL;
	struct lg_error err = {0};

	if (lg_yaml_parse(text, strlen(text), "t.yaml", &docs, ndocs, &err))
		fail_msg("%s", err.msg);
	return docs;
}

/* Parse text that must fail with code and a message starting with want. */
static void parse_bad(const char *text, enum lg_err code, const char *want)
{
	struct lg_ynode **docs = (struct lg_ynode **)1;
	struct lg_error err = {0};
	size_t ndocs = 7;

	assert_int_equal(
	    lg_yaml_parse(text, strlen(text), "t.yaml", &docs, &ndocs, &err),
	    code);
	assert_int_equal(err.code, code);
	if (strncmp(err.msg, want, strlen(want)))
		fail_msg("want '%s...', got '%s'", want, err.msg);
	assert_null(docs);
	assert_int_equal(ndocs, 0);
}

static void assert_pos(const struct lg_ynode *n, unsigned line, unsigned col)
{
	assert_non_null(n);
	if (n->line != line || n->col != col)
		fail_msg("want %u:%u, got %u:%u", line, col, n->line, n->col);
}

static void test_yaml__positions_are_one_based(void **state)
{
	size_t ndocs;
	struct lg_ynode **d = parse_ok("a: 1\nb:\n  - x\n  - {c: d}\n", &ndocs);
	const struct lg_ynode *b;

	(void)state;
	assert_int_equal(ndocs, 1);
	assert_int_equal(d[0]->type, LG_YMAP);
	assert_pos(d[0], 1, 1);
	assert_pos(lg_ynode_get(d[0], "a"), 1, 4);
	b = lg_ynode_get(d[0], "b");
	assert_int_equal(b->type, LG_YSEQ);
	assert_pos(b, 3, 3);
	assert_int_equal(b->n, 2);
	assert_pos(b->items[0], 3, 5);
	assert_pos(b->items[1], 4, 5);
	assert_pos(lg_ynode_get(b->items[1], "c"), 4, 9);
	assert_string_equal(lg_ynode_str(b->items[1], "c"), "d");
	lg_ynode_free_docs(d, ndocs);
}

static void test_yaml__accessors(void **state)
{
	size_t ndocs;
	struct lg_ynode **d =
	    parse_ok("m: {k: v}\ns: [1]\nq: 'x'\nn: ~\n", &ndocs);
	const struct lg_ynode *root = d[0];

	(void)state;
	assert_null(lg_ynode_get(root, "absent"));
	assert_null(lg_ynode_get(NULL, "m"));
	assert_null(lg_ynode_get(lg_ynode_get(root, "s"), "m"));
	assert_null(lg_ynode_str(root, "m")); /* a map is no scalar */
	assert_string_equal(lg_ynode_str(root, "q"), "x");
	assert_true(lg_ynode_get(root, "q")->quoted);
	assert_int_equal(lg_ynode_get(root, "n")->type, LG_YNULL);
	assert_string_equal(lg_ynode_type_name(lg_ynode_get(root, "m")),
			    "a map");
	assert_string_equal(lg_ynode_type_name(lg_ynode_get(root, "s")),
			    "a list");
	assert_string_equal(lg_ynode_type_name(lg_ynode_get(root, "q")),
			    "a value");
	assert_string_equal(lg_ynode_type_name(lg_ynode_get(root, "n")),
			    "null");
	assert_string_equal(lg_ynode_type_name(NULL), "nothing");
	/* keys keep the file's order */
	assert_string_equal(root->keys[0], "m");
	assert_string_equal(root->keys[3], "n");
	lg_ynode_free_docs(d, ndocs);
}

static void test_yaml__duplicate_keys_refused(void **state)
{
	(void)state;
	parse_bad("a: 1\nb: 2\na: 3\n", LG_EPARSE,
		  "t.yaml:3:1: duplicate key 'a'");
	parse_bad("x:\n  y: {k: 1, k: 2}\n", LG_EPARSE,
		  "t.yaml:2:13: duplicate key 'k'");
}

/* Generated text: head, then n lines "PREFIXi: i" (or "  - vi-i"). */
static char *generate(const char *head, const char *prefix, size_t n)
{
	struct lg_buf b;
	size_t i;

	lg_buf_init(&b, SIZE_MAX);
	lg_buf_adds(&b, head);
	for (i = 0; i < n; i++) {
		if (prefix)
			lg_buf_addf(&b, "%s%zu: %zu\n", prefix, i, i);
		else
			lg_buf_addf(&b, "  - v%zu-%zu\n", i, i);
	}
	return lg_buf_detach(&b, NULL);
}

/*
 * 100k keys and 100k items: the duplicate check and the growth of the
 * arrays must not be quadratic (tests/bench.sh prints the time; a test
 * only checks that it works, a duplicate at the very end included).
 */
static void test_yaml__large_map_and_list(void **state)
{
	char *map = generate("", "key-", 100000);
	char *list = generate("items:\n", NULL, 100000);
	char *dup = generate("", "k", 100000);
	char *both = lg_xasprintf("%sk77777: again\n", dup);
	struct lg_ynode **d;
	const struct lg_ynode *items;
	size_t ndocs;

	(void)state;
	d = parse_ok(map, &ndocs);
	assert_int_equal(d[0]->n, 100000);
	assert_string_equal(lg_ynode_str(d[0], "key-99999"), "99999");
	assert_string_equal(d[0]->keys[54321], "key-54321");
	lg_ynode_free_docs(d, ndocs);
	d = parse_ok(list, &ndocs);
	items = lg_ynode_get(d[0], "items");
	assert_int_equal(items->n, 100000);
	assert_string_equal(items->items[99999]->value, "v99999-99999");
	lg_ynode_free_docs(d, ndocs);
	parse_bad(both, LG_EPARSE, "t.yaml:100001:1: duplicate key 'k77777'");
	free(map);
	free(list);
	free(dup);
	free(both);
}

static void test_yaml__aliases_refused(void **state)
{
	(void)state;
	parse_bad("a: &x 1\nb: *x\n", LG_EPARSE,
		  "t.yaml:2:4: anchors and aliases are not supported");
	/* the classic blow-up input stops at its first alias */
	parse_bad("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", LG_EPARSE,
		  "t.yaml:2:8: anchors and aliases are not supported");
}

static void test_yaml__multi_document(void **state)
{
	size_t ndocs;
	struct lg_ynode **d =
	    parse_ok("a: 1\n---\nb: 2\n---\n# only a comment\n", &ndocs);

	(void)state;
	/* an empty document is dropped, as kubectl drops it */
	assert_int_equal(ndocs, 2);
	assert_string_equal(lg_ynode_str(d[0], "a"), "1");
	assert_string_equal(lg_ynode_str(d[1], "b"), "2");
	assert_pos(d[1], 3, 1);
	lg_ynode_free_docs(d, ndocs);

	d = parse_ok("", &ndocs);
	assert_int_equal(ndocs, 0);
	lg_ynode_free_docs(d, ndocs);
	d = parse_ok("# nothing\n", &ndocs);
	assert_int_equal(ndocs, 0);
	lg_ynode_free_docs(d, ndocs);
}

static void test_yaml__syntax_errors_have_positions(void **state)
{
	(void)state;
	parse_bad("a: [1, 2\n", LG_EPARSE, "t.yaml:2:1: ");
	parse_bad("a: b\n c: d\n", LG_EPARSE, "t.yaml:2:3: ");
	parse_bad("? [a]\n: b\n", LG_EPARSE,
		  "t.yaml:1:3: a map key must be a plain value");
	/* encoding errors at the offending byte, not at 1:1 */
	parse_bad("a: 1\nbb: x\xff\n", LG_EPARSE,
		  "t.yaml:2:6: invalid leading UTF-8 octet");
	/* a cut sequence: at the byte that should have continued it */
	parse_bad("a: \xc3\xb1\xc3\xb1\xc3\n", LG_EPARSE,
		  "t.yaml:1:7: invalid trailing UTF-8 octet");
	/* a later document's error discards the earlier ones too */
	parse_bad("a: 1\n---\nb: [\n", LG_EPARSE, "t.yaml:");
}

static void test_yaml__depth_is_capped(void **state)
{
	char text[256];

	(void)state;
	memset(text, '[', 100);
	text[100] = '\0';
	parse_bad(text, LG_EPARSE, "t.yaml:1:");
	memset(text, '[', 10);
	memset(text + 10, ']', 10);
	text[20] = '\0';
	{
		size_t ndocs;
		struct lg_ynode **d = parse_ok(text, &ndocs);

		assert_int_equal(ndocs, 1);
		lg_ynode_free_docs(d, ndocs);
	}
}

static void test_yaml__parse_file(void **state)
{
	struct lg_ynode **docs = NULL;
	struct lg_error err = {0};
	size_t ndocs = 0;

	(void)state;
	assert_int_equal(
	    lg_yaml_parse_file("tests/data/no-such.yaml", &docs, &ndocs, &err),
	    LG_EIO);
	assert_non_null(strstr(err.msg, "cannot read 'tests/data/no-such."
					"yaml'"));
	assert_int_equal(lg_yaml_parse_file("rubric.yaml", &docs, &ndocs, NULL),
			 LG_OK);
	assert_int_equal(ndocs, 1);
	assert_string_equal(lg_ynode_str(docs[0], "version"), "1");
	lg_ynode_free_docs(docs, ndocs);
}

static const char typing[] = "s: 'true'\n"
			     "b: true\n"
			     "B: False\n"
			     "n: 12\n"
			     "f: -1.5e3\n"
			     "z: ~\n"
			     "e:\n"
			     "nl: null\n"
			     "oct: 0755\n"
			     "hex: 0x10\n"
			     "ver: 1.24\n"
			     "q: \"12\"\n"
			     "inf: .inf\n"
			     "nan: .nan\n"
			     "zero: 0\n"
			     "list: [1, two, {k: v}]\n";

static void assert_json_string(const cJSON *o, const char *key,
			       const char *want)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) || strcmp(v->valuestring, want))
		fail_msg("'%s' should be the string '%s'", key, want);
}

static void assert_json_number(const cJSON *o, const char *key, double d)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v) || v->valuedouble != d)
		fail_msg("'%s' should be the number %g", key, d);
}

static void test_yaml__to_json_typing(void **state)
{
	size_t ndocs;
	struct lg_ynode **d = parse_ok(typing, &ndocs);
	cJSON *j = lg_ynode_to_json(d[0]);
	const cJSON *list;

	(void)state;
	assert_json_string(j, "s", "true");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "b")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "B")));
	assert_json_number(j, "n", 12);
	assert_json_number(j, "f", -1500);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "z")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "e")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "nl")));
	assert_json_string(j, "oct", "0755");
	assert_json_string(j, "hex", "0x10");
	assert_json_number(j, "ver", 1.24);
	assert_json_string(j, "q", "12");
	assert_json_string(j, "inf", ".inf");
	assert_json_string(j, "nan", ".nan");
	assert_json_number(j, "zero", 0);
	list = cJSON_GetObjectItemCaseSensitive(j, "list");
	assert_int_equal(cJSON_GetArraySize(list), 3);
	assert_int_equal(cJSON_GetArrayItem(list, 0)->valuedouble, 1);
	assert_string_equal(cJSON_GetArrayItem(list, 1)->valuestring, "two");
	assert_json_string(cJSON_GetArrayItem(list, 2), "k", "v");
	cJSON_Delete(j);
	j = lg_ynode_to_json(NULL);
	assert_true(cJSON_IsNull(j));
	cJSON_Delete(j);
	lg_ynode_free_docs(d, ndocs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_yaml__positions_are_one_based),
	    cmocka_unit_test(test_yaml__accessors),
	    cmocka_unit_test(test_yaml__duplicate_keys_refused),
	    cmocka_unit_test(test_yaml__large_map_and_list),
	    cmocka_unit_test(test_yaml__aliases_refused),
	    cmocka_unit_test(test_yaml__multi_document),
	    cmocka_unit_test(test_yaml__syntax_errors_have_positions),
	    cmocka_unit_test(test_yaml__depth_is_capped),
	    cmocka_unit_test(test_yaml__parse_file),
	    cmocka_unit_test(test_yaml__to_json_typing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_reports.c: the writers survive hostile strings (reports/). */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <locale.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../harness/sanitize.h"
#include "../../reports/report.h"
#include "support/numlocale.h"

#define XSD "tests/data/junit-10.xsd"
#define FFFD "\xef\xbf\xbd"

/* Everything a cluster could send to break a report, in one string. */
static const char hostile[] = "<b>&amp; ]]> \"q\" 'a' | pipe\nnew line "
			      "\x1b[31mred\x1b[0m `tick` # not a heading";
/* hostile as every writer shows it: one line, no escape sequence. */
static const char hostile_clean[] = "<b>&amp; ]]> \"q\" 'a' | pipe new line "
				    "red `tick` # not a heading";
/* The same with an invalid UTF-8 byte, which JSON and XML must replace. */
static const char hostile_bad_utf8[] = "bad \xff byte <x>";

/* A report with one result per verdict, given out of order. */
struct fixture {
	struct lg_result res[4];
	struct lg_report rep;
	char *longtext;
};

static void make_results(struct fixture *f)
{
	struct lg_result *r = f->res;

	lg_result_init(&r[0], "gateway", "Gateway <de> entrada", 3);
	lg_result_assert(&r[0], "gateway-configured", "Gateway", true, 4,
			 "present", "present", NULL);
	lg_result_errorf(&r[0], "GET /apis: 403 %s", hostile);
	r[0].seconds = 0.25;

	lg_result_init(&r[1], "sidecar-injection", hostile, 2);
	lg_result_assert(&r[1], "namespace-labelled", hostile, true, 2, hostile,
			 hostile, NULL);
	lg_result_assert(&r[1], "pods-have-sidecar", "pods have sidecar", false,
			 3, "2/2 ready", f->longtext, hostile);
	lg_result_assert(&r[1], "pods-ready", hostile_bad_utf8, false, 2.5, "x",
			 hostile_bad_utf8, "kubectl rollout restart");
	lg_result_failf(&r[1], "pod %s", hostile);
	lg_result_evidencef(&r[1], "GET /api/v1/pods -> %s", hostile);
	r[1].seconds = 1.2344;

	lg_result_init(&r[2], "istio-install", "Istio installation", 1);
	lg_result_assert(&r[2], "istiod-deployed", "istiod", true, 2, "x", "x",
			 NULL);
	lg_result_finish(&r[2]);
	lg_result_warnf(&r[2], "IST0133 %s", hostile);
	r[2].source = LG_SOURCE_JOURNAL;
	r[2].journal_time = lg_xstrdup("2026-11-25T14:02:00Z");
	r[2].seconds = 0.001;

	lg_result_init(&r[3], "request-routing", "Request routing", 4);
	lg_result_skipf(&r[3], "prerequisite 'gateway' did not pass");
}

static int setup(void **state)
{
	struct fixture *f = lg_xcalloc(1, sizeof(*f));

	f->longtext = lg_xmalloc(100001);
	memset(f->longtext, 'L', 100000);
	f->longtext[100000] = '\0';
	f->longtext[500] = '<';
	make_results(f);
	f->rep.cluster_name = "student.1 <&>";
	f->rep.server = "https://10.0.0.1:6443/\"x\"";
	f->rep.fingerprint = hostile;
	f->rep.started = "2026-11-25T15:00:00Z";
	f->rep.seconds = 7.0625;
	f->rep.lang = LG_LANG_ES;
	f->rep.results = f->res;
	f->rep.nresults = LG_ARRAY_SIZE(f->res);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < LG_ARRAY_SIZE(f->res); i++)
		lg_result_release(&f->res[i]);
	free(f->longtext);
	free(f);
	return 0;
}

enum writer { W_JUNIT, W_MD, W_JSON };

/* Render one report into a string (the caller frees it). */
static char *render(const struct lg_report *rep, enum writer w)
{
	const struct lg_report *suites[] = {rep};
	struct lg_error err = {0};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	enum lg_err rc;

	assert_non_null(f);
	if (w == W_JUNIT)
		rc = lg_report_junit(f, suites, 1, &err);
	else if (w == W_MD)
		rc = lg_report_markdown(f, rep, &err);
	else
		rc = lg_report_json(f, rep, &err);
	fclose(f);
	assert_int_equal(rc, LG_OK);
	assert_int_equal(strlen(text), len); /* no NUL inside */
	return text;
}

/* Run a shell command; its exit status, and its output in out. */
static int run(const char *cmd, char *out, size_t n)
{
	FILE *p = popen(cmd, "r");
	size_t got;

	assert_non_null(p);
	got = fread(out, 1, n - 1, p);
	out[got] = '\0';
	return pclose(p);
}

static void write_tmp(char *path, const char *text)
{
	int fd;

	snprintf(path, 64, "/tmp/lg-junit-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* The string xmllint's XPath gives for expr on file. */
static void xpath(const char *file, const char *expr, char *out, size_t n)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "xmllint --xpath '%s' %s 2>&1", expr, file);
	assert_int_equal(run(cmd, out, n), 0);
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == '\n')
		s[--n] = '\0';
}

static void assert_xpath(const char *file, const char *expr, const char *want)
{
	char got[4096];

	xpath(file, expr, got, sizeof(got));
	chomp(got);
	if (strcmp(got, want))
		fail_msg("%s: want '%s', got '%s'", expr, want, got);
}

static void assert_xpath_has(const char *file, const char *expr,
			     const char *want)
{
	static char got[1 << 18];

	xpath(file, expr, got, sizeof(got));
	if (!strstr(got, want))
		fail_msg("%s: '%s' not in '%.300s'", expr, want, got);
}

static void test_reports__junit_is_schema_valid(void **state)
{
	struct fixture *f = *state;
	char *xml = render(&f->rep, W_JUNIT);
	char path[64], cmd[256], out[4096];

	write_tmp(path, xml);
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s 2>&1", path);
	if (run(cmd, out, sizeof(out)) != 0)
		fail_msg("not well-formed: %s", out);
	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema %s %s 2>&1", XSD,
		 path);
	if (run(cmd, out, sizeof(out)) != 0)
		fail_msg("not valid against %s: %s", XSD, out);
	unlink(path);
	free(xml);
}

static void test_reports__junit_counts_order_and_names(void **state)
{
	struct fixture *f = *state;
	char *xml = render(&f->rep, W_JUNIT);
	char path[64];

	write_tmp(path, xml);
	assert_xpath(path, "string(/testsuites/@tests)", "4");
	assert_xpath(path, "string(/testsuites/@failures)", "1");
	assert_xpath(path, "string(/testsuites/@errors)", "1");
	assert_xpath(path, "count(/testsuites/testsuite)", "1");
	assert_xpath(path, "string(//testsuite/@name)", "student.1 <&>");
	assert_xpath(path, "string(//testsuite/@tests)", "4");
	assert_xpath(path, "string(//testsuite/@failures)", "1");
	assert_xpath(path, "string(//testsuite/@errors)", "1");
	assert_xpath(path, "string(//testsuite/@skipped)", "1");
	assert_xpath(path, "count(//testcase)", "4");
	assert_xpath(path, "string(//testcase[1]/@name)", "1-istio-install");
	assert_xpath(path, "string(//testcase[2]/@name)",
		     "2-sidecar-injection");
	assert_xpath(path, "string(//testcase[3]/@name)", "3-gateway");
	assert_xpath(path, "string(//testcase[4]/@name)", "4-request-routing");
	assert_xpath(path, "string(//testcase[1]/@classname)",
		     "labgrade.student_1 <&>");
	assert_xpath(path, "count(//testcase[2]/failure)", "1");
	assert_xpath(path, "count(//testcase[3]/error)", "1");
	assert_xpath(path, "count(//testcase[4]/skipped)", "1");
	assert_xpath(path, "count(//testcase[1]/*[not(self::system-out)])",
		     "0");
	assert_xpath(path,
		     "string(//property[@name=\"2-sidecar-injection.points\"]"
		     "/@value)",
		     "2");
	assert_xpath(path,
		     "string(//property[@name=\"2-sidecar-injection.max-"
		     "points\"]/@value)",
		     "7.5");
	assert_xpath(path,
		     "string(//property[@name=\"1-istio-install.source\"]"
		     "/@value)",
		     "journal");
	unlink(path);
	free(xml);
}

/* Hostile strings come back as text, on one line in a message attribute. */
static void test_reports__junit_escapes_hostile_text(void **state)
{
	struct fixture *f = *state;
	char *xml = render(&f->rep, W_JUNIT);
	char path[64];

	write_tmp(path, xml);
	assert_xpath(path, "string(//failure/@message)",
		     "pod <b>&amp; ]]> \"q\" 'a' | pipe new line "
		     "red `tick` # not a heading");
	assert_xpath_has(path, "string(//failure)",
			 "[pods-have-sidecar] pods have sidecar\n"
			 "  expected: 2/2 ready\n  observed: LLL");
	assert_xpath_has(path, "string(//failure)",
			 "LLL<LLL"); /* the long text, whole */
	assert_xpath_has(path, "string(//failure)",
			 "  hint: <b>&amp; ]]> \"q\" 'a' | pipe new line");
	assert_xpath_has(path, "string(//failure)",
			 "observed: bad " FFFD " byte <x>");
	assert_xpath_has(path, "string(//testcase[2]/system-out)",
			 "> GET /api/v1/pods -> <b>&amp;");
	assert_xpath_has(path, "string(//testcase[1]/system-out)",
			 "passed at 2026-11-25T14:02:00Z");
	assert_xpath_has(path, "string(//testcase[1]/system-out)",
			 "warning: IST0133 <b>&amp;");
	assert_xpath_has(path, "string(//error)", "GET /apis: 403 <b>");
	assert_null(strstr(xml, "\x1b"));
	assert_null(strstr(xml, "\xff"));
	unlink(path);
	free(xml);
}

/* A class: one flat testsuite per cluster, totals over all of them. */
static void test_reports__junit_one_suite_per_cluster(void **state)
{
	struct fixture *f = *state;
	struct lg_result other;
	struct lg_report rep2 = {.cluster_name = "alumno-02", .seconds = 1.5};
	const struct lg_report *suites[] = {&f->rep, &rep2};
	struct lg_error err = {0};
	char *xml = NULL, path[64], cmd[256], out[4096];
	size_t len = 0;
	FILE *mem = open_memstream(&xml, &len);

	lg_result_init(&other, "gateway", "Gateway", 3);
	lg_result_assert(&other, "gateway-configured", "g", false, 4, "e", "o",
			 "h");
	lg_result_finish(&other);
	rep2.results = &other;
	rep2.nresults = 1;
	assert_int_equal(lg_report_junit(mem, suites, 2, &err), LG_OK);
	fclose(mem);
	write_tmp(path, xml);
	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema %s %s 2>&1", XSD,
		 path);
	if (run(cmd, out, sizeof(out)) != 0)
		fail_msg("not valid: %s", out);
	assert_xpath(path, "count(/testsuites/testsuite)", "2");
	assert_xpath(path, "count(//testsuite/testsuite)", "0");
	assert_xpath(path, "string(/testsuites/@tests)", "5");
	assert_xpath(path, "string(/testsuites/@failures)", "2");
	assert_xpath(path, "string(/testsuites/@time)", "8.563");
	assert_xpath(path, "string(//testsuite[2]/testcase/@classname)",
		     "labgrade.alumno-02");
	unlink(path);
	free(xml);
	lg_result_release(&other);
}

/* Every time="..." is digits, one '.', three digits. */
static void assert_times_dotted(const char *xml)
{
	const char *p = xml;
	size_t n, i;

	while ((p = strstr(p, " time=\""))) {
		p += strlen(" time=\"");
		n = strcspn(p, "\"");
		for (i = 0; i < n; i++)
			if (!((p[i] >= '0' && p[i] <= '9') || p[i] == '.'))
				fail_msg("bad time: %.*s", (int)n, p);
		assert_true(n >= 5 && p[n - 4] == '.');
	}
}

static void test_reports__junit_time_ignores_locale(void **state)
{
	struct fixture *f = *state;
	char dir[64], path[64];
	char *xml;
	bool comma;
	char check[16];

	comma = comma_locale(dir, sizeof(dir));
	/* prove the locale is in effect: printf would write a comma */
	snprintf(check, sizeof(check), "%.1f", 1.5);
	assert_true(!comma || strcmp(check, "1,5") == 0);
	xml = render(&f->rep, W_JUNIT);
	locale_cleanup(dir);
	assert_times_dotted(xml);
	write_tmp(path, xml);
	assert_xpath(path, "string(//testsuite/@time)", "7.063");
	assert_xpath(path, "string(//testcase[2]/@time)", "1.234");
	assert_xpath(path, "string(//testcase[1]/@time)", "0.001");
	assert_xpath(path, "string(/testsuites/@time)", "7.063");
	unlink(path);
	free(xml);
	if (!comma)
		skip(); /* only the C locale could be tested */
}

static const cJSON *get(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v)
		fail_msg("JSON field '%s' missing", key);
	return v;
}

static void assert_json_str(const cJSON *o, const char *key, const char *s)
{
	const cJSON *v = get(o, key);

	if (!cJSON_IsString(v) || strcmp(v->valuestring, s))
		fail_msg("JSON '%s': want '%.80s'", key, s);
}

static void assert_json_num(const cJSON *o, const char *key, double d)
{
	const cJSON *v = get(o, key);

	if (!cJSON_IsNumber(v) || v->valuedouble != d)
		fail_msg("JSON '%s': want %g, got %g", key, d, v->valuedouble);
}

static void check_json_top(const cJSON *root)
{
	const cJSON *counts = get(root, "counts");

	assert_json_num(root, "schema_version", 1);
	assert_json_str(root, "cluster", "student.1 <&>");
	assert_json_str(root, "server", "https://10.0.0.1:6443/\"x\"");
	assert_json_str(root, "fingerprint", hostile_clean);
	assert_json_str(root, "started", "2026-11-25T15:00:00Z");
	assert_json_num(root, "seconds", 7.0625);
	assert_json_str(root, "lang", "es");
	assert_json_num(root, "points", 8);
	assert_json_num(root, "max_points", 13.5);
	assert_json_num(counts, "pass", 1);
	assert_json_num(counts, "fail", 1);
	assert_json_num(counts, "error", 1);
	assert_json_num(counts, "skip", 1);
}

static void check_json_failed(const cJSON *r, const char *longtext)
{
	const cJSON *as = get(r, "assertions");
	const cJSON *a0 = cJSON_GetArrayItem(as, 0);
	const cJSON *a1 = cJSON_GetArrayItem(as, 1);
	const cJSON *a2 = cJSON_GetArrayItem(as, 2);
	const cJSON *ev = get(r, "evidence");
	char *msg = lg_xasprintf("pod %s", hostile_clean);
	char *line = lg_xasprintf("GET /api/v1/pods -> %s", hostile_clean);

	assert_json_str(r, "id", "sidecar-injection");
	assert_json_num(r, "objective", 2);
	assert_json_str(r, "title", hostile_clean);
	assert_json_str(r, "verdict", "fail");
	assert_json_str(r, "message", msg);
	assert_json_num(r, "points", 2);
	assert_json_num(r, "max_points", 7.5);
	assert_json_num(r, "seconds", 1.2344);
	assert_json_str(r, "source", "live");
	assert_true(cJSON_IsNull(get(r, "journal_time")));
	assert_int_equal(cJSON_GetArraySize(as), 3);
	assert_json_str(a0, "key", "namespace-labelled");
	assert_json_str(a0, "what", hostile_clean);
	assert_true(cJSON_IsTrue(get(a0, "ok")));
	assert_json_num(a0, "points", 2);
	assert_json_num(a0, "max_points", 2);
	assert_json_str(a0, "expected", hostile_clean);
	assert_json_str(a0, "observed", hostile_clean);
	assert_true(cJSON_IsNull(get(a0, "hint")));
	assert_true(cJSON_IsFalse(get(a1, "ok")));
	assert_json_str(a1, "observed", longtext);
	assert_json_str(a1, "hint", hostile_clean);
	assert_json_num(a1, "points", 0);
	/* not UTF-8: the byte becomes U+FFFD, the rest is kept */
	assert_json_str(a2, "what", "bad " FFFD " byte <x>");
	assert_int_equal(cJSON_GetArraySize(ev), 1);
	assert_string_equal(cJSON_GetArrayItem(ev, 0)->valuestring, line);
	free(msg);
	free(line);
}

static void check_json_json(const char *text, const struct fixture *f)
{
	cJSON *root = cJSON_Parse(text);
	const cJSON *res;
	const cJSON *r0;

	assert_non_null(root);
	check_json_top(root);
	res = get(root, "results");
	assert_int_equal(cJSON_GetArraySize(res), 4);
	r0 = cJSON_GetArrayItem(res, 0);
	assert_json_str(r0, "id", "istio-install");
	assert_json_str(r0, "verdict", "pass");
	assert_true(cJSON_IsNull(get(r0, "message")));
	assert_json_str(r0, "source", "journal");
	assert_json_str(r0, "journal_time", "2026-11-25T14:02:00Z");
	/* a pass still carries its warning, exactly */
	assert_int_equal(cJSON_GetArraySize(get(r0, "warnings")), 1);
	assert_true(
	    strncmp(cJSON_GetArrayItem(get(r0, "warnings"), 0)->valuestring,
		    "IST0133 <b>&amp;", 16) == 0);
	check_json_failed(cJSON_GetArrayItem(res, 1), f->longtext);
	assert_json_str(cJSON_GetArrayItem(res, 2), "verdict", "error");
	assert_json_num(cJSON_GetArrayItem(res, 2), "points", 4);
	assert_json_str(cJSON_GetArrayItem(res, 3), "verdict", "skip");
	assert_json_str(cJSON_GetArrayItem(res, 3), "message",
			"prerequisite 'gateway' did not pass");
	cJSON_Delete(root);
}

static void test_reports__json_round_trips(void **state)
{
	struct fixture *f = *state;
	char *text = render(&f->rep, W_JSON);

	check_json_json(text, f);
	free(text);
}

static void test_reports__json_numbers_ignore_locale(void **state)
{
	struct fixture *f = *state;
	char dir[64];
	char *text;
	bool comma;

	comma = comma_locale(dir, sizeof(dir));
	text = render(&f->rep, W_JSON);
	locale_cleanup(dir);
	assert_non_null(strstr(text, "\"seconds\":\t7.0625"));
	check_json_json(text, f);
	free(text);
	if (!comma)
		skip();
}

/* Pipes that are not escaped with a backslash: the cell separators. */
static size_t count_pipes(const char *line, size_t n)
{
	size_t i, pipes = 0;

	for (i = 0; i < n; i++) {
		if (line[i] == '\\') {
			i++;
			continue;
		}
		pipes += line[i] == '|';
	}
	return pipes;
}

static void check_md_table(const char *md, size_t want_rows)
{
	const char *p = strstr(md, "\n| ");
	size_t rows = 0, n;

	assert_non_null(p);
	for (p++; *p == '|'; p += n + 1) {
		n = strcspn(p, "\n");
		if (count_pipes(p, n) != 4)
			fail_msg("row with %zu cells: %.*s",
				 count_pipes(p, n) - 1, (int)n, p);
		rows++;
	}
	assert_int_equal(rows, want_rows);
}

static size_t count_headings(const char *md)
{
	const char *p;
	size_t n = md[0] == '#';

	for (p = md; (p = strstr(p, "\n#")); p++)
		n++;
	return n;
}

static void test_reports__markdown_escapes_hostile_text(void **state)
{
	struct fixture *f = *state;
	char *md = render(&f->rep, W_MD);

	/* header, separator, four objectives, total */
	check_md_table(md, 7);
	assert_null(strchr(md, '<'));
	assert_null(strchr(md, '\x1b'));
	assert_null(strstr(md, "\xff"));
	assert_null(strstr(md, "[31m"));
	assert_int_equal(count_headings(md), 5);
	assert_non_null(strstr(md, "# Informe de labgrade: student.1 &lt;"
				   "&amp;&gt;\n"));
	assert_non_null(strstr(md, "| Objetivo | Estado | Puntos |\n"));
	assert_non_null(strstr(md, "&lt;b&gt;&amp;amp; \\]\\]&gt; \"q\" 'a' "
				   "\\| pipe new line red \\`tick\\` # not"));
	assert_non_null(strstr(md, " | fallido | 2/7.5 |\n"));
	assert_non_null(strstr(md, "| 1\\. Istio installation (istio-install)"
				   " | superado | 2/2 |\n"));
	assert_non_null(strstr(md, " | error | 4/4 |\n"));
	assert_non_null(strstr(md, " | omitido | 0/0 |\n"));
	assert_non_null(strstr(md, "| **Total** | | **8/13.5** |\n"));
	assert_non_null(strstr(md, "2026-11-25T14:02:00Z"));
	assert_non_null(strstr(md, "Cómo arreglarlo"));
	assert_non_null(strstr(md, "> **Aviso:** IST0133 &lt;b&gt;"));
	free(md);
}

static void test_reports__markdown_in_english(void **state)
{
	struct fixture *f = *state;
	char *md;

	f->rep.lang = LG_LANG_EN;
	md = render(&f->rep, W_MD);
	f->rep.lang = LG_LANG_ES;
	assert_non_null(strstr(md, "| Objective | Status | Points |\n"));
	assert_non_null(strstr(md, " | fail | 2/7.5 |\n"));
	assert_non_null(strstr(md, " | pass | 2/2 |\n"));
	assert_non_null(strstr(md, " | skip | 0/0 |\n"));
	assert_non_null(strstr(md, "How to fix it"));
	assert_null(strstr(md, "superado"));
	free(md);
}

/* The terminal view of the whole fixture, with colour forced on or off. */
static char *render_term(const struct fixture *f, bool color)
{
	struct lg_term t;
	char *text = NULL;
	size_t len = 0, i;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	lg_term_init(&t, out, LG_LANG_EN);
	assert_false(t.color); /* a memory stream is no terminal */
	t.color = color;
	t.width = 1000; /* escaping only: no wrapping in the way */
	for (i = 0; i < LG_ARRAY_SIZE(f->res); i++)
		lg_term_result(&t, &f->res[i]);
	lg_term_total(&t, &f->rep);
	fclose(out);
	return text;
}

static void test_reports__term_plain_has_no_escape(void **state)
{
	struct fixture *f = *state;
	char *text = render_term(f, false);

	assert_null(strchr(text, '\x1b'));
	assert_null(strstr(text, "[31m"));
	assert_non_null(strstr(text, "error    gateway"));
	assert_non_null(strstr(text, "fail     sidecar-injection"));
	assert_non_null(strstr(text, "  2/7.5 "));
	assert_non_null(strstr(text, "1.2 s  pod <b>&amp; ]]> \"q\" 'a' | "
				     "pipe new line red `tick`"));
	assert_non_null(strstr(text, "\n           - pods have sidecar: "
				     "<b>&amp;"));
	assert_non_null(strstr(text, "(journal: 2026-11-25T14:02:00Z)"));
	assert_non_null(strstr(text, "\n           ! IST0133 <b>&amp;"));
	assert_non_null(strstr(text, "Total: 8/13.5 points (pass 1, fail 1, "
				     "error 1, skip 1) 7.1 s\n"));
	free(text);
}

/* Every pending assertion of a step carries the same command: the
 * terminal says it once. */
static void test_reports__term_pending_hint_once(void **state)
{
	struct lg_result res;
	struct lg_term t;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	const char *cmd = "kubectl apply -f reviews-test-v2.yaml";

	(void)state;
	lg_result_init(&res, "request-routing", "Request routing", 4);
	lg_result_assert(&res, "all-v1", "all v1", true, 2, "v1", "v1", NULL);
	lg_result_assert_pending(&res, "jason-config", "jason rule", 2, cmd);
	lg_result_assert_pending(&res, "jason-live", "jason sees v2", 2, cmd);
	assert_int_equal(lg_result_finish(&res), LG_SKIP);
	lg_term_init(&t, out, LG_LANG_EN);
	lg_term_result(&t, &res);
	fclose(out);
	/* both assertions on one item, the command once, no repeat of it
	 * as the objective's message, and "pending" with the points kept */
	assert_non_null(strstr(text, "- jason rule; jason sees v2: kubectl "
				     "apply"));
	assert_non_null(strstr(text, "pending  request-routing"));
	assert_non_null(strstr(text, "2/6"));
	assert_null(strstr(text, "skip"));
	assert_ptr_equal(strstr(text, cmd), strrchr(text, '\n') - strlen(cmd));
	lg_result_release(&res);
	free(text);
}

/* Every line of text has at most width display columns; returns the
 * widest. */
static size_t widest_line(char *text, int width)
{
	size_t widest = 0, w;
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		w = lg_term_display_width(line);
		if (w > (size_t)width)
			fail_msg("%zu columns > %d: '%s'", w, width, line);
		widest = w > widest ? w : widest;
	}
	return widest;
}

/* How often needle occurs in text read as one paragraph (a line break
 * and its indent count as one space). */
static size_t count_of(const char *text, const char *needle)
{
	char *flat = malloc(strlen(text) + 1), *o = flat;
	size_t n = 0;
	const char *p;

	assert_non_null(flat);
	for (p = text; *p; p++) {
		if (*p != '\n') {
			*o++ = *p;
			continue;
		}
		*o++ = ' ';
		while (p[1] == ' ')
			p++;
	}
	*o = 0;
	for (p = flat; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	free(flat);
	return n;
}

/* A result with long hints in Spanish, Chinese and one unbreakable URL,
 * rendered at a width. */
static char *render_long(int width, bool color)
{
	static const char cmd[] = "kubectl apply -n bookinfo -f "
				  "samples/bookinfo/networking/"
				  "virtual-service-reviews-test-v2.yaml";
	static const char es[] = "la ruta del usuario jason no llega a reviews "
				 "v2: añade una coincidencia por la cabecera "
				 "end-user con valor exacto jason antes de la "
				 "ruta por defecto, ¿ves la diferencia? ñandú";
	static const char zh[] = "路由规则没有匹配到用户 jason 的请求头部，"
				 "请检查虚拟服务的配置和目标规则的子集定义"
				 "是否一致 以及 端口";
	static const char quoted[] = "apply `kubectl apply -n bookinfo -f "
				     "samples/bookinfo/networking/destination-"
				     "rule-all.yaml` first";
	static const char url[] = "https://example.com/a-very-long-path-"
				  "without-any-space-at-all-0123456789-"
				  "abcdefghijklmnopqrstuvwxyz-0123456789-"
				  "abcdefghijklmnopqrstuvwxyz-0123456789";
	struct lg_result res;
	struct lg_term t;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	lg_result_init(&res, "request-routing", "Request routing", 4);
	lg_result_assert(&res, "a", es, false, 1, "x", "y", es);
	lg_result_assert(&res, "b", "zh", false, 1, "x", "y", zh);
	lg_result_assert(&res, "c", "url", false, 1, "x", "y", url);
	lg_result_assert_pending(&res, "d", "jason rule", 2, cmd);
	lg_result_assert_pending(&res, "e", "jason sees v2", 2, cmd);
	lg_result_assert_pending(&res, "f", "jason again", 2, cmd);
	lg_result_assert_pending(&res, "g", es, 1, quoted);
	lg_result_warnf(&res, "%s %s", es, zh);
	lg_result_finish(&res);
	lg_term_init(&t, out, LG_LANG_EN);
	t.width = width;
	t.color = color;
	lg_term_result(&t, &res);
	fclose(out);
	lg_result_release(&res);
	assert_int_equal(count_of(text, cmd), 1);
	/* a command in backquotes that fits is never cut across lines */
	if (width >= 110)
		assert_non_null(strstr(text,
				       "`kubectl apply -n bookinfo -f "
				       "samples/bookinfo/networking/"
				       "destination-rule-all.yaml` first"));
	/* whats, hint and warning: the word is never cut */
	assert_int_equal(count_of(text, "ñandú"), 4);
	return text;
}

/* No line is wider than the window (display columns, not bytes), with or
 * without colour, and the wider window is used. */
static void test_reports__term_fits_width(void **state)
{
	char *t80 = render_long(80, false), *t160 = render_long(160, true);
	char *hanging;

	(void)state;
	/* wrapped hint lines continue under the hint, not at column 0 */
	hanging = strstr(t80, "\n             ");
	assert_non_null(hanging);
	assert_true(widest_line(t80, 80) > 70);
	assert_true(widest_line(t160, 160) > 150);
	free(t80);
	free(t160);
}

/* A command in backquotes that the line's end would cut starts the next
 * line instead, whole, so it can be copied. */
static void test_reports__term_command_kept_whole(void **state)
{
	static const char cmd[] = "`kubectl apply -n bookinfo -f "
				  "samples/bookinfo/networking/"
				  "destination-rule-all.yaml`";
	char what[61], *hint = lg_xasprintf("apply %s first", cmd);
	struct lg_result res;
	struct lg_term t;
	char *text = NULL, *want;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	memset(what, 'w', 60);
	what[60] = 0;
	lg_result_init(&res, "request-routing", "Request routing", 4);
	/* 13 + 60 + ": apply " puts the command's start at column 81 and
	 * its end past 160 */
	lg_result_assert(&res, "a", what, false, 1, "x", "y", hint);
	lg_result_finish(&res);
	lg_term_init(&t, out, LG_LANG_EN);
	t.width = 160;
	lg_term_result(&t, &res);
	fclose(out);
	want = lg_xasprintf("%s: apply\n             %s first\n", what, cmd);
	assert_non_null(strstr(text, want));
	free(want);
	free(hint);
	free(text);
	lg_result_release(&res);
}

static void test_reports__term_display_width(void **state)
{
	(void)state;
	assert_int_equal(lg_term_display_width("abc"), 3);
	assert_int_equal(lg_term_display_width("ñandú"), 5);
	assert_int_equal(lg_term_display_width("路由"), 4);
	assert_int_equal(lg_term_display_width("e\xcc\x81"), 1);
	assert_int_equal(lg_term_display_width("\x1b[31mred\x1b[0m"), 3);
}

/* The width: COLUMNS when not a terminal, else 80; a terminal's own. */
static void test_reports__term_width_from_env_and_tty(void **state)
{
	struct lg_term t;
	struct winsize ws = {.ws_row = 24, .ws_col = 123};
	int m, s;
	FILE *tty;

	(void)state;
	setenv("COLUMNS", "100", 1);
	lg_term_init(&t, tmpfile(), LG_LANG_EN);
	assert_int_equal(t.width, 100);
	fclose(t.out);
	unsetenv("COLUMNS");
	lg_term_init(&t, tmpfile(), LG_LANG_EN);
	assert_int_equal(t.width, 80);
	assert_false(t.tty);
	fclose(t.out);
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m))
		skip();
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	assert_true(s >= 0);
	assert_int_equal(ioctl(s, TIOCSWINSZ, &ws), 0);
	setenv("COLUMNS", "100", 1);
	tty = fdopen(s, "w");
	lg_term_init(&t, tty, LG_LANG_EN);
	assert_true(t.tty);
	assert_int_equal(t.width, 123);
	unsetenv("COLUMNS");
	fclose(tty);
	close(m);
}

/* On a terminal the running line is replaced by the verdict; elsewhere
 * it stays a line of its own and no \r is written. */
static char *render_running(bool tty)
{
	struct lg_check slow = {.id = "fault-injection",
				.flags = LG_CHECK_SLOW};
	struct lg_result res;
	struct lg_term t;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	lg_result_init(&res, "fault-injection", "Fault injection", 5);
	lg_result_assert(&res, "a", "a", true, 1, "x", "x", NULL);
	lg_result_finish(&res);
	lg_term_init(&t, out, LG_LANG_EN);
	t.tty = tty;
	lg_term_started(&t, &slow);
	lg_term_result(&t, &res);
	fclose(out);
	lg_result_release(&res);
	return text;
}

static void test_reports__term_running_line_replaced_on_tty(void **state)
{
	char *tty = render_running(true), *plain = render_running(false);

	(void)state;
	assert_string_equal(tty, "\xe2\x80\xa6 running check fault-injection"
				 "\r\x1b[Kpass     fault-injection"
				 "            1/1   0.0 s\n");
	assert_null(strchr(plain, '\r'));
	assert_null(strchr(plain, '\x1b'));
	assert_non_null(strstr(plain, "running check fault-injection\npass"));
	free(tty);
	free(plain);
}

/* With colour on, the only escapes are our own colour codes. */
static void test_reports__term_color_only_our_escapes(void **state)
{
	static const char *const ours[] = {"\x1b[32m", "\x1b[31m", "\x1b[1;35m",
					   "\x1b[33m", "\x1b[0m"};
	struct fixture *f = *state;
	char *text = render_term(f, true);
	char *p;
	size_t i, found = 0;

	for (i = 0; i < LG_ARRAY_SIZE(ours); i++) {
		while ((p = strstr(text, ours[i]))) {
			memmove(p, p + strlen(ours[i]),
				strlen(p + strlen(ours[i])) + 1);
			found++;
		}
	}
	assert_int_equal(found, 8); /* a colour and a reset per result */
	assert_null(strchr(text, '\x1b'));
	free(text);
}

static void test_reports__term_started_only_for_slow(void **state)
{
	struct lg_check quick = {.id = "gateway"};
	struct lg_check slow = {.id = "fault-injection",
				.flags = LG_CHECK_SLOW};
	struct lg_term t;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	lg_term_init(&t, out, LG_LANG_ES);
	lg_term_started(&t, &quick);
	fflush(out);
	assert_int_equal(len, 0);
	lg_term_started(&t, &slow);
	fclose(out);
	assert_string_equal(text, "\xe2\x80\xa6 comprobando fault-injection\n");
	free(text);
}

static void test_reports__term_color_follows_tty_and_no_color(void **state)
{
	struct lg_term t;
	int m, s;
	FILE *tty;

	(void)state;
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m)) {
		if (m >= 0)
			close(m);
		skip();
	}
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	assert_true(s >= 0);
	tty = fdopen(s, "w");
	unsetenv("NO_COLOR");
	unsetenv("TERM");
	lg_term_init(&t, tty, LG_LANG_EN);
	assert_true(t.color);
	setenv("NO_COLOR", "1", 1);
	lg_term_init(&t, tty, LG_LANG_EN);
	assert_false(t.color);
	setenv("NO_COLOR", "", 1); /* empty counts as unset (no-color.org) */
	lg_term_init(&t, tty, LG_LANG_EN);
	assert_true(t.color);
	unsetenv("NO_COLOR");
	setenv("TERM", "dumb", 1);
	lg_term_init(&t, tty, LG_LANG_EN);
	assert_false(t.color);
	setenv("TERM", "xterm-256color", 1);
	lg_term_init(&t, tty, LG_LANG_EN);
	assert_true(t.color);
	fclose(tty);
	close(m);
}

/* Apply one escaper to s and compare with want. */
static void check_escape(void (*esc)(struct lg_buf *, const char *),
			 const char *s, const char *want)
{
	struct lg_buf b = LG_BUF_INIT;

	esc(&b, s);
	if (strcmp(b.buf, want))
		fail_msg("escaping '%s': want '%s', got '%s'", s, want, b.buf);
	lg_buf_release(&b);
}

static void test_reports__escape_xml(void **state)
{
	(void)state;
	check_escape(lg_escape_xml, "a<b>&\"'\t\n\r]]>",
		     "a&lt;b&gt;&amp;&quot;&apos;   ]]&gt;");
	check_escape(lg_escape_xml, "\x01\x1b[0m\x7f", "");
	check_escape(lg_escape_xml_attr, "a\tb\nc\rd", "a b c d");
	check_escape(lg_escape_xml, "\xef\xbf\xbe\xef\xbf\xbf", FFFD FFFD);
	check_escape(lg_escape_xml, "ñ€😀", "ñ€😀");
	/* overlong, surrogate, truncated, stray continuation, > U+10FFFF */
	check_escape(lg_escape_xml, "\xc0\xaf", FFFD FFFD);
	check_escape(lg_escape_xml, "\xed\xa0\x80", FFFD FFFD FFFD);
	check_escape(lg_escape_xml, "x\xe2\x82", "x" FFFD FFFD);
	check_escape(lg_escape_xml, "\x80", FFFD);
	check_escape(lg_escape_xml, "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
	check_escape(lg_escape_xml, NULL, "");
}

static void test_reports__escape_md(void **state)
{
	(void)state;
	check_escape(lg_escape_md, "| a `b` *c* _d_ [e](f) <g> & h\\i ~j",
		     "\\| a \\`b\\` \\*c\\* \\_d\\_ \\[e\\](f) &lt;g&gt; "
		     "&amp; h\\\\i \\~j");
	check_escape(lg_escape_md, "# x", "\\# x");
	check_escape(lg_escape_md, "- x", "\\- x");
	check_escape(lg_escape_md, "+ x", "\\+ x");
	check_escape(lg_escape_md, "12. x", "12\\. x");
	check_escape(lg_escape_md, "3) x", "3\\) x");
	check_escape(lg_escape_md, "1.24", "1.24");
	check_escape(lg_escape_md, "1.", "1\\.");
	check_escape(lg_escape_md, "-\n-", "\\- -");
	check_escape(lg_escape_md, "---", "\\---");
	check_escape(lg_escape_md, "-n", "-n");
	check_escape(lg_escape_md, "#x", "\\#x");
	check_escape(lg_escape_md, "v1.24 - ok", "v1.24 - ok");
	check_escape(lg_escape_md, "   > quote", "&gt; quote");
	check_escape(lg_escape_md, "a\nb\r\tc", "a b  c");
	check_escape(lg_escape_md, "\x1b[31mred\x1b[0m", "red");
	check_escape(lg_escape_md, "\x1b]0;title\x07ok", "ok");
	/* U+009B is CSI: its final byte "b" goes with it */
	check_escape(lg_escape_md,
		     "a\x01\x7f\xc2\x9b"
		     "b\xff",
		     "a" FFFD);
}

static void test_reports__escape_term(void **state)
{
	(void)state;
	check_escape(lg_escape_term, "\x1b[31mred\x1b[0m\x07\x08x\ty\n",
		     "redx y ");
	check_escape(lg_escape_term, "\x1b]8;;http://x\x1b\\link", "link");
	check_escape(lg_escape_term, "\x1b[", "");
	check_escape(lg_escape_term, "\x1b", "");
	check_escape(lg_escape_term,
		     "a\xc2\x9b"
		     "31mb",
		     "ab");
	check_escape(lg_escape_term,
		     "a\xe2\x80\xae"
		     "b",
		     "ab");
	check_escape(lg_escape_term, "ñ <&> \xff", "ñ <&> " FFFD);
	check_escape(lg_escape_utf8,
		     "a\xff"
		     "b\x1b[2J<",
		     "a" FFFD "b<");
}

/*
 * What a hostile cluster sends to take over a terminal or forge a line:
 * clear screen, an OSC 52 clipboard write, CR/LF followed by a line that
 * looks like ours, CSI as a raw C1 byte and as UTF-8 (U+009B), a bidi
 * override and an isolate.
 */
static const char attack[] = "\x1b[2J\x1b]52;c;ZXZpbA==\x07"
			     "clear\r\n"
			     "FAILED forged: x\n> forged\x9b"
			     "31m \xc2\x9b"
			     "31mred \xe2\x80\xae"
			     "evil\xe2\x81\xa6"
			     "iso";

/* text must be UTF-8 with no control but LF and tab, no bidi, and (with
 * our_colour) no escape but our colour codes "ESC [ digits ; m". */
static void assert_harmless(const char *what, const char *text, bool our_colour)
{
	const unsigned char *p = (const unsigned char *)text;
	uint32_t cp;
	size_t n;

	for (; *p; p += n) {
		if (our_colour && p[0] == 0x1b && p[1] == '[') {
			n = 2 + strspn((const char *)p + 2, "0123456789;") + 1;
			if (p[n - 1] != 'm')
				fail_msg("%s: not a colour code", what);
			continue;
		}
		n = lg_utf8_decode(p, &cp);
		if (n == 0)
			fail_msg("%s: not UTF-8 at '%.20s'", what, (char *)p);
		if ((cp < 0x20 && cp != '\n' && cp != '\t') ||
		    (cp >= 0x7f && cp <= 0x9f) ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			fail_msg("%s: control U+%04X at '%.20s'", what,
				 (unsigned)cp, (char *)p);
	}
	if (strstr(text, "\nFAILED forged") || strstr(text, "\n> forged") ||
	    strstr(text, "2J") || strstr(text, "ZXZpbA") ||
	    strstr(text, "31mred"))
		fail_msg("%s: a forged line or escape debris:\n%s", what, text);
}

static void attack_result(struct lg_result *res)
{
	lg_result_init(res, "gateway", attack, 3);
	lg_result_assert(res, "gateway-configured", attack, false, 4, attack,
			 attack, attack);
	lg_result_failf(res, "GET /apis: 403 %s", attack);
	lg_result_evidencef(res, "%s", attack);
	lg_result_warnf(res, "%s", attack);
	res->source = LG_SOURCE_JOURNAL;
	res->journal_time = lg_xstrdup(attack);
}

/* Every writer, every field: the attack arrives harmless. */
static void test_reports__every_output_resists_terminal_attacks(void **state)
{
	const char *warnings[] = {attack};
	struct lg_result res;
	struct lg_report rep = {.cluster_name = attack,
				.server = attack,
				.fingerprint = attack,
				.started = attack,
				.results = &res,
				.nresults = 1,
				.warnings = warnings,
				.nwarnings = 1};
	struct lg_term t;
	char *text = NULL;
	size_t len = 0, i;
	FILE *out;

	(void)state;
	attack_result(&res);
	text = render(&rep, W_JUNIT);
	assert_harmless("junit", text, false);
	free(text);
	text = render(&rep, W_MD);
	assert_harmless("markdown", text, false);
	free(text);
	text = render(&rep, W_JSON);
	assert_harmless("json", text, false);
	/* cJSON would write \u001b and \n: the escapes must not be there */
	assert_null(strstr(text, "\\u00"));
	assert_null(strstr(text, "\\n"));
	assert_null(strstr(text, "\\r"));
	free(text);
	for (i = 0; i < 2; i++) {
		out = open_memstream(&text, &len);
		lg_term_init(&t, out, LG_LANG_EN);
		t.color = i == 1;
		lg_term_result(&t, &res);
		lg_term_total(&t, &rep);
		fclose(out);
		assert_harmless(i ? "terminal (colour)" : "terminal", text,
				i == 1);
		free(text);
	}
	lg_result_release(&res);
}

static void test_reports__numbers_and_words(void **state)
{
	char out[32];

	(void)state;
	assert_string_equal(lg_report_fmt_points(out, sizeof(out), 7), "7");
	assert_string_equal(lg_report_fmt_points(out, sizeof(out), 7.5), "7.5");
	assert_string_equal(lg_report_fmt_points(out, sizeof(out), 1.0 / 3),
			    "0.33");
	assert_string_equal(lg_report_fmt_points(out, sizeof(out), -2.25),
			    "-2.25");
	assert_string_equal(lg_report_fmt_seconds(out, sizeof(out), 1.2344),
			    "1.234");
	assert_string_equal(lg_report_fmt_seconds(out, sizeof(out), 59.9996),
			    "60.000");
	assert_string_equal(lg_report_fmt_seconds(out, sizeof(out), -1),
			    "0.000");
	assert_string_equal(lg_report_verdict_word(LG_PASS, LG_LANG_ES),
			    "superado");
	assert_string_equal(lg_report_verdict_word(LG_FAIL, LG_LANG_ES),
			    "fallido");
	assert_string_equal(lg_report_verdict_word(LG_ERROR, LG_LANG_ES),
			    "error");
	assert_string_equal(lg_report_verdict_word(LG_SKIP, LG_LANG_ES),
			    "omitido");
	assert_string_equal(lg_report_verdict_word(LG_SKIP, LG_LANG_EN),
			    "skip");
}

static void test_reports__totals(void **state)
{
	struct fixture *f = *state;
	struct lg_report empty = {0};

	assert_true(lg_report_points(&f->rep) == 8);
	assert_true(lg_report_max_points(&f->rep) == 13.5);
	assert_true(lg_report_points(&empty) == 0);
}

static void test_reports__write_failure_is_eio(void **state)
{
	struct fixture *f = *state;
	struct lg_error err = {0};
	FILE *full = fopen("/dev/full", "w");

	if (!full)
		skip();
	assert_int_equal(lg_report_json(full, &f->rep, &err), LG_EIO);
	assert_non_null(strstr(err.msg, "No space left on device"));
	fclose(full);
}

/* The names in dir, sorted and joined with spaces. */
static void dir_names(const char *dir, char *out, size_t n)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | paste -sd' ' -", dir);
	assert_int_equal(run(cmd, out, n), 0);
	if (*out && out[strlen(out) - 1] == '\n')
		out[strlen(out) - 1] = '\0';
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = lg_xcalloc(1, 1 << 20);

	assert_non_null(f);
	assert_true(fread(text, 1, (1 << 20) - 1, f) > 0);
	fclose(f);
	return text;
}

static void test_reports__check_path(void **state)
{
	char dir[] = "/tmp/lg-out-XXXXXX", path[128], names[256];
	struct lg_error err = {0};

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(lg_report_check_path("-", &err), LG_OK);
	snprintf(path, sizeof(path), "%s/r.json", dir);
	assert_int_equal(lg_report_check_path(path, &err), LG_OK);
	dir_names(dir, names, sizeof(names));
	assert_string_equal(names, ""); /* the try left nothing */
	snprintf(path, sizeof(path), "%s/no/r.json", dir);
	assert_int_equal(lg_report_check_path(path, &err), LG_EUSAGE);
	assert_non_null(strstr(err.msg, "cannot write the report '"));
	assert_non_null(strstr(err.msg, "/no/r.json': the directory '"));
	assert_non_null(strstr(err.msg, "does not exist"));
	lg_error_clear(&err);
	assert_int_equal(lg_report_check_path(dir, &err), LG_EUSAGE);
	assert_non_null(strstr(err.msg, "it is a directory"));
	lg_error_clear(&err);
	snprintf(path, sizeof(path), "/dev/null/r.json");
	assert_int_equal(lg_report_check_path(path, &err), LG_EUSAGE);
	assert_non_null(strstr(err.msg, "'/dev/null' is not a directory"));
	lg_error_clear(&err);
	assert_int_equal(lg_report_check_path("", &err), LG_EUSAGE);
	rmdir(dir);
}

/* Written whole, or not at all: a failure (here the file size limit, as a
 * full disk would) leaves the old report and no temporary file. */
static void test_reports__write_file_is_atomic(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/lg-out-XXXXXX", path[128], names[256], *text;
	struct lg_error err = {0};
	struct rlimit old, small;
	cJSON *j;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	assert_int_equal(
	    lg_report_write_file(path, LG_REPORT_JSON, &f->rep, &err), LG_OK);
	dir_names(dir, names, sizeof(names));
	assert_string_equal(names, "r.json");
	text = slurp(path);
	j = cJSON_Parse(text);
	assert_non_null(j); /* whole */
	cJSON_Delete(j);
	free(text);
	/* the disk "fills up" at 1 KiB */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 1024;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(
	    lg_report_write_file(path, LG_REPORT_JUNIT, &f->rep, &err), LG_EIO);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_non_null(strstr(err.msg, "cannot write the report '"));
	assert_non_null(strstr(err.msg, "/r.json': File too large"));
	dir_names(dir, names, sizeof(names));
	assert_string_equal(names, "r.json"); /* no half file left */
	text = slurp(path);
	assert_non_null(strstr(text, "\"results\"")); /* still the JSON */
	free(text);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reports__junit_is_schema_valid),
	    cmocka_unit_test(test_reports__check_path),
	    cmocka_unit_test(test_reports__write_file_is_atomic),
	    cmocka_unit_test(test_reports__junit_counts_order_and_names),
	    cmocka_unit_test(test_reports__junit_escapes_hostile_text),
	    cmocka_unit_test(test_reports__junit_time_ignores_locale),
	    cmocka_unit_test(test_reports__junit_one_suite_per_cluster),
	    cmocka_unit_test(test_reports__json_round_trips),
	    cmocka_unit_test(test_reports__json_numbers_ignore_locale),
	    cmocka_unit_test(test_reports__markdown_escapes_hostile_text),
	    cmocka_unit_test(test_reports__markdown_in_english),
	    cmocka_unit_test(test_reports__term_plain_has_no_escape),
	    cmocka_unit_test(test_reports__term_pending_hint_once),
	    cmocka_unit_test(test_reports__term_fits_width),
	    cmocka_unit_test(test_reports__term_display_width),
	    cmocka_unit_test(test_reports__term_command_kept_whole),
	    cmocka_unit_test(test_reports__term_width_from_env_and_tty),
	    cmocka_unit_test(test_reports__term_running_line_replaced_on_tty),
	    cmocka_unit_test(test_reports__term_color_only_our_escapes),
	    cmocka_unit_test(test_reports__term_started_only_for_slow),
	    cmocka_unit_test(test_reports__term_color_follows_tty_and_no_color),
	    cmocka_unit_test(test_reports__escape_xml),
	    cmocka_unit_test(test_reports__escape_md),
	    cmocka_unit_test(test_reports__escape_term),
	    cmocka_unit_test(
		test_reports__every_output_resists_terminal_attacks),
	    cmocka_unit_test(test_reports__numbers_and_words),
	    cmocka_unit_test(test_reports__totals),
	    cmocka_unit_test(test_reports__write_failure_is_eio),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/* junit.c: the JUnit XML report, shaped for Jenkins, GitLab and GitHub. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/*
 * Shape (Jenkins' junit-10.xsd, tests/data/junit-10.xsd): a flat
 * <testsuites> with one <testsuite> per graded cluster and one <testcase>
 * per objective. GitLab reads a failure's body, not its message, so the
 * details go in the body; evidence goes in the testcase's <system-out>, the
 * only place GitLab shows it. The schema has no <properties> inside a
 * testcase, so points per objective are suite properties named after the
 * testcase ("1-istio-install.points") and the first line of system-out.
 */

struct counts {
	size_t tests, failures, errors, skipped;
};

static void count(const struct lg_report *r, struct counts *c)
{
	size_t i;

	for (i = 0; i < r->nresults; i++) {
		c->tests++;
		c->failures += r->results[i].verdict == LG_FAIL;
		c->errors += r->results[i].verdict == LG_ERROR;
		c->skipped += r->results[i].verdict == LG_SKIP;
	}
}

/* Every value is one line (lg_escape_xml_attr sanitises it as such). */
static void attr(struct lg_buf *b, const char *name, const char *value)
{
	lg_buf_addf(b, " %s=\"", name);
	lg_escape_xml_attr(b, value);
	lg_buf_adds(b, "\"");
}

static void property(struct lg_buf *b, const char *prefix, const char *name,
		     const char *value)
{
	char *full = lg_xasprintf("%s%s", prefix, name);

	lg_buf_adds(b, "      <property");
	attr(b, "name", full);
	attr(b, "value", value ? value : "");
	lg_buf_adds(b, "/>\n");
	free(full);
}

/* "1-istio-install": stable across runs, sorts by objective. */
static char *case_name(const struct lg_result *res)
{
	return lg_xasprintf("%d-%s", res->objective, res->id ? res->id : "");
}

static void result_properties(struct lg_buf *b, const struct lg_result *res)
{
	char *prefix = case_name(res);
	char num[32];
	char *tmp;

	tmp = lg_xasprintf("%s.", prefix);
	property(b, tmp, "points",
		 lg_report_fmt_points(num, sizeof(num), lg_result_points(res)));
	property(
	    b, tmp, "max-points",
	    lg_report_fmt_points(num, sizeof(num), lg_result_max_points(res)));
	property(b, tmp, "source",
		 res->source == LG_SOURCE_JOURNAL ? "journal" : "live");
	if (res->source == LG_SOURCE_JOURNAL && res->journal_time)
		property(b, tmp, "journal-time", res->journal_time);
	free(tmp);
	free(prefix);
}

static void suite_properties(struct lg_buf *b, const struct lg_report *r,
			     const struct lg_result **sorted)
{
	char num[32];
	size_t i;

	lg_buf_adds(b, "    <properties>\n");
	property(b, "", "server", r->server);
	if (r->fingerprint)
		property(b, "", "fingerprint", r->fingerprint);
	property(b, "", "points",
		 lg_report_fmt_points(num, sizeof(num), lg_report_points(r)));
	property(
	    b, "", "max-points",
	    lg_report_fmt_points(num, sizeof(num), lg_report_max_points(r)));
	property(b, "", "grading",
		 "an objective earns the points of each assertion that holds "
		 "(rubric.yaml); skipped objectives earn 0");
	for (i = 0; i < r->nwarnings; i++) {
		char name[32];

		snprintf(name, sizeof(name), "warning.%zu", i + 1);
		property(b, "", name, r->warnings[i]);
	}
	for (i = 0; i < r->nresults; i++)
		result_properties(b, sorted[i]);
	lg_buf_adds(b, "    </properties>\n");
}

/* One failed assertion: what, expected, observed and the fix. */
static void failed_assertion(struct lg_buf *b, const struct lg_assertion *a)
{
	lg_buf_adds(b, "[");
	lg_escape_xml(b, a->key);
	lg_buf_adds(b, "] ");
	lg_escape_xml(b, a->what);
	lg_buf_adds(b, "\n  expected: ");
	lg_escape_xml(b, a->expected);
	lg_buf_adds(b, "\n  observed: ");
	lg_escape_xml(b, a->observed);
	if (a->hint) {
		lg_buf_adds(b, "\n  hint: ");
		lg_escape_xml(b, a->hint);
	}
	lg_buf_adds(b, "\n");
}

static void verdict_body(struct lg_buf *b, const struct lg_result *res)
{
	size_t i;

	lg_escape_xml(b, res->message);
	lg_buf_adds(b, "\n");
	if (res->verdict == LG_ERROR)
		lg_buf_adds(b, "labgrade could not tell whether this objective "
			       "is met; the cause is on the grader's side "
			       "(access, network or an unexpected answer)\n");
	for (i = 0; i < res->nasserts; i++)
		if (!res->asserts[i].ok)
			failed_assertion(b, &res->asserts[i]);
}

static void verdict_element(struct lg_buf *b, const struct lg_result *res)
{
	const char *tag;

	switch (res->verdict) {
	case LG_FAIL:
		tag = "failure";
		break;
	case LG_ERROR:
		tag = "error";
		break;
	case LG_SKIP:
		lg_buf_adds(b, "      <skipped");
		attr(b, "message", res->message ? res->message : "");
		lg_buf_adds(b, "/>\n");
		return;
	default:
		return;
	}
	lg_buf_addf(b, "      <%s type=\"%s\"", tag,
		    lg_verdict_name(res->verdict));
	attr(b, "message", res->message ? res->message : "");
	lg_buf_adds(b, ">");
	verdict_body(b, res);
	lg_buf_addf(b, "</%s>\n", tag);
}

/* "ok     key: observed", and where a step's verdict came from. */
static void assertion_line(struct lg_buf *b, const struct lg_assertion *a)
{
	lg_buf_adds(b, a->pending ? "PENDING " : a->ok ? "ok     " : "FAILED ");
	lg_escape_xml(b, a->key);
	lg_buf_adds(b, ": ");
	lg_escape_xml(b, a->pending ? a->hint : a->observed);
	if (a->source == LG_SOURCE_JOURNAL) {
		lg_buf_adds(b, " (from the progress journal, passed at ");
		lg_escape_xml(b, a->journal_time ? a->journal_time : "?");
		lg_buf_adds(b, ")");
	}
	lg_buf_adds(b, "\n");
}

static void system_out(struct lg_buf *b, const struct lg_result *res)
{
	char pts[32], max[32];
	size_t i;

	lg_buf_addf(
	    b, "      <system-out>points: %s/%s (",
	    lg_report_fmt_points(pts, sizeof(pts), lg_result_points(res)),
	    lg_report_fmt_points(max, sizeof(max), lg_result_max_points(res)));
	if (res->source == LG_SOURCE_JOURNAL) {
		lg_buf_adds(b, "from the progress journal, passed at ");
		lg_escape_xml(b, res->journal_time ? res->journal_time : "?");
	} else {
		lg_buf_adds(b, "observed live");
	}
	lg_buf_adds(b, ")\n");
	for (i = 0; i < res->nasserts; i++)
		assertion_line(b, &res->asserts[i]);
	for (i = 0; i < res->nwarnings; i++) {
		lg_buf_adds(b, "warning: ");
		lg_escape_xml(b, res->warnings[i]);
		lg_buf_adds(b, "\n");
	}
	for (i = 0; i < res->nevidence; i++) {
		lg_buf_adds(b, "> ");
		lg_escape_xml(b, res->evidence[i]);
		lg_buf_adds(b, "\n");
	}
	lg_buf_adds(b, "</system-out>\n");
}

/* Jenkins splits classnames at dots: keep the cluster name one component. */
static char *class_name(const char *cluster)
{
	char *s = lg_xasprintf("labgrade.%s", cluster ? cluster : "cluster");
	char *p;

	for (p = s + strlen("labgrade."); *p; p++)
		if (*p == '.')
			*p = '_';
	return s;
}

static void testcase(struct lg_buf *b, const struct lg_report *r,
		     const struct lg_result *res)
{
	char *cls = class_name(r->cluster_name);
	char *name = case_name(res);
	char secs[32];

	lg_buf_adds(b, "    <testcase");
	attr(b, "classname", cls);
	attr(b, "name", name);
	attr(b, "time",
	     lg_report_fmt_seconds(secs, sizeof(secs), res->seconds));
	lg_buf_adds(b, ">\n");
	verdict_element(b, res);
	system_out(b, res);
	lg_buf_adds(b, "    </testcase>\n");
	free(name);
	free(cls);
}

static void testsuite(struct lg_buf *b, const struct lg_report *r)
{
	const struct lg_result **sorted = lg_report_sorted(r);
	struct counts c = {0};
	char secs[32];
	size_t i;

	count(r, &c);
	lg_buf_adds(b, "  <testsuite");
	attr(b, "name", r->cluster_name ? r->cluster_name : "cluster");
	lg_buf_addf(b,
		    " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\""
		    " skipped=\"%zu\"",
		    c.tests, c.failures, c.errors, c.skipped);
	attr(b, "time", lg_report_fmt_seconds(secs, sizeof(secs), r->seconds));
	if (r->started)
		attr(b, "timestamp", r->started);
	lg_buf_adds(b, ">\n");
	suite_properties(b, r, sorted);
	for (i = 0; i < r->nresults; i++)
		testcase(b, r, sorted[i]);
	lg_buf_adds(b, "  </testsuite>\n");
	free(sorted);
}

enum lg_err lg_report_junit(FILE *out, const struct lg_report *const *suites,
			    size_t nsuites, struct lg_error *err)
{
	struct lg_buf b;
	struct counts c = {0};
	double seconds = 0;
	char secs[32];
	enum lg_err rc;
	size_t i;

	lg_buf_init(&b, SIZE_MAX);
	for (i = 0; i < nsuites; i++) {
		count(suites[i], &c);
		seconds += suites[i]->seconds;
	}
	lg_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	lg_buf_addf(&b,
		    "<testsuites name=\"labgrade\" tests=\"%zu\""
		    " failures=\"%zu\" errors=\"%zu\" time=\"%s\">\n",
		    c.tests, c.failures, c.errors,
		    lg_report_fmt_seconds(secs, sizeof(secs), seconds));
	for (i = 0; i < nsuites; i++)
		testsuite(&b, suites[i]);
	lg_buf_adds(&b, "</testsuites>\n");
	rc = lg_report_flush(out, &b, err);
	lg_buf_release(&b);
	return rc;
}

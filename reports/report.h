/* SPDX-License-Identifier: MIT */
/* report.h: writers of results. They only read results; they never talk to
 * the cluster. */
#ifndef LG_REPORT_H
#define LG_REPORT_H

#include <stdio.h>

#include "../checks/check.h"
#include "../harness/result.h"

/* Everything graded on one cluster. Borrowed by the writers. */
struct lg_report {
	const char *cluster_name; /* suite name: context or student name */
	const char *server;       /* API server URL */
	const char *fingerprint;  /* kube-system UID, Istio revision; or NULL */
	const char *started;      /* RFC 3339 */
	double seconds;
	enum lg_lang lang;
	const struct lg_result *results;
	size_t nresults;
};

double lg_report_points(const struct lg_report *r);
double lg_report_max_points(const struct lg_report *r);

/*
 * Each writer returns LG_OK or LG_EIO (with err). Every string from the
 * cluster is escaped for the format: markup, CDATA ends, table pipes,
 * newlines and terminal escapes cannot break a report.
 * @test tests/unit/test_reports.c
 */
enum lg_err lg_report_junit(FILE *out, const struct lg_report *const *suites,
			    size_t nsuites, struct lg_error *err);
enum lg_err lg_report_markdown(FILE *out, const struct lg_report *r,
			       struct lg_error *err);
enum lg_err lg_report_json(FILE *out, const struct lg_report *r,
			   struct lg_error *err);

/* The live terminal view: one line per objective, then the total. */
struct lg_term {
	FILE *out;
	bool color; /* false when NO_COLOR is set or out is not a TTY */
	enum lg_lang lang;
};

void lg_term_init(struct lg_term *t, FILE *out, enum lg_lang lang);
void lg_term_started(struct lg_term *t, const struct lg_check *check);
void lg_term_result(struct lg_term *t, const struct lg_result *res);
void lg_term_total(struct lg_term *t, const struct lg_report *r);

/* Escaping helpers, shared by the writers (exposed for tests). Each appends
 * to b. */
void lg_escape_xml(struct lg_buf *b, const char *s);
void lg_escape_md(struct lg_buf *b, const char *s);
void lg_escape_term(struct lg_buf *b, const char *s);

#endif

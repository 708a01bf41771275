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
	const char *server;	  /* API server URL */
	const char *fingerprint;  /* kube-system UID, Istio revision; or NULL */
	const char *started;	  /* RFC 3339 */
	double seconds;
	enum lg_lang lang;
	const struct lg_result *results;
	size_t nresults;
	/* Added for the journal: problems with the run itself, not with the
	 * cluster ("cannot read the progress journal ...", "journal not
	 * updated: ..."), one sentence each; NULL when nwarnings is 0. */
	const char *const *warnings;
	size_t nwarnings;
};

double lg_report_points(const struct lg_report *r);
double lg_report_max_points(const struct lg_report *r);

/*
 * Each writer returns LG_OK or LG_EIO (with err). Every string from the
 * cluster goes through lg_sanitize() as one line (harness/sanitize.h: no
 * controls, escape sequences, bidi overrides or bad UTF-8; line breaks
 * become spaces, so no string can forge a line), then is escaped for the
 * format: markup, CDATA ends and table pipes cannot break a report.
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
	bool color; /* false with NO_COLOR, TERM=dumb, or out not a TTY */
	bool tty;   /* out is a terminal: the running line is redrawn */
	int width;  /* columns: TIOCGWINSZ, else COLUMNS, else 80 */
	enum lg_lang lang;
	/* The slow checks running now (a TTY shows the last one on a line
	 * that the next verdict replaces); live_shown: that line is up. */
	const struct lg_check *running[16];
	size_t nrunning;
	bool live_shown;
};

void lg_term_init(struct lg_term *t, FILE *out, enum lg_lang lang);
void lg_term_started(struct lg_term *t, const struct lg_check *check);
void lg_term_result(struct lg_term *t, const struct lg_result *res);
void lg_term_total(struct lg_term *t, const struct lg_report *r);
/* Take the running line off the screen (before other output). */
void lg_term_clear_live(struct lg_term *t);

/* Columns s takes on a terminal: UTF-8 code points, East Asian wide ones
 * count 2, combining marks 0, and our own SGR sequences nothing. */
size_t lg_term_display_width(const char *s);

/* Escaping helpers, shared by the writers (exposed for tests). Each appends
 * to b. */
void lg_escape_xml(struct lg_buf *b, const char *s);
void lg_escape_md(struct lg_buf *b, const char *s);
void lg_escape_term(struct lg_buf *b, const char *s);

/*
 * Added by the reports module: pieces the writers share (reports/report.c,
 * reports/escape.c).
 */

/* Like lg_escape_xml, for attribute values (identical since both are
 * sanitised to one line). */
void lg_escape_xml_attr(struct lg_buf *b, const char *s);

/*
 * s sanitised as one line, for JSON (whose quoting is cJSON's). cJSON would
 * escape C0 controls, but it writes C1 controls and bidi overrides as they
 * are, and `jq -r` prints a decoded "\n" or ESC straight to a terminal:
 * a JSON report is read by people too, so it gets the same text as the
 * others.
 */
void lg_escape_utf8(struct lg_buf *b, const char *s);

/*
 * Numbers with '.' as the decimal point whatever LC_NUMERIC says (JUnit
 * consumers read "1,5" as one thousand five hundred): points as "7" or "7.5"
 * (two decimals at most), seconds as "1.234". Both write into out (n bytes,
 * 32 is plenty) and return it.
 */
const char *lg_report_fmt_points(char *out, size_t n, double v);
const char *lg_report_fmt_seconds(char *out, size_t n, double s);

/* The status word in the report's language: "pass"/"superado", ... */
const char *lg_report_verdict_word(enum lg_verdict v, enum lg_lang lang);

/* r's results ordered by objective number, then id: reports do not depend
 * on the order in which checks finished. The array belongs to the caller
 * (free() it); the results stay borrowed from r. */
const struct lg_result **lg_report_sorted(const struct lg_report *r);

/* Write b to out and flush; LG_EIO with err (the reason only: the caller
 * names the file) when the stream fails. */
enum lg_err lg_report_flush(FILE *out, const struct lg_buf *b,
			    struct lg_error *err);

/* The report files main writes; see lg_report_write_file. */
enum lg_report_kind { LG_REPORT_JUNIT, LG_REPORT_MARKDOWN, LG_REPORT_JSON };

/*
 * Before grading: can a report be written at path ("-" is stdout, always
 * fine)? Its directory must exist and take a new file (one is created and
 * removed: permissions, a read-only mount), and path must not be a
 * directory. LG_EUSAGE with a sentence naming path, so a bad path costs
 * no grading run.
 * @test tests/unit/test_reports.c
 */
enum lg_err lg_report_check_path(const char *path, struct lg_error *err);

/*
 * Write the report of kind to path ("-": stdout). The text goes to a new
 * file in path's directory, is flushed and fsync'ed, then renamed over
 * path: a reader sees the old report or the whole new one, never half of
 * one, even when the disk fills up (the temporary file is then removed and
 * path left as it was). A symbolic link at path is replaced, not followed.
 * LG_EIO with a sentence naming path and the reason.
 */
enum lg_err lg_report_write_file(const char *path, enum lg_report_kind kind,
				 const struct lg_report *rep,
				 struct lg_error *err);

#endif

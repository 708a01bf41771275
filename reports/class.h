/* SPDX-License-Identifier: MIT */
/* class.h: a whole class's outputs: gradebook CSV, Markdown table, JSON. */
#ifndef LG_CLASS_H
#define LG_CLASS_H

#include <cjson/cJSON.h>

#include "report.h"

/* One student: rep has every planned objective (as ERROR when the student
 * could not be graded, error then saying why). Borrowed. */
struct lg_class_entry {
	const char *name;
	const char *error; /* NULL when graded */
	const struct lg_report *rep;
	int exit_code; /* what `labgrade all` exits with for this student */
	size_t index;  /* place in the roster, so merged shards keep order */
};

/*
 * The writers; each returns LG_OK or LG_EIO. Columns are the objectives
 * of the first entry, in objective order (every entry has the same plan).
 * @test tests/integration/test_batch.sh
 */
/* student,<objective id>...,total,max,status: points with a '.' decimal
 * whatever the locale; a field with , " or a newline is quoted (RFC 4180),
 * and one starting with = + - @ gets a leading ' so that a spreadsheet
 * does not run it as a formula. */
enum lg_err lg_class_csv(FILE *out, const struct lg_class_entry *e, size_t n,
			 struct lg_error *err);
/* A row per student: points per objective, total, status. */
enum lg_err lg_class_markdown(FILE *out, const struct lg_class_entry *e,
			      size_t n, struct lg_error *err);
/* {"schema":1,"students":[{"name","error","exit_code","status",
 * "report":<labgrade --json>}]} */
enum lg_err lg_class_json(FILE *out, const struct lg_class_entry *e, size_t n,
			  struct lg_error *err);

/* "passed", "failed" (exit 1), "error" (exit 3) or "not graded". */
const char *lg_class_status(const struct lg_class_entry *e);

/*
 * A report read back from labgrade's JSON (lg_report_json's output, as
 * class.json holds one per student), for `labgrade merge`. rep points into
 * the owned fields.
 */
struct lg_class_owned {
	struct lg_report rep;
	struct lg_result *results;
	size_t nresults;
	char *cluster, *server, *fingerprint, *started;
	char **warnings;
	size_t nwarnings;
};

/* LG_EPARSE ("WHERE: what") when j is not a report; out is then still
 * to be released. */
enum lg_err lg_class_read_report(const cJSON *j, struct lg_class_owned *out,
				 const char *where, struct lg_error *err);
void lg_class_owned_release(struct lg_class_owned *o);

#endif

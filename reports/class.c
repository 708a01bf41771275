/* SPDX-License-Identifier: MIT */
/* class.c: writes a class's gradebook, table and JSON from its reports. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "class.h"

const char *lg_class_status(const struct lg_class_entry *e)
{
	if (e->error)
		return "not graded";
	return e->exit_code == 3   ? "error"
	       : e->exit_code == 1 ? "failed"
				   : "passed";
}

/* The result for objective id in a report, or NULL. */
static const struct lg_result *find(const struct lg_report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nresults; i++)
		if (!strcmp(r->results[i].id, id))
			return &r->results[i];
	return NULL;
}

static void csv_field(struct lg_buf *b, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	const char *p;

	if (quote)
		lg_buf_adds(b, "\"");
	if (*s && strchr("=+-@", *s))
		lg_buf_adds(b, "'");
	for (p = s; *p; p++) {
		if (*p == '"')
			lg_buf_adds(b, "\"");
		lg_buf_add(b, p, 1);
	}
	if (quote)
		lg_buf_adds(b, "\"");
}

static void csv_row(struct lg_buf *b, const struct lg_class_entry *e,
		    const struct lg_result **cols, size_t ncols)
{
	char p[32];
	size_t i;

	csv_field(b, e->name);
	for (i = 0; i < ncols; i++) {
		const struct lg_result *r = find(e->rep, cols[i]->id);

		lg_buf_addf(b, ",%s",
			    lg_report_fmt_points(p, sizeof(p),
						 r ? lg_result_points(r) : 0));
	}
	lg_buf_addf(
	    b, ",%s",
	    lg_report_fmt_points(p, sizeof(p), lg_report_points(e->rep)));
	lg_buf_addf(
	    b, ",%s,%s\r\n",
	    lg_report_fmt_points(p, sizeof(p), lg_report_max_points(e->rep)),
	    lg_class_status(e));
}

enum lg_err lg_class_csv(FILE *out, const struct lg_class_entry *e, size_t n,
			 struct lg_error *err)
{
	struct lg_buf b;
	const struct lg_result **cols = n ? lg_report_sorted(e[0].rep) : NULL;
	size_t ncols = n ? e[0].rep->nresults : 0, i;
	enum lg_err rc;

	lg_buf_init(&b, SIZE_MAX);
	lg_buf_adds(&b, "student");
	for (i = 0; i < ncols; i++) {
		lg_buf_adds(&b, ",");
		csv_field(&b, cols[i]->id);
	}
	lg_buf_adds(&b, ",total,max,status\r\n");
	for (i = 0; i < n; i++)
		csv_row(&b, &e[i], cols, ncols);
	rc = lg_report_flush(out, &b, err);
	free(cols);
	lg_buf_release(&b);
	return rc;
}

static void md_row(struct lg_buf *b, const struct lg_class_entry *e,
		   const struct lg_result **cols, size_t ncols)
{
	char p[32], m[32];
	size_t i;

	lg_buf_adds(b, "| ");
	lg_escape_md(b, e->name);
	for (i = 0; i < ncols; i++) {
		const struct lg_result *r = find(e->rep, cols[i]->id);

		lg_buf_addf(
		    b, " | %s",
		    r ? lg_report_fmt_points(p, sizeof(p), lg_result_points(r))
		      : "-");
	}
	lg_buf_addf(
	    b, " | %s/%s | %s",
	    lg_report_fmt_points(p, sizeof(p), lg_report_points(e->rep)),
	    lg_report_fmt_points(m, sizeof(m), lg_report_max_points(e->rep)),
	    lg_class_status(e));
	if (e->error) {
		lg_buf_adds(b, ": ");
		lg_escape_md(b, e->error);
	}
	lg_buf_adds(b, " |\n");
}

enum lg_err lg_class_markdown(FILE *out, const struct lg_class_entry *e,
			      size_t n, struct lg_error *err)
{
	struct lg_buf b;
	const struct lg_result **cols = n ? lg_report_sorted(e[0].rep) : NULL;
	size_t ncols = n ? e[0].rep->nresults : 0, i;
	enum lg_err rc;

	lg_buf_init(&b, SIZE_MAX);
	lg_buf_adds(&b, "# Class results\n\n| student");
	for (i = 0; i < ncols; i++)
		lg_buf_addf(&b, " | %d %s", cols[i]->objective, cols[i]->id);
	lg_buf_adds(&b, " | total | status |\n|---");
	for (i = 0; i < ncols + 2; i++)
		lg_buf_adds(&b, "|---");
	lg_buf_adds(&b, "|\n");
	for (i = 0; i < n; i++)
		md_row(&b, &e[i], cols, ncols);
	rc = lg_report_flush(out, &b, err);
	free(cols);
	lg_buf_release(&b);
	return rc;
}

/* One student's report as the JSON writer makes it, parsed back. */
static cJSON *report_json(const struct lg_report *r, struct lg_error *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	cJSON *j = NULL;

	if (!f)
		lg_die("out of memory (open_memstream)");
	if (lg_report_json(f, r, err) == LG_OK && fflush(f) == 0)
		j = cJSON_ParseWithLength(text, len);
	fclose(f);
	free(text);
	return j;
}

enum lg_err lg_class_json(FILE *out, const struct lg_class_entry *e, size_t n,
			  struct lg_error *err)
{
	cJSON *root = cJSON_CreateObject(), *arr, *o, *rep;
	struct lg_buf b = LG_BUF_INIT;
	enum lg_err rc = LG_OK;
	char *text;
	size_t i;

	cJSON_AddNumberToObject(root, "schema", 1);
	arr = cJSON_AddArrayToObject(root, "students");
	for (i = 0; i < n && !rc; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", e[i].name);
		if (e[i].error)
			cJSON_AddStringToObject(o, "error", e[i].error);
		else
			cJSON_AddNullToObject(o, "error");
		cJSON_AddNumberToObject(o, "exit_code", e[i].exit_code);
		cJSON_AddNumberToObject(o, "index", (double)e[i].index);
		cJSON_AddStringToObject(o, "status", lg_class_status(&e[i]));
		rep = report_json(e[i].rep, err);
		if (!rep)
			rc = err->code ? err->code : LG_EIO;
		cJSON_AddItemToObject(o, "report",
				      rep ? rep : cJSON_CreateNull());
		cJSON_AddItemToArray(arr, o);
	}
	text = cJSON_Print(root);
	if (!text)
		lg_die("out of memory building the class JSON");
	lg_buf_init(&b, SIZE_MAX);
	lg_buf_adds(&b, text);
	lg_buf_adds(&b, "\n");
	if (!rc)
		rc = lg_report_flush(out, &b, err);
	free(text);
	lg_buf_release(&b);
	cJSON_Delete(root);
	return rc;
}

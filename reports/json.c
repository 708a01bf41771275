/* SPDX-License-Identifier: MIT */
/* json.c: the machine-readable result (documented in docs/report-json.md). */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "report.h"

#define LG_REPORT_JSON_SCHEMA 1

static cJSON *must(cJSON *item)
{
	if (!item)
		lg_die("out of memory building the JSON report");
	return item;
}

/* A string field, sanitised (lg_escape_utf8); null for NULL. */
static void add_str(cJSON *obj, const char *name, const char *s)
{
	struct lg_buf b = LG_BUF_INIT;

	if (!s) {
		must(cJSON_AddNullToObject(obj, name));
		return;
	}
	lg_buf_init(&b, SIZE_MAX);
	lg_escape_utf8(&b, s);
	must(cJSON_AddStringToObject(obj, name, b.buf));
	lg_buf_release(&b);
}

static void add_num(cJSON *obj, const char *name, double v)
{
	must(cJSON_AddNumberToObject(obj, name, v));
}

static cJSON *assertion_json(const struct lg_assertion *a)
{
	cJSON *o = must(cJSON_CreateObject());

	add_str(o, "key", a->key);
	add_str(o, "what", a->what);
	must(cJSON_AddBoolToObject(o, "ok", a->ok));
	add_num(o, "points", a->points);
	add_num(o, "max_points", a->max_points);
	add_str(o, "expected", a->expected);
	add_str(o, "observed", a->observed);
	add_str(o, "hint", a->hint);
	must(cJSON_AddBoolToObject(o, "pending", a->pending));
	add_str(o, "source",
		a->source == LG_SOURCE_JOURNAL ? "journal" : "live");
	add_str(o, "journal_time",
		a->source == LG_SOURCE_JOURNAL ? a->journal_time : NULL);
	return o;
}

/* An array of n strings, each sanitised. */
static cJSON *strings_json(const char *const *v, size_t n)
{
	cJSON *arr = must(cJSON_CreateArray());
	struct lg_buf b;
	size_t i;

	lg_buf_init(&b, SIZE_MAX);
	for (i = 0; i < n; i++) {
		lg_buf_reset(&b);
		lg_escape_utf8(&b, v[i]);
		cJSON_AddItemToArray(arr, must(cJSON_CreateString(b.buf)));
	}
	lg_buf_release(&b);
	return arr;
}

static cJSON *evidence_json(const struct lg_result *res)
{
	return strings_json((const char *const *)res->evidence, res->nevidence);
}

static cJSON *result_json(const struct lg_result *res)
{
	cJSON *o = must(cJSON_CreateObject());
	cJSON *arr;
	size_t i;

	add_str(o, "id", res->id);
	add_num(o, "objective", res->objective);
	add_str(o, "title", res->title);
	add_str(o, "verdict", lg_verdict_name(res->verdict));
	add_str(o, "message", res->message);
	add_num(o, "points", lg_result_points(res));
	add_num(o, "max_points", lg_result_max_points(res));
	add_num(o, "seconds", res->seconds);
	add_str(o, "source",
		res->source == LG_SOURCE_JOURNAL ? "journal" : "live");
	add_str(o, "journal_time", res->journal_time);
	arr = must(cJSON_AddArrayToObject(o, "assertions"));
	for (i = 0; i < res->nasserts; i++)
		cJSON_AddItemToArray(arr, assertion_json(&res->asserts[i]));
	cJSON_AddItemToObject(o, "evidence", evidence_json(res));
	cJSON_AddItemToObject(
	    o, "warnings",
	    strings_json((const char *const *)res->warnings, res->nwarnings));
	return o;
}

static cJSON *counts_json(const struct lg_report *r)
{
	cJSON *o = must(cJSON_CreateObject());
	double n[4] = {0};
	size_t i;

	for (i = 0; i < r->nresults; i++)
		if ((unsigned)r->results[i].verdict < LG_ARRAY_SIZE(n))
			n[r->results[i].verdict]++;
	add_num(o, "pass", n[LG_PASS]);
	add_num(o, "fail", n[LG_FAIL]);
	add_num(o, "error", n[LG_ERROR]);
	add_num(o, "skip", n[LG_SKIP]);
	return o;
}

static cJSON *report_json(const struct lg_report *r)
{
	const struct lg_result **sorted = lg_report_sorted(r);
	cJSON *root = must(cJSON_CreateObject());
	cJSON *arr;
	size_t i;

	add_num(root, "schema_version", LG_REPORT_JSON_SCHEMA);
	add_str(root, "cluster", r->cluster_name);
	add_str(root, "server", r->server);
	add_str(root, "fingerprint", r->fingerprint);
	add_str(root, "started", r->started);
	add_num(root, "seconds", r->seconds);
	add_str(root, "lang", r->lang == LG_LANG_EN ? "en" : "es");
	add_num(root, "points", lg_report_points(r));
	add_num(root, "max_points", lg_report_max_points(r));
	cJSON_AddItemToObject(root, "counts", counts_json(r));
	cJSON_AddItemToObject(root, "warnings",
			      strings_json(r->warnings, r->nwarnings));
	arr = must(cJSON_AddArrayToObject(root, "results"));
	for (i = 0; i < r->nresults; i++)
		cJSON_AddItemToArray(arr, result_json(sorted[i]));
	free(sorted);
	return root;
}

enum lg_err lg_report_json(FILE *out, const struct lg_report *r,
			   struct lg_error *err)
{
	cJSON *root = report_json(r);
	char *text = cJSON_Print(root);
	struct lg_buf b;
	enum lg_err rc;

	if (!text)
		lg_die("out of memory printing the JSON report");
	lg_buf_init(&b, SIZE_MAX);
	lg_buf_adds(&b, text);
	lg_buf_adds(&b, "\n");
	rc = lg_report_flush(out, &b, err);
	lg_buf_release(&b);
	cJSON_free(text);
	cJSON_Delete(root);
	return rc;
}

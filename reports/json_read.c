/* SPDX-License-Identifier: MIT */
/* json_read.c: a JSON report read back into results (labgrade merge). */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "class.h"

static char *dup_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? lg_xstrdup(v->valuestring) : NULL;
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static bool flag(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static enum lg_lang lang_of(const cJSON *o)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "lang");

	return cJSON_IsString(v) && !strcmp(v->valuestring, "en") ? LG_LANG_EN
								  : LG_LANG_ES;
}

static enum lg_source source_of(const cJSON *o)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "source");

	return cJSON_IsString(v) && !strcmp(v->valuestring, "journal")
		   ? LG_SOURCE_JOURNAL
		   : LG_SOURCE_LIVE;
}

/* An array of strings; anything else in it is skipped. */
static char **strings(const cJSON *o, const char *key, size_t *n)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key), *it;
	char **v = lg_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*v));

	*n = 0;
	cJSON_ArrayForEach(it, arr) if (cJSON_IsString(it)) v[(*n)++] =
	    lg_xstrdup(it->valuestring);
	return v;
}

static void read_assertion(const cJSON *o, struct lg_assertion *a)
{
	a->key = dup_str(o, "key");
	a->what = dup_str(o, "what");
	a->expected = dup_str(o, "expected");
	a->observed = dup_str(o, "observed");
	a->hint = dup_str(o, "hint");
	a->ok = flag(o, "ok");
	a->pending = flag(o, "pending");
	a->source = source_of(o);
	a->journal_time = dup_str(o, "journal_time");
	a->points = num(o, "points");
	a->max_points = num(o, "max_points");
}

static bool verdict_of(const cJSON *o, enum lg_verdict *v)
{
	static const enum lg_verdict all[] = {LG_PASS, LG_FAIL, LG_ERROR,
					      LG_SKIP};
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "verdict");
	size_t i;

	for (i = 0; cJSON_IsString(s) && i < LG_ARRAY_SIZE(all); i++)
		if (!strcmp(s->valuestring, lg_verdict_name(all[i]))) {
			*v = all[i];
			return true;
		}
	return false;
}

static enum lg_err read_result(const cJSON *o, struct lg_result *r,
			       const char *where, struct lg_error *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "assertions");
	const cJSON *it;
	char *id = dup_str(o, "id"), *title = dup_str(o, "title");

	lg_result_init(r, id ? id : "", title ? title : "",
		       (int)num(o, "objective"));
	free(id);
	free(title);
	if (!r->id[0] || !verdict_of(o, &r->verdict))
		return lg_errorf(err, LG_EPARSE,
				 "%s: a result without an id or verdict",
				 where);
	r->message = dup_str(o, "message");
	r->seconds = num(o, "seconds");
	r->source = source_of(o);
	r->journal_time = dup_str(o, "journal_time");
	r->max_points = num(o, "max_points");
	r->asserts = lg_xcalloc((size_t)cJSON_GetArraySize(arr) + 1,
				sizeof(*r->asserts));
	cJSON_ArrayForEach(it, arr)
	    read_assertion(it, &r->asserts[r->nasserts++]);
	r->evidence = strings(o, "evidence", &r->nevidence);
	r->warnings = strings(o, "warnings", &r->nwarnings);
	return LG_OK;
}

enum lg_err lg_class_read_report(const cJSON *j, struct lg_class_owned *out,
				 const char *where, struct lg_error *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "results"), *it;
	size_t n = (size_t)cJSON_GetArraySize(arr);

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j) || !cJSON_IsArray(arr))
		return lg_errorf(err, LG_EPARSE, "%s: not a labgrade report",
				 where);
	out->results = lg_xcalloc(n + 1, sizeof(*out->results));
	cJSON_ArrayForEach(it, arr)
	{
		if (read_result(it, &out->results[out->nresults++], where, err))
			return LG_EPARSE;
	}
	out->cluster = dup_str(j, "cluster");
	out->server = dup_str(j, "server");
	out->fingerprint = dup_str(j, "fingerprint");
	out->started = dup_str(j, "started");
	out->warnings = strings(j, "warnings", &out->nwarnings);
	out->rep.cluster_name = out->cluster ? out->cluster : "";
	out->rep.server = out->server ? out->server : "";
	out->rep.fingerprint = out->fingerprint;
	out->rep.started = out->started ? out->started : "";
	out->rep.seconds = num(j, "seconds");
	out->rep.lang = lang_of(j);
	out->rep.results = out->results;
	out->rep.nresults = out->nresults;
	out->rep.warnings = (const char *const *)out->warnings;
	out->rep.nwarnings = out->nwarnings;
	return LG_OK;
}

void lg_class_owned_release(struct lg_class_owned *o)
{
	size_t i;

	for (i = 0; i < o->nresults; i++)
		lg_result_release(&o->results[i]);
	free(o->results);
	free(o->cluster);
	free(o->server);
	free(o->fingerprint);
	free(o->started);
	for (i = 0; i < o->nwarnings; i++)
		free(o->warnings[i]);
	free(o->warnings);
	memset(o, 0, sizeof(*o));
}

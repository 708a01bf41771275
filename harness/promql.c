/* SPDX-License-Identifier: MIT */
/* promql.c: Prometheus' HTTP query API and metrics texts behind the API
 * server's proxies, read into struct lg_prom samples. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "promql.h"

/* The answer of a query is small (one series per service); a cap keeps
 * a hostile or mistaken endpoint from filling memory. */
#define PROMQL_MAX_BODY ((size_t)8 << 20)

/* Prometheus writes sample values as strings: "1", "0.5", "NaN", "+Inf". */
static bool parse_value(const char *s, double *out)
{
	char *end = NULL;

	if (!s || !*s)
		return false;
	if (!strcmp(s, "NaN")) {
		*out = NAN;
		return true;
	}
	if (!strcmp(s, "+Inf") || !strcmp(s, "-Inf")) {
		*out = *s == '-' ? -INFINITY : INFINITY;
		return true;
	}
	*out = strtod(s, &end);
	return end && *end == '\0';
}

static void add_labels(struct lg_prom_sample *x, const cJSON *metric)
{
	const cJSON *l;
	size_t n = 0, cap = 0;

	cJSON_ArrayForEach(l, metric) cap += cJSON_IsString(l) && l->string;
	if (cap > LG_PROM_MAX_LABELS)
		cap = LG_PROM_MAX_LABELS;
	x->labels = cap ? lg_xcalloc(cap, sizeof(*x->labels)) : NULL;
	cJSON_ArrayForEach(l, metric)
	{
		if (!cJSON_IsString(l) || !l->string)
			continue;
		if (!strcmp(l->string, "__name__")) {
			free(x->name);
			x->name = lg_xstrdup(l->valuestring);
			continue;
		}
		if (n == cap)
			break;
		x->labels[n].name = lg_xstrdup(l->string);
		x->labels[n].value = lg_xstrdup(l->valuestring);
		n++;
	}
	x->nlabels = n;
}

/* One element of data.result: {"metric": {...}, "value": [ts, "v"]}. */
static bool add_sample(struct lg_prom *p, const cJSON *metric,
		       const cJSON *value)
{
	struct lg_prom_sample *x;
	const cJSON *ts = cJSON_GetArrayItem(value, 0);
	const cJSON *v = cJSON_GetArrayItem(value, 1);
	double d;

	/* a timestamp in seconds that fits milliseconds in a long long */
	if (!cJSON_IsArray(value) || !cJSON_IsNumber(ts) ||
	    !(fabs(ts->valuedouble) < 9e15) || !cJSON_IsString(v) ||
	    !parse_value(v->valuestring, &d))
		return false;
	if (p->n >= LG_PROM_MAX_SAMPLES)
		return false;
	p->samples = lg_xrealloc(p->samples, (p->n + 1) * sizeof(*p->samples));
	x = &p->samples[p->n++];
	memset(x, 0, sizeof(*x));
	x->name = lg_xstrdup("");
	x->value = d;
	x->has_ts = true;
	x->ts = (long long)(ts->valuedouble * 1000.0);
	if (cJSON_IsObject(metric))
		add_labels(x, metric);
	return true;
}

static enum lg_err parse_vector(const cJSON *result, struct lg_prom *out,
				struct lg_error *err)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, result)
	{
		if (add_sample(out,
			       cJSON_GetObjectItemCaseSensitive(r, "metric"),
			       cJSON_GetObjectItemCaseSensitive(r, "value")))
			continue;
		out->lines_bad++;
		if (!out->first_bad)
			out->first_bad = out->n + out->lines_bad;
	}
	if (out->lines_bad && !out->n)
		return lg_errorf(err, LG_EPARSE, "no series could be read");
	return LG_OK;
}

static enum lg_err parse_data(const cJSON *data, struct lg_prom *out,
			      struct lg_error *err)
{
	const cJSON *type =
	    cJSON_GetObjectItemCaseSensitive(data, "resultType");
	const cJSON *result = cJSON_GetObjectItemCaseSensitive(data, "result");
	const char *t = cJSON_IsString(type) ? type->valuestring : "(none)";

	if (!strcmp(t, "scalar")) {
		if (!add_sample(out, NULL, result))
			return lg_errorf(err, LG_EPARSE, "a malformed scalar");
		return LG_OK;
	}
	if (strcmp(t, "vector") || !cJSON_IsArray(result))
		return lg_errorf(err, LG_EPARSE,
				 "expected an instant vector, got resultType "
				 "'%.40s'",
				 t);
	return parse_vector(result, out, err);
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

enum lg_err lg_promql_parse(const char *body, size_t len, struct lg_prom *out,
			    struct lg_error *err)
{
	cJSON *doc = cJSON_ParseWithLength(body ? body : "", len);
	const char *status = jstr(doc, "status");
	enum lg_err rc;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(doc) || !status) {
		rc = lg_errorf(err, LG_EPARSE,
			       "not an answer of Prometheus' query API");
	} else if (strcmp(status, "success")) {
		rc = lg_errorf(err, LG_EHTTP,
			       "Prometheus answered %.20s: %.40s: "
			       "%.200s",
			       status,
			       jstr(doc, "errorType") ? jstr(doc, "errorType")
						      : "?",
			       jstr(doc, "error") ? jstr(doc, "error") : "");
	} else {
		rc = parse_data(cJSON_GetObjectItemCaseSensitive(doc, "data"),
				out, err);
	}
	if (rc != LG_OK)
		lg_prom_release(out);
	cJSON_Delete(doc);
	return rc;
}

char *lg_promql_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct lg_buf b = LG_BUF_INIT;

	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
			lg_buf_add(&b, s, 1);
			continue;
		}
		lg_buf_addf(&b, "%%%c%c", hex[ch >> 4], hex[ch & 15]);
	}
	return lg_buf_detach(&b, NULL);
}

enum lg_err lg_promql_query(struct lg_cluster *c, const char *ns,
			    const char *svc, const char *query,
			    struct lg_prom *out, long *status,
			    struct lg_error *err)
{
	struct lg_buf b = LG_BUF_INIT;
	struct lg_error e = {0};
	char *q = lg_promql_escape(query);
	char *path = lg_xasprintf("/api/v1/namespaces/%s/services/%s/proxy/"
				  "api/v1/query?query=%s",
				  ns, svc, q);
	enum lg_err rc;

	memset(out, 0, sizeof(*out));
	*status = 0;
	lg_buf_init(&b, PROMQL_MAX_BODY);
	rc = lg_cluster_request(c, "GET", path, NULL, NULL, &b, status, &e);
	if (rc == LG_OK)
		rc = lg_promql_parse(b.buf, b.len, out, &e);
	if (rc != LG_OK)
		lg_errorf(err, rc, "query to service %s/%s: %s", ns, svc,
			  e.msg);
	lg_buf_release(&b);
	free(path);
	free(q);
	return rc;
}

enum lg_err lg_promql_fetch_text(struct lg_cluster *c, const char *path,
				 const char *only, struct lg_prom *out,
				 struct lg_error *err)
{
	struct lg_buf b = LG_BUF_INIT;
	struct lg_error e = {0};
	enum lg_err rc;
	long status = 0;

	memset(out, 0, sizeof(*out));
	lg_buf_init(&b, LG_PROM_MAX_TEXT);
	rc = lg_cluster_request(c, "GET", path, NULL, NULL, &b, &status, &e);
	if (rc == LG_OK)
		rc = lg_prom_parse(out, b.buf, b.len, only, &e);
	if (rc != LG_OK)
		lg_errorf(err, rc, "'%s': %s", path, e.msg);
	lg_buf_release(&b);
	return rc;
}

enum lg_err lg_promql_get_json(struct lg_cluster *c, const char *path,
			       cJSON **out, long *status, struct lg_error *err)
{
	struct lg_buf b = LG_BUF_INIT;
	struct lg_error e = {0};
	enum lg_err rc;

	*out = NULL;
	*status = 0;
	lg_buf_init(&b, PROMQL_MAX_BODY);
	rc = lg_cluster_request(c, "GET", path, NULL, NULL, &b, status, &e);
	if (rc == LG_OK) {
		*out = cJSON_ParseWithLength(b.buf, b.len);
		if (!*out)
			rc = lg_errorf(&e, LG_EPARSE, "the answer is not JSON");
	}
	if (rc != LG_OK)
		lg_errorf(err, rc, "'%s': %s", path, e.msg);
	lg_buf_release(&b);
	return rc;
}

bool lg_promql_target_fault(enum lg_err rc, long status)
{
	if (rc == LG_ENOTFOUND || status == 503)
		return true;
	return status >= 400 && status < 500 && status != 401 &&
	       status != 403 && status != 429;
}

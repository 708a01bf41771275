/* SPDX-License-Identifier: MIT */
/* journal.c: read and update the progress journal ConfigMap. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "journal.h"
#include "stats.h"

#define RECORD_ATTEMPTS 8
#define BACKOFF_MAX_MS 160
/* Token-like runs at least this long are redacted from evidence. */
#define TOKEN_MIN 32

static char *scrub_evidence(const char *in);
static enum lg_err parse_configmap(const cJSON *cm, struct lg_journal *out,
				   struct lg_error *err);
static bool parse_entry(const char *key, const cJSON *val,
			struct lg_journal_entry *e, char **why);
static enum lg_err record_once(struct lg_cluster *c, const char *ns,
			       const char *id, const char *value,
			       struct lg_error *err);

/* ConfigMap data keys: [-._a-zA-Z0-9]+, at most 253 bytes. */
static bool is_valid_key(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && !strchr("-._", id[i]))
			return false;
	return true;
}

/* A namespace is a DNS label; checking it keeps the path well formed. */
static bool is_valid_ns(const char *ns)
{
	size_t i, n = strlen(ns);

	if (n == 0 || n > 63)
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)ns[i]) &&
		    !isdigit((unsigned char)ns[i]) && ns[i] != '-')
			return false;
	return true;
}

static const char *ns_or_default(const char *ns)
{
	return ns ? ns : LG_JOURNAL_DEFAULT_NS;
}

static char *configmap_path(const char *ns)
{
	return lg_xasprintf("/api/v1/namespaces/%s/configmaps/%s", ns,
			    LG_JOURNAL_NAME);
}

/* ----------------------------------------------------------------------
 * Time.
 */

void lg_journal_format_time(time_t t, char out[static 21])
{
	struct tm tm;

	out[0] = '\0';
	if (!gmtime_r(&t, &tm))
		return;
	if (strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		out[0] = '\0';
}

/* n decimal digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The zone suffix: "Z" or "+hh:mm" / "-hh:mm"; its offset in seconds. */
static bool parse_zone(const char *s, long *offset)
{
	int h, m;

	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*offset = 0;
		return true;
	}
	if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
		return false;
	h = digits(s + 1, 2);
	m = digits(s + 4, 2);
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return false;
	*offset = (h * 3600L + m * 60L) * (s[0] == '-' ? -1 : 1);
	return true;
}

bool lg_journal_parse_time(const char *s, time_t *out)
{
	struct tm tm = {0};
	long offset;
	const char *p;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return false;
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour < 0 ||
	    tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 ||
	    tm.tm_sec < 0 || tm.tm_sec > 60)
		return false;
	p = s + 19;
	if (*p == '.' && isdigit((unsigned char)p[1]))
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (!parse_zone(p, &offset))
		return false;
	*out = timegm(&tm) - offset;
	return true;
}

/* ----------------------------------------------------------------------
 * Evidence: one line, no secrets, bounded.
 */

static bool is_token_char(char ch)
{
	return isalnum((unsigned char)ch) || (ch && strchr("+/=_-.", ch));
}

/*
 * Whether the run [s, s + n) looks like a credential: long and either
 * mixing upper case, lower case and digits (base64, JWT) or all hex.
 * Host names, paths and pod names are lower case, so they stay.
 */
static bool is_secret_like(const char *s, size_t n)
{
	bool up = false, low = false, dig = false, hex = true;
	size_t i;

	if (n < TOKEN_MIN)
		return false;
	for (i = 0; i < n; i++) {
		up |= isupper((unsigned char)s[i]) != 0;
		low |= islower((unsigned char)s[i]) != 0;
		dig |= isdigit((unsigned char)s[i]) != 0;
		hex &= isxdigit((unsigned char)s[i]) != 0;
	}
	return (up && low && dig) || hex;
}

/* After "Bearer " the next word is a token, whatever it looks like. */
static bool follows_bearer(const char *start, const char *s)
{
	return s - start >= 7 && strncasecmp(s - 7, "bearer ", 7) == 0;
}

static void scrub_run(struct lg_buf *b, const char *start, const char *s,
		      size_t n)
{
	if (is_secret_like(s, n) || follows_bearer(start, s))
		lg_buf_adds(b, "[redacted]");
	else
		lg_buf_add(b, s, n);
}

/* Cut b to at most max bytes at a UTF-8 boundary, marking the cut. */
static void cut_utf8(struct lg_buf *b, size_t max)
{
	size_t n;

	if (b->len <= max)
		return;
	n = max - 3;
	while (n > 0 && ((unsigned char)b->buf[n] & 0xC0) == 0x80)
		n--;
	b->len = n;
	b->buf[n] = '\0';
	lg_buf_adds(b, "...");
}

/*
 * The evidence as it may be stored: control characters become spaces,
 * token-like runs "[redacted]", at most LG_JOURNAL_EVIDENCE_MAX bytes.
 */
static char *scrub_evidence(const char *in)
{
	struct lg_buf b = LG_BUF_INIT;
	const char *s = in, *r;

	while (*s) {
		if (!is_token_char(*s)) {
			lg_buf_add(&b, iscntrl((unsigned char)*s) ? " " : s, 1);
			s++;
			continue;
		}
		for (r = s; is_token_char(*r); r++)
			;
		scrub_run(&b, in, s, (size_t)(r - s));
		s = r;
	}
	cut_utf8(&b, LG_JOURNAL_EVIDENCE_MAX);
	return b.len ? lg_buf_detach(&b, NULL) : lg_xstrdup("");
}

/* ----------------------------------------------------------------------
 * Reading.
 */

void lg_journal_entry_release(struct lg_journal_entry *e)
{
	free(e->id);
	free(e->time);
	free(e->evidence);
	memset(e, 0, sizeof(*e));
}

void lg_journal_release(struct lg_journal *j)
{
	size_t i;

	for (i = 0; i < j->nentries; i++)
		lg_journal_entry_release(&j->entries[i]);
	for (i = 0; i < j->nnotes; i++)
		free(j->notes[i]);
	free(j->entries);
	free(j->notes);
	free(j->resource_version);
	memset(j, 0, sizeof(*j));
}

const struct lg_journal_entry *lg_journal_find(const struct lg_journal *j,
					       const char *id)
{
	size_t i;

	for (i = 0; i < j->nentries; i++)
		if (strcmp(j->entries[i].id, id) == 0)
			return &j->entries[i];
	return NULL;
}

static bool is_points(const cJSON *v)
{
	return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
	       v->valuedouble >= 0.0;
}

/* Fill e from the JSON object of one entry; *why says what was wrong. */
static bool entry_from_json(const char *key, const cJSON *o,
			    struct lg_journal_entry *e, char **why)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "time");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "points");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "max_points");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(o, "evidence");

	if (!cJSON_IsString(t) ||
	    !lg_journal_parse_time(t->valuestring, &e->when)) {
		*why = lg_xstrdup("no RFC 3339 \"time\"");
		return false;
	}
	if (!is_points(p) || !is_points(m) || p->valuedouble > m->valuedouble) {
		*why = lg_xstrdup("\"points\" and \"max_points\" are not "
				  "0 <= points <= max_points");
		return false;
	}
	if (ev && !cJSON_IsString(ev)) {
		*why = lg_xstrdup("\"evidence\" is not a string");
		return false;
	}
	e->id = lg_xstrdup(key);
	e->time = lg_xstrdup(t->valuestring);
	e->points = p->valuedouble;
	e->max_points = m->valuedouble;
	e->evidence = scrub_evidence(ev ? ev->valuestring : "");
	return true;
}

static bool parse_entry(const char *key, const cJSON *val,
			struct lg_journal_entry *e, char **why)
{
	cJSON *o;
	bool ok;

	if (!cJSON_IsString(val)) {
		*why = lg_xstrdup("the value is not a string");
		return false;
	}
	o = cJSON_Parse(val->valuestring);
	if (!cJSON_IsObject(o)) {
		*why = lg_xstrdup("the value is not a JSON object");
		cJSON_Delete(o);
		return false;
	}
	ok = entry_from_json(key, o, e, why);
	cJSON_Delete(o);
	return ok;
}

static void add_note(struct lg_journal *j, const char *key, const char *why)
{
	char *safe = scrub_evidence(key);

	j->notes = lg_xrealloc(j->notes, (j->nnotes + 1) * sizeof(*j->notes));
	j->notes[j->nnotes++] =
	    lg_xasprintf("journal entry '%s' ignored: %s", safe, why);
	free(safe);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct lg_journal_entry *x = a, *y = b;

	return strcmp(x->id, y->id);
}

static enum lg_err parse_configmap(const cJSON *cm, struct lg_journal *out,
				   struct lg_error *err)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(cm, "metadata");
	const cJSON *rv =
	    cJSON_GetObjectItemCaseSensitive(md, "resourceVersion");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(cm, "data");
	const cJSON *items = cJSON_IsObject(data) ? data : NULL, *kv;
	struct lg_journal_entry e = {0};
	char *why = NULL;
	size_t n = 0;

	if (!cJSON_IsObject(cm) || !cJSON_IsString(rv))
		return lg_errorf(
		    err, LG_EPARSE,
		    "ConfigMap '%s' has no metadata.resourceVersion",
		    LG_JOURNAL_NAME);
	out->exists = true;
	out->resource_version = lg_xstrdup(rv->valuestring);
	cJSON_ArrayForEach(kv, items)
	{
		n++;
	}
	out->entries = lg_xcalloc(n, sizeof(*out->entries));
	cJSON_ArrayForEach(kv, items)
	{
		if (parse_entry(kv->string, kv, &e, &why)) {
			out->entries[out->nentries++] = e;
			memset(&e, 0, sizeof(e));
			continue;
		}
		add_note(out, kv->string, why);
		lg_freep(&why);
	}
	qsort(out->entries, out->nentries, sizeof(*out->entries), entry_cmp);
	return LG_OK;
}

/* GET the ConfigMap; a 5xx (the API server or etcd had a moment) is worth
 * one more try before the journal counts as unreadable. */
static enum lg_err get_configmap(struct lg_cluster *c, const char *path,
				 cJSON **cm, struct lg_error *err)
{
	enum lg_err rc = lg_cluster_get(c, path, cm, err);

	if (rc != LG_ESERVER)
		return rc;
	lg_error_clear(err);
	return lg_cluster_get(c, path, cm, err);
}

enum lg_err lg_journal_read(struct lg_cluster *c, const char *ns,
			    struct lg_journal *out, struct lg_error *err)
{
	struct lg_error local = {0};
	cJSON *cm = NULL;
	char *path;
	enum lg_err rc;

	ns = ns_or_default(ns);
	if (!is_valid_ns(ns))
		return lg_errorf(err, LG_EUSAGE,
				 "'%s' is not a valid namespace name", ns);
	path = configmap_path(ns);
	/* A local error record: a 404 must leave no trace in err. */
	rc = get_configmap(c, path, &cm, &local);
	if (rc == LG_ENOTFOUND) {
		rc = LG_OK;
		goto out;
	}
	if (rc == LG_OK)
		rc = parse_configmap(cm, out, &local);
	if (rc != LG_OK)
		lg_errorf(err, rc, "cannot read the progress journal %s/%s: %s",
			  ns, LG_JOURNAL_NAME, local.msg);
out:
	cJSON_Delete(cm);
	free(path);
	return rc;
}

/* ----------------------------------------------------------------------
 * Recording.
 */

/* The data value for one entry: compact JSON. Caller frees. */
static char *entry_value(const struct lg_journal_entry *e)
{
	char when[21];
	cJSON *o = cJSON_CreateObject();
	char *ev = scrub_evidence(e->evidence ? e->evidence : "");
	char *s;

	lg_journal_format_time(e->when ? e->when : time(NULL), when);
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddNumberToObject(o, "points", e->points);
	cJSON_AddNumberToObject(o, "max_points", e->max_points);
	cJSON_AddStringToObject(o, "evidence", ev);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	free(ev);
	if (!s)
		lg_die("out of memory printing a journal entry");
	return s;
}

static char *print_json(const cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	if (!s)
		lg_die("out of memory printing JSON");
	return s;
}

static enum lg_err send_json(struct lg_cluster *c, const char *method,
			     const char *path, const cJSON *body,
			     struct lg_error *err)
{
	struct lg_buf resp = LG_BUF_INIT;
	char *text = print_json(body);
	long status = 0;
	enum lg_err rc;

	rc = lg_cluster_request(c, method, path, "application/json", text,
				&resp, &status, err);
	lg_buf_release(&resp);
	free(text);
	return rc;
}

static void set_data(cJSON *cm, const char *id, const char *value)
{
	cJSON *data = cJSON_GetObjectItemCaseSensitive(cm, "data");

	if (!cJSON_IsObject(data)) {
		cJSON_DeleteItemFromObjectCaseSensitive(cm, "data");
		data = cJSON_AddObjectToObject(cm, "data");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(data, id);
	cJSON_AddStringToObject(data, id, value);
}

/* POST a new ConfigMap holding only this entry. */
static enum lg_err create_configmap(struct lg_cluster *c, const char *ns,
				    const char *id, const char *value,
				    struct lg_error *err)
{
	cJSON *cm = cJSON_CreateObject(), *md, *labels;
	char *path = lg_xasprintf("/api/v1/namespaces/%s/configmaps", ns);
	enum lg_err rc;

	cJSON_AddStringToObject(cm, "apiVersion", "v1");
	cJSON_AddStringToObject(cm, "kind", "ConfigMap");
	md = cJSON_AddObjectToObject(cm, "metadata");
	cJSON_AddStringToObject(md, "name", LG_JOURNAL_NAME);
	cJSON_AddStringToObject(md, "namespace", ns);
	labels = cJSON_AddObjectToObject(md, "labels");
	cJSON_AddStringToObject(labels, "app.kubernetes.io/managed-by",
				"labgrade");
	set_data(cm, id, value);
	rc = send_json(c, "POST", path, cm, err);
	cJSON_Delete(cm);
	free(path);
	return rc;
}

/*
 * PUT the ConfigMap as read, with our key set. Its metadata.resourceVersion
 * is the precondition: a write by anyone since our read makes it a 409.
 */
static enum lg_err replace_configmap(struct lg_cluster *c, const char *path,
				     cJSON *cm, const char *id,
				     const char *value, struct lg_error *err)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(cm, "metadata");
	const cJSON *rv =
	    cJSON_GetObjectItemCaseSensitive(md, "resourceVersion");

	if (!cJSON_IsString(rv) || !rv->valuestring[0])
		return lg_errorf(
		    err, LG_EPARSE,
		    "ConfigMap '%s' has no metadata.resourceVersion",
		    LG_JOURNAL_NAME);
	set_data(cm, id, value);
	return send_json(c, "PUT", path, cm, err);
}

/* One read-modify-write; LG_ECONFLICT means try again. */
static enum lg_err record_once(struct lg_cluster *c, const char *ns,
			       const char *id, const char *value,
			       struct lg_error *err)
{
	char *path = configmap_path(ns);
	cJSON *cm = NULL;
	enum lg_err rc;

	rc = lg_cluster_get(c, path, &cm, err);
	if (rc == LG_ENOTFOUND) {
		lg_error_clear(err);
		rc = create_configmap(c, ns, id, value, err);
	} else if (rc == LG_OK) {
		rc = replace_configmap(c, path, cm, id, value, err);
		/* deleted since our read: start over, as after a conflict */
		if (rc == LG_ENOTFOUND)
			rc = LG_ECONFLICT;
	}
	cJSON_Delete(cm);
	free(path);
	return rc;
}

/* 5, 10, 20 ... ms, capped, plus up to as much again: writers that
 * collided once should not collide again in lockstep. */
static void backoff(struct lg_rng *rng, int attempt)
{
	long ms = 5L << attempt;
	struct timespec ts;

	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	ms += (long)(lg_rng_uniform(rng) * (double)ms);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static uint64_t jitter_seed(const void *p)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
	       (uint64_t)(uintptr_t)p;
}

enum lg_err lg_journal_record(struct lg_cluster *c, const char *ns,
			      const char *id, const struct lg_journal_entry *e,
			      struct lg_error *err)
{
	struct lg_error local = {0};
	struct lg_rng rng;
	enum lg_err rc = LG_ECONFLICT;
	char *value;
	int attempt;

	ns = ns_or_default(ns);
	if (!is_valid_ns(ns) || !is_valid_key(id))
		return lg_errorf(err, LG_EUSAGE,
				 "cannot record '%s' in namespace '%s': not a "
				 "valid key or namespace name",
				 id, ns);
	value = entry_value(e);
	lg_rng_seed(&rng, jitter_seed(&local));
	for (attempt = 0; attempt < RECORD_ATTEMPTS; attempt++) {
		if (attempt > 0)
			backoff(&rng, attempt - 1);
		lg_error_clear(&local);
		rc = record_once(c, ns, id, value, &local);
		if (rc != LG_ECONFLICT)
			break;
	}
	free(value);
	if (rc == LG_ECONFLICT)
		return lg_errorf(err, rc,
				 "cannot record '%s' in ConfigMap %s/%s: it "
				 "changed under us %d times in a row",
				 id, ns, LG_JOURNAL_NAME, RECORD_ATTEMPTS);
	if (rc != LG_OK)
		return lg_errorf(err, rc,
				 "cannot record '%s' in ConfigMap %s/%s: %s",
				 id, ns, LG_JOURNAL_NAME, local.msg);
	return LG_OK;
}

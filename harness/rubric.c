/* SPDX-License-Identifier: MIT */
/* rubric.c: loads and validates rubric.yaml, the grading policy. */
#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../checks/check.h"
#include "rubric.h"
#include "stats.h"
#include "yaml.h"

/* What one load needs to report a mistake at a node's position. */
struct rload {
	const char *name;
	struct lg_error *err;
	const struct lg_rubric *r; /* global params, loaded before objectives */
};

static enum lg_err at(const struct rload *l, const struct lg_ynode *n,
		      const char *fmt, ...) LG_PRINTF(3, 4);
static enum lg_err load_objective(const struct rload *l,
				  const struct lg_ynode *seq, size_t i,
				  struct lg_rubric_objective *o);

/* Report "NAME:LINE:COL: what" for node n; always LG_ECONFIG. */
static enum lg_err at(const struct rload *l, const struct lg_ynode *n,
		      const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = lg_xvasprintf(fmt, ap);
	va_end(ap);
	lg_errorf(l->err, LG_ECONFIG, "%s:%u:%u: %s", l->name, n->line, n->col,
		  msg);
	free(msg);
	return LG_ECONFIG;
}

/*
 * A number as rubric.yaml writes it, read the same way whatever LC_NUMERIC
 * says (a Spanish locale would otherwise stop "0.5" at the dot).
 */
static bool parse_num(const char *s, double *out)
{
	locale_t c;
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s) || strpbrk(s, "xXnNiI"))
		return false;
	c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (!c)
		lg_die("cannot create the C locale");
	v = strtod_l(s, &end, c);
	freelocale(c);
	if (*end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/* A node for a message: its text in quotes, or what it is ("a list"). */
static const char *describe(const struct lg_ynode *v, char *out, size_t n)
{
	if (v->type != LG_YSCALAR)
		return lg_ynode_type_name(v);
	snprintf(out, n, "'%s'", v->value);
	return out;
}

static bool parse_int(const char *s, int *out)
{
	size_t i;

	if (!*s || strlen(s) > 6)
		return false;
	for (i = 0; s[i]; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	*out = (int)strtol(s, NULL, 10);
	return true;
}

/* Lower-case letters and digits in words joined by single dashes. */
static bool is_kebab(const char *s)
{
	size_t i;

	if (!islower((unsigned char)s[0]))
		return false;
	for (i = 0; s[i]; i++) {
		if (s[i] == '-' && s[i + 1] != '-' && s[i + 1] != '\0')
			continue;
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

static bool is_one_of(const char *key, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(key, *names))
			return true;
	return false;
}

/* Refuse the first key of map m that is not in names. */
static enum lg_err known_keys(const struct rload *l, const struct lg_ynode *m,
			      const char *const *names, const char *where,
			      const char *expected)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!is_one_of(m->keys[i], names))
			return at(l, m->items[i],
				  "unknown key '%s' %s (expected %s)",
				  m->keys[i], where, expected);
	return LG_OK;
}

/*
 * The schema of every parameter a check reads: its type, its range and the
 * objectives that read it (NULL: several, or the run itself). A key not
 * here is a typo, and a value out of range would only fail at grading time
 * or quietly change a verdict, so both are refused at load.
 */
enum ptype {
	PT_LABEL,   /* a namespace: DNS-1123 label */
	PT_NAMES,   /* comma-separated DNS-1123 subdomain names */
	PT_NAME,    /* one DNS-1123 subdomain name */
	PT_PATH,    /* a URL path: "/" and printable ASCII, no space */
	PT_VERSION, /* MAJOR.MINOR */
	PT_INT,	    /* whole number in [min, max] */
	PT_SECONDS, /* number of seconds in (0, max] */
	PT_PROB,    /* probability in (0, 1), both ends excluded */
	PT_PERCENT, /* number in [0, 100] */
};

struct param_def {
	const char *key;
	enum ptype type;
	double min, max;
	const char *only; /* the one objective that reads it, or NULL */
};

static const struct param_def param_defs[] = {
    {"bookinfo-namespace", PT_LABEL, 0, 0, NULL},
    {"istio-namespace", PT_LABEL, 0, 0, NULL},
    {"request-timeout-ms", PT_INT, 1, 3600000, NULL},
    {"istio-version", PT_VERSION, 0, 0, "istio-install"},
    {"bookinfo-deployments", PT_NAMES, 0, 0, "sidecar-injection"},
    {"gateway-name", PT_NAME, 0, 0, "gateway"},
    {"productpage-path", PT_PATH, 0, 0, "gateway"},
    {"observations", PT_INT, 1, 1000, NULL},
    {"fault-delay-seconds", PT_SECONDS, 0, 3600, "fault-injection"},
    {"fault-min-seconds", PT_SECONDS, 0, 3600, "fault-injection"},
    {"fault-max-seconds", PT_SECONDS, 0, 3600, "fault-injection"},
    {"anonymous-max-seconds", PT_SECONDS, 0, 3600, "fault-injection"},
    {"jason-observations", PT_INT, 1, 1000, "fault-injection"},
    {"anonymous-observations", PT_INT, 1, 1000, "fault-injection"},
    {"split-share", PT_PROB, 0, 0, "traffic-shifting"},
    {"split-tolerance", PT_PROB, 0, 0, "traffic-shifting"},
    {"split-alpha", PT_PROB, 0, 0, "traffic-shifting"},
    {"split-beta", PT_PROB, 0, 0, "traffic-shifting"},
    {"split-max-requests", PT_INT, 0, LG_SPRT_CAP_MAX, "traffic-shifting"},
    {"split-batch", PT_INT, 1, 200, "traffic-shifting"},
    {"requests", PT_INT, 1, 2000, NULL},
    {"concurrency", PT_INT, 2, 200, "circuit-breaking"},
    {"control-requests", PT_INT, 1, 2000, "circuit-breaking"},
    {"metrics-retries", PT_INT, 0, 100, NULL},
    {"metrics-retry-ms", PT_INT, 1, 60000, NULL},
    {"mirror-percentage", PT_PERCENT, 0, 100, "mirroring"},
    {"mirror-alpha", PT_PROB, 0, 0, "mirroring"},
    {"mirror-slack", PT_INT, 0, 1000, "mirroring"},
    {"log-lines", PT_INT, 1, 10000, "troubleshooting"},
    {"max-restarts", PT_INT, 0, 1000, "troubleshooting"},
    {"telemetry-services", PT_NAMES, 0, 0, "observability"},
    {"httpbin-namespace", PT_LABEL, 0, 0, "ingress-gateway"},
    {"httpbin-host", PT_NAME, 0, 0, "ingress-gateway"},
    {"httpbin-path", PT_PATH, 0, 0, "ingress-gateway"},
    {"external-host", PT_NAME, 0, 0, "egress-gateway"},
};

static const struct param_def *param_def_find(const char *key)
{
	size_t i;

	for (i = 0; i < LG_ARRAY_SIZE(param_defs); i++)
		if (!strcmp(param_defs[i].key, key))
			return &param_defs[i];
	return NULL;
}

/* A DNS-1123 label: n <= 63 lower-case letters, digits and inner '-'. */
static bool is_label(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* A DNS-1123 label or, with dots, subdomain (labels joined by '.'). */
static bool is_dns(const char *s, size_t n, bool dots)
{
	size_t k;

	if (!dots || n > 253)
		return is_label(s, n);
	for (;;) {
		k = strcspn(s, ".");
		if (k > n)
			k = n;
		if (!is_label(s, k))
			return false;
		if (k == n)
			return true;
		s += k + 1;
		n -= k + 1;
	}
}

static bool is_names(const char *s)
{
	size_t n;

	for (;;) {
		n = strcspn(s, ",");
		if (!is_dns(s, n, true))
			return false;
		if (!s[n])
			return true;
		s += n + 1;
	}
}

static bool is_path(const char *s)
{
	if (s[0] != '/' || strlen(s) > 1024)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f)
			return false;
	return true;
}

static bool is_version(const char *s)
{
	size_t a = strspn(s, "0123456789"), b;

	if (a == 0 || a > 4 || s[a] != '.')
		return false;
	b = strspn(s + a + 1, "0123456789");
	return b > 0 && b <= 4 && s[a + 1 + b] == '\0';
}

/* A whole number in [min, max], written as digits only. */
static bool is_int_in(const char *s, double min, double max)
{
	double v;

	return strlen(s) <= 10 && strspn(s, "0123456789") == strlen(s) &&
	       parse_num(s, &v) && v >= min && v <= max;
}

static bool text_ok(const struct param_def *d, const char *s)
{
	switch (d->type) {
	case PT_LABEL:
		return is_dns(s, strlen(s), false);
	case PT_NAME:
		return is_dns(s, strlen(s), true);
	case PT_NAMES:
		return is_names(s);
	case PT_PATH:
		return is_path(s);
	default:
		return is_version(s);
	}
}

static bool value_ok(const struct param_def *d, const char *s)
{
	double v;

	if (d->type < PT_INT)
		return text_ok(d, s);
	if (d->type == PT_INT)
		return is_int_in(s, d->min, d->max);
	if (!parse_num(s, &v))
		return false;
	if (d->type == PT_SECONDS)
		return v > 0 && v <= d->max;
	if (d->type == PT_PROB)
		return v > 0 && v < 1;
	return v >= 0 && v <= 100;
}

/* What a parameter must be, for the message that refuses its value. */
static char *expectation(const struct param_def *d)
{
	switch (d->type) {
	case PT_LABEL:
		return lg_xstrdup(
		    "a namespace name (DNS-1123 label: lower-case "
		    "letters, digits and '-', at most 63)");
	case PT_NAME:
		return lg_xstrdup("a Kubernetes object name (DNS-1123)");
	case PT_NAMES:
		return lg_xstrdup(
		    "Kubernetes object names separated by commas");
	case PT_PATH:
		return lg_xstrdup(
		    "a URL path starting with '/', without spaces");
	case PT_VERSION:
		return lg_xstrdup(
		    "a version as MAJOR.MINOR, quoted (\"1.24\")");
	case PT_INT:
		return lg_xasprintf("a whole number from %.0f to %.0f", d->min,
				    d->max);
	case PT_SECONDS:
		return lg_xasprintf("a number of seconds above 0, at most %.0f",
				    d->max);
	case PT_PROB:
		return lg_xstrdup("a probability between 0 and 1 (both "
				  "excluded)");
	default:
		return lg_xstrdup("a percentage from 0 to 100");
	}
}

/* Key known, read by this objective (id; NULL at the top), value valid. */
static enum lg_err check_param(const struct rload *l, const char *key,
			       const struct lg_ynode *v, const char *id)
{
	const struct param_def *d = param_def_find(key);
	char *want;
	enum lg_err rc;

	if (!d)
		return at(l, v, "unknown parameter '%s'", key);
	if (id && d->only && strcmp(d->only, id))
		return at(l, v,
			  "parameter '%s' is read only by objective '%s', "
			  "not by '%s'",
			  key, d->only, id);
	if (value_ok(d, v->value))
		return LG_OK;
	want = expectation(d);
	rc = at(l, v, "parameter '%s' must be %s, not '%s'", key, want,
		v->value);
	free(want);
	return rc;
}

/* A map of single values: the global params or an objective's own. */
static enum lg_err load_params(const struct rload *l, const struct lg_ynode *m,
			       const char *id, struct lg_rubric_param **out,
			       size_t *nout)
{
	const struct lg_ynode *v;
	enum lg_err rc;
	size_t i;

	if (m->type == LG_YNULL)
		return LG_OK;
	if (m->type != LG_YMAP)
		return at(l, m,
			  "'params' must be a map of names to values, "
			  "not %s",
			  lg_ynode_type_name(m));
	*out = lg_xcalloc(m->n, sizeof(**out));
	for (i = 0; i < m->n; i++) {
		v = m->items[i];
		if (v->type == LG_YNULL)
			return at(l, v, "parameter '%s' has no value",
				  m->keys[i]);
		if (v->type != LG_YSCALAR)
			return at(l, v,
				  "parameter '%s' must be a single value, "
				  "not %s",
				  m->keys[i], lg_ynode_type_name(v));
		rc = check_param(l, m->keys[i], v, id);
		if (rc)
			return rc;
		(*out)[i].key = lg_xstrdup(m->keys[i]);
		(*out)[i].value = lg_xstrdup(v->value);
		*nout = i + 1;
	}
	return LG_OK;
}

/* The keys of check c's assertions, "a, b or c", for a message. */
static char *assert_keys(const struct lg_check *c)
{
	struct lg_buf b;
	size_t i;

	lg_buf_init(&b, SIZE_MAX);
	for (i = 0; i < c->nasserts; i++)
		lg_buf_addf(&b, "%s%s",
			    i == 0		   ? ""
			    : i + 1 == c->nasserts ? " or "
						   : ", ",
			    c->asserts[i].key);
	return lg_buf_detach(&b, NULL);
}

static bool is_assert_key(const struct lg_check *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->nasserts; i++)
		if (!strcmp(c->asserts[i].key, key))
			return true;
	return false;
}

/* One entry of points: an assertion of the check, a whole number of
 * points from 0 to LG_RUBRIC_MAX_POINTS. */
static enum lg_err check_points(const struct rload *l, const struct lg_ynode *m,
				size_t i, const struct lg_check *c)
{
	const struct lg_ynode *v = m->items[i];
	char tmp[128], *keys;
	enum lg_err rc;

	if (!is_assert_key(c, m->keys[i])) {
		keys = assert_keys(c);
		rc = at(l, v,
			"unknown assertion '%s' in 'points' of objective '%s' "
			"(expected %s)",
			m->keys[i], c->id, keys);
		free(keys);
		return rc;
	}
	if (v->type != LG_YSCALAR || v->quoted ||
	    !is_int_in(v->value, 0, LG_RUBRIC_MAX_POINTS))
		return at(l, v,
			  "points for '%s' must be a whole number from 0 to "
			  "%d, not %s",
			  m->keys[i], LG_RUBRIC_MAX_POINTS,
			  describe(v, tmp, sizeof(tmp)));
	return LG_OK;
}

static enum lg_err load_points(const struct rload *l, const struct lg_ynode *m,
			       const char *id, struct lg_rubric_objective *o)
{
	const struct lg_check *c = lg_check_find(id);
	enum lg_err rc;
	size_t i;

	if (m->type != LG_YMAP)
		return at(l, m,
			  "'points' of objective '%s' must be a map of "
			  "assertion keys to numbers, not %s",
			  id, lg_ynode_type_name(m));
	if (m->n == 0)
		return at(l, m, "'points' of objective '%s' is empty", id);
	o->points = lg_xcalloc(m->n, sizeof(*o->points));
	for (i = 0; i < m->n; i++) {
		rc = check_points(l, m, i, c);
		if (rc)
			return rc;
		o->points[i].key = lg_xstrdup(m->keys[i]);
		parse_num(m->items[i]->value, &o->points[i].points);
		o->npoints = i + 1;
	}
	return LG_OK;
}

/* A title map with exactly the two languages, each a piece of text. */
static enum lg_err load_title(const struct rload *l, const struct lg_ynode *t,
			      const char *id, struct lg_rubric_objective *o)
{
	static const char *const langs[] = {"es", "en", NULL};
	const struct lg_ynode *v;
	enum lg_err rc;
	size_t i;

	if (t->type != LG_YMAP)
		return at(l, t,
			  "'title' of objective '%s' must be a map with "
			  "es and en, not %s",
			  id, lg_ynode_type_name(t));
	rc = known_keys(l, t, langs, "in 'title'", "es and en");
	if (rc)
		return rc;
	for (i = 0; langs[i]; i++) {
		v = lg_ynode_get(t, langs[i]);
		if (!v)
			return at(l, t, "'title' of objective '%s' has no '%s'",
				  id, langs[i]);
		if (v->type != LG_YSCALAR)
			return at(l, v,
				  "'title.%s' of objective '%s' must be "
				  "text, not %s",
				  langs[i], id, lg_ynode_type_name(v));
	}
	o->title_es = lg_xstrdup(lg_ynode_str(t, "es"));
	o->title_en = lg_xstrdup(lg_ynode_str(t, "en"));
	return LG_OK;
}

static enum lg_err load_bool(const struct rload *l, const struct lg_ynode *m,
			     const char *key, bool *out)
{
	const struct lg_ynode *v = lg_ynode_get(m, key);
	char tmp[128];

	if (!v)
		return LG_OK;
	if (v->type == LG_YSCALAR && !v->quoted &&
	    (!strcmp(v->value, "true") || !strcmp(v->value, "false"))) {
		*out = !strcmp(v->value, "true");
		return LG_OK;
	}
	return at(l, v, "'%s' must be true or false, not %s", key,
		  describe(v, tmp, sizeof(tmp)));
}

/* An id no check has: the message lists the ones labgrade knows. */
static enum lg_err unknown_id(const struct rload *l, const struct lg_ynode *v)
{
	struct lg_buf b;
	enum lg_err rc;
	size_t i;

	lg_buf_init(&b, SIZE_MAX);
	for (i = 0; i < lg_nchecks; i++)
		lg_buf_addf(&b, "%s%s", i ? ", " : "", lg_checks[i]->id);
	rc = at(l, v, "unknown objective '%s' (this labgrade grades %s)",
		v->value, b.buf);
	lg_buf_release(&b);
	return rc;
}

/* The id: present, kebab-case, a check's, not used by an earlier one. */
static enum lg_err load_id(const struct rload *l, const struct lg_ynode *seq,
			   size_t i, struct lg_rubric_objective *o)
{
	const struct lg_ynode *m = seq->items[i];
	const struct lg_ynode *v = lg_ynode_get(m, "id");
	const struct lg_ynode *prev;
	size_t j;

	if (!v)
		return at(l, m, "objective %zu has no 'id'", i + 1);
	if (v->type != LG_YSCALAR)
		return at(l, v, "'id' must be a name, not %s",
			  lg_ynode_type_name(v));
	if (!is_kebab(v->value))
		return at(l, v,
			  "id '%s' is not kebab-case (lower-case words "
			  "joined by dashes, like fault-injection)",
			  v->value);
	if (!lg_check_find(v->value))
		return unknown_id(l, v);
	for (j = 0; j < i; j++) {
		prev = lg_ynode_get(seq->items[j], "id");
		if (prev && prev->value && !strcmp(prev->value, v->value))
			return at(l, v,
				  "duplicate objective id '%s' (first at "
				  "line %u)",
				  v->value, prev->line);
	}
	o->id = lg_xstrdup(v->value);
	return LG_OK;
}

static enum lg_err load_number(const struct rload *l, const struct lg_ynode *m,
			       const char *id, struct lg_rubric_objective *o)
{
	const struct lg_ynode *v = lg_ynode_get(m, "number");
	char tmp[128];

	if (!v)
		return at(l, m, "objective '%s' has no 'number'", id);
	if (v->type != LG_YSCALAR || v->quoted ||
	    !parse_int(v->value, &o->number))
		return at(l, v,
			  "'number' of objective '%s' must be a whole "
			  "number, not %s",
			  id, describe(v, tmp, sizeof(tmp)));
	return LG_OK;
}

/*
 * Values that are each in range but wrong together: a fault window that is
 * empty, a split test that cannot be built (traffic-shifting would only
 * find out at grading time, as an error). Reported at the objective.
 */
static enum lg_err check_relations(const struct rload *l,
				   const struct lg_ynode *m,
				   const struct lg_rubric_objective *o)
{
	struct lg_error e = {0};
	struct lg_sprt sprt;
	double lo, hi;

	if (!strcmp(o->id, "fault-injection")) {
		lo = lg_rubric_param_num(l->r, o, "fault-min-seconds", 5);
		hi = lg_rubric_param_num(l->r, o, "fault-max-seconds", 8);
		if (lo >= hi)
			return at(l, m,
				  "fault-min-seconds (%g) must be below "
				  "fault-max-seconds (%g)",
				  lo, hi);
	}
	if (strcmp(o->id, "traffic-shifting"))
		return LG_OK;
	if (lg_sprt_init(&sprt,
			 lg_rubric_param_num(l->r, o, "split-share", 0.5),
			 lg_rubric_param_num(l->r, o, "split-tolerance", 0.3),
			 lg_rubric_param_num(l->r, o, "split-alpha", 0.001),
			 lg_rubric_param_num(l->r, o, "split-beta", 0.01), 0,
			 &e) != LG_OK)
		return at(l, m, "the split parameters do not make a test: %s",
			  e.msg);
	return LG_OK;
}

/* The optional parts: own params, optional and enabled. */
static enum lg_err load_extras(const struct rload *l, const struct lg_ynode *m,
			       struct lg_rubric_objective *o)
{
	const struct lg_ynode *v = lg_ynode_get(m, "params");
	bool optional = false;
	enum lg_err rc;

	if (v) {
		rc = load_params(l, v, o->id, &o->params, &o->nparams);
		if (rc)
			return rc;
	}
	rc = load_bool(l, m, "optional", &optional);
	if (rc)
		return rc;
	/* optional objectives are graded only when also `enabled: true` */
	o->enabled = !optional;
	return load_bool(l, m, "enabled", &o->enabled);
}

static enum lg_err load_objective(const struct rload *l,
				  const struct lg_ynode *seq, size_t i,
				  struct lg_rubric_objective *o)
{
	static const char *const keys[] = {"id",      "number", "title",
					   "points",  "params", "optional",
					   "enabled", NULL};
	const struct lg_ynode *m = seq->items[i];
	const struct lg_ynode *title, *points;
	enum lg_err rc;

	if (m->type != LG_YMAP)
		return at(l, m, "objective %zu must be a map, not %s", i + 1,
			  lg_ynode_type_name(m));
	rc = known_keys(l, m, keys, "in an objective",
			"id, number, title, points, params, optional or "
			"enabled");
	if (!rc)
		rc = load_id(l, seq, i, o);
	if (!rc)
		rc = load_number(l, m, o->id, o);
	if (rc)
		return rc;
	title = lg_ynode_get(m, "title");
	if (!title)
		return at(l, m, "objective '%s' has no 'title'", o->id);
	rc = load_title(l, title, o->id, o);
	if (rc)
		return rc;
	points = lg_ynode_get(m, "points");
	if (!points)
		return at(l, m, "objective '%s' has no 'points'", o->id);
	rc = load_points(l, points, o->id, o);
	if (!rc)
		rc = load_extras(l, m, o);
	return rc ? rc : check_relations(l, m, o);
}

static enum lg_err load_objectives(const struct rload *l,
				   const struct lg_ynode *root,
				   struct lg_rubric *r)
{
	const struct lg_ynode *seq = lg_ynode_get(root, "objectives");
	enum lg_err rc;
	size_t i;

	if (!seq)
		return at(l, root, "missing 'objectives'");
	if (seq->type != LG_YSEQ)
		return at(l, seq, "'objectives' must be a list, not %s",
			  lg_ynode_type_name(seq));
	if (seq->n == 0)
		return at(l, seq, "'objectives' is empty");
	r->objectives = lg_xcalloc(seq->n, sizeof(*r->objectives));
	for (i = 0; i < seq->n; i++) {
		r->nobjectives = i + 1;
		rc = load_objective(l, seq, i, &r->objectives[i]);
		if (rc)
			return rc;
	}
	return LG_OK;
}

static enum lg_err load_root(const struct rload *l, const struct lg_ynode *root,
			     struct lg_rubric *r)
{
	static const char *const keys[] = {"version", "params", "objectives",
					   NULL};
	const struct lg_ynode *v;
	char tmp[128];
	enum lg_err rc;

	if (root->type != LG_YMAP)
		return at(l, root,
			  "the rubric must be a map of version, "
			  "params and objectives, not %s",
			  lg_ynode_type_name(root));
	rc = known_keys(l, root, keys, "at the top",
			"version, params or objectives");
	if (rc)
		return rc;
	v = lg_ynode_get(root, "version");
	if (!v)
		return at(l, root, "missing 'version: 1'");
	if (v->type != LG_YSCALAR || v->quoted || strcmp(v->value, "1"))
		return at(l, v,
			  "unsupported version %s (this labgrade "
			  "reads version 1)",
			  describe(v, tmp, sizeof(tmp)));
	r->version = lg_xstrdup(v->value);
	v = lg_ynode_get(root, "params");
	if (v) {
		rc = load_params(l, v, NULL, &r->params, &r->nparams);
		if (rc)
			return rc;
	}
	return load_objectives(l, root, r);
}

/*
 * Validate the parsed documents into r; the caller frees the documents.
 * Empty documents (a stray "---" at the end) are not a second rubric.
 */
static enum lg_err load_docs(struct lg_rubric *r, struct lg_ynode **docs,
			     size_t ndocs, const char *name,
			     struct lg_error *err)
{
	struct rload l = {.name = name, .err = err, .r = r};
	const struct lg_ynode *root = NULL;
	enum lg_err rc;
	size_t i;

	for (i = 0; i < ndocs; i++) {
		if (docs[i]->type == LG_YNULL)
			continue;
		if (root)
			return at(&l, docs[i],
				  "a rubric is one YAML document, this is a "
				  "second");
		root = docs[i];
	}
	if (!root)
		return lg_errorf(err, LG_ECONFIG, "%s:1:1: the rubric is empty",
				 name);
	rc = load_root(&l, root, r);
	if (rc == LG_OK)
		r->path = lg_xstrdup(name);
	return rc;
}

static enum lg_err finish_load(struct lg_rubric *r, enum lg_err rc,
			       struct lg_ynode **docs, size_t ndocs,
			       const char *name, struct lg_error *err)
{
	if (rc == LG_OK)
		rc = load_docs(r, docs, ndocs, name, err);
	lg_ynode_free_docs(docs, ndocs);
	if (rc != LG_OK)
		lg_rubric_release(r);
	return rc;
}

enum lg_err lg_rubric_load(struct lg_rubric *r, const char *path,
			   struct lg_error *err)
{
	struct lg_ynode **docs = NULL;
	size_t ndocs = 0;
	enum lg_err rc;

	memset(r, 0, sizeof(*r));
	rc = lg_yaml_parse_file(path, &docs, &ndocs, err);
	return finish_load(r, rc, docs, ndocs, path, err);
}

enum lg_err lg_rubric_load_string(struct lg_rubric *r, const char *text,
				  const char *name, struct lg_error *err)
{
	struct lg_ynode **docs = NULL;
	size_t ndocs = 0;
	enum lg_err rc;

	memset(r, 0, sizeof(*r));
	rc = lg_yaml_parse(text, strlen(text), name, &docs, &ndocs, err);
	return finish_load(r, rc, docs, ndocs, name, err);
}

static void params_free(struct lg_rubric_param *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].key);
		free(p[i].value);
	}
	free(p);
}

static void objective_release(struct lg_rubric_objective *o)
{
	size_t i;

	for (i = 0; i < o->npoints; i++)
		free(o->points[i].key);
	free(o->points);
	params_free(o->params, o->nparams);
	free(o->id);
	free(o->title_es);
	free(o->title_en);
}

void lg_rubric_release(struct lg_rubric *r)
{
	size_t i;

	for (i = 0; i < r->nobjectives; i++)
		objective_release(&r->objectives[i]);
	free(r->objectives);
	params_free(r->params, r->nparams);
	free(r->path);
	free(r->version);
	memset(r, 0, sizeof(*r));
}

const struct lg_rubric_objective *lg_rubric_find(const struct lg_rubric *r,
						 const char *id)
{
	size_t i;

	for (i = 0; i < r->nobjectives; i++)
		if (!strcmp(r->objectives[i].id, id))
			return &r->objectives[i];
	return NULL;
}

double lg_rubric_points(const struct lg_rubric_objective *o, const char *key)
{
	size_t i;

	for (i = 0; o && i < o->npoints; i++)
		if (!strcmp(o->points[i].key, key))
			return o->points[i].points;
	return -1;
}

static const char *param_find(const struct lg_rubric_param *p, size_t n,
			      const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(p[i].key, key))
			return p[i].value;
	return NULL;
}

const char *lg_rubric_param_str(const struct lg_rubric *r,
				const struct lg_rubric_objective *o,
				const char *key, const char *def)
{
	const char *v = NULL;

	if (o)
		v = param_find(o->params, o->nparams, key);
	if (!v && r)
		v = param_find(r->params, r->nparams, key);
	return v ? v : def;
}

double lg_rubric_param_num(const struct lg_rubric *r,
			   const struct lg_rubric_objective *o, const char *key,
			   double def)
{
	const char *s = lg_rubric_param_str(r, o, key, NULL);
	double v;

	return s && parse_num(s, &v) ? v : def;
}

const char *lg_rubric_default_path(const char *given)
{
	if (given)
		return given;
	if (access("rubric.yaml", R_OK) == 0)
		return "rubric.yaml";
	return LG_DATADIR "/rubric.yaml";
}

enum lg_err lg_rubric_covers(const struct lg_rubric *r, struct lg_error *err)
{
	struct lg_buf miss = LG_BUF_INIT;
	enum lg_err rc = LG_OK;
	size_t i;

	for (i = 0; i < lg_nchecks; i++)
		if (!lg_rubric_find(r, lg_checks[i]->id))
			lg_buf_addf(&miss, "%s'%s'", miss.len ? ", " : "",
				    lg_checks[i]->id);
	if (miss.len)
		rc = lg_errorf(err, LG_ECONFIG,
			       "%s: no objective %s (the rubric does not "
			       "match this labgrade)",
			       r->path ? r->path : "rubric", miss.buf);
	lg_buf_release(&miss);
	return rc;
}

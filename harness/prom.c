/* SPDX-License-Identifier: MIT */
/* prom.c: a Prometheus text-format parser that survives hostile input. */
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cluster.h"
#include "prom.h"

/* A cursor over one line; end is exclusive. */
struct pr_cur {
	const char *p, *end;
	locale_t c; /* the C locale, so "0.5" reads the same in es_ES */
};

static void pr_skip_ws(struct pr_cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static bool is_name_char(char ch, bool first, bool colon)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_')
		return true;
	if (colon && ch == ':')
		return true;
	return !first && ch >= '0' && ch <= '9';
}

/* A metric (colon allowed) or label name; NULL when none is there. */
static char *pr_name(struct pr_cur *c, bool colon)
{
	const char *s = c->p;

	while (c->p < c->end && is_name_char(*c->p, c->p == s, colon))
		c->p++;
	return c->p == s ? NULL : lg_xstrndup(s, (size_t)(c->p - s));
}

/* The character an escape stands for, or -1 for an unknown escape. */
static int pr_unescape(char ch)
{
	if (ch == 'n')
		return '\n';
	return ch == '\\' || ch == '"' ? ch : -1;
}

/* A quoted label value with \\ \" \n escapes; NULL when malformed. */
static char *pr_quoted(struct pr_cur *c)
{
	struct lg_buf b = LG_BUF_INIT;
	char out;
	int ch;

	if (c->p >= c->end || *c->p != '"')
		return NULL;
	for (c->p++; c->p < c->end && *c->p != '"'; c->p++) {
		ch = (unsigned char)*c->p;
		if (ch == '\\')
			ch = ++c->p < c->end ? pr_unescape(*c->p) : -1;
		if (ch < 0)
			goto bad;
		out = (char)ch;
		lg_buf_add(&b, &out, 1);
	}
	if (c->p >= c->end)
		goto bad;
	c->p++;
	return lg_buf_detach(&b, NULL);
bad:
	lg_buf_release(&b);
	return NULL;
}

static void sample_release(struct lg_prom_sample *s)
{
	size_t i;

	for (i = 0; i < s->nlabels; i++) {
		free(s->labels[i].name);
		free(s->labels[i].value);
	}
	free(s->labels);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

/* One label `name="value"` appended to s. */
static bool pr_label(struct pr_cur *c, struct lg_prom_sample *s)
{
	struct lg_prom_label l = {0};

	pr_skip_ws(c);
	l.name = pr_name(c, false);
	pr_skip_ws(c);
	if (!l.name || c->p >= c->end || *c->p != '=' ||
	    s->nlabels >= LG_PROM_MAX_LABELS) {
		free(l.name);
		return false;
	}
	c->p++;
	pr_skip_ws(c);
	l.value = pr_quoted(c);
	if (!l.value) {
		free(l.name);
		return false;
	}
	s->labels = lg_xrealloc(s->labels, (s->nlabels + 1) * sizeof(l));
	s->labels[s->nlabels++] = l;
	return true;
}

/* {a="1",b="2"} with an optional trailing comma; the brace is next. */
static bool pr_labels(struct pr_cur *c, struct lg_prom_sample *s)
{
	c->p++; /* '{' */
	for (;;) {
		pr_skip_ws(c);
		if (c->p < c->end && *c->p == '}') {
			c->p++;
			return true;
		}
		if (!pr_label(c, s))
			return false;
		pr_skip_ws(c);
		if (c->p < c->end && *c->p == ',')
			c->p++;
		else if (c->p >= c->end || *c->p != '}')
			return false;
	}
}

/* The next whitespace-delimited token, copied into out (NUL-ended). */
static bool pr_token(struct pr_cur *c, char *out, size_t n)
{
	const char *s;
	size_t k;

	pr_skip_ws(c);
	s = c->p;
	while (c->p < c->end && *c->p != ' ' && *c->p != '\t')
		c->p++;
	k = (size_t)(c->p - s);
	if (k == 0 || k >= n)
		return false;
	memcpy(out, s, k);
	out[k] = '\0';
	return true;
}

/* A Go ParseFloat value: NaN, [+-]Inf, or a decimal/hex float. */
static bool pr_value(const char *t, locale_t loc, double *out)
{
	const char *u = (*t == '+' || *t == '-') ? t + 1 : t;
	char *end;

	if (!strcasecmp(t, "nan")) {
		*out = NAN;
		return true;
	}
	if (!strcasecmp(u, "inf") || !strcasecmp(u, "infinity")) {
		*out = *t == '-' ? -INFINITY : INFINITY;
		return true;
	}
	if (strpbrk(u, "nNiI") || !*u)
		return false;
	*out = strtod_l(t, &end, loc);
	return *end == '\0';
}

static bool pr_timestamp(const char *t, long long *out)
{
	char *end;

	*out = strtoll(t, &end, 10);
	return *t && *end == '\0';
}

/* A whole sample line into s; false (s released) when malformed. */
static bool pr_sample(struct pr_cur *c, struct lg_prom_sample *s)
{
	char tok[64];

	s->name = pr_name(c, true);
	if (!s->name)
		goto bad;
	pr_skip_ws(c);
	if (c->p < c->end && *c->p == '{' && !pr_labels(c, s))
		goto bad;
	if (!pr_token(c, tok, sizeof(tok)) || !pr_value(tok, c->c, &s->value))
		goto bad;
	if (pr_token(c, tok, sizeof(tok))) {
		if (!pr_timestamp(tok, &s->ts))
			goto bad;
		s->has_ts = true;
	}
	pr_skip_ws(c);
	if (c->p == c->end)
		return true;
bad:
	sample_release(s);
	return false;
}

void lg_prom_release(struct lg_prom *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		sample_release(&p->samples[i]);
	free(p->samples);
	memset(p, 0, sizeof(*p));
}

/* Keep s (taken) in p, growing geometrically. */
static bool pr_keep(struct lg_prom *p, struct lg_prom_sample *s, size_t *cap)
{
	if (p->n >= LG_PROM_MAX_SAMPLES)
		return false;
	if (p->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		p->samples = lg_xrealloc(p->samples, *cap * sizeof(*s));
	}
	p->samples[p->n++] = *s;
	return true;
}

/* One line (no newline): 2 a sample (kept or filtered out), 1 a comment
 * or blank, 0 malformed, -1 over the cap. */
static int pr_line(struct lg_prom *p, struct pr_cur *c, const char *only,
		   size_t *cap)
{
	struct lg_prom_sample s = {0};

	if (c->end > c->p && c->end[-1] == '\r')
		c->end--;
	pr_skip_ws(c);
	if (c->p == c->end || *c->p == '#')
		return 1;
	if (!pr_sample(c, &s))
		return 0;
	if (only && strcmp(s.name, only) != 0) {
		sample_release(&s);
		return 2;
	}
	if (!pr_keep(p, &s, cap)) {
		sample_release(&s);
		return -1;
	}
	return 2;
}

/* Walk the lines; counts how many sample lines parsed into *good. */
static enum lg_err pr_lines(struct lg_prom *p, const char *text, size_t len,
			    const char *only, locale_t loc, size_t *good)
{
	const char *s = text, *end = text + len, *nl;
	struct pr_cur c;
	size_t cap = 0, line = 0;
	int r;

	for (; s < end; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		line++;
		c.p = s;
		c.end = nl;
		c.c = loc;
		r = pr_line(p, &c, only, &cap);
		if (r < 0)
			return LG_ETOOBIG;
		if (r == 0 && p->lines_bad++ == 0)
			p->first_bad = line;
		if (r == 2)
			(*good)++;
	}
	return LG_OK;
}

enum lg_err lg_prom_parse(struct lg_prom *p, const char *text, size_t len,
			  const char *only, struct lg_error *err)
{
	locale_t loc;
	size_t good = 0;
	enum lg_err rc;

	memset(p, 0, sizeof(*p));
	if (len > LG_PROM_MAX_TEXT)
		return lg_errorf(err, LG_ETOOBIG,
				 "the metrics text has %zu bytes; at most %zu "
				 "are read",
				 len, LG_PROM_MAX_TEXT);
	loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (!loc)
		lg_die("cannot create the C locale");
	rc = pr_lines(p, text, len, only, loc, &good);
	freelocale(loc);
	if (rc == LG_ETOOBIG) {
		lg_prom_release(p);
		return lg_errorf(err, LG_ETOOBIG,
				 "the metrics text has more than %zu samples",
				 LG_PROM_MAX_SAMPLES);
	}
	if (good == 0 && p->lines_bad > 0) {
		rc = lg_errorf(err, LG_EPARSE,
			       "not Prometheus metrics: line %zu is not a "
			       "sample and no line is",
			       p->first_bad);
		lg_prom_release(p);
	}
	return rc;
}

const char *lg_prom_label(const struct lg_prom_sample *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nlabels; i++)
		if (strcmp(s->labels[i].name, name) == 0)
			return s->labels[i].value;
	return NULL;
}

static bool pr_matches(const struct lg_prom_sample *s,
		       const struct lg_prom_match *m, size_t nm)
{
	const char *v;
	size_t i;

	for (i = 0; i < nm; i++) {
		v = lg_prom_label(s, m[i].name);
		if (strcmp(v ? v : "", m[i].value ? m[i].value : "") != 0)
			return false;
	}
	return true;
}

double lg_prom_sum(const struct lg_prom *p, const char *name,
		   const struct lg_prom_match *m, size_t nm, size_t *matched)
{
	double sum = 0;
	size_t i, k = 0;

	for (i = 0; i < p->n; i++) {
		if (strcmp(p->samples[i].name, name) != 0 ||
		    !pr_matches(&p->samples[i], m, nm) ||
		    isnan(p->samples[i].value))
			continue;
		sum += p->samples[i].value;
		k++;
	}
	if (matched)
		*matched = k;
	return sum;
}

double lg_prom_increase(double before, double after)
{
	if (isnan(before) || isnan(after) || after < 0)
		return 0;
	if (before < 0 || after < before)
		return after;
	return after - before;
}

enum lg_err lg_prom_fetch_pod(struct lg_cluster *c, const char *ns,
			      const char *pod, const char *only,
			      struct lg_prom *out, struct lg_error *err)
{
	struct lg_buf b = LG_BUF_INIT;
	struct lg_error e = {0};
	char *path = lg_xasprintf("/api/v1/namespaces/%s/pods/%s:15020/proxy/"
				  "stats/prometheus",
				  ns, pod);
	enum lg_err rc;
	long status = 0;

	memset(out, 0, sizeof(*out));
	lg_buf_init(&b, LG_PROM_MAX_TEXT);
	rc = lg_cluster_request(c, "GET", path, NULL, NULL, &b, &status, &e);
	if (rc == LG_OK)
		rc = lg_prom_parse(out, b.buf, b.len, only, &e);
	if (rc != LG_OK)
		lg_errorf(err, rc, "metrics of pod %s/%s: %s", ns, pod, e.msg);
	lg_buf_release(&b);
	free(path);
	return rc;
}

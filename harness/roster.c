/* SPDX-License-Identifier: MIT */
/* roster.c: reads roster.yaml, the list of students' VMs to grade. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roster.h"
#include "yaml.h"

/* What one load needs to report a mistake at a node's position. */
struct rload {
	const char *name;
	struct lg_error *err;
};

enum field_kind { F_STR, F_PATH, F_PORT };

/* The keys a student (and the defaults block) may set. */
static const struct {
	const char *key;
	size_t off;
	enum field_kind kind;
	bool per_student; /* not allowed in defaults */
} fields[] = {
    {"name", offsetof(struct lg_roster_student, name), F_STR, true},
    {"host", offsetof(struct lg_roster_student, host), F_STR, true},
    {"port", offsetof(struct lg_roster_student, port), F_PORT, false},
    {"user", offsetof(struct lg_roster_student, user), F_STR, false},
    {"identity", offsetof(struct lg_roster_student, identity), F_PATH, false},
    {"password", offsetof(struct lg_roster_student, password), F_STR, false},
    {"kubeconfig", offsetof(struct lg_roster_student, kubeconfig), F_STR,
     false},
    {"gateway-url", offsetof(struct lg_roster_student, gateway_url), F_STR,
     false},
    {"jump", offsetof(struct lg_roster_student, jump), F_STR, false},
};

static enum lg_err at(const struct rload *l, const struct lg_ynode *n,
		      const char *fmt, ...) LG_PRINTF(3, 4);

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

char *lg_roster_expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && path[1] == '/' && home && *home)
		return lg_xasprintf("%s%s", home, path + 1);
	return lg_xstrdup(path);
}

static enum lg_err scalar(const struct rload *l, const struct lg_ynode *v,
			  const char *key)
{
	if (v->type != LG_YSCALAR || !v->value[0])
		return at(l, v, "'%s' needs a value, not %s", key,
			  v->type == LG_YSCALAR ? "an empty one"
						: lg_ynode_type_name(v));
	return LG_OK;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return false;
	v = strtol(s, &end, 10);
	if (*end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static enum lg_err set_field(const struct rload *l, size_t fi,
			     const struct lg_ynode *v,
			     struct lg_roster_student *s)
{
	char *base = (char *)s + fields[fi].off;
	long port;

	if (scalar(l, v, fields[fi].key))
		return LG_ECONFIG;
	if (fields[fi].kind == F_PORT) {
		if (!parse_long(v->value, 1, 65535, &port))
			return at(l, v, "'port' must be 1-65535, not '%s'",
				  v->value);
		*(int *)(void *)base = (int)port;
		return LG_OK;
	}
	free(*(char **)(void *)base);
	*(char **)(void *)base = fields[fi].kind == F_PATH
				     ? lg_roster_expand_home(v->value)
				     : lg_xstrdup(v->value);
	return LG_OK;
}

/* The index in fields[] of key, or -1 when unknown (or per-student only
 * and in_defaults). */
static int find_field(const char *key, bool in_defaults)
{
	size_t fi;

	for (fi = 0; fi < LG_ARRAY_SIZE(fields); fi++)
		if (!strcmp(key, fields[fi].key))
			return in_defaults && fields[fi].per_student ? -1
								     : (int)fi;
	return -1;
}

/* One map of student fields; in_defaults refuses the per-student ones. */
static enum lg_err load_fields(const struct rload *l, const struct lg_ynode *m,
			       bool in_defaults, struct lg_roster_student *s)
{
	size_t i;
	int fi;

	if (m->type != LG_YMAP)
		return at(l, m, "a student must be a map, not %s",
			  lg_ynode_type_name(m));
	for (i = 0; i < m->n; i++) {
		fi = find_field(m->keys[i], in_defaults);
		if (fi < 0)
			return at(l, m->items[i], "unknown key '%s'%s",
				  m->keys[i],
				  in_defaults ? " in 'defaults'" : "");
		if (set_field(l, (size_t)fi, m->items[i], s))
			return LG_ECONFIG;
	}
	if (s->identity && s->password)
		return at(l, m, "give 'identity' or 'password', not both");
	return LG_OK;
}

static void inherit(char **dst, const char *src)
{
	if (!*dst && src)
		*dst = lg_xstrdup(src);
}

bool lg_roster_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 64 || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-@", s[i]))
			return false;
	return true;
}

static enum lg_err finish_student(const struct rload *l,
				  const struct lg_ynode *m,
				  const struct lg_roster_student *def,
				  struct lg_roster_student *s)
{
	if (!s->name)
		return at(l, m, "a student needs a 'name'");
	if (!lg_roster_name_ok(s->name))
		return at(l, lg_ynode_get(m, "name"),
			  "student name '%s' may only use letters, digits and "
			  "._-@ (it names the student's report file)",
			  s->name);
	if (!s->host)
		return at(l, m, "student '%s' needs a 'host'", s->name);
	if (!s->identity && !s->password) {
		inherit(&s->identity, def->identity);
		inherit(&s->password, def->password);
	}
	inherit(&s->user, def->user);
	inherit(&s->kubeconfig, def->kubeconfig);
	inherit(&s->gateway_url, def->gateway_url);
	inherit(&s->jump, def->jump);
	if (!s->user)
		return at(l, m,
			  "student '%s' needs a 'user' (or one in "
			  "'defaults')",
			  s->name);
	if (!s->port)
		s->port = def->port ? def->port : 22;
	if (!s->kubeconfig)
		s->kubeconfig = lg_xstrdup(LG_ROSTER_DEFAULT_KUBECONFIG);
	s->line = m->line;
	s->col = m->col;
	return LG_OK;
}

static void student_release(struct lg_roster_student *s)
{
	free(s->name);
	free(s->host);
	free(s->user);
	free(s->identity);
	free(s->password);
	free(s->kubeconfig);
	free(s->gateway_url);
	free(s->jump);
	memset(s, 0, sizeof(*s));
}

static enum lg_err load_students(const struct rload *l, struct lg_roster *r,
				 const struct lg_ynode *seq,
				 const struct lg_roster_student *def)
{
	size_t i, j;

	if (seq->type != LG_YSEQ)
		return at(l, seq, "'students' must be a list, not %s",
			  lg_ynode_type_name(seq));
	r->students = lg_xcalloc(seq->n + 1, sizeof(*r->students));
	for (i = 0; i < seq->n; i++) {
		struct lg_roster_student *s = &r->students[r->n++];

		if (load_fields(l, seq->items[i], false, s) ||
		    finish_student(l, seq->items[i], def, s))
			return LG_ECONFIG;
		for (j = 0; j + 1 < r->n; j++)
			if (!strcmp(r->students[j].name, s->name))
				return at(l,
					  lg_ynode_get(seq->items[i], "name"),
					  "student '%s' listed twice (first "
					  "at line %u)",
					  s->name, r->students[j].line);
	}
	return LG_OK;
}

/* "30", "30s", "5m" or "1500ms", as milliseconds (1 ms to one day). */
bool lg_roster_parse_duration(const char *s, long *ms)
{
	static const struct {
		const char *unit;
		long mult;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"", 1000}};
	char *end;
	long v;
	size_t i;

	if (!isdigit((unsigned char)*s))
		return false;
	v = strtol(s, &end, 10);
	for (i = 0; i < LG_ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (v < 1 || v > 86400000L / units[i].mult)
			return false;
		*ms = v * units[i].mult;
		return true;
	}
	return false;
}

static enum lg_err load_duration(const struct rload *l,
				 const struct lg_ynode *v, const char *key,
				 long *ms)
{
	if (scalar(l, v, key))
		return LG_ECONFIG;
	if (!lg_roster_parse_duration(v->value, ms))
		return at(l, v,
			  "'%s' must be a duration such as 30, 30s, 5m or "
			  "500ms, not '%s'",
			  key, v->value);
	return LG_OK;
}

static enum lg_err load_timeouts(const struct rload *l, struct lg_roster *r,
				 const struct lg_ynode *m)
{
	size_t i;

	if (m->type != LG_YMAP)
		return at(l, m, "'timeouts' must be a map, not %s",
			  lg_ynode_type_name(m));
	for (i = 0; i < m->n; i++) {
		const char *k = m->keys[i];
		long *dst = !strcmp(k, "connect") ? &r->connect_ms
			    : !strcmp(k, "grade") ? &r->grade_ms
						  : NULL;

		if (!dst)
			return at(l, m->items[i],
				  "unknown key '%s' in 'timeouts' (connect, "
				  "grade)",
				  k);
		if (load_duration(l, m->items[i], k, dst))
			return LG_ECONFIG;
	}
	return LG_OK;
}

static enum lg_err load_bool(const struct rload *l, const struct lg_ynode *v,
			     const char *key, bool *out)
{
	if (scalar(l, v, key))
		return LG_ECONFIG;
	if (!strcmp(v->value, "true") || !strcmp(v->value, "false")) {
		*out = v->value[0] == 't';
		return LG_OK;
	}
	return at(l, v, "'%s' must be true or false, not '%s'", key, v->value);
}

static enum lg_err load_parallel(const struct rload *l,
				 const struct lg_ynode *v, unsigned *out)
{
	long n;

	if (scalar(l, v, "parallel"))
		return LG_ECONFIG;
	if (!parse_long(v->value, 1, 256, &n))
		return at(l, v, "'parallel' must be 1-256, not '%s'", v->value);
	*out = (unsigned)n;
	return LG_OK;
}

static enum lg_err load_key(const struct rload *l, struct lg_roster *r,
			    const char *k, const struct lg_ynode *v)
{
	if (!strcmp(k, "timeouts"))
		return load_timeouts(l, r, v);
	if (!strcmp(k, "trust-new-hosts"))
		return load_bool(l, v, k, &r->trust_new_hosts);
	if (!strcmp(k, "parallel"))
		return load_parallel(l, v, &r->parallel);
	if (!strcmp(k, "known-hosts")) {
		if (scalar(l, v, k))
			return LG_ECONFIG;
		free(r->known_hosts);
		r->known_hosts = lg_roster_expand_home(v->value);
		return LG_OK;
	}
	return at(l, v,
		  "unknown key '%s' (students, defaults, timeouts, "
		  "known-hosts, trust-new-hosts, parallel)",
		  k);
}

static enum lg_err load_top_keys(const struct rload *l, struct lg_roster *r,
				 const struct lg_ynode *doc)
{
	size_t i;

	for (i = 0; i < doc->n; i++)
		if (strcmp(doc->keys[i], "defaults") &&
		    strcmp(doc->keys[i], "students") &&
		    load_key(l, r, doc->keys[i], doc->items[i]))
			return LG_ECONFIG;
	return LG_OK;
}

static enum lg_err load_doc(const struct rload *l, struct lg_roster *r,
			    const struct lg_ynode *doc)
{
	struct lg_roster_student def = {0};
	const struct lg_ynode *d = lg_ynode_get(doc, "defaults");
	const struct lg_ynode *st = lg_ynode_get(doc, "students");
	enum lg_err rc;

	if (doc->type != LG_YMAP)
		return at(l, doc, "a roster must be a map, not %s",
			  lg_ynode_type_name(doc));
	rc = load_top_keys(l, r, doc);
	if (!rc && d)
		rc = load_fields(l, d, true, &def);
	if (!rc && !st)
		rc = at(l, doc, "no 'students' list");
	if (!rc)
		rc = load_students(l, r, st, &def);
	if (!rc && r->n == 0)
		rc = at(l, st, "'students' is empty");
	student_release(&def);
	return rc;
}

static void set_defaults(struct lg_roster *r)
{
	if (!r->known_hosts)
		r->known_hosts = lg_roster_expand_home("~/.ssh/known_hosts");
	if (!r->connect_ms)
		r->connect_ms = 15000;
	if (!r->grade_ms)
		r->grade_ms = 900000;
	if (!r->parallel)
		r->parallel = 8;
}

enum lg_err lg_roster_parse(struct lg_roster *r, const char *text, size_t len,
			    const char *name, struct lg_error *err)
{
	struct rload l = {name, err};
	struct lg_ynode **docs = NULL;
	size_t ndocs = 0;
	enum lg_err rc;

	memset(r, 0, sizeof(*r));
	rc = lg_yaml_parse(text, len, name, &docs, &ndocs, err);
	if (rc)
		return rc;
	if (ndocs != 1)
		rc = lg_errorf(err, LG_ECONFIG,
			       "%s: a roster is one YAML document, not %zu",
			       name, ndocs);
	else
		rc = load_doc(&l, r, docs[0]);
	lg_ynode_free_docs(docs, ndocs);
	if (rc) {
		lg_roster_release(r);
		return rc;
	}
	r->path = lg_xstrdup(name);
	set_defaults(r);
	return LG_OK;
}

enum lg_err lg_roster_load(struct lg_roster *r, const char *path,
			   struct lg_error *err)
{
	FILE *f = fopen(path, "rb");
	struct lg_buf b;
	char chunk[8192];
	size_t n;
	enum lg_err rc = LG_OK;

	memset(r, 0, sizeof(*r));
	if (!f)
		return lg_errorf(err, LG_EIO, "cannot read '%s': %s", path,
				 strerror(errno));
	lg_buf_init(&b, (size_t)16 << 20);
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = lg_buf_add(&b, chunk, n);
	if (rc || ferror(f))
		rc = lg_errorf(err, rc ? rc : LG_EIO, "cannot read '%s': %s",
			       path, rc ? "larger than 16 MiB" : "read error");
	fclose(f);
	if (!rc)
		rc = lg_roster_parse(r, b.buf, b.len, path, err);
	lg_buf_release(&b);
	return rc;
}

void lg_roster_release(struct lg_roster *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		student_release(&r->students[i]);
	free(r->students);
	free(r->path);
	free(r->known_hosts);
	memset(r, 0, sizeof(*r));
}

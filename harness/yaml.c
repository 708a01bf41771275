/* SPDX-License-Identifier: MIT */
/* yaml.c: libyaml's event stream folded into lg_ynode trees with positions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yaml.h"

#define YAML_MAX_FILE ((size_t)16 << 20)
#define YAML_MAX_DEPTH 64

struct yparse {
	yaml_parser_t parser;
	const char *name;
	struct lg_error *err;
};

static struct lg_ynode *parse_node(struct yparse *p, yaml_event_t *ev,
				   unsigned depth);

static struct lg_ynode *ynode_new(enum lg_ynode_type type,
				  const yaml_event_t *ev)
{
	struct lg_ynode *n = lg_xcalloc(1, sizeof(*n));

	n->type = type;
	n->line = (unsigned)ev->start_mark.line + 1;
	n->col = (unsigned)ev->start_mark.column + 1;
	return n;
}

static enum lg_err parse_fail(struct yparse *p)
{
	const yaml_parser_t *y = &p->parser;
	const yaml_mark_t *m = y->problem_mark.line || y->problem_mark.column
				   ? &y->problem_mark
				   : &y->context_mark;

	return lg_errorf(p->err, LG_EPARSE, "%s:%zu:%zu: %s%s%s", p->name,
			 m->line + 1, m->column + 1,
			 y->problem ? y->problem : "syntax error",
			 y->context ? " " : "", y->context ? y->context : "");
}

static bool next_event(struct yparse *p, yaml_event_t *ev)
{
	if (yaml_parser_parse(&p->parser, ev))
		return true;
	parse_fail(p);
	return false;
}

static void ynode_push(struct lg_ynode *n, char *key, struct lg_ynode *item)
{
	n->items = lg_xrealloc(n->items, (n->n + 1) * sizeof(*n->items));
	if (n->type == LG_YMAP) {
		n->keys = lg_xrealloc(n->keys, (n->n + 1) * sizeof(*n->keys));
		n->keys[n->n] = key;
	}
	n->items[n->n++] = item;
}

/* A map key must be a scalar; anything else is refused with its position. */
static char *parse_key(struct yparse *p, yaml_event_t *ev)
{
	char *key;

	if (ev->type != YAML_SCALAR_EVENT) {
		lg_errorf(p->err, LG_EPARSE,
			  "%s:%zu:%zu: a map key must be a plain value",
			  p->name, ev->start_mark.line + 1,
			  ev->start_mark.column + 1);
		return NULL;
	}
	key = lg_xstrndup((const char *)ev->data.scalar.value,
			  ev->data.scalar.length);
	return key;
}

static bool has_key(const struct lg_ynode *m, const char *key)
{
	return lg_ynode_get(m, key) != NULL;
}

/* Fill a container whose start event was consumed, up to its end event. */
static bool parse_children(struct yparse *p, struct lg_ynode *n, unsigned depth)
{
	yaml_event_type_t end = n->type == LG_YMAP ? YAML_MAPPING_END_EVENT
						   : YAML_SEQUENCE_END_EVENT;
	yaml_event_t ev;
	char *key = NULL;
	struct lg_ynode *child;

	for (;;) {
		if (!next_event(p, &ev))
			return false;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return true;
		}
		if (n->type == LG_YMAP) {
			key = parse_key(p, &ev);
			if (key && has_key(n, key)) {
				lg_errorf(p->err, LG_EPARSE,
					  "%s:%zu:%zu: duplicate key '%s'",
					  p->name, ev.start_mark.line + 1,
					  ev.start_mark.column + 1, key);
				lg_freep(&key);
			}
			yaml_event_delete(&ev);
			if (!key || !next_event(p, &ev)) {
				free(key);
				return false;
			}
		}
		child = parse_node(p, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (!child) {
			free(key);
			return false;
		}
		ynode_push(n, key, child);
		key = NULL;
	}
}

static struct lg_ynode *parse_scalar(const yaml_event_t *ev)
{
	struct lg_ynode *n = ynode_new(LG_YSCALAR, ev);

	n->value = lg_xstrndup((const char *)ev->data.scalar.value,
			       ev->data.scalar.length);
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	if (!n->quoted && (!strcmp(n->value, "") || !strcmp(n->value, "~") ||
			   !strcmp(n->value, "null")))
		n->type = LG_YNULL;
	return n;
}

static struct lg_ynode *parse_node(struct yparse *p, yaml_event_t *ev,
				   unsigned depth)
{
	struct lg_ynode *n;

	if (depth > YAML_MAX_DEPTH) {
		lg_errorf(p->err, LG_EPARSE, "%s:%zu:%zu: nested too deeply",
			  p->name, ev->start_mark.line + 1,
			  ev->start_mark.column + 1);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return parse_scalar(ev);
	case YAML_MAPPING_START_EVENT:
		n = ynode_new(LG_YMAP, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		n = ynode_new(LG_YSEQ, ev);
		break;
	default:
		lg_errorf(p->err, LG_EPARSE,
			  "%s:%zu:%zu: anchors and aliases are not supported",
			  p->name, ev->start_mark.line + 1,
			  ev->start_mark.column + 1);
		return NULL;
	}
	if (!parse_children(p, n, depth)) {
		lg_ynode_free(n);
		return NULL;
	}
	return n;
}

static void docs_push(struct lg_ynode ***docs, size_t *ndocs,
		      struct lg_ynode *d)
{
	*docs = lg_xrealloc(*docs, (*ndocs + 1) * sizeof(**docs));
	(*docs)[(*ndocs)++] = d;
}

/* Parse one document whose start event was consumed; NULL root if empty. */
static bool parse_document(struct yparse *p, struct lg_ynode **root)
{
	yaml_event_t ev;

	*root = NULL;
	if (!next_event(p, &ev))
		return false;
	if (ev.type != YAML_DOCUMENT_END_EVENT) {
		*root = parse_node(p, &ev, 0);
		yaml_event_delete(&ev);
		if (!*root || !next_event(p, &ev))
			return false;
	}
	yaml_event_delete(&ev);
	return true;
}

static bool parse_stream(struct yparse *p, struct lg_ynode ***docs,
			 size_t *ndocs)
{
	yaml_event_t ev;
	struct lg_ynode *root;
	yaml_event_type_t type;

	for (;;) {
		if (!next_event(p, &ev))
			return false;
		type = ev.type;
		yaml_event_delete(&ev);
		if (type == YAML_STREAM_END_EVENT)
			return true;
		if (type != YAML_DOCUMENT_START_EVENT)
			continue;
		if (!parse_document(p, &root)) {
			lg_ynode_free(root);
			return false;
		}
		/* An empty document (a trailing ---, only comments) holds
		 * nothing, as kubectl sees it: drop it here once. */
		if (root && root->type == LG_YNULL)
			lg_ynode_free(root);
		else if (root)
			docs_push(docs, ndocs, root);
	}
}

enum lg_err lg_yaml_parse(const char *text, size_t len, const char *name,
			  struct lg_ynode ***docs, size_t *ndocs,
			  struct lg_error *err)
{
	struct yparse p = {.name = name, .err = err};
	struct lg_error local = {0};
	bool ok;

	if (!p.err)
		p.err = &local;
	*docs = NULL;
	*ndocs = 0;
	if (!yaml_parser_initialize(&p.parser))
		lg_die("cannot initialise the YAML parser");
	yaml_parser_set_input_string(&p.parser, (const unsigned char *)text,
				     len);
	ok = parse_stream(&p, docs, ndocs);
	yaml_parser_delete(&p.parser);
	if (ok)
		return LG_OK;
	lg_ynode_free_docs(*docs, *ndocs);
	*docs = NULL;
	*ndocs = 0;
	return LG_EPARSE;
}

static enum lg_err read_file(const char *path, struct lg_buf *out,
			     struct lg_error *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;

	if (!f)
		return lg_errorf(err, LG_EIO, "cannot read '%s': %s", path,
				 strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (lg_buf_add(out, chunk, n) != LG_OK) {
			fclose(f);
			return lg_errorf(err, LG_ETOOBIG,
					 "cannot read '%s': larger than %zu "
					 "bytes",
					 path, YAML_MAX_FILE);
		}
	}
	if (ferror(f)) {
		fclose(f);
		return lg_errorf(err, LG_EIO, "cannot read '%s': %s", path,
				 strerror(errno));
	}
	fclose(f);
	return LG_OK;
}

enum lg_err lg_yaml_parse_file(const char *path, struct lg_ynode ***docs,
			       size_t *ndocs, struct lg_error *err)
{
	struct lg_buf b;
	enum lg_err rc;

	*docs = NULL;
	*ndocs = 0;
	lg_buf_init(&b, YAML_MAX_FILE);
	rc = read_file(path, &b, err);
	if (rc == LG_OK)
		rc = lg_yaml_parse(b.buf, b.len, path, docs, ndocs, err);
	lg_buf_release(&b);
	return rc;
}

void lg_ynode_free(struct lg_ynode *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++) {
		if (n->keys)
			free(n->keys[i]);
		lg_ynode_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->value);
	free(n);
}

void lg_ynode_free_docs(struct lg_ynode **docs, size_t ndocs)
{
	size_t i;

	for (i = 0; i < ndocs; i++)
		lg_ynode_free(docs[i]);
	free(docs);
}

const struct lg_ynode *lg_ynode_get(const struct lg_ynode *m, const char *key)
{
	size_t i;

	if (!m || m->type != LG_YMAP)
		return NULL;
	for (i = 0; i < m->n; i++)
		if (!strcmp(m->keys[i], key))
			return m->items[i];
	return NULL;
}

const char *lg_ynode_str(const struct lg_ynode *m, const char *key)
{
	const struct lg_ynode *v = lg_ynode_get(m, key);

	return v && v->type == LG_YSCALAR ? v->value : NULL;
}

const char *lg_ynode_type_name(const struct lg_ynode *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case LG_YMAP:
		return "a map";
	case LG_YSEQ:
		return "a list";
	case LG_YNULL:
		return "null";
	default:
		return "a value";
	}
}

/* Is s a number as JSON writes it (YAML's int and float, decimal only)? */
static bool is_number(const char *s)
{
	char *end;

	if (!*s || strchr(" \t\n", *s))
		return false;
	if (s[0] == '0' && s[1] && s[1] != '.')
		return false; /* 0755 and 0x10 stay strings, as JSON has none */
	errno = 0;
	strtod(s, &end);
	return *end == '\0' && errno == 0 && !strpbrk(s, "xXnNiI");
}

static cJSON *scalar_to_json(const struct lg_ynode *n)
{
	if (n->quoted)
		return cJSON_CreateString(n->value);
	if (!strcmp(n->value, "true") || !strcmp(n->value, "True"))
		return cJSON_CreateTrue();
	if (!strcmp(n->value, "false") || !strcmp(n->value, "False"))
		return cJSON_CreateFalse();
	if (is_number(n->value))
		return cJSON_CreateNumber(strtod(n->value, NULL));
	return cJSON_CreateString(n->value);
}

cJSON *lg_ynode_to_json(const struct lg_ynode *n)
{
	cJSON *j;
	size_t i;

	if (!n || n->type == LG_YNULL)
		return cJSON_CreateNull();
	if (n->type == LG_YSCALAR)
		return scalar_to_json(n);
	j = n->type == LG_YMAP ? cJSON_CreateObject() : cJSON_CreateArray();
	if (!j)
		lg_die("out of memory building JSON");
	for (i = 0; i < n->n; i++) {
		if (n->type == LG_YMAP)
			cJSON_AddItemToObject(j, n->keys[i],
					      lg_ynode_to_json(n->items[i]));
		else
			cJSON_AddItemToArray(j, lg_ynode_to_json(n->items[i]));
	}
	return j;
}

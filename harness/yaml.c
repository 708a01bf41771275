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
	const char *text; /* the input, for the position of encoding errors */
	size_t len;
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

/*
 * libyaml's reader reports an encoding error by byte offset only (its marks
 * stay at 0:0): count the lines and characters before it ourselves.
 */
static yaml_mark_t offset_mark(const struct yparse *p, size_t offset)
{
	yaml_mark_t m = {0};
	size_t i;

	for (i = 0; i < offset && i < p->len; i++) {
		if (p->text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((unsigned char)p->text[i] & 0xc0) != 0x80) {
			m.column++; /* a character starts here */
		}
	}
	return m;
}

static enum lg_err parse_fail(struct yparse *p)
{
	const yaml_parser_t *y = &p->parser;
	yaml_mark_t m = y->problem_mark.line || y->problem_mark.column
			    ? y->problem_mark
			    : y->context_mark;

	if (y->error == YAML_READER_ERROR)
		m = offset_mark(p, y->problem_offset);
	return lg_errorf(p->err, LG_EPARSE, "%s:%zu:%zu: %s%s%s", p->name,
			 m.line + 1, m.column + 1,
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

/*
 * What parse_children keeps while it fills one container: the capacity of
 * items/keys (doubled when full, so a long list costs O(n) copies in all)
 * and, for a map, an open-addressing hash set of the keys seen so far
 * (slots hold index + 1, 0 is empty; at most half full), so the duplicate
 * check is O(1) a key instead of a scan of the keys before it.
 */
struct yfill {
	size_t cap;
	size_t *slots;
	size_t nslots; /* a power of two, or 0 before the first key */
};

static size_t key_hash(const char *s)
{
	size_t h = (size_t)14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * (size_t)1099511628211ULL;
	return h;
}

/* The slot for key: the one holding it, or the empty one it would take. */
static size_t *key_slot(const struct lg_ynode *n, const struct yfill *f,
			const char *key)
{
	size_t i = key_hash(key) & (f->nslots - 1);

	while (f->slots[i] && strcmp(n->keys[f->slots[i] - 1], key))
		i = (i + 1) & (f->nslots - 1);
	return &f->slots[i];
}

static void keys_rehash(const struct lg_ynode *n, struct yfill *f)
{
	size_t i;

	free(f->slots);
	f->nslots = f->nslots ? f->nslots * 2 : 16;
	f->slots = lg_xcalloc(f->nslots, sizeof(*f->slots));
	for (i = 0; i < n->n; i++)
		*key_slot(n, f, n->keys[i]) = i + 1;
}

/* Is key already in the map being filled? */
static bool has_key(const struct lg_ynode *n, const struct yfill *f,
		    const char *key)
{
	return f->nslots && *key_slot(n, f, key) != 0;
}

static void ynode_push(struct lg_ynode *n, struct yfill *f, char *key,
		       struct lg_ynode *item)
{
	if (n->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 4;
		n->items = lg_xrealloc(n->items, f->cap * sizeof(*n->items));
		if (n->type == LG_YMAP)
			n->keys =
			    lg_xrealloc(n->keys, f->cap * sizeof(*n->keys));
	}
	if (n->type == LG_YMAP) {
		n->keys[n->n] = key;
		if ((n->n + 1) * 2 > f->nslots)
			keys_rehash(n, f);
		*key_slot(n, f, key) = n->n + 1;
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

/* The key of the next map entry (its event consumed), or NULL with err. */
static char *next_key(struct yparse *p, struct lg_ynode *n,
		      const struct yfill *f, yaml_event_t *ev)
{
	char *key = parse_key(p, ev);

	if (key && has_key(n, f, key)) {
		lg_errorf(p->err, LG_EPARSE, "%s:%zu:%zu: duplicate key '%s'",
			  p->name, ev->start_mark.line + 1,
			  ev->start_mark.column + 1, key);
		lg_freep(&key);
	}
	yaml_event_delete(ev);
	return key;
}

static bool fill_children(struct yparse *p, struct lg_ynode *n, struct yfill *f,
			  unsigned depth)
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
			key = next_key(p, n, f, &ev);
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
		ynode_push(n, f, key, child);
		key = NULL;
	}
}

/* Fill a container whose start event was consumed, up to its end event. */
static bool parse_children(struct yparse *p, struct lg_ynode *n, unsigned depth)
{
	struct yfill f = {0};
	bool ok = fill_children(p, n, &f, depth);

	free(f.slots);
	return ok;
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

/* Grows by doubling: a stream of many small documents stays linear. */
static void docs_push(struct lg_ynode ***docs, size_t *ndocs,
		      struct lg_ynode *d)
{
	size_t n = *ndocs;

	if ((n & (n - 1)) == 0) /* n is 0 or a power of two: full */
		*docs = lg_xrealloc(*docs, (n ? n * 2 : 1) * sizeof(**docs));
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
	struct yparse p = {.text = text, .len = len, .name = name, .err = err};
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

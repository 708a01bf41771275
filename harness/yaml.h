/* SPDX-License-Identifier: MIT */
/* yaml.h: YAML documents as a small tree that remembers where each node was. */
#ifndef LG_YAML_H
#define LG_YAML_H

#include <cjson/cJSON.h>

#include "lg.h"

enum lg_ynode_type { LG_YSCALAR, LG_YMAP, LG_YSEQ, LG_YNULL };

/*
 * One node. A map has n keys[i] -> items[i]; a sequence has n items[i]; a
 * scalar has value and `quoted` (a quoted scalar is always a string).
 * line and col are 1-based and point at the node's first character, so every
 * message about a file can say FILE:LINE:COL.
 */
struct lg_ynode {
	enum lg_ynode_type type;
	char *value;
	bool quoted;
	size_t n;
	char **keys;
	struct lg_ynode **items;
	unsigned line, col;
};

/*
 * Parse every document of a YAML text into *docs (an array of *ndocs trees,
 * owned by the caller: lg_ynode_free_docs). name is used in messages.
 * On a syntax error: LG_EPARSE and "NAME:LINE:COL: what" in err.
 * Empty documents are dropped. Anchors and aliases are refused (a rubric
 * or kubeconfig has no use for them, and they are the usual way to make a
 * parser blow up).
 * @test tests/unit/test_yaml.c
 */
enum lg_err lg_yaml_parse(const char *text, size_t len, const char *name,
			  struct lg_ynode ***docs, size_t *ndocs,
			  struct lg_error *err);
/* Read and parse a file (at most 16 MiB). */
enum lg_err lg_yaml_parse_file(const char *path, struct lg_ynode ***docs,
			       size_t *ndocs, struct lg_error *err);
void lg_ynode_free(struct lg_ynode *n);
void lg_ynode_free_docs(struct lg_ynode **docs, size_t ndocs);

/* The value for key in a map, or NULL (also when m is NULL or not a map). */
const struct lg_ynode *lg_ynode_get(const struct lg_ynode *m, const char *key);
/* The scalar text for key, or NULL when absent or not a scalar. */
const char *lg_ynode_str(const struct lg_ynode *m, const char *key);
/* A name for the type, for messages: "a map", "a list", "a value". */
const char *lg_ynode_type_name(const struct lg_ynode *n);

/*
 * Convert to JSON the way Kubernetes reads manifests: unquoted true/false
 * become booleans, null/~/empty become null, unquoted numbers become
 * numbers, everything else a string. The result belongs to the caller.
 */
cJSON *lg_ynode_to_json(const struct lg_ynode *n);

#endif

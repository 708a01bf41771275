/* SPDX-License-Identifier: MIT */
/* istio_int.h: helpers shared by the istio*.c files, not part of the API. */
#ifndef LG_ISTIO_INT_H
#define LG_ISTIO_INT_H

#include "istio.h"

/* Grow an array of elements of size so that index n fits. */
void *lg_mesh_grow(void *p, size_t *alloc, size_t n, size_t size);

/* Is an object of namespace obj_ns with exportTo visible from ns? */
bool lg_mesh_is_exported(char *const *export_to, size_t n, const char *obj_ns,
			 const char *ns);

/* Does host (fully qualified) match pattern (exact, "*" or "*.suffix")? */
bool lg_mesh_host_matches(const char *pattern, const char *host);

/* Order by creationTimestamp, then name, then namespace (Istio's order). */
int lg_mesh_meta_cmp(const struct lg_mesh_meta *a,
		     const struct lg_mesh_meta *b);

/*
 * The mesh VirtualServices visible from ns for host, oldest first, most
 * specific host pattern first. *out (owned, free()) holds *n pointers.
 */
void lg_mesh_vs_for_host(const struct lg_mesh *m, const char *ns,
			 const char *host, const struct lg_mesh_vs ***out,
			 size_t *n);

/* Do all labels of sel appear in labels? An empty selector matches. */
bool lg_mesh_labels_match(const struct lg_mesh_labels *sel,
			  const struct lg_mesh_labels *labels);

/* Does rule h take req? Sets *unjudged when a block could not be judged. */
bool lg_mesh_rule_matches(const struct lg_mesh_http *h,
			  const struct lg_mesh_request *req, bool *unjudged);

/* Full-match a POSIX ERE; -1 when the expression does not compile. */
int lg_mesh_regex_full(const char *re, const char *value);

/* Does a Gateway server's host ("host" or "ns/host") overlap host? */
bool lg_mesh_server_has_host(const struct lg_mesh_server *s, const char *host);

/*
 * If the HTTPRoute spec (of the object meta, borrowed) has a parentRef of
 * kind Service, add the mesh VirtualService Istio 1.24 makes of it for
 * sidecars: hosts the parent Services, rules with the route's header and
 * path matches, backendRefs as destinations (weights kept). A route in the
 * Service's namespace applies to every client (exportTo "*"), one in
 * another namespace only to clients of its own (".").
 * @test tests/unit/test_istio.c
 */
void lg_mesh_add_gamma(struct lg_mesh *m, const cJSON *spec,
		       const struct lg_mesh_meta *meta);

#endif

/* SPDX-License-Identifier: MIT */
/* expect.h: reading Kubernetes objects, so that checks never walk JSON. */
#ifndef LG_EXPECT_H
#define LG_EXPECT_H

#include <cjson/cJSON.h>

#include "cluster.h"
#include "lg.h"
#include "result.h"

/*
 * Every function here reads a cJSON tree it does not own and tolerates
 * NULL or a wrongly shaped object (it answers "absent", never crashes): the
 * objects come from a cluster we do not control. A returned const pointer is
 * borrowed from the tree; a returned char * is the caller's to free.
 * @test tests/unit/test_checks.c
 */

/* The value at a path of keys (NULL-terminated), or NULL. */
const cJSON *lg_expect_at(const cJSON *obj, ...);
/* The string at a path of keys (NULL-terminated), or NULL. */
const char *lg_expect_str(const cJSON *obj, ...);
/* metadata.name, or "" when absent (never NULL, for messages). */
const char *lg_expect_name(const cJSON *obj);
/* metadata.labels[key] / metadata.annotations[key], or NULL. */
const char *lg_expect_label(const cJSON *obj, const char *key);
const char *lg_expect_annotation(const cJSON *obj, const char *key);

/* The element of an array whose metadata.name is name, or NULL. */
const cJSON *lg_expect_find_named(const cJSON *items, const char *name);

/* status.conditions[] entry of this type, or NULL. */
const cJSON *lg_expect_condition(const cJSON *obj, const char *type);
/* True when that condition exists and its status is "True". */
bool lg_expect_condition_true(const cJSON *obj, const char *type);

/*
 * Available as `kubectl rollout status` would see it: condition Available
 * is True, or (no conditions reported) status.readyReplicas >= 1.
 */
bool lg_expect_deploy_available(const cJSON *deploy);
/* "ready 0/1, Available=False (MinimumReplicasUnavailable)". Caller's. */
char *lg_expect_deploy_status(const cJSON *deploy);

/*
 * Does every key=value of the map sel appear in labels? An empty or absent
 * selector matches nothing: for the selectors checks look at (Deployment,
 * Service, Istio Gateway) an empty one never means "this pod" in the lab.
 */
bool lg_expect_selector_matches(const cJSON *sel, const cJSON *labels);
/* Does the Deployment's spec.selector.matchLabels select the pod? */
bool lg_expect_deploy_selects(const cJSON *deploy, const cJSON *pod);

/*
 * The container `name` of a pod: in spec.containers, or a native sidecar
 * (spec.initContainers with restartPolicy Always). NULL when absent.
 */
const cJSON *lg_expect_container(const cJSON *pod, const char *name);
/* The image of the container `name` (see lg_expect_container), or NULL. */
const char *lg_expect_container_image(const cJSON *pod, const char *name);

/*
 * kubectl's READY column: *total counts spec.containers plus native
 * sidecars, *ready those whose status says ready.
 */
void lg_expect_pod_ready(const cJSON *pod, int *ready, int *total);
/* Running, and every container counted by lg_expect_pod_ready ready. */
bool lg_expect_pod_is_ready(const cJSON *pod);
/* A pod being deleted (metadata.deletionTimestamp) or already finished. */
bool lg_expect_pod_is_gone(const cJSON *pod);
/*
 * Why the pod is not ready, as a student would want it: "container reviews
 * waiting: ErrImagePull (image ...:1.20.99)", "container x terminated:
 * Error", "phase Pending (Unschedulable)". NULL when nothing is known.
 * Caller's.
 */
char *lg_expect_pod_problem(const cJSON *pod);

/* The tag of an image reference (registry:port/repo:tag@digest), or NULL
 * when it has none. Caller's. */
char *lg_expect_image_tag(const char *image);
/* Does version (e.g. "1.24.3") belong to release want ("1.24")? */
bool lg_expect_version_matches(const char *version, const char *want);

/*
 * Split a list parameter ("a, b c" or "[a, b]") into words. *n gets the
 * count; the array is NULL-terminated; free with lg_expect_split_free.
 */
char **lg_expect_split(const char *list, size_t *n);
void lg_expect_split_free(char **words);

/*
 * GET path into *out (caller's; cJSON_Delete) and add an evidence line
 * saying what was asked and what came. LG_ENOTFOUND leaves *out NULL and
 * err untouched (absence is an answer, not a failure); every other error
 * is returned with its sentence in err. Blocks up to the request timeout.
 */
enum lg_err lg_expect_get(struct lg_cluster *c, struct lg_result *res,
			  const char *path, cJSON **out, struct lg_error *err);
/*
 * List path (every page) into *items (caller's JSON array; an absent
 * collection, 404, is an empty array) and add an evidence line.
 */
enum lg_err lg_expect_list(struct lg_cluster *c, struct lg_result *res,
			   const char *path, cJSON **items,
			   struct lg_error *err);

#endif

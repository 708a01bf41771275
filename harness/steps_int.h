/* SPDX-License-Identifier: MIT */
/* steps_int.h: what steps.c and steps_explain.c share, not an API. */
#ifndef LG_STEPS_INT_H
#define LG_STEPS_INT_H

#include "steps.h"

/* The nearest step (and its check, static) of a VirtualService for
 * reviews, by its structure; to_v3: its one destination is version v3. */
const char *lg_steps_nearest_reviews(const struct lg_mesh_vs *vs, bool to_v3,
				     const char **check);

/*
 * A VirtualService (any namespace) aimed at Bookinfo service `svc` (its
 * hosts or destinations name it, or a host one letter off) that bookinfo's
 * sidecars do not apply to svc: the first such, or NULL. Borrowed.
 */
const struct lg_mesh_vs *lg_steps_stray(const struct lg_steps_view *v,
					const char *svc);

/* A DestinationRule with a connectionPool or outlierDetection that does
 * not reach reviews from v->ns: the first such, or NULL. Borrowed. */
const struct lg_mesh_dr *lg_steps_stray_policy(const struct lg_steps_view *v);

/* Fill v->causes from the placed view. */
void lg_steps_explain_all(struct lg_steps_view *v);

void lg_steps_causes_release(struct lg_steps_view *v);

#endif

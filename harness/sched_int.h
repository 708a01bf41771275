/* SPDX-License-Identifier: MIT */
/* sched_int.h: what sched.c (planning) and sched_run.c (running) share. */
#ifndef LG_SCHED_INT_H
#define LG_SCHED_INT_H

#include "sched.h"

/*
 * The i-th id c must wait for (i from 0): its declared prerequisites, then
 * LG_SCHED_GATEWAY_CHECK when c needs the gateway and does not list it
 * (c itself excepted); NULL past the end. Borrowed from c.
 */
const char *lg_sched_dep_at(const struct lg_check *c, size_t i);

/* The index of the item whose check has this id, or s->n. */
size_t lg_sched_item_index(const struct lg_sched *s, const char *id);

#endif

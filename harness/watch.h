/* SPDX-License-Identifier: MIT */
/* watch.h: the objects the checks read, followed with the API's watch so a
 * grade can be redone when one of them changes. */
#ifndef LG_WATCH_H
#define LG_WATCH_H

#include <signal.h>

#include "cluster.h"
#include "lg.h"

/*
 * One thread per collection the checks read (VirtualServices,
 * DestinationRules, Istio and Gateway API Gateways, HTTPRoutes, in every
 * namespace or, when RBAC refuses that, in ns; ns's pods; namespaces): a
 * list for its resourceVersion, then GET ...?watch=1&resourceVersion=RV
 * read line by line, reconnecting when the server ends the watch and
 * listing afresh on 410 Gone. A collection the cluster lacks (a CRD not
 * installed) is tried again every 30 s. Read-only.
 * @test tests/integration/test_student_loop.sh
 */
struct lg_watch;

/* Start following; *stop (set by a signal handler) ends every thread
 * within about a second. c and ns are borrowed. */
struct lg_watch *lg_watch_start(struct lg_cluster *c, const char *ns,
				const volatile sig_atomic_t *stop);

/*
 * Block until some object changed and then nothing more for quiet_ms
 * (a kubectl apply of several objects is one change), or until *stop.
 * Returns true for a change, false when stopped.
 */
bool lg_watch_wait(struct lg_watch *w, long quiet_ms);

/* The first thing that went wrong with some watch since the last call
 * (caller frees), or NULL: said to the student, not fatal. */
char *lg_watch_take_note(struct lg_watch *w);

/* Stop every thread, wait for them, free. NULL is fine. */
void lg_watch_free(struct lg_watch *w);

#endif

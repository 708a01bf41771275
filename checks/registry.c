/* SPDX-License-Identifier: MIT */
/* registry.c: the table of every check, sorted by id (see check.h). */
#include <stdlib.h>
#include <string.h>

#include "check.h"

extern const struct lg_check lg_check_circuit_breaking;
extern const struct lg_check lg_check_egress_gateway;
extern const struct lg_check lg_check_fault_injection;
extern const struct lg_check lg_check_gateway;
extern const struct lg_check lg_check_ingress_gateway;
extern const struct lg_check lg_check_istio_install;
extern const struct lg_check lg_check_mirroring;
extern const struct lg_check lg_check_observability;
extern const struct lg_check lg_check_request_routing;
extern const struct lg_check lg_check_sidecar_injection;
extern const struct lg_check lg_check_traffic_shifting;
extern const struct lg_check lg_check_troubleshooting;

/* Sorted by id (strcmp order): lg_check_find bisects it, and
 * tests/unit/test_registry.c fails when the order is broken. */
/* One check a line, so that adding one is a one-line diff. */
/* clang-format off */
const struct lg_check *const lg_checks[] = {
    &lg_check_circuit_breaking,
    &lg_check_egress_gateway,
    &lg_check_fault_injection,
    &lg_check_gateway,
    &lg_check_ingress_gateway,
    &lg_check_istio_install,
    &lg_check_mirroring,
    &lg_check_observability,
    &lg_check_request_routing,
    &lg_check_sidecar_injection,
    &lg_check_traffic_shifting,
    &lg_check_troubleshooting,
};
/* clang-format on */

const size_t lg_nchecks = LG_ARRAY_SIZE(lg_checks);

static int cmp_id(const void *key, const void *elem)
{
	const struct lg_check *const *c = elem;

	return strcmp(key, (*c)->id);
}

const struct lg_check *lg_check_find(const char *id)
{
	const struct lg_check *const *c;

	if (!id)
		return NULL;
	c = bsearch(id, lg_checks, lg_nchecks, sizeof(lg_checks[0]), cmp_id);
	return c ? *c : NULL;
}

/* SPDX-License-Identifier: MIT */
/* gwfind.h: where to send traffic so that it enters the mesh's gateway. */
#ifndef LG_GWFIND_H
#define LG_GWFIND_H

#include <cjson/cJSON.h>

#include "cluster.h"
#include "istio.h"
#include "lg.h"
#include "result.h"

/* One way to reach a gateway: a base URL and how it was found. */
struct lg_gw_candidate {
	char *url; /* "http://host:port", no trailing slash */
	char *how; /* for the evidence: "NodePort 31380 on node n1 (...)" */
};

/* Candidates in the order to try them. All-zero is empty. */
struct lg_gw_candidates {
	struct lg_gw_candidate *items;
	size_t n;
};

void lg_gwfind_release(struct lg_gw_candidates *c);

/*
 * The ways to reach a gateway Service, best first, as a student's machine
 * or the lab's master VM would: a LoadBalancer ingress (ip or hostname),
 * then the NodePort on a Ready node's InternalIP (GET /api/v1/nodes, only
 * when the Service has a nodePort), then the ClusterIP (reachable from a
 * node). The port is the one named "http", else 80, else the first that is
 * not Istio's status port 15021. svc is borrowed. Appends to *out; an API
 * failure reading nodes is returned in err (candidates found so far stay).
 * Adds evidence lines to res.
 * @test tests/unit/test_checks.c
 */
enum lg_err lg_gwfind_service(struct lg_cluster *c, struct lg_result *res,
			      const cJSON *svc, struct lg_gw_candidates *out,
			      struct lg_error *err);

/*
 * The Service of the gateway that takes a request, as the mesh model
 * decided it (lg_mesh_ingress_route): for a Gateway API Gateway the
 * Service Istio creates for it, NAME-istio in its namespace; for an Istio
 * Gateway a Service, in the namespace of the first pod its selector picks
 * among pods (a JSON array, cluster-wide), that selects that pod. So an
 * objective reaches the gateway that serves its own host, not whichever
 * gateway another objective found. *svc is NULL (LG_OK) when the decision
 * names no gateway or the gateway has no Service; API errors in err.
 * @test tests/cases/ingress-gateway
 */
enum lg_err lg_gwfind_ingress_service(struct lg_cluster *c,
				      struct lg_result *res,
				      const struct lg_ingress_decision *d,
				      const cJSON *pods, cJSON **svc,
				      struct lg_error *err);

/* The first live pod (of a JSON array) whose labels include every pair of
 * an Istio Gateway's selector; NULL when none (or an empty selector). */
const cJSON *lg_gwfind_gateway_pod(const struct lg_mesh_gateway *g,
				   const cJSON *pods);

/* Append a candidate (url and how are copied). */
void lg_gwfind_add(struct lg_gw_candidates *c, const char *url,
		   const char *how);

#endif

/* SPDX-License-Identifier: MIT */
/* promql.h: Prometheus' HTTP query API and metrics texts behind the API
 * server's proxies, read into struct lg_prom samples. */
#ifndef LG_PROMQL_H
#define LG_PROMQL_H

#include <cjson/cJSON.h>

#include "cluster.h"
#include "prom.h"

/*
 * Parse an answer of Prometheus' HTTP API (/api/v1/query): {"status":
 * "success", "data": {"resultType": "vector", "result": [{"metric": {...},
 * "value": [TS, "V"]}]}} into out (empty on entry): one sample per series,
 * named by its __name__ label ("" when the query dropped it, as sum by
 * does), its other labels kept, its value parsed as Prometheus writes it
 * ("NaN", "+Inf" too). A "scalar" result is one unnamed sample. Errors:
 * LG_EPARSE for what is not such JSON or has another resultType (with
 * what was found), LG_EHTTP when status is "error" (with Prometheus'
 * errorType and error). On error out is left empty. Does not block.
 * @test tests/unit/test_promql.c
 */
enum lg_err lg_promql_parse(const char *body, size_t len, struct lg_prom *out,
			    struct lg_error *err);

/*
 * Percent-encode s for a URL query value (RFC 3986 unreserved characters
 * are kept). Caller's.
 * @test tests/unit/test_promql.c
 */
char *lg_promql_escape(const char *s);

/*
 * Run an instant query against the Prometheus Service ns/svc (svc as the
 * service proxy spells it, "prometheus:9090") through the API server:
 * GET /api/v1/namespaces/NS/services/SVC/proxy/api/v1/query?query=Q, and
 * parse the answer into out (empty on entry). Errors: those of
 * lg_cluster_request (LG_EFORBIDDEN when RBAC denies services/proxy,
 * LG_ESERVER when the Service has no ready endpoint), then those of
 * lg_promql_parse, each naming the Service. Blocks for one API request.
 */
enum lg_err lg_promql_query(struct lg_cluster *c, const char *ns,
			    const char *svc, const char *query,
			    struct lg_prom *out, long *status,
			    struct lg_error *err);

/*
 * GET path (a service or pod proxy to a JSON API, such as Kiali's
 * /kiali/api/status) and parse the JSON into *out (caller's; cJSON_Delete).
 * *status gets the HTTP status (0 when none came), so that a caller can
 * tell the proxied service's answer (404, 503 no endpoints) from the API
 * server's own failure. Errors: those of lg_cluster_request, LG_EPARSE
 * when the body is not JSON. Blocks for one API request.
 */
enum lg_err lg_promql_get_json(struct lg_cluster *c, const char *path,
			       cJSON **out, long *status, struct lg_error *err);

/*
 * Did the proxied service itself answer (or is it absent), rather than
 * the API server or the network failing? True for LG_ENOTFOUND, status
 * 503 (no endpoints, connection refused) and the 4xx statuses other than
 * 401, 403 and 429. Checks fail on these and end in error on the rest,
 * a body that does not parse included: it may have been cut short on the
 * way, which the grader cannot tell from a wrong answer.
 * @test tests/unit/test_promql.c
 */
bool lg_promql_target_fault(enum lg_err rc, long status);

/*
 * GET a Prometheus text exposition at an API path (a pod proxy to
 * istiod's :15014/metrics, say) and parse it into out (empty on entry),
 * keeping only metric `only` (NULL: all). Errors
 * as lg_cluster_request and lg_prom_parse, naming the path. Blocks for
 * one API request.
 */
enum lg_err lg_promql_fetch_text(struct lg_cluster *c, const char *path,
				 const char *only, struct lg_prom *out,
				 struct lg_error *err);

#endif

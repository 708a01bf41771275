/* SPDX-License-Identifier: MIT */
/* observability.c: the addons step, Kiali, Prometheus, Grafana and Jaeger
 * installed and the mesh's telemetry reaching Prometheus. */
/*
 * Objective: "Install the addons (kubectl apply -f samples/addons/) and
 * open Kiali's graph of Bookinfo's traffic."
 *
 * Evidence: the Deployments kiali, prometheus, grafana and jaeger of the
 * Istio namespace (Available) and their Services kiali 20001, prometheus
 * 9090, grafana 3000, tracing 80 and zipkin 9411 (samples/addons'
 * jaeger.yaml creates the last two); Kiali's status API
 * (/kiali/api/status, the web root samples/addons sets) through the API
 * server's service proxy, which must say "Kiali state": "running"; and an
 * instant query to Prometheus through the service proxy,
 * istio_requests_total{reporter="destination",
 * destination_service_namespace=NS}, whose series must cover the
 * services the rubric names.
 *
 * Why the rule is right: a Deployment can be Available while its Service
 * is missing or selects nothing, and Kiali's graph is empty unless
 * Prometheus holds the sidecars' istio_requests_total; asking Kiali and
 * Prometheus themselves, through the same API server kubectl uses, is
 * what the student's `istioctl dashboard` does without a port-forward.
 * ratings is not in the default list: the lab's all-v1 steps never call
 * it. A Service without endpoints (503), absent (404) or answering 4xx
 * is the cluster's problem, a fail; a 403 on services/proxy (RBAC), a
 * timeout, another 5xx or a body that does not parse (it may have been
 * cut on the way) is the grader's, an error.
 */
#include <stdlib.h>
#include <string.h>

#include "../harness/expect.h"
#include "../harness/i18n.h"
#include "../harness/promql.h"
#include "check.h"

#define DEFAULT_SERVICES "productpage,details,reviews"

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res);

/* Kiali's graph is of traffic through the gateway: the gateway check's
 * own pages then reach productpage, details and reviews before the query,
 * and a broken gateway is one cause, reported once. */
static const char *const prereqs[] = {"gateway", NULL};

static const struct lg_assert_def asserts[] = {
    {"addons-available",
     "Kiali, Prometheus, Grafana y Jaeger disponibles con sus Services",
     "Kiali, Prometheus, Grafana and Jaeger available with their Services",
     NULL},
    {"kiali-answers", "Kiali responde a través del API server",
     "Kiali answers through the API server", NULL},
    {"prometheus-metrics",
     "Prometheus tiene istio_requests_total de los servicios de Bookinfo",
     "Prometheus holds istio_requests_total for Bookinfo's services", NULL},
};

const struct lg_check lg_check_observability = {
    .id = "observability",
    .objective = 11,
    .title_es = "Observabilidad (addons)",
    .title_en = "Observability (addons)",
    .prereqs = prereqs,
    .flags = 0,
    .asserts = asserts,
    .nasserts = LG_ARRAY_SIZE(asserts),
    .run = run,
};

/* Each addon: its Deployment, its samples/addons file, its Services. */
static const struct addon {
	const char *deploy;
	const char *file;
	const char *svc[2];
	int port[2];
} addons[] = {
    {"kiali", "kiali", {"kiali", NULL}, {20001, 0}},
    {"prometheus", "prometheus", {"prometheus", NULL}, {9090, 0}},
    {"grafana", "grafana", {"grafana", NULL}, {3000, 0}},
    {"jaeger", "jaeger", {"tracing", "zipkin"}, {80, 9411}},
};

static bool has_port(const cJSON *svc, int port)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, lg_expect_at(svc, "spec", "ports", NULL))
	{
		const cJSON *n = lg_expect_at(p, "port", NULL);

		if (cJSON_IsNumber(n) && n->valueint == port)
			return true;
	}
	return false;
}

static bool deploy_ok(const struct addon *a, const cJSON *deploys,
		      struct lg_buf *obs)
{
	const cJSON *d = lg_expect_find_named(deploys, a->deploy);
	const cJSON *ready = lg_expect_at(d, "status", "readyReplicas", NULL);
	char *st;

	/* scaled to 0 a Deployment is still Available (0 of 0): what
	 * counts is a ready pod behind the Service */
	if (d && lg_expect_deploy_available(d) && cJSON_IsNumber(ready) &&
	    ready->valuedouble >= 1)
		return true;
	st = d ? lg_expect_deploy_status(d) : NULL;
	lg_buf_addf(obs, "%sdeployment %s: %s", obs->len ? "; " : "", a->deploy,
		    st ? st : "not found");
	free(st);
	return false;
}

/* What is wrong with one addon, appended to obs; true when all is well. */
static bool addon_ok(const struct addon *a, const cJSON *deploys,
		     const cJSON *svcs, struct lg_buf *obs)
{
	bool ok = deploy_ok(a, deploys, obs);
	size_t i;

	for (i = 0; i < 2 && a->svc[i]; i++) {
		const cJSON *s = lg_expect_find_named(svcs, a->svc[i]);

		if (s && has_port(s, a->port[i]))
			continue;
		lg_buf_addf(obs, "%sservice %s:%d: %s", obs->len ? "; " : "",
			    a->svc[i], a->port[i],
			    s ? "no such port" : "not found");
		ok = false;
	}
	return ok;
}

static void assert_addons(struct lg_ctx *ctx, struct lg_result *res,
			  const char *ins, const cJSON *deploys,
			  const cJSON *svcs)
{
	struct lg_buf obs = LG_BUF_INIT, fix = LG_BUF_INIT;
	size_t i;
	char *hint;

	for (i = 0; i < LG_ARRAY_SIZE(addons); i++)
		if (!addon_ok(&addons[i], deploys, svcs, &obs))
			lg_buf_addf(&fix,
				    "%s`kubectl apply -f samples/addons/"
				    "%s.yaml`",
				    fix.len ? ", " : "", addons[i].file);
	hint = lg_xasprintf(
	    LG_TR(ctx,
		  "instala o repara lo que falta (desde el directorio de "
		  "Istio 1.24): %s; luego `kubectl rollout status deployment "
		  "-n %s`",
		  "install or repair what is missing (from the Istio 1.24 "
		  "directory): %s; then `kubectl rollout status deployment "
		  "-n %s`"),
	    fix.buf, ins);
	lg_check_assert(ctx, res, "addons-available", obs.len == 0,
			"kiali, prometheus, grafana, jaeger Available; "
			"services kiali, prometheus, grafana, tracing, zipkin",
			obs.len ? obs.buf : "all available", hint);
	free(hint);
	lg_buf_release(&obs);
	lg_buf_release(&fix);
}

/* Kiali's status; false when the check must end in error (err set). */
static bool assert_kiali(struct lg_ctx *ctx, struct lg_result *res,
			 const char *ins, struct lg_error *err)
{
	struct lg_error e = {0};
	cJSON *st = NULL;
	long status = 0;
	char *path = lg_xasprintf("/api/v1/namespaces/%s/services/kiali:20001/"
				  "proxy/kiali/api/status",
				  ins);
	enum lg_err rc =
	    lg_promql_get_json(ctx->cluster, path, &st, &status, &e);
	bool graded = rc == LG_OK || lg_promql_target_fault(rc, status);
	const char *state = lg_expect_str(st, "status", "Kiali state", NULL);
	const char *ver = lg_expect_str(st, "status", "Kiali version", NULL);
	char *obs = rc != LG_OK ? lg_xstrdup(e.msg)
		    : state ? lg_xasprintf("Kiali state %s, version %s", state,
					   ver ? ver : "?")
			    : lg_xstrdup("no \"Kiali state\" in the answer");
	char *hint = lg_xasprintf(
	    LG_TR(ctx,
		  "Kiali no responde: `kubectl get pods,endpoints -n %s -l "
		  "app=kiali` y `kubectl logs -n %s deploy/kiali`",
		  "Kiali does not answer: `kubectl get pods,endpoints -n %s "
		  "-l app=kiali` and `kubectl logs -n %s deploy/kiali`"),
	    ins, ins);

	lg_result_evidencef(res, "GET %s: %s", path, obs);
	if (!graded)
		lg_errorf(err, rc, "%s", e.msg);
	else
		lg_check_assert(ctx, res, "kiali-answers",
				state && !strcmp(state, "running"),
				"\"Kiali state\": \"running\"", obs, hint);
	cJSON_Delete(st);
	free(path);
	free(obs);
	free(hint);
	return graded;
}

/* The services of want that have no istio_requests_total series. */
static char *missing_services(const struct lg_prom *m, char **want,
			      struct lg_buf *seen)
{
	struct lg_buf miss = LG_BUF_INIT;
	size_t i;

	for (i = 0; want[i]; i++) {
		struct lg_prom_match mt = {"destination_service_name", want[i]};
		size_t n = 0;
		double v = lg_prom_sum(m, "istio_requests_total", &mt, 1, &n);

		if (n)
			lg_buf_addf(seen, "%s%s %.0f", seen->len ? ", " : "",
				    want[i], v);
		else
			lg_buf_addf(&miss, "%s%s", miss.len ? ", " : "",
				    want[i]);
	}
	return miss.len ? lg_buf_detach(&miss, NULL) : NULL;
}

static char *prom_hint(struct lg_ctx *ctx, const char *ins, const char *ns,
		       bool answered)
{
	if (!answered)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "Prometheus no responde: `kubectl get pods,endpoints "
			  "-n %s -l app=prometheus` (si no está: `kubectl "
			  "apply -f samples/addons/prometheus.yaml`)",
			  "Prometheus does not answer: `kubectl get "
			  "pods,endpoints -n %s -l app=prometheus` (if it is "
			  "not there: `kubectl apply -f "
			  "samples/addons/prometheus.yaml`)"),
		    ins);
	return lg_xasprintf(
	    LG_TR(ctx,
		  "Prometheus no tiene tráfico de esos servicios: genera "
		  "tráfico (`for i in $(seq 1 20); do curl -s -o /dev/null "
		  "http://127.0.0.1:8080/productpage; done`), espera un "
		  "minuto a que lo recoja, y comprueba que los pods de %s "
		  "tienen istio-proxy",
		  "Prometheus has no traffic of those services: send some "
		  "(`for i in $(seq 1 20); do curl -s -o /dev/null "
		  "http://127.0.0.1:8080/productpage; done`), give it a "
		  "minute to scrape, and check that the pods of %s have "
		  "istio-proxy"),
	    ns);
}

/* The telemetry in Prometheus; false on a grader-side error (err set). */
static bool assert_prometheus(struct lg_ctx *ctx, struct lg_result *res,
			      const char *ins, const char *ns,
			      struct lg_error *err)
{
	struct lg_error e = {0};
	struct lg_prom m = {0};
	struct lg_buf seen = LG_BUF_INIT;
	size_t nw;
	char **want = lg_expect_split(
	    lg_param_str(ctx, "telemetry-services", DEFAULT_SERVICES), &nw);
	char *q = lg_xasprintf("istio_requests_total{reporter=\"destination\","
			       "destination_service_namespace=\"%s\"}",
			       ns);
	long status = 0;
	enum lg_err rc = lg_promql_query(ctx->cluster, ins, "prometheus:9090",
					 q, &m, &status, &e);
	bool graded = rc == LG_OK || lg_promql_target_fault(rc, status);
	char *miss = rc == LG_OK ? missing_services(&m, want, &seen) : NULL;
	char *hint = prom_hint(ctx, ins, ns, rc == LG_OK);
	char *obs = rc != LG_OK ? lg_xstrdup(e.msg)
		    : miss
			? lg_xasprintf("no series for %s%s%s", miss,
				       seen.len ? "; requests: " : "", seen.buf)
			: lg_xasprintf("requests: %s", seen.buf);

	lg_result_evidencef(res, "query %s: %s", q, obs);
	if (!graded)
		lg_errorf(err, rc, "%s", e.msg);
	else
		lg_check_assert(ctx, res, "prometheus-metrics",
				rc == LG_OK && !miss,
				"a series for each service", obs, hint);
	lg_prom_release(&m);
	lg_buf_release(&seen);
	lg_expect_split_free(want);
	free(q);
	free(miss);
	free(hint);
	free(obs);
	return graded;
}

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res)
{
	struct lg_error err = {0};
	cJSON *deploys = NULL, *svcs = NULL;
	const char *ins = lg_param_str(ctx, "istio-namespace", "istio-system");
	const char *ns = lg_param_str(ctx, "bookinfo-namespace", "bookinfo");
	char *p1 = lg_xasprintf("/apis/apps/v1/namespaces/%s/deployments", ins);
	char *p2 = lg_xasprintf("/api/v1/namespaces/%s/services", ins);
	enum lg_verdict v;
	enum lg_err rc = lg_expect_list(ctx->cluster, res, p1, &deploys, &err);

	if (rc == LG_OK)
		rc = lg_expect_list(ctx->cluster, res, p2, &svcs, &err);
	if (rc != LG_OK)
		goto error;
	assert_addons(ctx, res, ins, deploys, svcs);
	if (!assert_kiali(ctx, res, ins, &err) ||
	    !assert_prometheus(ctx, res, ins, ns, &err))
		goto error;
	v = lg_result_finish(res);
	goto out;
error:
	v = lg_result_errorf(res, "%s", err.msg);
out:
	cJSON_Delete(deploys);
	cJSON_Delete(svcs);
	free(p1);
	free(p2);
	return v;
}

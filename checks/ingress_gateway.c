/* SPDX-License-Identifier: MIT */
/* ingress_gateway.c: objective 9, httpbin reachable through a gateway for
 * host httpbin.example.com. */
/*
 * Objective: "Deploy httpbin (kubectl apply -f samples/httpbin/httpbin.yaml)
 * and expose it through a gateway for host httpbin.example.com on port 80,
 * so that `curl -H 'Host: httpbin.example.com' GATEWAY/status/200` answers
 * 200." The lab applies both without `-n`: they land in the namespace of
 * the student's context (usually default, not labelled, so httpbin runs
 * without a sidecar, which the task does not need).
 *
 * Evidence: the Deployment and Service httpbin of httpbin-namespace (by
 * default the kubeconfig context's namespace); the Istio Gateways and
 * VirtualServices, Gateway API Gateways and HTTPRoutes and the pods of
 * every namespace, fed to the mesh model, which decides which gateway and
 * route take a request for Host httpbin-host on port 80 and path
 * httpbin-path, as Istio would; the Service of that gateway (gwfind), and
 * one GET of the path with that Host through it (or through
 * --ingress-url, the student's port-forward).
 *
 * Why the rule is right: the lab's text allows two realisations, and both
 * are graded by what the mesh does, not by the objects' names: an Istio
 * Gateway (selector istio: ingressgateway) plus a VirtualService binding
 * httpbin to it, or a Gateway API Gateway plus an HTTPRoute. The lab's
 * install profile (demo-profile-no-gateways) has no istio-ingressgateway,
 * so the first binds to nothing (istioctl analyze: IST0101) unless the
 * student installs one; and the lab's text omits the VirtualService. Each
 * of these is a fail whose hint names the missing piece and the ways out.
 * The gateway is the one the model picked for httpbin's host, never
 * Bookinfo's, which also listens on port 80 for any host. When nothing
 * answers although the gateway has a ready pod, the fault is labgrade's
 * path to it (ERROR, with the port-forward to use), not the student's.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../harness/expect.h"
#include "../harness/gwfind.h"
#include "../harness/i18n.h"
#include "../harness/istio.h"
#include "../harness/probe.h"
#include "check.h"

#define ISTIO_V1 "/apis/networking.istio.io/v1/"
#define GWAPI_V1 "/apis/gateway.networking.k8s.io/v1/"
#define HTTPBIN_PORT 8000
#define INSTALL_GW                                                             \
	"istioctl install --set "                                              \
	"components.ingressGateways[0].enabled=true --set "                    \
	"components.ingressGateways[0].name=istio-ingressgateway"

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res);

static const char *const prereqs[] = {"istio-install", NULL};

static const struct lg_assert_def asserts[] = {
    {"httpbin-ready", "httpbin desplegado y listo, con su Service en 8000",
     "httpbin deployed and ready, with its Service on 8000", "httpbin"},
    {"httpbin-gateway",
     "un gateway para httpbin.example.com:80 con una ruta a httpbin",
     "a gateway for httpbin.example.com:80 with a route to httpbin", "httpbin"},
    {"httpbin-reachable",
     "GET /status/200 con Host httpbin.example.com responde 200 a través "
     "del gateway",
     "GET /status/200 with Host httpbin.example.com answers 200 through "
     "the gateway",
     "httpbin"},
};

const struct lg_check lg_check_ingress_gateway = {
    .id = "ingress-gateway",
    .objective = 9,
    .title_es = "Ingress gateway para httpbin",
    .title_en = "Ingress gateway for httpbin",
    .prereqs = prereqs,
    .flags = 0,
    .asserts = asserts,
    .nasserts = LG_ARRAY_SIZE(asserts),
    .run = run,
};

/* What was read and decided; everything owned. */
struct ing {
	const char *ns, *host, *path;
	char *backend; /* httpbin's fully qualified host */
	struct lg_mesh mesh;
	struct lg_ingress_decision d;
	cJSON *dep, *hsvc; /* httpbin's Deployment and Service, or NULL */
	cJSON *pods;	   /* every pod */
	cJSON *svc;	   /* the chosen gateway's Service */
	char *gwname;	   /* "Gateway API Gateway NS/NAME", or NULL */
	char *problem;	   /* why the gateway is not configured (observed) */
	char *hint;
};

static void ing_release(struct ing *g)
{
	lg_mesh_release(&g->mesh);
	cJSON_Delete(g->pods);
	cJSON_Delete(g->dep);
	cJSON_Delete(g->hsvc);
	cJSON_Delete(g->svc);
	free(g->backend);
	free(g->gwname);
	free(g->problem);
	free(g->hint);
}

/* ---- httpbin itself ---- */

static bool svc_has_port(const cJSON *svc, int port)
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

static char *httpbin_observed(const cJSON *dep, const cJSON *svc)
{
	const cJSON *ready = lg_expect_at(dep, "status", "readyReplicas", NULL);
	char *st = dep ? lg_expect_deploy_status(dep) : NULL;
	char *out;

	if (!dep)
		out = lg_xstrdup("no deployment httpbin");
	else if (!lg_expect_deploy_available(dep) || !cJSON_IsNumber(ready) ||
		 ready->valuedouble < 1)
		out = lg_xasprintf("deployment httpbin: %s", st ? st : "?");
	else if (!svc)
		out = lg_xstrdup("deployment ready, no service httpbin");
	else if (!svc_has_port(svc, HTTPBIN_PORT))
		out = lg_xstrdup("service httpbin has no port 8000");
	else
		out = NULL;
	free(st);
	return out;
}

static enum lg_err fetch_httpbin(struct lg_ctx *ctx, struct lg_result *res,
				 struct ing *g, struct lg_error *err)
{
	char *p1 = lg_xasprintf("/apis/apps/v1/namespaces/%s/deployments/"
				"httpbin",
				g->ns);
	char *p2 =
	    lg_xasprintf("/api/v1/namespaces/%s/services/httpbin", g->ns);
	enum lg_err rc = lg_expect_get(ctx->cluster, res, p1, &g->dep, err);

	if (rc == LG_OK || rc == LG_ENOTFOUND)
		rc = lg_expect_get(ctx->cluster, res, p2, &g->hsvc, err);
	free(p1);
	free(p2);
	return rc == LG_ENOTFOUND ? LG_OK : rc;
}

static void assert_httpbin(struct lg_ctx *ctx, struct lg_result *res,
			   const struct ing *g)
{
	char *bad = httpbin_observed(g->dep, g->hsvc);
	char *hint = lg_xasprintf(
	    LG_TR(ctx,
		  "despliega httpbin en %s: `kubectl apply -n %s -f "
		  "samples/httpbin/httpbin.yaml` y espera a `kubectl "
		  "rollout status -n %s deployment/httpbin`",
		  "deploy httpbin in %s: `kubectl apply -n %s -f "
		  "samples/httpbin/httpbin.yaml` and wait for `kubectl "
		  "rollout status -n %s deployment/httpbin`"),
	    g->ns, g->ns, g->ns);

	lg_check_assert(ctx, res, "httpbin-ready", !bad,
			"deployment httpbin available, service httpbin "
			"port 8000",
			bad ? bad : "ready", hint);
	free(hint);
	free(bad);
}

/*
 * Nothing of the step is there (no httpbin, no gateway made for its
 * host): the student has not started it, so its assertions are pending
 * (or taken from the journal), not failed.
 */
static bool untouched(struct lg_ctx *ctx, struct lg_result *res,
		      const struct ing *g)
{
	char *how;

	if (g->dep || g->hsvc || g->d.kind != LG_INGRESS_NONE)
		return false;
	how = lg_xasprintf(
	    LG_TR(ctx,
		  "`kubectl apply -f samples/httpbin/httpbin.yaml` y el "
		  "gateway de httpbin para %s (`kubectl apply -f "
		  "httpbin-gateway.yaml`), sin -n: van a %s",
		  "`kubectl apply -f samples/httpbin/httpbin.yaml` and "
		  "httpbin's gateway for %s (`kubectl apply -f "
		  "httpbin-gateway.yaml`), without -n: they go to %s"),
	    g->host, g->ns);
	lg_check_step_from_journal(ctx, res, "httpbin", how);
	free(how);
	return true;
}

/* ---- the gateway the mesh picks for the host ---- */

/* Read the routing objects of every namespace into the model. */
static enum lg_err read_mesh(struct lg_ctx *ctx, struct lg_result *res,
			     struct ing *g, struct lg_error *err)
{
	static const char *const paths[] = {
	    ISTIO_V1 "gateways", ISTIO_V1 "virtualservices",
	    GWAPI_V1 "gateways", GWAPI_V1 "httproutes", "/api/v1/pods"};
	enum lg_err rc = LG_OK;
	size_t i;

	for (i = 0; i < LG_ARRAY_SIZE(paths) && rc == LG_OK; i++) {
		cJSON *list = NULL;

		rc = lg_expect_list(ctx->cluster, res, paths[i], &list, err);
		if (rc == LG_OK)
			rc = lg_mesh_add_list(&g->mesh, list, NULL, err);
		if (rc == LG_OK && i == LG_ARRAY_SIZE(paths) - 1)
			g->pods = list;
		else
			cJSON_Delete(list);
	}
	/* the pod list is complete even when it is empty */
	if (rc == LG_OK)
		lg_mesh_set_pods_known(&g->mesh);
	return rc;
}

static char *need_vs_hint(struct lg_ctx *ctx, const struct ing *g,
			  const char *gw)
{
	return lg_xasprintf(
	    LG_TR(ctx,
		  "falta el VirtualService que une httpbin al Gateway (el "
		  "texto del laboratorio lo omite): aplica en %s un "
		  "VirtualService con hosts [%s], gateways [%s] y una ruta "
		  "a host httpbin, puerto 8000",
		  "the VirtualService that binds httpbin to the Gateway is "
		  "missing (the lab text omits it): apply in %s a "
		  "VirtualService with hosts [%s], gateways [%s] and a route "
		  "to host httpbin, port 8000"),
	    g->ns, g->host, gw);
}

static char *no_pod_hint(struct lg_ctx *ctx)
{
	return lg_xstrdup(LG_TR(
	    ctx,
	    "el Gateway selecciona istio: ingressgateway, pero el perfil "
	    "demo-profile-no-gateways no instala ningún ingress gateway, así "
	    "que no se aplica a nada (istioctl analyze: IST0101, selector "
	    "not found). Dos salidas: instala uno (`" INSTALL_GW
	    "`, o el chart de Helm gateway) o usa la versión Gateway API de "
	    "la tarea (un Gateway de clase istio con un listener para "
	    "httpbin.example.com y un HTTPRoute a httpbin:8000)",
	    "the Gateway selects istio: ingressgateway, but the "
	    "demo-profile-no-gateways profile installs no ingress gateway, "
	    "so it binds to nothing (istioctl analyze: IST0101, selector not "
	    "found). Two ways out: install one (`" INSTALL_GW
	    "`, or the Helm gateway chart) or use the task's Gateway API "
	    "version (a Gateway of class istio with a listener for "
	    "httpbin.example.com and an HTTPRoute to httpbin:8000)"));
}

/* The Istio Gateway side: no pod behind it, no VirtualService. */
static void judge_istio(struct lg_ctx *ctx, struct ing *g)
{
	const struct lg_mesh_gateway *gw = g->d.gw;
	char *sel = gw->selector.n
			? lg_xasprintf("%s: %s", gw->selector.keys[0],
				       gw->selector.values[0])
			: lg_xstrdup("nothing");
	bool routed = g->d.kind == LG_INGRESS_ROUTED;

	if (g->d.no_gateway_pod) {
		g->problem = lg_xasprintf(
		    "Istio Gateway %s/%s selects %s, but no pod has these "
		    "labels (IST0101)%s",
		    gw->meta.ns, gw->meta.name, sel,
		    routed ? ""
			   : "; and no VirtualService binds httpbin to it");
		g->hint = no_pod_hint(ctx);
	} else if (!routed) {
		g->problem =
		    lg_xasprintf("Istio Gateway %s/%s listens for %s, "
				 "but no VirtualService binds %s to "
				 "it",
				 gw->meta.ns, gw->meta.name, g->host, g->path);
		g->hint = need_vs_hint(ctx, g, gw->meta.name);
	}
	if (g->d.no_gateway_pod && !routed) {
		char *vs = need_vs_hint(ctx, g, gw->meta.name);
		char *both = lg_xasprintf("%s; %s", g->hint, vs);

		free(g->hint);
		free(vs);
		g->hint = both;
	}
	free(sel);
}

static void judge_api(struct lg_ctx *ctx, struct ing *g)
{
	const struct lg_mesh_kgateway *k = g->d.kgw;

	if (g->d.kind == LG_INGRESS_ROUTED)
		return;
	g->problem = lg_xasprintf("Gateway API Gateway %s/%s listens for %s, "
				  "but no HTTPRoute attached to it sends %s "
				  "to httpbin",
				  k->meta.ns, k->meta.name, g->host, g->path);
	g->hint = lg_xasprintf(
	    LG_TR(ctx,
		  "aplica un HTTPRoute con parentRefs [%s], hostnames [%s] "
		  "y backendRefs httpbin puerto 8000 en %s",
		  "apply an HTTPRoute with parentRefs [%s], hostnames [%s] and "
		  "backendRefs httpbin port 8000 in %s"),
	    k->meta.name, g->host, k->meta.ns);
}

/* A route that takes the request but sends it elsewhere. */
static void judge_backend(struct lg_ctx *ctx, struct ing *g)
{
	const char *b = g->d.backend_host ? g->d.backend_host : "?";
	unsigned port = g->d.backend_port;

	if (g->problem || g->d.kind != LG_INGRESS_ROUTED ||
	    (!strcmp(b, g->backend) && (!port || port == HTTPBIN_PORT)))
		return;
	g->problem = lg_xasprintf("%s routes %s to %s port %u, not httpbin "
				  "(%s) port 8000",
				  g->gwname, g->path, b, port, g->backend);
	g->hint = lg_xasprintf(
	    LG_TR(ctx,
		  "la ruta debe llevar a host httpbin (el Service de %s), "
		  "puerto 8000: `kubectl get svc -n %s httpbin`",
		  "the route must go to host httpbin (the Service in %s), "
		  "port 8000: `kubectl get svc -n %s httpbin`"),
	    g->ns, g->ns);
}

static void judge_none(struct lg_ctx *ctx, struct ing *g)
{
	g->problem =
	    lg_xasprintf("no gateway listens for %s on port 80", g->host);
	g->hint = lg_xasprintf(
	    LG_TR(ctx,
		  "crea el Gateway de httpbin en %s: `kubectl apply -n %s -f "
		  "httpbin-gateway.yaml` (Gateway API: un Gateway de clase "
		  "istio con hostname %s, puerto 80, y su HTTPRoute)",
		  "create httpbin's Gateway in %s: `kubectl apply -n %s -f "
		  "httpbin-gateway.yaml` (Gateway API: a Gateway of class "
		  "istio with hostname %s, port 80, and its HTTPRoute)"),
	    g->ns, g->ns, g->host);
}

static bool names_host(const char *h, const char *host)
{
	const char *slash = h ? strchr(h, '/') : NULL;

	return h && !strcasecmp(slash ? slash + 1 : h, host);
}

static bool kgw_names(const struct lg_mesh_kgateway *k, const char *host)
{
	size_t i;

	for (i = 0; k && i < k->nlisteners; i++)
		if (k->listeners[i].port == 80 &&
		    names_host(k->listeners[i].hostname, host))
			return true;
	return false;
}

static bool gw_names(const struct lg_mesh_gateway *gw, const char *host)
{
	size_t i, j;

	for (i = 0; gw && i < gw->nservers; i++)
		for (j = 0;
		     gw->servers[i].port == 80 && j < gw->servers[i].nhosts;
		     j++)
			if (names_host(gw->servers[i].hosts[j], host))
				return true;
	return false;
}

/*
 * When no route takes the request, the gateway to explain is the one
 * made for the host (httpbin's), not one that listens for any host
 * (Bookinfo's Gateway API listener has no hostname). False when only
 * such a catch-all gateway listens: then no gateway was made for httpbin.
 */
static bool prefer_named(struct ing *g)
{
	const struct lg_mesh *m = &g->mesh;
	size_t i;

	if (g->d.kind != LG_INGRESS_NO_ROUTE || kgw_names(g->d.kgw, g->host) ||
	    gw_names(g->d.gw, g->host))
		return true;
	for (i = 0; i < m->nkgw; i++)
		if (kgw_names(&m->kgw[i], g->host)) {
			memset(&g->d, 0, sizeof(g->d));
			g->d.kind = LG_INGRESS_NO_ROUTE;
			g->d.kgw = &m->kgw[i];
			return true;
		}
	for (i = 0; i < m->ngw; i++)
		if (gw_names(&m->gw[i], g->host)) {
			memset(&g->d, 0, sizeof(g->d));
			g->d.kind = LG_INGRESS_NO_ROUTE;
			g->d.gw = &m->gw[i];
			g->d.no_gateway_pod =
			    !lg_gwfind_gateway_pod(&m->gw[i], g->pods);
			return true;
		}
	return false;
}

static void judge_config(struct lg_ctx *ctx, struct ing *g)
{
	g->backend = lg_mesh_fqdn("httpbin", g->ns);
	lg_mesh_ingress_route(&g->mesh, g->host, 80, g->path, &g->d);
	if (!prefer_named(g))
		memset(&g->d, 0, sizeof(g->d));
	if (g->d.kgw)
		g->gwname =
		    lg_xasprintf("Gateway API Gateway %s/%s", g->d.kgw->meta.ns,
				 g->d.kgw->meta.name);
	else if (g->d.gw)
		g->gwname = lg_xasprintf("Istio Gateway %s/%s",
					 g->d.gw->meta.ns, g->d.gw->meta.name);
	if (g->d.kind == LG_INGRESS_NONE)
		judge_none(ctx, g);
	else if (g->d.gw)
		judge_istio(ctx, g);
	else
		judge_api(ctx, g);
	judge_backend(ctx, g);
}

static void assert_gateway(struct lg_ctx *ctx, struct lg_result *res,
			   const struct ing *g)
{
	char *exp = lg_xasprintf("a gateway for %s:80 routing %s to httpbin "
				 "port 8000",
				 g->host, g->path);
	char *obs =
	    g->problem
		? NULL
		: lg_xasprintf("%s, %s %s/%s -> %s", g->gwname,
			       g->d.vs ? "VirtualService" : "HTTPRoute",
			       g->d.vs ? g->d.vs->meta.ns : g->d.route->meta.ns,
			       g->d.vs ? g->d.vs->meta.name
				       : g->d.route->meta.name,
			       g->backend);

	lg_check_assert(ctx, res, "httpbin-gateway", !g->problem, exp,
			g->problem ? g->problem : obs, g->hint);
	free(exp);
	free(obs);
}

/* ---- live ---- */

/* Ready pods of the chosen gateway. */
static size_t gateway_ready_pods(const struct ing *g)
{
	const cJSON *p;
	size_t n = 0;

	cJSON_ArrayForEach(p, g->pods)
	{
		const char *name = lg_expect_label(
		    p, "gateway.networking.k8s.io/gateway-name");
		const char *pns =
		    lg_expect_str(p, "metadata", "namespace", NULL);
		bool mine =
		    g->d.kgw
			? name && pns && !strcmp(name, g->d.kgw->meta.name) &&
			      !strcmp(pns, g->d.kgw->meta.ns)
			: g->svc &&
			      lg_expect_selector_matches(
				  lg_expect_at(g->svc, "spec", "selector",
					       NULL),
				  lg_expect_at(p, "metadata", "labels", NULL));

		if (mine && lg_expect_pod_is_ready(p))
			n++;
	}
	return n;
}

static void answered(struct lg_ctx *ctx, struct lg_result *res,
		     const struct ing *g, const char *url, const char *how,
		     long status)
{
	char *obs = lg_xasprintf("GET %s with Host %s (%s): HTTP %ld", url,
				 g->host, how, status);
	char *hint = lg_xasprintf(
	    status == 404
		? LG_TR(ctx,
			"el gateway de %s responde pero no tiene ruta para "
			"Host %s: revisa su VirtualService o HTTPRoute "
			"(`kubectl get virtualservice,httproute -A`)%s",
			"the gateway at %s answers but has no route for Host "
			"%s: check its VirtualService or HTTPRoute (`kubectl "
			"get virtualservice,httproute -A`)%s")
		: LG_TR(ctx,
			"el gateway de %s no obtiene un 200 de httpbin para "
			"Host %s: `kubectl get pods -l app=httpbin -A`%s",
			"the gateway at %s gets no 200 from httpbin for Host "
			"%s: `kubectl get pods -l app=httpbin -A`%s"),
	    url, g->host,
	    ctx->ingress_url ? LG_TR(ctx,
				     "; ¿es --ingress-url el port-forward del "
				     "gateway de httpbin y no el de Bookinfo?",
				     "; is --ingress-url the port-forward of "
				     "httpbin's gateway, not Bookinfo's?")
			     : "");

	lg_check_assert(ctx, res, "httpbin-reachable", status == 200,
			"HTTP 200", obs, hint);
	free(obs);
	free(hint);
}

/* One GET at one address; false (reason in why) when nothing answered. */
static bool try_one(struct lg_ctx *ctx, struct lg_result *res,
		    const struct ing *g, const struct lg_gw_candidate *cand,
		    struct lg_buf *why)
{
	struct lg_probe_resp r = {0};
	struct lg_probe_req q = {0};
	struct lg_error err = {0};
	char *url = lg_xasprintf("%s%s", cand->url, g->path);
	bool ok;

	q.url = url;
	q.host = g->host;
	q.timeout_ms = (long)lg_param_num(ctx, "request-timeout-ms", 10000);
	ok = lg_probe(&q, &r, &err) == LG_OK;
	if (ok) {
		lg_result_evidencef(res, "GET %s Host %s (%s): HTTP %ld", url,
				    g->host, cand->how, r.status);
		answered(ctx, res, g, url, cand->how, r.status);
	} else {
		lg_result_evidencef(res, "GET %s Host %s (%s): %s", url,
				    g->host, cand->how, err.msg);
		if (!why->len)
			lg_buf_adds(why, err.msg);
	}
	free(url);
	lg_probe_resp_release(&r);
	return ok;
}

static char *svc_name(const struct ing *g)
{
	const char *ns = lg_expect_str(g->svc, "metadata", "namespace", NULL);

	return lg_xasprintf("%s/%s", ns ? ns : g->ns, lg_expect_name(g->svc));
}

/* Nothing answered: the student's fault (fail) or the path's (error). */
static enum lg_verdict unreachable(struct lg_ctx *ctx, struct lg_result *res,
				   const struct ing *g, const char *why)
{
	char *hint = NULL, *svc;
	enum lg_verdict v;

	if (g->problem)
		hint = lg_xstrdup(LG_TR(ctx,
					"primero configura el gateway (ver "
					"httpbin-gateway)",
					"configure the gateway first (see "
					"httpbin-gateway)"));
	else if (!g->svc || !gateway_ready_pods(g))
		hint = lg_xasprintf(
		    LG_TR(ctx,
			  "el gateway (%s) no tiene Service o ningún pod "
			  "listo: `kubectl get pods,svc -A -o wide | grep "
			  "gateway`",
			  "the gateway (%s) has no Service or no ready pod: "
			  "`kubectl get pods,svc -A -o wide | grep gateway`"),
		    g->gwname);
	if (hint) {
		lg_check_assert(ctx, res, "httpbin-reachable", false,
				"HTTP 200", why, hint);
		free(hint);
		return lg_result_finish(res);
	}
	svc = svc_name(g);
	v = lg_result_errorf(
	    res,
	    LG_TR(ctx,
		  "el gateway de httpbin parece sano pero labgrade no puede "
		  "conectar (%s); abre un túnel con `kubectl port-forward -n "
		  "%.*s svc/%s 8081:80` y usa --ingress-url "
		  "http://127.0.0.1:8081",
		  "httpbin's gateway looks healthy but labgrade cannot "
		  "connect (%s); open a tunnel with `kubectl port-forward -n "
		  "%.*s svc/%s 8081:80` and use --ingress-url "
		  "http://127.0.0.1:8081"),
	    why, (int)strcspn(svc, "/"), svc, strchr(svc, '/') + 1);
	free(svc);
	return v;
}

static enum lg_verdict probe(struct lg_ctx *ctx, struct lg_result *res,
			     struct ing *g)
{
	struct lg_gw_candidates cands = {0};
	struct lg_error err = {0};
	struct lg_buf why = LG_BUF_INIT;
	enum lg_verdict v;
	size_t i;

	if (ctx->ingress_url)
		lg_gwfind_add(&cands, ctx->ingress_url, "--ingress-url");
	else if (g->svc &&
		 lg_gwfind_service(ctx->cluster, res, g->svc, &cands, &err)) {
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	for (i = 0; i < cands.n; i++) {
		if (try_one(ctx, res, g, &cands.items[i], &why)) {
			v = lg_result_finish(res);
			goto out;
		}
	}
	v = unreachable(ctx, res, g,
			why.len ? why.buf : "no address for httpbin's gateway");
out:
	lg_buf_release(&why);
	lg_gwfind_release(&cands);
	return v;
}

static const char *httpbin_ns(struct lg_ctx *ctx)
{
	const char *ns = lg_cluster_namespace(ctx->cluster);

	return lg_param_str(ctx, "httpbin-namespace",
			    ns && *ns ? ns : "default");
}

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res)
{
	struct lg_error err = {0};
	struct ing g = {0};
	enum lg_verdict v;

	g.ns = httpbin_ns(ctx);
	g.host = lg_param_str(ctx, "httpbin-host", "httpbin.example.com");
	g.path = lg_param_str(ctx, "httpbin-path", "/status/200");
	if (fetch_httpbin(ctx, res, &g, &err) != LG_OK ||
	    read_mesh(ctx, res, &g, &err) != LG_OK)
		goto error;
	judge_config(ctx, &g);
	if (untouched(ctx, res, &g)) {
		v = lg_result_finish(res);
		goto out;
	}
	assert_httpbin(ctx, res, &g);
	assert_gateway(ctx, res, &g);
	if (lg_gwfind_ingress_service(ctx->cluster, res, &g.d, g.pods, &g.svc,
				      &err) != LG_OK)
		goto error;
	if (g.svc)
		lg_result_evidencef(res, "httpbin's gateway Service: %s",
				    lg_expect_name(g.svc));
	v = probe(ctx, res, &g);
	goto out;
error:
	v = lg_result_errorf(res, "%s", err.msg);
out:
	ing_release(&g);
	return v;
}

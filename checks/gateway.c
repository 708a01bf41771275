/* SPDX-License-Identifier: MIT */
/* gateway.c: objective 3, Bookinfo reachable through a gateway. */
/*
 * Objective: "Expose Bookinfo through a gateway (kubectl apply -n bookinfo
 * -f samples/bookinfo/gateway-api/bookinfo-gateway.yaml) and open
 * /productpage through it."
 *
 * Evidence: the Gateway API Gateway named by the rubric's gateway-name and
 * an HTTPRoute attached to it that sends productpage-path to the Service
 * productpage; or, the other realisation the lab text allows, an Istio
 * (networking.istio.io) Gateway with a VirtualService bound to it, plus the
 * pods its selector picks. Then the Gateway's status (Programmed), its
 * Service and its pods, and finally one GET of productpage-path through the
 * gateway: the URL, how it was found, the status and the page marker.
 *
 * Why the rule is right: configuration alone is not the objective, the
 * page is; but when the page cannot be fetched, the configuration and the
 * gateway's pods tell whether the student's cluster is at fault (FAIL with
 * the fix) or only our path to it (ERROR: the grader cannot tell). An Istio
 * Gateway whose selector matches no pod does nothing: the lab's profile,
 * demo-profile-no-gateways, installs no ingress gateway (istioctl analyze
 * reports it as IST0101).
 */
#include <stdlib.h>
#include <string.h>

#include "../harness/expect.h"
#include "../harness/gwfind.h"
#include "../harness/i18n.h"
#include "../harness/probe.h"
#include "check.h"

#define GW_APPLY                                                               \
	"kubectl apply -n %s -f "                                              \
	"samples/bookinfo/gateway-api/bookinfo-gateway.yaml"
#define GWAPI "/apis/gateway.networking.k8s.io/v1/namespaces/"
#define ISTIO "/apis/networking.istio.io/v1/namespaces/"
#define GW_POD_LABEL "gateway.networking.k8s.io/gateway-name"

/* What was found of the gateway; everything owned. */
struct gw {
	const char *ns, *name, *path;
	bool api;      /* Gateway API; else an Istio Gateway */
	cJSON *obj;    /* the Gateway */
	char *route;   /* HTTPRoute or VirtualService that routes the path */
	cJSON *pods;   /* the gateway's pods */
	cJSON *svc;    /* the gateway's Service */
	char *problem; /* why it is not configured (observed) */
	char *hint;
};

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res);
static enum lg_err find_api(struct lg_ctx *ctx, struct lg_result *res,
			    struct gw *g, struct lg_error *err);
static enum lg_err find_istio(struct lg_ctx *ctx, struct lg_result *res,
			      struct gw *g, struct lg_error *err);
static void assert_programmed(struct lg_ctx *ctx, struct lg_result *res,
			      struct gw *g);
static enum lg_verdict probe(struct lg_ctx *ctx, struct lg_result *res,
			     struct gw *g);

static const char *const prereqs[] = {"istio-install", NULL};

static const struct lg_assert_def asserts[] = {
    {"gateway-configured",
     "Gateway con una ruta de la ruta de productpage a productpage",
     "a Gateway with a route sending the productpage path to productpage",
     NULL},
    {"gateway-programmed", "Gateway programado: Service y pods listos",
     "Gateway programmed: Service and pods ready", NULL},
    {"productpage-reachable",
     "la página de Bookinfo responde a través del gateway",
     "the Bookinfo page answers through the gateway", NULL},
};

const struct lg_check lg_check_gateway = {
    .id = "gateway",
    .objective = 3,
    .title_es = "Gateway de entrada a Bookinfo",
    .title_en = "Ingress gateway for Bookinfo",
    .prereqs = prereqs,
    .flags = 0,
    .asserts = asserts,
    .nasserts = LG_ARRAY_SIZE(asserts),
    .run = run,
};

static void gw_release(struct gw *g)
{
	cJSON_Delete(g->obj);
	cJSON_Delete(g->pods);
	cJSON_Delete(g->svc);
	free(g->route);
	free(g->problem);
	free(g->hint);
}

/* The pods of an array that a selector map picks (copies). */
static cJSON *select_pods(const cJSON *pods, const cJSON *sel)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *p;

	cJSON_ArrayForEach(p, pods)
	{
		if (!lg_expect_pod_is_gone(p) &&
		    lg_expect_selector_matches(
			sel, lg_expect_at(p, "metadata", "labels", NULL)))
			cJSON_AddItemToArray(out, cJSON_Duplicate(p, true));
	}
	return out;
}

static size_t ready_pods(const cJSON *pods)
{
	const cJSON *p;
	size_t n = 0;

	cJSON_ArrayForEach(p, pods)
	{
		if (lg_expect_pod_is_ready(p))
			n++;
	}
	return n;
}

static void assert_configured(struct lg_ctx *ctx, struct lg_result *res,
			      struct gw *g)
{
	char *exp = lg_xasprintf("Gateway %s/%s + route %s -> productpage",
				 g->ns, g->name, g->path);
	char *obs =
	    g->problem
		? NULL
		: lg_xasprintf("%s %s/%s, %s %s",
			       g->api ? "Gateway API Gateway" : "Istio Gateway",
			       g->ns, lg_expect_name(g->obj),
			       g->api ? "HTTPRoute" : "VirtualService",
			       g->route);

	lg_check_assert(ctx, res, "gateway-configured", !g->problem, exp,
			g->problem ? g->problem : obs, g->hint);
	free(exp);
	free(obs);
}

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res)
{
	struct lg_error err = {0};
	struct gw g = {0};
	enum lg_verdict v;

	g.ns = lg_param_str(ctx, "bookinfo-namespace", "bookinfo");
	g.name = lg_param_str(ctx, "gateway-name", "bookinfo-gateway");
	g.path = lg_param_str(ctx, "productpage-path", "/productpage");
	if (find_api(ctx, res, &g, &err) != LG_OK ||
	    (!g.obj && find_istio(ctx, res, &g, &err) != LG_OK)) {
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	if (!g.obj && !g.problem) {
		g.problem = lg_xasprintf("no Gateway %s in %s", g.name, g.ns);
		g.hint = lg_xasprintf(
		    LG_TR(ctx, "crea el Gateway y su HTTPRoute: `" GW_APPLY "`",
			  "create the Gateway and its HTTPRoute: `" GW_APPLY
			  "`"),
		    g.ns);
	}
	assert_configured(ctx, res, &g);
	assert_programmed(ctx, res, &g);
	v = probe(ctx, res, &g);
out:
	gw_release(&g);
	return v;
}

/* PathPrefix matches whole path elements: /api covers /api/x, not /apix. */
static bool is_path_prefix(const char *prefix, const char *path)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) != 0)
		return false;
	return n == 0 || prefix[n - 1] == '/' || path[n] == '\0' ||
	       path[n] == '/';
}

/* Does an HTTPRoute rule match path? No matches means every path. */
static bool rule_matches(const cJSON *rule, const char *path)
{
	const cJSON *ms = lg_expect_at(rule, "matches", NULL);
	const cJSON *m;

	if (!cJSON_IsArray(ms) || cJSON_GetArraySize(ms) == 0)
		return true;
	cJSON_ArrayForEach(m, ms)
	{
		const char *t = lg_expect_str(m, "path", "type", NULL);
		const char *v = lg_expect_str(m, "path", "value", NULL);

		if (!lg_expect_at(m, "path", NULL))
			return true;
		if (!v)
			continue;
		if ((!t || strcmp(t, "PathPrefix") == 0) &&
		    is_path_prefix(v, path))
			return true;
		if (t && strcmp(t, "Exact") == 0 && strcmp(path, v) == 0)
			return true;
	}
	return false;
}

static bool rule_to(const cJSON *rule, const char *arr, const char *key,
		    const char *svc)
{
	const cJSON *refs = lg_expect_at(rule, arr, NULL);
	const cJSON *r;

	cJSON_ArrayForEach(r, refs)
	{
		const char *n = lg_expect_str(r, key, NULL);

		if (!n && strcmp(key, "destination") == 0)
			n = lg_expect_str(r, "destination", "host", NULL);
		if (n && strncmp(n, svc, strlen(svc)) == 0 &&
		    (n[strlen(svc)] == '\0' || n[strlen(svc)] == '.'))
			return true;
	}
	return false;
}

static bool route_attached(const cJSON *route, const struct gw *g)
{
	const cJSON *refs = lg_expect_at(route, "spec", "parentRefs", NULL);
	const cJSON *r;

	cJSON_ArrayForEach(r, refs)
	{
		const char *n = lg_expect_str(r, "name", NULL);
		const char *ns = lg_expect_str(r, "namespace", NULL);
		const char *kind = lg_expect_str(r, "kind", NULL);

		if (n && strcmp(n, g->name) == 0 &&
		    (!ns || strcmp(ns, g->ns) == 0) &&
		    (!kind || strcmp(kind, "Gateway") == 0))
			return true;
	}
	return false;
}

/* The first HTTPRoute attached to the Gateway that routes the path. */
static const char *find_httproute(const cJSON *routes, const struct gw *g,
				  bool *attached)
{
	const cJSON *rt, *rule;

	*attached = false;
	cJSON_ArrayForEach(rt, routes)
	{
		if (!route_attached(rt, g))
			continue;
		*attached = true;
		cJSON_ArrayForEach(rule,
				   lg_expect_at(rt, "spec", "rules", NULL))
		{
			if (rule_matches(rule, g->path) &&
			    rule_to(rule, "backendRefs", "name", "productpage"))
				return lg_expect_name(rt);
		}
	}
	return NULL;
}

/* The first backendRef name of the first rule of route that matches the
 * path, or NULL when no rule matches it. */
static const char *path_backend(const cJSON *route, const char *path,
				bool *matched)
{
	const cJSON *rule;

	*matched = false;
	cJSON_ArrayForEach(rule, lg_expect_at(route, "spec", "rules", NULL))
	{
		if (!rule_matches(rule, path))
			continue;
		*matched = true;
		return lg_expect_str(
		    cJSON_GetArrayItem(lg_expect_at(rule, "backendRefs", NULL),
				       0),
		    "name", NULL);
	}
	return NULL;
}

/* An attached HTTPRoute that does not send the path to productpage: which
 * rule is wrong, and how. */
static void attached_wrong(struct lg_ctx *ctx, struct gw *g, const cJSON *route)
{
	bool matched;
	const char *be = path_backend(route, g->path, &matched);
	const char *rn = lg_expect_name(route);

	if (matched)
		g->problem = lg_xasprintf(
		    "HTTPRoute %s/%s sends %s to %s, not to productpage", g->ns,
		    rn, g->path, be ? be : "no backend");
	else
		g->problem = lg_xasprintf(
		    "HTTPRoute %s/%s is attached to Gateway %s but "
		    "none of its rules matches %s",
		    g->ns, rn, g->name, g->path);
	g->hint = lg_xasprintf(
	    LG_TR(
		ctx,
		"corrige la HTTPRoute %s (`kubectl edit httproute %s -n "
		"%s`): una regla que case %s con backendRefs productpage "
		"puerto 9080, o vuelve a aplicar la del laboratorio: `" GW_APPLY
		"`",
		"fix HTTPRoute %s (`kubectl edit httproute %s -n %s`): a "
		"rule matching %s with backendRefs productpage port 9080, "
		"or re-apply the lab's: `" GW_APPLY "`"),
	    rn, rn, g->ns, g->path, g->ns);
}

/* The reason of a route's Accepted=False parent status, or NULL. */
static const char *route_refused(const cJSON *route)
{
	const cJSON *p, *c;

	cJSON_ArrayForEach(p, lg_expect_at(route, "status", "parents", NULL))
	{
		cJSON_ArrayForEach(c, lg_expect_at(p, "conditions", NULL))
		{
			const char *t = lg_expect_str(c, "type", NULL);
			const char *st = lg_expect_str(c, "status", NULL);

			if (t && st && strcmp(t, "Accepted") == 0 &&
			    strcmp(st, "False") == 0)
				return lg_expect_str(c, "reason", NULL);
		}
	}
	return NULL;
}

/* An HTTPRoute of the namespace whose parentRefs name another Gateway
 * (a typo in parentRefs): name it. */
static bool misparented(struct lg_ctx *ctx, struct gw *g, const cJSON *routes)
{
	const cJSON *rt;

	cJSON_ArrayForEach(rt, routes)
	{
		bool matched;
		const char *be = path_backend(rt, g->path, &matched);
		const char *parent = lg_expect_str(
		    cJSON_GetArrayItem(
			lg_expect_at(rt, "spec", "parentRefs", NULL), 0),
		    "name", NULL);
		const char *why = route_refused(rt);

		if (!matched || !be || !parent)
			continue;
		g->problem = lg_xasprintf(
		    "HTTPRoute %s/%s routes %s but its parentRefs name "
		    "Gateway %s, not %s%s%s",
		    g->ns, lg_expect_name(rt), g->path, parent, g->name,
		    why ? ": Accepted=False, " : "", why ? why : "");
		g->hint = lg_xasprintf(
		    LG_TR(ctx,
			  "en la HTTPRoute %s pon parentRefs: [{name: %s}] "
			  "(`kubectl edit httproute %s -n %s`)",
			  "in HTTPRoute %s set parentRefs: [{name: %s}] "
			  "(`kubectl edit httproute %s -n %s`)"),
		    lg_expect_name(rt), g->name, lg_expect_name(rt), g->ns);
		return true;
	}
	return false;
}

/* Does one of route's parentRefs name our Gateway from another
 * namespace? */
static bool refers_from_elsewhere(const cJSON *route, const struct gw *g)
{
	const char *rns = lg_expect_str(route, "metadata", "namespace", NULL);
	const cJSON *r;

	if (!rns || strcmp(rns, g->ns) == 0)
		return false;
	cJSON_ArrayForEach(r, lg_expect_at(route, "spec", "parentRefs", NULL))
	{
		const char *n = lg_expect_str(r, "name", NULL);
		const char *ns = lg_expect_str(r, "namespace", NULL);

		if (n && ns && strcmp(n, g->name) == 0 &&
		    strcmp(ns, g->ns) == 0)
			return true;
	}
	return false;
}

/* Does some listener of the Gateway admit routes of other namespaces
 * (allowedRoutes.namespaces.from All or Selector; Same by default)? */
static bool admits_others(const struct gw *g)
{
	const cJSON *l;

	cJSON_ArrayForEach(l, lg_expect_at(g->obj, "spec", "listeners", NULL))
	{
		const char *from = lg_expect_str(l, "allowedRoutes",
						 "namespaces", "from", NULL);

		if (from && strcmp(from, "Same") != 0)
			return true;
	}
	return false;
}

/*
 * An HTTPRoute in another namespace that names our Gateway: the lab's
 * listener admits routes of its own namespace only (allowedRoutes
 * namespaces from: Same), so Istio refuses it (NotAllowedByListeners); a
 * listener that admits other namespaces takes it.
 * Listing every namespace's routes is a diagnosis only: when RBAC or the
 * API refuses it, the check goes on without it (the evidence says so).
 */
static void elsewhere(struct lg_ctx *ctx, struct lg_result *res, struct gw *g)
{
	struct lg_error err = {0};
	cJSON *all = NULL;
	const cJSON *rt;

	if (lg_expect_list(ctx->cluster, res,
			   "/apis/gateway.networking.k8s.io/v1/httproutes",
			   &all, &err) != LG_OK)
		return;
	cJSON_ArrayForEach(rt, all)
	{
		const char *rns =
		    lg_expect_str(rt, "metadata", "namespace", NULL);
		const char *why = route_refused(rt);

		if (!refers_from_elsewhere(rt, g))
			continue;
		if (admits_others(g) && !why) {
			g->route =
			    lg_xasprintf("%s/%s", rns, lg_expect_name(rt));
			break;
		}
		g->problem = lg_xasprintf(
		    "HTTPRoute %s/%s is in namespace %s; Gateway %s admits "
		    "routes of namespace %s only%s%s",
		    rns, lg_expect_name(rt), rns, g->name, g->ns,
		    why ? ": Accepted=False, " : "", why ? why : "");
		g->hint = lg_xasprintf(
		    LG_TR(ctx,
			  "la HTTPRoute debe estar en el namespace %s: "
			  "`kubectl delete httproute %s -n %s` y `" GW_APPLY
			  "`",
			  "the HTTPRoute belongs in namespace %s: `kubectl "
			  "delete httproute %s -n %s`, then `" GW_APPLY "`"),
		    g->ns, lg_expect_name(rt), rns, g->ns);
		break;
	}
	cJSON_Delete(all);
}

/* No HTTPRoute of the namespace sends the path to productpage through our
 * Gateway: say which piece is wrong. */
static void route_problem(struct lg_ctx *ctx, struct lg_result *res,
			  struct gw *g, const cJSON *routes)
{
	const cJSON *rt;

	cJSON_ArrayForEach(rt, routes)
	{
		if (route_attached(rt, g)) {
			attached_wrong(ctx, g, rt);
			return;
		}
	}
	if (misparented(ctx, g, routes))
		return;
	elsewhere(ctx, res, g);
	if (g->problem || g->route)
		return;
	g->problem = lg_xasprintf(
	    "no HTTPRoute attached to Gateway %s (for %s)", g->name, g->path);
	g->hint = lg_xasprintf(
	    LG_TR(ctx, "aplica la HTTPRoute del laboratorio: `" GW_APPLY "`",
		  "apply the lab's HTTPRoute: `" GW_APPLY "`"),
	    g->ns);
}

/* The port of the productpage backendRef of the route's first rule that
 * matches the path; 0 when it names none. */
static int backend_port(const cJSON *route, const char *path)
{
	const cJSON *rule, *b;

	cJSON_ArrayForEach(rule, lg_expect_at(route, "spec", "rules", NULL))
	{
		if (!rule_matches(rule, path))
			continue;
		cJSON_ArrayForEach(b, lg_expect_at(rule, "backendRefs", NULL))
		{
			const char *n = lg_expect_str(b, "name", NULL);
			const cJSON *p = lg_expect_at(b, "port", NULL);

			if (n && strcmp(n, "productpage") == 0 &&
			    cJSON_IsNumber(p))
				return p->valueint;
		}
		return 0;
	}
	return 0;
}

static bool service_has_port(const cJSON *svc, int port)
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

/*
 * A backendRef to a port the Service does not serve: Istio builds no
 * cluster for it, so the gateway's Envoy answers 503 NC. Said from the
 * configuration, since the page alone would not tell why.
 */
static enum lg_err check_port(struct lg_ctx *ctx, struct lg_result *res,
			      struct gw *g, const cJSON *routes,
			      struct lg_error *err)
{
	const cJSON *rt = lg_expect_find_named(routes, g->route);
	int port = backend_port(rt, g->path);
	char *path =
	    lg_xasprintf("/api/v1/namespaces/%s/services/productpage", g->ns);
	cJSON *svc = NULL;
	enum lg_err rc = port
			     ? lg_expect_get(ctx->cluster, res, path, &svc, err)
			     : LG_ENOTFOUND;

	free(path);
	if (rc == LG_OK && !service_has_port(svc, port)) {
		g->problem = lg_xasprintf(
		    "HTTPRoute %s/%s sends %s to productpage port %d, a port "
		    "Service productpage does not serve (Envoy answers 503 NC)",
		    g->ns, g->route, g->path, port);
		g->hint = lg_xasprintf(
		    LG_TR(ctx,
			  "en la HTTPRoute %s usa el puerto 9080 de "
			  "productpage (`kubectl edit httproute %s -n %s`)",
			  "in HTTPRoute %s use productpage's port 9080 "
			  "(`kubectl edit httproute %s -n %s`)"),
		    g->route, g->route, g->ns);
	}
	cJSON_Delete(svc);
	return rc == LG_ENOTFOUND ? LG_OK : rc;
}

static enum lg_err find_api(struct lg_ctx *ctx, struct lg_result *res,
			    struct gw *g, struct lg_error *err)
{
	char *path = lg_xasprintf(GWAPI "%s/gateways/%s", g->ns, g->name);
	cJSON *routes = NULL;
	const char *rname;
	bool attached;
	enum lg_err rc = lg_expect_get(ctx->cluster, res, path, &g->obj, err);

	free(path);
	if (rc == LG_ENOTFOUND)
		return LG_OK;
	if (rc != LG_OK)
		return rc;
	g->api = true;
	path = lg_xasprintf(GWAPI "%s/httproutes", g->ns);
	rc = lg_expect_list(ctx->cluster, res, path, &routes, err);
	free(path);
	if (rc != LG_OK)
		return rc;
	rname = find_httproute(routes, g, &attached);
	if (rname) {
		g->route = lg_xstrdup(rname);
		rc = check_port(ctx, res, g, routes, err);
	} else {
		route_problem(ctx, res, g, routes);
	}
	cJSON_Delete(routes);
	return rc;
}

/* Is the VirtualService bound to gateway gname (name or ns/name)? */
static bool vs_bound(const cJSON *vs, const char *ns, const char *gname)
{
	const cJSON *gws = lg_expect_at(vs, "spec", "gateways", NULL);
	const cJSON *x;

	cJSON_ArrayForEach(x, gws)
	{
		const char *s = cJSON_IsString(x) ? x->valuestring : "";
		const char *slash = strchr(s, '/');

		if (!slash && strcmp(s, gname) == 0)
			return true;
		if (slash && strncmp(s, ns, (size_t)(slash - s)) == 0 &&
		    strlen(ns) == (size_t)(slash - s) &&
		    strcmp(slash + 1, gname) == 0)
			return true;
	}
	return false;
}

/* Does a VirtualService http route send path to productpage? */
static bool vs_routes(const cJSON *vs, const char *path)
{
	const cJSON *h, *m;

	cJSON_ArrayForEach(h, lg_expect_at(vs, "spec", "http", NULL))
	{
		const cJSON *ms = lg_expect_at(h, "match", NULL);
		bool hit = !cJSON_IsArray(ms) || cJSON_GetArraySize(ms) == 0;

		cJSON_ArrayForEach(m, ms)
		{
			const char *ex = lg_expect_str(m, "uri", "exact", NULL);
			const char *pre =
			    lg_expect_str(m, "uri", "prefix", NULL);

			if ((ex && strcmp(ex, path) == 0) ||
			    (pre && strncmp(path, pre, strlen(pre)) == 0) ||
			    !lg_expect_at(m, "uri", NULL))
				hit = true;
		}
		if (hit && rule_to(h, "route", "destination", "productpage"))
			return true;
	}
	return false;
}

static void bind_istio(const cJSON *gws, const cJSON *vss, struct gw *g)
{
	const cJSON *gw, *vs;

	cJSON_ArrayForEach(gw, gws)
	{
		cJSON_ArrayForEach(vs, vss)
		{
			if (vs_bound(vs, g->ns, lg_expect_name(gw)) &&
			    vs_routes(vs, g->path)) {
				g->obj = cJSON_Duplicate(gw, true);
				g->route = lg_xstrdup(lg_expect_name(vs));
				return;
			}
		}
	}
}

static enum lg_err istio_pods(struct lg_ctx *ctx, struct lg_result *res,
			      struct gw *g, struct lg_error *err)
{
	const cJSON *sel = lg_expect_at(g->obj, "spec", "selector", NULL);
	cJSON *all = NULL;
	char *s;
	enum lg_err rc =
	    lg_expect_list(ctx->cluster, res, "/api/v1/pods", &all, err);

	if (rc != LG_OK)
		return rc;
	g->pods = select_pods(all, sel);
	cJSON_Delete(all);
	if (cJSON_GetArraySize(g->pods) > 0)
		return LG_OK;
	s = cJSON_PrintUnformatted(sel);
	g->problem =
	    lg_xasprintf("Istio Gateway %s selects %s, but no pod "
			 "has these labels (istioctl analyze: IST0101)",
			 lg_expect_name(g->obj), s ? s : "nothing");
	g->hint = lg_xasprintf(
	    LG_TR(ctx,
		  "el perfil demo-profile-no-gateways no instala ningún "
		  "ingress gateway, así que este Gateway no se aplica a "
		  "nada; usa la Gateway API: `" GW_APPLY "`",
		  "the demo-profile-no-gateways profile installs no "
		  "ingress gateway, so this Gateway binds to nothing; use "
		  "the Gateway API: `" GW_APPLY "`"),
	    g->ns);
	free(s);
	return LG_OK;
}

static enum lg_err find_istio(struct lg_ctx *ctx, struct lg_result *res,
			      struct gw *g, struct lg_error *err)
{
	char *p1 = lg_xasprintf(ISTIO "%s/gateways", g->ns);
	char *p2 = lg_xasprintf(ISTIO "%s/virtualservices", g->ns);
	cJSON *gws = NULL, *vss = NULL;
	enum lg_err rc = lg_expect_list(ctx->cluster, res, p1, &gws, err);

	if (rc == LG_OK)
		rc = lg_expect_list(ctx->cluster, res, p2, &vss, err);
	if (rc == LG_OK)
		bind_istio(gws, vss, g);
	if (rc == LG_OK && g->obj)
		rc = istio_pods(ctx, res, g, err);
	else if (rc == LG_OK && cJSON_GetArraySize(gws) > 0) {
		g->problem = lg_xasprintf("Istio Gateway(s) in %s, but no "
					  "VirtualService bound to one sends "
					  "%s to productpage",
					  g->ns, g->path);
		g->hint = lg_xasprintf(
		    LG_TR(ctx,
			  "el Gateway necesita un VirtualService con "
			  "`gateways: [NOMBRE]` que lleve %s a "
			  "productpage; o usa la Gateway API: `" GW_APPLY "`",
			  "the Gateway needs a VirtualService with "
			  "`gateways: [NAME]` routing %s to productpage; "
			  "or use the Gateway API: `" GW_APPLY "`"),
		    g->path, g->ns);
	}
	free(p1);
	free(p2);
	cJSON_Delete(gws);
	cJSON_Delete(vss);
	return rc;
}

/*
 * The Service and pods behind the gateway. Gateway API: Istio names them
 * after the Gateway (NAME-istio, label gateway-name=NAME). Istio Gateway:
 * the pods its selector picks (already found) and a Service selecting them.
 */
static enum lg_err istio_backend(struct lg_ctx *ctx, struct lg_result *res,
				 struct gw *g, struct lg_error *err)
{
	const cJSON *pod = cJSON_GetArrayItem(g->pods, 0);
	const char *pns = lg_expect_str(pod, "metadata", "namespace", NULL);
	const cJSON *labels = lg_expect_at(pod, "metadata", "labels", NULL);
	char *path =
	    lg_xasprintf("/api/v1/namespaces/%s/services", pns ? pns : g->ns);
	cJSON *list = NULL;
	const cJSON *s;
	enum lg_err rc = lg_expect_list(ctx->cluster, res, path, &list, err);

	cJSON_ArrayForEach(s, list)
	{
		if (!g->svc &&
		    lg_expect_selector_matches(
			lg_expect_at(s, "spec", "selector", NULL), labels))
			g->svc = cJSON_Duplicate(s, true);
	}
	free(path);
	cJSON_Delete(list);
	return rc;
}

static enum lg_err gw_backend(struct lg_ctx *ctx, struct lg_result *res,
			      struct gw *g, struct lg_error *err)
{
	cJSON *list = NULL, *sel = NULL;
	char *path;
	enum lg_err rc;

	if (!g->api)
		return istio_backend(ctx, res, g, err);
	path = lg_xasprintf("/api/v1/namespaces/%s/services/%s-istio", g->ns,
			    g->name);
	rc = lg_expect_get(ctx->cluster, res, path, &g->svc, err);
	free(path);
	if (rc != LG_OK && rc != LG_ENOTFOUND)
		return rc;
	path = lg_xasprintf("/api/v1/namespaces/%s/pods", g->ns);
	rc = lg_expect_list(ctx->cluster, res, path, &list, err);
	sel = cJSON_CreateObject();
	cJSON_AddStringToObject(sel, GW_POD_LABEL, g->name);
	g->pods = select_pods(list, sel);
	free(path);
	cJSON_Delete(list);
	cJSON_Delete(sel);
	return rc;
}

/* "Type=Status (Reason)" of one of the Gateway's conditions. Caller's. */
static char *cond_state(const cJSON *obj, const char *type)
{
	const cJSON *c = lg_expect_condition(obj, type);
	const char *st = lg_expect_str(c, "status", NULL);
	const char *why = lg_expect_str(c, "reason", NULL);

	if (!c)
		return lg_xasprintf("%s not reported", type);
	return lg_xasprintf("%s=%s%s%s%s", type, st ? st : "?", why ? " (" : "",
			    why ? why : "", why ? ")" : "");
}

static bool cond_has_reason(const cJSON *obj, const char *type,
			    const char *reason)
{
	const char *r =
	    lg_expect_str(lg_expect_condition(obj, type), "reason", NULL);

	return r && strcmp(r, reason) == 0;
}

/*
 * Why a Gateway API Gateway is not programmed, in the order that explains
 * it: no controller took it (its class is not istio's), or Istio could not
 * give it an address (a LoadBalancer Service on a cluster without a
 * load-balancer provider, as on the lab's VMs: the lab's fix is the
 * ClusterIP annotation and a port-forward, not a restart), or its pods.
 * Caller's.
 */
static char *programmed_hint(struct lg_ctx *ctx, const struct gw *g)
{
	const char *cls =
	    lg_expect_str(g->obj, "spec", "gatewayClassName", NULL);

	if (g->api && cls && strcmp(cls, "istio") != 0)
		return lg_xasprintf(
		    LG_TR(
			ctx,
			"gatewayClassName es %s: el controlador de Istio "
			"solo atiende la clase istio, así que nadie despliega "
			"este Gateway; pon `gatewayClassName: istio` y vuelve "
			"a aplicarlo: `" GW_APPLY "`",
			"gatewayClassName is %s: Istio's controller serves "
			"class istio only, so nothing deploys this Gateway; "
			"set `gatewayClassName: istio` and re-apply it: "
			"`" GW_APPLY "`"),
		    cls, g->ns);
	if (g->api &&
	    cond_has_reason(g->obj, "Programmed", "AddressNotAssigned"))
		return lg_xasprintf(
		    LG_TR(
			ctx,
			"el Service LoadBalancer %s-istio no recibe dirección "
			"(Programmed=False, AddressNotAssigned: el clúster no "
			"tiene proveedor de balanceadores); haz como el "
			"laboratorio: `kubectl annotate gateway %s -n %s "
			"networking.istio.io/service-type=ClusterIP`, luego "
			"`kubectl port-forward -n %s svc/%s-istio 8080:80` y "
			"califica con --gateway-url http://127.0.0.1:8080; "
			"reiniciar los pods no lo arregla",
			"the LoadBalancer Service %s-istio gets no address "
			"(Programmed=False, AddressNotAssigned: the cluster "
			"has "
			"no load-balancer provider); do as the lab does: "
			"`kubectl annotate gateway %s -n %s "
			"networking.istio.io/service-type=ClusterIP`, then "
			"`kubectl port-forward -n %s svc/%s-istio 8080:80` and "
			"grade with --gateway-url http://127.0.0.1:8080; "
			"restarting pods will not fix it"),
		    g->name, g->name, g->ns, g->ns, g->name);
	return lg_xasprintf(
	    LG_TR(
		ctx,
		"mira los pods del gateway: `kubectl get pods -n %s "
		"-l " GW_POD_LABEL "=%s`; si no hay, `kubectl rollout restart "
		"deployment -n %s %s-istio` o vuelve a aplicar el Gateway",
		"look at the gateway's pods: `kubectl get pods -n %s "
		"-l " GW_POD_LABEL "=%s`; if there are none, `kubectl rollout "
		"restart deployment -n %s %s-istio` or re-apply the "
		"Gateway"),
	    g->ns, g->name, g->ns, g->name);
}

/* What the gateway shows: Accepted when not True, Programmed, the Service
 * and the pods. Caller's. */
static char *programmed_observed(struct lg_ctx *ctx, const struct gw *g,
				 size_t ready)
{
	bool acc_ok = !g->api || lg_expect_condition_true(g->obj, "Accepted");
	char *acc = acc_ok ? lg_xstrdup("") : cond_state(g->obj, "Accepted");
	char *pst = g->api ? cond_state(g->obj, "Programmed") : lg_xstrdup("");
	char *obs = lg_xasprintf("%s%s%s%sService %s, %zu/%d pod(s) ready", acc,
				 acc_ok ? "" : "; ", pst, g->api ? "; " : "",
				 g->svc ? lg_expect_name(g->svc)
					: lg_tr(ctx, "falta", "missing"),
				 ready, cJSON_GetArraySize(g->pods));

	free(acc);
	free(pst);
	return obs;
}

static void assert_programmed(struct lg_ctx *ctx, struct lg_result *res,
			      struct gw *g)
{
	struct lg_error err = {0};
	bool prog = !g->api || lg_expect_condition_true(g->obj, "Programmed");
	char *obs, *hint;
	size_t ready;

	if (g->problem) {
		lg_check_assert(ctx, res, "gateway-programmed", false,
				"Programmed",
				lg_tr(ctx, "ningún Gateway utilizable",
				      "no usable Gateway"),
				LG_TR(ctx, "primero configura el Gateway",
				      "configure the Gateway first"));
		return;
	}
	if (gw_backend(ctx, res, g, &err) != LG_OK) {
		lg_result_errorf(res, "%s", err.msg);
		return;
	}
	ready = ready_pods(g->pods);
	obs = programmed_observed(ctx, g, ready);
	hint = programmed_hint(ctx, g);
	lg_check_assert(ctx, res, "gateway-programmed",
			prog && g->svc && ready > 0,
			"Programmed=True, Service, pods ready", obs, hint);
	free(obs);
	free(hint);
}

static bool has_marker(const struct lg_probe_resp *r)
{
	return strstr(r->body.buf, "Reviews served by:") ||
	       strstr(r->body.buf, "<title>Simple Bookstore App</title>");
}

static void answer_fail(struct lg_ctx *ctx, struct lg_result *res,
			const struct gw *g, const char *url,
			const struct lg_probe_resp *r)
{
	char *obs =
	    lg_xasprintf("GET %s: HTTP %ld%s", url, r->status,
			 r->status == 200 ? ", not the Bookinfo page" : "");
	char *hint = lg_xasprintf(
	    r->status == 404 || r->status == 200
		? LG_TR(ctx,
			"el gateway responde pero su ruta no lleva %s "
			"a productpage: revisa `kubectl get httproute "
			"-n %s -o yaml`",
			"the gateway answers but its route does not "
			"send %s to productpage: check `kubectl get "
			"httproute -n %s -o yaml`")
		: LG_TR(ctx,
			"el gateway no obtiene respuesta de %s: "
			"revisa `kubectl get pods -n %s -l "
			"app=productpage`",
			"the gateway gets no answer for %s: check "
			"`kubectl get pods -n %s -l app=productpage`"),
	    g->path, g->ns);

	lg_check_assert(ctx, res, "productpage-reachable", false,
			"HTTP 200 and the Bookinfo page", obs, hint);
	free(obs);
	free(hint);
}

static void pass_reachable(struct lg_ctx *ctx, struct lg_result *res,
			   const char *url, const char *how)
{
	char *obs =
	    lg_xasprintf("GET %s: HTTP 200, Bookinfo page (%s)", url, how);

	lg_check_assert(ctx, res, "productpage-reachable", true,
			"HTTP 200 and the Bookinfo page", obs, NULL);
	free(obs);
}

/* Why the gateway itself cannot answer, with the fix; NULL when it looks
 * healthy (then the fault is on our side). Caller's. */
static char *sick_hint(struct lg_ctx *ctx, const struct gw *g)
{
	if (g->problem)
		return lg_xstrdup(lg_tr(ctx,
					"primero configura el Gateway (ver "
					"gateway-configured)",
					"configure the Gateway first (see "
					"gateway-configured)"));
	if (!g->svc && g->api && !lg_expect_condition_true(g->obj, "Accepted"))
		return programmed_hint(ctx, g);
	if (!g->svc)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "el gateway no tiene Service; vuelve a aplicar el "
			  "Gateway: `" GW_APPLY "`",
			  "the gateway has no Service; re-apply the Gateway: "
			  "`" GW_APPLY "`"),
		    g->ns);
	if (ready_pods(g->pods) > 0)
		return NULL;
	return lg_xasprintf(
	    LG_TR(ctx,
		  "ningún pod del gateway está listo: `kubectl get pods -n %s "
		  "-l " GW_POD_LABEL "=%s`; si su Deployment tiene 0 "
		  "réplicas, `kubectl scale deployment -n %s %s-istio "
		  "--replicas=1`; si no, `kubectl rollout restart deployment "
		  "-n %s %s-istio`",
		  "no gateway pod is ready: `kubectl get pods -n %s "
		  "-l " GW_POD_LABEL "=%s`; if its Deployment has 0 replicas, "
		  "`kubectl scale deployment -n %s %s-istio --replicas=1`; "
		  "else `kubectl rollout restart deployment -n %s %s-istio`"),
	    g->ns, g->name, g->ns, g->name, g->ns, g->name);
}

static enum lg_verdict unreachable(struct lg_ctx *ctx, struct lg_result *res,
				   const struct gw *g, const char *why)
{
	char *hint = sick_hint(ctx, g);

	if (hint) {
		lg_check_assert(ctx, res, "productpage-reachable", false,
				"HTTP 200 and the Bookinfo page", why, hint);
		free(hint);
		return lg_result_finish(res);
	}
	return lg_result_errorf(
	    res,
	    LG_TR(ctx,
		  "el gateway parece sano pero labgrade no puede conectar "
		  "(%s); abre un túnel con `kubectl port-forward -n %s "
		  "svc/%s-istio 8080:80` y usa --gateway-url "
		  "http://127.0.0.1:8080",
		  "the gateway looks healthy but labgrade cannot connect "
		  "(%s); open a tunnel with `kubectl port-forward -n %s "
		  "svc/%s-istio 8080:80` and use --gateway-url "
		  "http://127.0.0.1:8080"),
	    why, g->ns, g->name);
}

/*
 * One GET of the productpage path at one candidate address. true when an
 * HTTP answer came (the assertion is then recorded and the address kept in
 * the run's state for later checks); false, with the reason added to why,
 * when nothing answered.
 */
static bool try_one(struct lg_ctx *ctx, struct lg_result *res,
		    const struct gw *g, const struct lg_gw_candidate *cand,
		    struct lg_buf *why)
{
	struct lg_probe_resp r = {0};
	struct lg_probe_req q = {0};
	struct lg_error err = {0};
	char *url = lg_xasprintf("%s%s", cand->url, g->path);
	bool answered;

	q.url = url;
	q.timeout_ms = (long)lg_param_num(ctx, "request-timeout-ms", 10000);
	answered = lg_probe(&q, &r, &err) == LG_OK;
	if (!answered) {
		lg_result_evidencef(res, "GET %s (%s): %s", url, cand->how,
				    err.msg);
		if (!why->len)
			lg_buf_adds(why, err.msg);
		goto out;
	}
	lg_result_evidencef(res, "GET %s (%s): HTTP %ld in %.2f s", url,
			    cand->how, r.status, r.seconds);
	free(ctx->state->gateway_url);
	free(ctx->state->gateway_how);
	ctx->state->gateway_url = lg_xstrdup(cand->url);
	ctx->state->gateway_how = lg_xstrdup(cand->how);
	if (r.status == 200 && has_marker(&r))
		pass_reachable(ctx, res, url, cand->how);
	else
		answer_fail(ctx, res, g, url, &r);
out:
	free(url);
	lg_probe_resp_release(&r);
	return answered;
}

static enum lg_verdict probe(struct lg_ctx *ctx, struct lg_result *res,
			     struct gw *g)
{
	struct lg_gw_candidates cands = {0};
	struct lg_error err = {0};
	struct lg_buf why = LG_BUF_INIT;
	enum lg_verdict v;
	size_t i;

	if (res->verdict == LG_ERROR)
		return LG_ERROR;
	if (ctx->gateway_url)
		lg_gwfind_add(&cands, ctx->gateway_url, "--gateway-url");
	else if (g->svc &&
		 lg_gwfind_service(ctx->cluster, res, g->svc, &cands, &err)) {
		/* the candidates found before the failure are still owned */
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	for (i = 0; i < cands.n; i++) {
		if (try_one(ctx, res, g, &cands.items[i], &why)) {
			v = lg_result_finish(res);
			goto out;
		}
	}
	if (cands.n > 1)
		lg_buf_addf(&why,
			    LG_TR(ctx,
				  " (y %zu dirección(es) más, ver evidencias)",
				  " (and %zu other address(es), see evidence)"),
			    cands.n - 1);
	v = unreachable(ctx, res, g,
			why.len ? why.buf : "no address for the gateway");
out:
	lg_buf_release(&why);
	lg_gwfind_release(&cands);
	return v;
}

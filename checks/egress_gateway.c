/* SPDX-License-Identifier: MIT */
/* egress_gateway.c: objective 9 (optional), the mesh's requests to an
 * external host leave through an egress gateway. */
/*
 * Objective (Istio's egress-gateway task): "Install an egress gateway and
 * send the mesh's HTTP requests to edition.cnn.com through it: a
 * ServiceEntry for the host, a Gateway for it on the egress gateway, a
 * DestinationRule for the egress gateway and a VirtualService that routes
 * the sidecars' requests (gateway mesh) to the egress gateway and the
 * egress gateway's (gateway istio-egressgateway) to the host." The lab's
 * profile, demo-profile-no-gateways, installs no egress gateway: the
 * student installs one (istioctl --set components.egressGateways...).
 *
 * Evidence: ServiceEntries, Istio Gateways and VirtualServices of every
 * namespace (read as JSON: the route model does not read ServiceEntries
 * or per-rule gateways); the pods labelled istio=egressgateway and the
 * Service that selects them; and the egress gateway pod's own
 * istio_requests_total (pilot-agent's :15020 through the API server's pod
 * proxy) with reporter="source" and destination_service_name =
 * external-host: a gateway proxy reports its outbound requests as source,
 * and for a ServiceEntry host the service name is that host.
 *
 * Why the rule is right: configuration that looks right can still leave
 * traffic going straight out from the sidecars (a VirtualService without
 * the mesh gateway, a Gateway selecting nothing). Only a counter at the
 * egress gateway proves the path. labgrade may not exec into pods (it
 * starts no process and makes no request from inside the mesh), so it
 * cannot cause the request itself: it observes the counters that the
 * student's own `kubectl exec ... curl http://HOST/...` produced. Zero is
 * graded as a fail that says "no traffic seen yet" and gives that command,
 * so the verdict moves as soon as the student has run it. A pod proxy
 * refused by RBAC, or metrics that do not parse, is an ERROR.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../harness/expect.h"
#include "../harness/i18n.h"
#include "../harness/prom.h"
#include "check.h"

#define ISTIO_V1 "/apis/networking.istio.io/v1/"
#define EGRESS_LABEL "egressgateway"
#define INSTALL_EGW                                                            \
	"istioctl install --set "                                              \
	"components.egressGateways[0].enabled=true --set "                     \
	"components.egressGateways[0].name=istio-egressgateway"

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res);

static const char *const prereqs[] = {"istio-install", NULL};

static const struct lg_assert_def asserts[] = {
    {"egress-configured",
     "ServiceEntry, Gateway y VirtualService que llevan el tráfico al "
     "host externo a través del egress gateway",
     "ServiceEntry, Gateway and VirtualService that send the traffic to "
     "the external host through the egress gateway",
     NULL},
    {"egress-gateway-ready", "un egress gateway con un pod listo y Service",
     "an egress gateway with a ready pod and a Service", NULL},
    {"egress-traffic",
     "las métricas del egress gateway cuentan peticiones al host externo",
     "the egress gateway's metrics count requests to the external host", NULL},
};

const struct lg_check lg_check_egress_gateway = {
    .id = "egress-gateway",
    .objective = 9,
    .title_es = "Egress gateway hacia un host externo",
    .title_en = "Egress gateway to an external host",
    .prereqs = prereqs,
    .flags = LG_CHECK_OPTIONAL,
    .asserts = asserts,
    .nasserts = LG_ARRAY_SIZE(asserts),
    .run = run,
};

struct egw {
	const char *host;
	cJSON *ses, *gws, *vss, *pods;
	const cJSON *pod;  /* a ready egress gateway pod (in pods) */
	cJSON *svc;	   /* the Service selecting it */
	const cJSON *gw;   /* the egress Gateway for host (in gws) */
	struct lg_buf bad; /* what is missing, "; "-joined */
	struct lg_buf fix;
};

static void egw_release(struct egw *e)
{
	cJSON_Delete(e->ses);
	cJSON_Delete(e->gws);
	cJSON_Delete(e->vss);
	cJSON_Delete(e->pods);
	cJSON_Delete(e->svc);
	lg_buf_release(&e->bad);
	lg_buf_release(&e->fix);
}

/* Does a hosts array hold host ("ns/host" and "*" forms included)? */
static bool hosts_have(const cJSON *hosts, const char *host)
{
	const cJSON *h;

	cJSON_ArrayForEach(h, hosts)
	{
		const char *s = cJSON_IsString(h) ? h->valuestring : "";
		const char *slash = strchr(s, '/');

		s = slash ? slash + 1 : s;
		if (!strcasecmp(s, host) || !strcmp(s, "*"))
			return true;
	}
	return false;
}

static bool str_in(const cJSON *arr, const char *a, const char *b)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, arr)
	{
		if (cJSON_IsString(x) && (!strcmp(x->valuestring, a) ||
					  (b && !strcmp(x->valuestring, b))))
			return true;
	}
	return false;
}

static void missing(struct egw *e, const char *what, const char *fix)
{
	lg_buf_addf(&e->bad, "%s%s", e->bad.len ? "; " : "", what);
	lg_buf_addf(&e->fix, "%s%s", e->fix.len ? "; " : "", fix);
}

/* ---- reading ---- */

static enum lg_err read_all(struct lg_ctx *ctx, struct lg_result *res,
			    struct egw *e, struct lg_error *err)
{
	cJSON **out[] = {&e->ses, &e->gws, &e->vss, &e->pods};
	static const char *const paths[] = {
	    ISTIO_V1 "serviceentries", ISTIO_V1 "gateways",
	    ISTIO_V1 "virtualservices", "/api/v1/pods"};
	enum lg_err rc = LG_OK;
	size_t i;

	for (i = 0; i < LG_ARRAY_SIZE(paths) && rc == LG_OK; i++)
		rc = lg_expect_list(ctx->cluster, res, paths[i], out[i], err);
	return rc;
}

static bool is_egress_pod(const cJSON *p)
{
	const char *v = lg_expect_label(p, "istio");

	return v && !strcmp(v, EGRESS_LABEL) && !lg_expect_pod_is_gone(p);
}

/* The first ready egress gateway pod and the Service that selects it. */
static enum lg_err find_gateway(struct lg_ctx *ctx, struct lg_result *res,
				struct egw *e, struct lg_error *err)
{
	const cJSON *p, *s;
	cJSON *svcs = NULL;
	char *path;
	enum lg_err rc;

	cJSON_ArrayForEach(p, e->pods)
	{
		if (!e->pod && is_egress_pod(p) && lg_expect_pod_is_ready(p))
			e->pod = p;
	}
	if (!e->pod)
		return LG_OK;
	path =
	    lg_xasprintf("/api/v1/namespaces/%s/services",
			 lg_expect_str(e->pod, "metadata", "namespace", NULL));
	rc = lg_expect_list(ctx->cluster, res, path, &svcs, err);
	cJSON_ArrayForEach(s, svcs)
	{
		const cJSON *sel = lg_expect_at(s, "spec", "selector", NULL);

		if (!e->svc && cJSON_GetArraySize(sel) > 0 &&
		    lg_expect_selector_matches(
			sel, lg_expect_at(e->pod, "metadata", "labels", NULL)))
			e->svc = cJSON_Duplicate(s, true);
	}
	free(path);
	cJSON_Delete(svcs);
	return rc;
}

/* ---- configuration ---- */

static void judge_service_entry(struct lg_ctx *ctx, struct egw *e)
{
	const cJSON *se;
	char *what, *fix;

	cJSON_ArrayForEach(se, e->ses)
	{
		if (hosts_have(lg_expect_at(se, "spec", "hosts", NULL),
			       e->host))
			return;
	}
	what = lg_xasprintf("no ServiceEntry for %s", e->host);
	fix = lg_xasprintf(LG_TR(ctx,
				 "crea un ServiceEntry con hosts [%s], "
				 "puerto 80 http, resolution: DNS",
				 "create a ServiceEntry with hosts [%s], port "
				 "80 http, resolution: DNS"),
			   e->host);
	missing(e, what, fix);
	free(what);
	free(fix);
}

static void judge_gateway(struct lg_ctx *ctx, struct egw *e)
{
	const cJSON *g;
	char *what, *fix;

	cJSON_ArrayForEach(g, e->gws)
	{
		const char *sel =
		    lg_expect_str(g, "spec", "selector", "istio", NULL);
		const cJSON *srv;

		cJSON_ArrayForEach(srv,
				   lg_expect_at(g, "spec", "servers", NULL))
		{
			if (sel && !strcmp(sel, EGRESS_LABEL) && !e->gw &&
			    hosts_have(lg_expect_at(srv, "hosts", NULL),
				       e->host))
				e->gw = g;
		}
	}
	if (e->gw)
		return;
	what = lg_xasprintf("no Istio Gateway with selector istio: "
			    "egressgateway for %s",
			    e->host);
	fix = lg_xasprintf(LG_TR(ctx,
				 "crea un Gateway istio-egressgateway con "
				 "selector istio: egressgateway y un server "
				 "en el puerto 80 para %s",
				 "create a Gateway istio-egressgateway with "
				 "selector istio: egressgateway and a server "
				 "on port 80 for %s"),
			   e->host);
	missing(e, what, fix);
	free(what);
	free(fix);
}

/* Does some rule of vs, for source gateway `from`, route to a host whose
 * name starts with `to` (a Service name, or the whole external host)? */
static bool vs_sends(const cJSON *vs, const char *from, const char *from2,
		     const char *to)
{
	const cJSON *h, *m, *r;
	size_t n = strlen(to);

	cJSON_ArrayForEach(h, lg_expect_at(vs, "spec", "http", NULL))
	{
		bool src = false;

		cJSON_ArrayForEach(m, lg_expect_at(h, "match", NULL)) src =
		    src ||
		    str_in(lg_expect_at(m, "gateways", NULL), from, from2);
		cJSON_ArrayForEach(r, lg_expect_at(h, "route", NULL))
		{
			const char *d =
			    lg_expect_str(r, "destination", "host", NULL);

			if (src && d && !strncasecmp(d, to, n) &&
			    (d[n] == '\0' || d[n] == '.'))
				return true;
		}
	}
	return false;
}

static void judge_vs(struct lg_ctx *ctx, struct egw *e, const char *svc)
{
	const char *gname =
	    e->gw ? lg_expect_name(e->gw) : "istio-egressgateway";
	const char *gns = lg_expect_str(e->gw, "metadata", "namespace", NULL);
	char *gfull = lg_xasprintf("%s/%s", gns ? gns : "", gname);
	const cJSON *vs;
	char *what, *fix;
	bool ok = false;

	cJSON_ArrayForEach(vs, e->vss)
	{
		ok = ok || (hosts_have(lg_expect_at(vs, "spec", "hosts", NULL),
				       e->host) &&
			    vs_sends(vs, "mesh", NULL, svc) &&
			    vs_sends(vs, gname, gfull, e->host));
	}
	free(gfull);
	if (ok)
		return;
	what = lg_xasprintf("no VirtualService for %s routing gateway mesh to "
			    "%s and gateway %s to %s",
			    e->host, svc, gname, e->host);
	fix = lg_xasprintf(
	    LG_TR(ctx,
		  "crea un VirtualService con hosts [%s], gateways [mesh, "
		  "%s]: una regla con match gateways [mesh] hacia %s "
		  "(puerto 80) y otra con match gateways [%s] hacia %s",
		  "create a VirtualService with hosts [%s], gateways [mesh, "
		  "%s]: a rule matching gateways [mesh] to %s (port 80) and "
		  "one matching gateways [%s] to %s"),
	    e->host, gname, svc, gname, e->host);
	missing(e, what, fix);
	free(what);
	free(fix);
}

static void assert_config(struct lg_ctx *ctx, struct lg_result *res,
			  struct egw *e)
{
	const char *svc =
	    e->svc ? lg_expect_name(e->svc) : "istio-egressgateway";
	char *exp = lg_xasprintf("ServiceEntry, egress Gateway and "
				 "VirtualService for %s",
				 e->host);

	judge_service_entry(ctx, e);
	judge_gateway(ctx, e);
	judge_vs(ctx, e, svc);
	lg_check_assert(ctx, res, "egress-configured", e->bad.len == 0, exp,
			e->bad.len ? e->bad.buf : "all present",
			e->fix.len ? e->fix.buf : NULL);
	free(exp);
}

static void assert_ready(struct lg_ctx *ctx, struct lg_result *res,
			 const struct egw *e)
{
	const cJSON *p;
	bool any = false;
	char *obs;

	cJSON_ArrayForEach(p, e->pods)
	{
		any = any || is_egress_pod(p);
	}
	obs = e->pod && e->svc
		  ? lg_xasprintf("pod %s, Service %s", lg_expect_name(e->pod),
				 lg_expect_name(e->svc))
	      : e->pod ? lg_xasprintf("pod %s ready, but no Service selects it",
				      lg_expect_name(e->pod))
	      : any    ? lg_xstrdup("no egress gateway pod is ready")
		       : lg_xstrdup("no pod labelled istio=egressgateway");
	lg_check_assert(
	    ctx, res, "egress-gateway-ready", e->pod && e->svc,
	    "a ready pod labelled istio=egressgateway and its Service", obs,
	    LG_TR(ctx,
		  "el perfil del laboratorio no trae egress gateway: "
		  "instálalo con `" INSTALL_EGW "` y comprueba `kubectl get "
		  "pods,svc -n istio-system -l istio=egressgateway`",
		  "the lab's profile has no egress gateway: install one with "
		  "`" INSTALL_EGW "` and check `kubectl get pods,svc -n "
		  "istio-system -l istio=egressgateway`"));
	free(obs);
}

/* ---- live ---- */

static char *traffic_hint(struct lg_ctx *ctx, const struct egw *e)
{
	return lg_xasprintf(
	    LG_TR(ctx,
		  "todavía no se ve tráfico hacia %s por el egress gateway: "
		  "haz una petición desde un pod con sidecar (`kubectl exec "
		  "deploy/curl -- curl -sSL -o /dev/null -D - http://%s/"
		  "politics`) y vuelve a evaluar; si sigue en 0, el "
		  "VirtualService no envía el tráfico de la malla al gateway",
		  "no traffic to %s seen through the egress gateway yet: send "
		  "a request from a pod with a sidecar (`kubectl exec "
		  "deploy/curl -- curl -sSL -o /dev/null -D - http://%s/"
		  "politics`) and grade again; if it stays at 0, the "
		  "VirtualService does not send the mesh's traffic to the "
		  "gateway"),
	    e->host, e->host);
}

/* The egress pod's count of requests to the host; false on an error. */
static bool assert_traffic(struct lg_ctx *ctx, struct lg_result *res,
			   const struct egw *e, struct lg_error *err)
{
	struct lg_prom m = {0};
	struct lg_prom_match mt[] = {{"reporter", "source"},
				     {"destination_service_name", e->host}};
	const char *ns = lg_expect_str(e->pod, "metadata", "namespace", NULL);
	enum lg_err rc =
	    lg_prom_fetch_pod(ctx->cluster, ns, lg_expect_name(e->pod),
			      "istio_requests_total", &m, err);
	double n = rc == LG_OK ? lg_prom_sum(&m, "istio_requests_total", mt,
					     LG_ARRAY_SIZE(mt), NULL)
			       : 0;
	char *obs = lg_xasprintf("istio_requests_total{reporter=\"source\","
				 "destination_service_name=\"%s\"} at %s/%s: "
				 "%.0f",
				 e->host, ns, lg_expect_name(e->pod), n);
	char *hint = traffic_hint(ctx, e);

	lg_result_evidencef(res, "%s", rc == LG_OK ? obs : err->msg);
	if (rc == LG_OK)
		lg_check_assert(ctx, res, "egress-traffic", n > 0,
				"at least 1 request counted", obs, hint);
	lg_prom_release(&m);
	free(obs);
	free(hint);
	return rc == LG_OK;
}

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res)
{
	struct lg_error err = {0};
	struct egw e = {0};
	enum lg_verdict v;

	lg_buf_init(&e.bad, 0);
	lg_buf_init(&e.fix, 0);
	e.host = lg_param_str(ctx, "external-host", "edition.cnn.com");
	if (read_all(ctx, res, &e, &err) != LG_OK ||
	    find_gateway(ctx, res, &e, &err) != LG_OK)
		goto error;
	assert_config(ctx, res, &e);
	assert_ready(ctx, res, &e);
	if (!e.pod)
		lg_check_assert(ctx, res, "egress-traffic", false,
				"at least 1 request counted",
				"no egress gateway pod to count at",
				lg_tr(ctx,
				      "primero instala el egress gateway (ver "
				      "egress-gateway-ready)",
				      "install the egress gateway first (see "
				      "egress-gateway-ready)"));
	else if (!assert_traffic(ctx, res, &e, &err))
		goto error;
	v = lg_result_finish(res);
	goto out;
error:
	v = lg_result_errorf(res, "%s", err.msg);
out:
	egw_release(&e);
	return v;
}

/* SPDX-License-Identifier: MIT */
/* troubleshooting.c: objective 10, a mesh whose proxies are in sync with
 * istiod, whose sidecars' logs can be read and whose pods are healthy. */
/*
 * Objective: "Troubleshooting: check that every proxy is connected to and
 * in sync with istiod (istioctl proxy-status), read a sidecar's logs, find
 * crash-looping pods, and run istioctl analyze."
 *
 * What can be read through the API server, and what was chosen:
 * - istioctl proxy-status asks istiod over gRPC xDS on port 15012 (mTLS),
 *   and istiod's /debug/syncz on 15014 answers only localhost or a bearer
 *   token; exec and port-forward need WebSockets or SPDY. None of that
 *   goes through a plain HTTPS GET, so neither is used.
 * - Each sidecar's pilot-agent serves Envoy's stats merged on port 15020
 *   (/stats/prometheus), bound on all interfaces, so the pod proxy reaches
 *   it. Istio's bootstrap keeps the prefixes cluster_manager,
 *   listener_manager and cluster.xds-grpc whatever the stats matcher says,
 *   so every 1.24 sidecar exports:
 *     envoy_cluster_upstream_cx_active{cluster_name="xds-grpc"}: its xDS
 *       stream (through pilot-agent, which drops it when istiod goes) is up;
 *     envoy_cluster_manager_cds_update_rejected and
 *     envoy_listener_manager_lds_update_rejected: configuration it NACKed.
 *   A proxy that is connected and rejected nothing holds what istiod
 *   pushed: that is what proxy-status calls SYNCED (STALE is a push not
 *   acknowledged, i.e. rejected or still in flight).
 * - istiod's monitoring port 15014 (/metrics, also through the pod proxy):
 *   pilot_xds (proxies connected, summed over the replicas) must cover the
 *   mesh's proxies, and the per-proxy gauges pilot_xds_{cds,lds,rds,eds}_
 *   reject{node="sidecar~IP~POD.NS~..."} name a proxy that rejected a push
 *   (pilot_total_xds_rejects, the total, goes to the evidence).
 * - Logs: GET pods/NAME/log?container=istio-proxy&tailLines=N, what
 *   `kubectl logs -c istio-proxy` reads.
 * - Pods: restartCount and the waiting reason CrashLoopBackOff of each
 *   container, and readiness, over every pod of the namespace.
 *
 * The analysis (istioctl analyze's codes: IST0101 a route to an undefined
 * subset, IST0109 two VirtualServices for one host, IST0133 deprecated
 * fields, several DestinationRules for one host, IST0103 a pod without its
 * proxy in an injected namespace) becomes warnings: they are what a
 * student troubleshoots, but the lab's own steps produce some of them on
 * the way, so they cost no points.
 */
#include <stdlib.h>
#include <string.h>

#include "../harness/bookinfo.h"
#include "../harness/expect.h"
#include "../harness/i18n.h"
#include "../harness/istio.h"
#include "../harness/promql.h"
#include "check.h"

#define MAX_LISTED 6

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res);

static const char *const prereqs[] = {"istio-install", NULL};

static const struct lg_assert_def asserts[] = {
    {"proxies-synced",
     "cada proxy conectado a istiod y sin configuración rechazada",
     "every proxy connected to istiod, no configuration rejected", NULL},
    {"sidecar-logs", "los registros de istio-proxy se pueden leer",
     "the istio-proxy logs can be read", NULL},
    {"pods-healthy",
     "ningún pod de Bookinfo en CrashLoopBackOff ni sin estar listo",
     "no Bookinfo pod crash-looping or unready", NULL},
};

const struct lg_check lg_check_troubleshooting = {
    .id = "troubleshooting",
    .objective = 10,
    .title_es = "Resolución de problemas",
    .title_en = "Troubleshooting",
    .prereqs = prereqs,
    .flags = 0,
    .asserts = asserts,
    .nasserts = LG_ARRAY_SIZE(asserts),
    .run = run,
};

/* What the run read; borrowed by every step. */
struct ts {
	const char *ns;
	const char *ins; /* istiod's namespace */
	cJSON *nsobj;
	cJSON *pods;  /* every pod of ns */
	cJSON *ipods; /* every pod of ins */
	struct lg_error err;
	bool failed; /* an error verdict was recorded */
};

static bool is_proxy_pod(const cJSON *p)
{
	return !lg_expect_pod_is_gone(p) &&
	       lg_expect_container(p, "istio-proxy");
}

/* ------------------------------------------------------------------ */
/* proxies-synced                                                       */

struct sync_tally {
	struct lg_buf bad; /* "POD: why" for each proxy out of sync */
	size_t nbad, nchecked, nconnected;
	double istiod_xds; /* pilot_xds over istiod's ready pods; -1 unread */
	double istiod_rejects;
	char *first; /* first proxy out of sync */
};

static void tally_bad(struct sync_tally *t, const char *pod, const char *why)
{
	if (!t->first)
		t->first = lg_xstrdup(pod);
	if (++t->nbad <= MAX_LISTED)
		lg_buf_addf(&t->bad, "%s%s: %s", t->bad.len ? "; " : "", pod,
			    why);
}

static const struct lg_prom_match XDS_GRPC[] = {{"cluster_name", "xds-grpc"}};

static void judge_proxy(struct sync_tally *t, const char *pod,
			const struct lg_prom *m)
{
	size_t n = 0;
	double cx =
	    lg_prom_sum(m, "envoy_cluster_upstream_cx_active", XDS_GRPC, 1, &n);
	double cds = lg_prom_sum(m, "envoy_cluster_manager_cds_update_rejected",
				 NULL, 0, NULL);
	double lds = lg_prom_sum(
	    m, "envoy_listener_manager_lds_update_rejected", NULL, 0, NULL);
	char *why = NULL;

	t->nchecked++;
	if (n == 0 || cx < 1)
		why = lg_xstrdup("no xDS connection to istiod "
				 "(xds-grpc upstream_cx_active 0)");
	else if (cds + lds > 0)
		why = lg_xasprintf("rejected %.0f CDS and %.0f LDS update(s)",
				   cds, lds);
	if (!why) {
		t->nconnected++;
		return;
	}
	tally_bad(t, pod, why);
	free(why);
}

/* One proxy's stats; false when the check must end in error. */
static bool read_proxy(struct lg_ctx *ctx, struct lg_result *res, struct ts *s,
		       struct sync_tally *t, const cJSON *p)
{
	struct lg_error e = {0};
	struct lg_prom m = {0};
	char *path = lg_xasprintf("/api/v1/namespaces/%s/pods/%s:15020/proxy/"
				  "stats/prometheus",
				  s->ns, lg_expect_name(p));
	enum lg_err rc = lg_promql_fetch_text(ctx->cluster, path, NULL, &m, &e);

	lg_result_evidencef(res, "GET %s: %s", path,
			    rc == LG_OK ? "read" : e.msg);
	free(path);
	/* a ready pod's agent always serves its stats: any failure is the
	 * way there (API server, RBAC pods/proxy), not the proxy's sync */
	if (rc == LG_OK)
		judge_proxy(t, lg_expect_name(p), &m);
	else
		lg_errorf(&s->err, rc, "%s", e.msg);
	lg_prom_release(&m);
	return rc == LG_OK;
}

/*
 * The pod of a proxy id "sidecar~IP~POD.NS~NS.svc.cluster.local" when it
 * lives in ns, else NULL. Caller's.
 */
static char *node_pod(const char *node, const char *ns)
{
	const char *a = node ? strchr(node, '~') : NULL;
	const char *b = a ? strchr(a + 1, '~') : NULL;
	const char *c = b ? strchr(b + 1, '~') : NULL;
	size_t nl = strlen(ns);

	if (!c || (size_t)(c - b - 1) <= nl + 1 || c[-(long)nl - 1] != '.' ||
	    strncmp(c - nl, ns, nl))
		return NULL;
	return lg_xstrndup(b + 1, (size_t)(c - b - 1) - nl - 1);
}

/* The per-proxy reject gauges of istiod that name a proxy of ns. */
static void istiod_rejects(struct sync_tally *t, const struct lg_prom *m,
			   const char *ns)
{
	static const char *const names[] = {
	    "pilot_xds_cds_reject", "pilot_xds_lds_reject",
	    "pilot_xds_rds_reject", "pilot_xds_eds_reject"};
	size_t i, j;

	for (i = 0; i < m->n; i++) {
		const struct lg_prom_sample *x = &m->samples[i];
		char *pod;

		for (j = 0; j < LG_ARRAY_SIZE(names); j++)
			if (!strcmp(x->name, names[j]))
				break;
		if (j == LG_ARRAY_SIZE(names) || !(x->value > 0))
			continue;
		pod = node_pod(lg_prom_label(x, "node"), ns);
		if (pod)
			tally_bad(t, pod, "istiod counts a rejected push");
		free(pod);
	}
}

static bool read_istiod(struct lg_ctx *ctx, struct lg_result *res, struct ts *s,
			struct sync_tally *t)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, s->ipods)
	{
		struct lg_error e = {0};
		struct lg_prom m = {0};
		char *path;
		enum lg_err rc;

		if (!lg_expect_label(p, "app") ||
		    strcmp(lg_expect_label(p, "app"), "istiod") ||
		    !lg_expect_pod_is_ready(p))
			continue;
		path = lg_xasprintf("/api/v1/namespaces/%s/pods/%s:15014/"
				    "proxy/metrics",
				    s->ins, lg_expect_name(p));
		rc = lg_promql_fetch_text(ctx->cluster, path, NULL, &m, &e);
		lg_result_evidencef(res, "GET %s: %s", path,
				    rc == LG_OK ? "read" : e.msg);
		free(path);
		if (rc != LG_OK) {
			lg_errorf(&s->err, rc, "istiod's metrics: %s", e.msg);
			return false;
		}
		t->istiod_xds = (t->istiod_xds < 0 ? 0 : t->istiod_xds) +
				lg_prom_sum(&m, "pilot_xds", NULL, 0, NULL);
		t->istiod_rejects +=
		    lg_prom_sum(&m, "pilot_total_xds_rejects", NULL, 0, NULL);
		istiod_rejects(t, &m, s->ns);
		lg_prom_release(&m);
	}
	return true;
}

static char *sync_hint(struct lg_ctx *ctx, const struct ts *s,
		       const struct sync_tally *t)
{
	if (!t->first)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "istiod ve %.0f proxies conectados y Bookinfo tiene "
			  "%zu: mira `kubectl logs -n %s deploy/istiod` y "
			  "reinicia los pods que falten",
			  "istiod sees %.0f connected proxies and Bookinfo "
			  "has %zu: see `kubectl logs -n %s deploy/istiod` "
			  "and restart the missing pods"),
		    t->istiod_xds, t->nchecked, s->ins);
	return lg_xasprintf(
	    LG_TR(ctx,
		  "mira por qué con `kubectl logs -n %s %s -c istio-proxy` "
		  "(busca \"rejected\" o \"NACK\"), corrige o borra la "
		  "configuración que rechaza (`kubectl get envoyfilter -A`; "
		  "`istioctl proxy-status` si lo tienes) y recrea el pod: "
		  "`kubectl delete pod -n %s %s`",
		  "see why with `kubectl logs -n %s %s -c istio-proxy` (look "
		  "for \"rejected\" or \"NACK\"), fix or delete the "
		  "configuration it rejects (`kubectl get envoyfilter -A`; "
		  "`istioctl proxy-status` if you have it) and recreate the "
		  "pod: `kubectl delete pod -n %s %s`"),
	    s->ns, t->first, s->ns, t->first);
}

static void record_synced(struct lg_ctx *ctx, struct lg_result *res,
			  const struct ts *s, struct sync_tally *t)
{
	bool ok = t->nbad == 0 && t->nchecked > 0 &&
		  (t->istiod_xds < 0 || t->istiod_xds >= (double)t->nconnected);
	char *obs, *hint;

	if (t->nbad > MAX_LISTED)
		lg_buf_addf(&t->bad, " (+%zu)", t->nbad - MAX_LISTED);
	obs = t->nbad ? lg_xstrdup(t->bad.buf)
		      : lg_xasprintf("%zu of %zu proxies connected, none "
				     "rejected; istiod: %.0f connected",
				     t->nconnected, t->nchecked, t->istiod_xds);
	hint = t->nchecked ? sync_hint(ctx, s, t)
			   : lg_xasprintf(LG_TR(ctx,
						"no hay ningún pod listo con "
						"istio-proxy en %s",
						"there is no ready pod with "
						"istio-proxy in %s"),
					  s->ns);
	lg_check_assert(ctx, res, "proxies-synced", ok,
			"connected (xds-grpc), 0 rejected CDS/LDS", obs, hint);
	free(obs);
	free(hint);
}

static void assert_synced(struct lg_ctx *ctx, struct lg_result *res,
			  struct ts *s)
{
	struct sync_tally t = {LG_BUF_INIT, 0, 0, 0, -1, 0, NULL};
	const cJSON *p;

	cJSON_ArrayForEach(p, s->pods)
	{
		if (is_proxy_pod(p) && lg_expect_pod_is_ready(p) &&
		    !read_proxy(ctx, res, s, &t, p))
			goto out;
	}
	if (!read_istiod(ctx, res, s, &t))
		goto out;
	lg_result_evidencef(res,
			    "istiod: pilot_xds %.0f, pilot_total_xds_"
			    "rejects %.0f",
			    t.istiod_xds, t.istiod_rejects);
	record_synced(ctx, res, s, &t);
out:
	free(t.first);
	lg_buf_release(&t.bad);
}

/* ------------------------------------------------------------------ */
/* sidecar-logs                                                         */

/* One proxy's log tail: 1 read, 0 not readable (the pod's fault), -1 the
 * grader's fault (s->err set). */
static int read_log(struct lg_ctx *ctx, struct lg_result *res, struct ts *s,
		    const cJSON *p, struct lg_buf *why)
{
	struct lg_buf b = LG_BUF_INIT;
	struct lg_error e = {0};
	long status = 0;
	char *path = lg_xasprintf(
	    "/api/v1/namespaces/%s/pods/%s/log?container=istio-proxy&"
	    "tailLines=%.0f",
	    s->ns, lg_expect_name(p), lg_param_num(ctx, "log-lines", 20));
	enum lg_err rc = lg_cluster_request(ctx->cluster, "GET", path, NULL,
					    NULL, &b, &status, &e);
	/* 400: the container has not started (or was never created); the
	 * kubelet says why. Everything else is the way there. */
	int got = rc == LG_OK ? 1 : status == 400 ? 0 : -1;

	lg_result_evidencef(res, "GET %s: %s", path,
			    rc == LG_OK ? "read" : e.msg);
	if (got < 0)
		lg_errorf(&s->err, rc, "%s", e.msg);
	if (got == 0)
		lg_buf_addf(why, "%s%s: %s", why->len ? "; " : "",
			    lg_expect_name(p), e.msg);
	lg_buf_release(&b);
	free(path);
	return got;
}

static bool assert_logs(struct lg_ctx *ctx, struct lg_result *res, struct ts *s)
{
	struct lg_buf why = LG_BUF_INIT;
	const char *first = NULL;
	const cJSON *p;
	size_t n = 0, bad = 0;
	char *hint, *obs;

	cJSON_ArrayForEach(p, s->pods)
	{
		int got;

		if (!is_proxy_pod(p))
			continue;
		n++;
		got = read_log(ctx, res, s, p, &why);
		if (got < 0) {
			lg_buf_release(&why);
			return false;
		}
		if (got == 0 && !bad++)
			first = lg_expect_name(p);
	}
	obs = bad ? lg_xstrdup(why.buf)
		  : lg_xasprintf("%zu of %zu logs read", n, n);
	hint = lg_xasprintf(LG_TR(ctx,
				  "el contenedor istio-proxy de %s no deja "
				  "leer su registro: `kubectl describe pod -n "
				  "%s %s`",
				  "the istio-proxy container of %s has no "
				  "readable log: `kubectl describe pod -n %s "
				  "%s`"),
			    first ? first : "?", s->ns, first ? first : "");
	lg_check_assert(ctx, res, "sidecar-logs", n > 0 && bad == 0,
			"kubectl logs -c istio-proxy answers", obs,
			n ? hint
			  : LG_TR(ctx, "no hay pods con istio-proxy",
				  "there are no pods with istio-proxy"));
	free(hint);
	free(obs);
	lg_buf_release(&why);
	return true;
}

/* ------------------------------------------------------------------ */
/* pods-healthy                                                         */

struct sick {
	const char *pod;
	const char *container; /* the crash-looping or restarting one */
	bool crashloop;
};

/* The container of p that crash-loops or restarted more than max. */
static bool sick_container(const cJSON *p, double max, struct sick *k)
{
	static const char *const lists[] = {"containerStatuses",
					    "initContainerStatuses"};
	size_t i;

	for (i = 0; i < LG_ARRAY_SIZE(lists); i++) {
		const cJSON *c;

		cJSON_ArrayForEach(c, lg_expect_at(p, "status", lists[i], NULL))
		{
			const char *w = lg_expect_str(c, "state", "waiting",
						      "reason", NULL);
			const cJSON *r = lg_expect_at(c, "restartCount", NULL);

			k->crashloop = w && !strcmp(w, "CrashLoopBackOff");
			if (k->crashloop ||
			    (cJSON_IsNumber(r) && r->valuedouble > max)) {
				k->pod = lg_expect_name(p);
				k->container = lg_expect_str(c, "name", NULL);
				return true;
			}
		}
	}
	return false;
}

static void list_sick(struct lg_buf *obs, size_t *n, const cJSON *p,
		      const char *what)
{
	if (++*n <= MAX_LISTED)
		lg_buf_addf(obs, "%s%s: %s", obs->len ? "; " : "",
			    lg_expect_name(p), what);
}

static char *health_hint(struct lg_ctx *ctx, const struct ts *s,
			 const struct sick *k, const char *unready)
{
	if (k->pod)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "el contenedor %s de %s se reinicia una y otra vez: "
			  "mira por qué murió con `kubectl logs -n %s %s -c "
			  "%s --previous` y `kubectl describe pod -n %s %s`, "
			  "corrige el Deployment y vuelve a aplicarlo",
			  "container %s of %s keeps restarting: see why it "
			  "died with `kubectl logs -n %s %s -c %s --previous` "
			  "and `kubectl describe pod -n %s %s`, fix its "
			  "Deployment and apply it again"),
		    k->container ? k->container : "?", k->pod, s->ns, k->pod,
		    k->container ? k->container : "istio-proxy", s->ns, k->pod);
	return lg_xasprintf(LG_TR(ctx,
				  "el pod %s no está listo: `kubectl describe "
				  "pod -n %s %s` (eventos y sondas)",
				  "pod %s is not ready: `kubectl describe pod "
				  "-n %s %s` (events and probes)"),
			    unready ? unready : "?", s->ns,
			    unready ? unready : "");
}

/* What is wrong with one pod, listed in obs; k and unready keep the
 * first of each kind for the hint. */
static void judge_pod(const cJSON *p, double max, struct lg_buf *obs, size_t *n,
		      struct sick *k, const char **unready)
{
	struct sick one = {0};
	char *why;

	if (sick_container(p, max, &one)) {
		if (!k->pod)
			*k = one;
		list_sick(obs, n, p,
			  one.crashloop ? "CrashLoopBackOff" : "restarting");
		return;
	}
	if (lg_expect_pod_is_ready(p))
		return;
	why = lg_expect_pod_problem(p);
	if (!*unready)
		*unready = lg_expect_name(p);
	list_sick(obs, n, p, why ? why : "not ready");
	free(why);
}

static void assert_healthy(struct lg_ctx *ctx, struct lg_result *res,
			   struct ts *s)
{
	double max = lg_param_num(ctx, "max-restarts", 3);
	struct lg_buf obs = LG_BUF_INIT;
	struct sick k = {0};
	const char *unready = NULL;
	const cJSON *p;
	size_t n = 0, all = 0;
	char *hint;

	cJSON_ArrayForEach(p, s->pods)
	{
		if (lg_expect_pod_is_gone(p))
			continue;
		all++;
		judge_pod(p, max, &obs, &n, &k, &unready);
	}
	if (n > MAX_LISTED)
		lg_buf_addf(&obs, " (+%zu)", n - MAX_LISTED);
	hint = health_hint(ctx, s, &k, unready);
	lg_check_assert(ctx, res, "pods-healthy", n == 0 && all > 0,
			"every pod ready, none in CrashLoopBackOff",
			n     ? obs.buf
			: all ? "every pod ready"
			      : "no pods",
			all ? hint
			    : LG_TR(ctx, "no hay pods en el namespace",
				    "there are no pods in the namespace"));
	free(hint);
	lg_buf_release(&obs);
}

/* ------------------------------------------------------------------ */
/* The analysis, as warnings                                            */

static bool worth_warning(const struct lg_mesh_finding *f)
{
	return f->level != LG_FINDING_INFO || f->cause == LG_CAUSE_DR_MERGED;
}

/* IST0103: a pod of an injected namespace without its proxy (not one
 * that opted out), found from the pods as istioctl analyze does. */
static void warn_missing_proxy(struct lg_ctx *ctx, struct lg_result *res,
			       const struct ts *s)
{
	const char *inj = lg_expect_label(s->nsobj, "istio-injection");
	const cJSON *p;

	if (!inj || strcmp(inj, "enabled"))
		return;
	cJSON_ArrayForEach(p, s->pods)
	{
		const char *opt = lg_expect_label(p, "sidecar.istio.io/inject");

		if (lg_expect_pod_is_gone(p) || is_proxy_pod(p) ||
		    (opt && !strcmp(opt, "false")))
			continue;
		lg_result_warnf(
		    res,
		    LG_TR(ctx,
			  "IST0103 Pod %s/%s: le falta el proxy de Istio; "
			  "recréalo para que se inyecte: `kubectl delete pod "
			  "-n %s %s`",
			  "IST0103 Pod %s/%s: the pod is missing the Istio "
			  "proxy; recreate it so it is injected: `kubectl "
			  "delete pod -n %s %s`"),
		    s->ns, lg_expect_name(p), s->ns, lg_expect_name(p));
	}
}

/* The resource kubectl names the finding's object by (an Istio Gateway
 * spelled in full: `gateway` alone may be the Gateway API's). */
static const char *kubectl_resource(const char *kind)
{
	if (!strcmp(kind, "VirtualService"))
		return "virtualservice";
	if (!strcmp(kind, "DestinationRule"))
		return "destinationrule";
	if (!strcmp(kind, "Gateway"))
		return "gateways.networking.istio.io";
	return NULL;
}

/* The analyzer's finding (English, as istioctl prints it) with the
 * command that shows the object to fix. */
static void warn_finding(struct lg_ctx *ctx, struct lg_result *res,
			 const struct lg_mesh_finding *x)
{
	const char *r = kubectl_resource(x->kind);

	if (!r) {
		lg_result_warnf(res, "%s %s %s/%s: %s", x->code, x->kind, x->ns,
				x->name, x->message);
		return;
	}
	lg_result_warnf(res,
			LG_TR(ctx,
			      "%s %s %s/%s: %s (revísalo: `kubectl get %s "
			      "-n %s %s -o yaml`)",
			      "%s %s %s/%s: %s (see it: `kubectl get %s -n %s "
			      "%s -o yaml`)"),
			x->code, x->kind, x->ns, x->name, x->message, r, x->ns,
			x->name);
}

/* false when the mesh could not be read (s->err set). */
static bool warn_findings(struct lg_ctx *ctx, struct lg_result *res,
			  struct ts *s)
{
	struct lg_mesh m = LG_MESH_INIT;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	cJSON *list;
	size_t i;

	if (lg_bookinfo_mesh_read(ctx->cluster, res, s->ns, &m, &s->err) !=
	    LG_OK) {
		lg_mesh_release(&m);
		return false;
	}
	/* items of a core list carry no kind: name it as a PodList */
	list = cJSON_CreateObject();
	cJSON_AddStringToObject(list, "kind", "PodList");
	cJSON_AddStringToObject(list, "apiVersion", "v1");
	cJSON_AddItemReferenceToObject(list, "items", s->pods);
	lg_mesh_add_list(&m, list, s->ns, NULL);
	cJSON_Delete(list);
	lg_mesh_set_pods_known(&m);
	lg_mesh_analyze(&m, &f);
	for (i = 0; i < f.n; i++)
		if (worth_warning(&f.v[i]))
			warn_finding(ctx, res, &f.v[i]);
	warn_missing_proxy(ctx, res, s);
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
	return true;
}

/* ------------------------------------------------------------------ */

static enum lg_err fetch(struct lg_ctx *ctx, struct lg_result *res,
			 struct ts *s)
{
	char *p1 = lg_xasprintf("/api/v1/namespaces/%s", s->ns);
	char *p2 = lg_xasprintf("/api/v1/namespaces/%s/pods", s->ns);
	char *p3 = lg_xasprintf("/api/v1/namespaces/%s/pods", s->ins);
	enum lg_err rc =
	    lg_expect_get(ctx->cluster, res, p1, &s->nsobj, &s->err);

	if (rc == LG_OK || rc == LG_ENOTFOUND)
		rc = lg_expect_list(ctx->cluster, res, p2, &s->pods, &s->err);
	if (rc == LG_OK)
		rc = lg_expect_list(ctx->cluster, res, p3, &s->ipods, &s->err);
	free(p1);
	free(p2);
	free(p3);
	return rc;
}

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res)
{
	struct ts s = {0};
	enum lg_verdict v;

	s.ns = lg_param_str(ctx, "bookinfo-namespace", "bookinfo");
	s.ins = lg_param_str(ctx, "istio-namespace", "istio-system");
	if (fetch(ctx, res, &s) != LG_OK || !warn_findings(ctx, res, &s))
		goto error;
	assert_healthy(ctx, res, &s);
	assert_synced(ctx, res, &s);
	if (s.err.code || !assert_logs(ctx, res, &s))
		goto error;
	v = lg_result_finish(res);
	goto out;
error:
	v = lg_result_errorf(res, "%s", s.err.msg);
out:
	cJSON_Delete(s.nsobj);
	cJSON_Delete(s.pods);
	cJSON_Delete(s.ipods);
	return v;
}

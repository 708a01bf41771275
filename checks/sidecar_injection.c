/* SPDX-License-Identifier: MIT */
/* sidecar_injection.c: objective 2, Bookinfo running with Envoy sidecars. */
/*
 * Objective: "Label the bookinfo namespace with istio-injection=enabled and
 * deploy Bookinfo (samples/bookinfo/platform/kube/bookinfo.yaml): every pod
 * shows READY 2/2, its application container plus istio-proxy."
 *
 * Evidence: the Namespace (labels istio-injection / istio.io/rev), the
 * Deployments named by the rubric's bookinfo-deployments (Available), and
 * the pods those Deployments select: whether each carries istio-proxy (in
 * spec.containers, or as a native sidecar in spec.initContainers), and
 * kubectl's READY x/y and phase for each.
 *
 * Why the rule is right: the injector acts only when a pod is created, so
 * the label alone proves nothing; what matters is that the running pods
 * have the proxy. A labelled namespace whose pods lack it means the pods
 * predate the label (the classic READY 1/1), and the hint says so, with the
 * restart that fixes it. Pods are found through each Deployment's selector,
 * so other pods of the namespace (the gateway's own Envoy) do not count.
 */
#include <stdlib.h>
#include <string.h>

#include "../harness/expect.h"
#include "../harness/i18n.h"
#include "check.h"

#define BOOKINFO_APPLY                                                         \
	"kubectl apply -n %s -f samples/bookinfo/platform/kube/bookinfo.yaml"
#define DEFAULT_DEPLOYMENTS                                                    \
	"productpage-v1 details-v1 reviews-v1 reviews-v2 reviews-v3 "          \
	"ratings-v1"
/* Pods listed in one observed string; the rest are counted. */
#define MAX_LISTED 8

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res);
static bool assert_label(struct lg_ctx *ctx, struct lg_result *res,
			 const cJSON *nsobj, const char *ns);
static void assert_deployments(struct lg_ctx *ctx, struct lg_result *res,
			       const cJSON *deploys, const cJSON *pods,
			       char **names, const char *ns);
static void assert_sidecars(struct lg_ctx *ctx, struct lg_result *res,
			    const cJSON *bpods, bool labelled, const char *ns);
static void assert_ready(struct lg_ctx *ctx, struct lg_result *res,
			 const cJSON *bpods, const char *ns);

static const char *const prereqs[] = {"istio-install", NULL};

static const struct lg_assert_def asserts[] = {
    {"namespace-labelled", "namespace marcado para la inyección",
     "namespace labelled for injection", NULL},
    {"deployments-available", "los seis Deployments de Bookinfo disponibles",
     "the six Bookinfo Deployments available", NULL},
    {"pods-have-sidecar", "cada pod de Bookinfo tiene istio-proxy",
     "every Bookinfo pod has istio-proxy", NULL},
    {"pods-ready", "cada pod de Bookinfo Running y listo (2/2)",
     "every Bookinfo pod Running and ready (2/2)", NULL},
};

const struct lg_check lg_check_sidecar_injection = {
    .id = "sidecar-injection",
    .objective = 2,
    .title_es = "Inyección de sidecars en Bookinfo",
    .title_en = "Sidecar injection in Bookinfo",
    .prereqs = prereqs,
    .flags = 0,
    .asserts = asserts,
    .nasserts = LG_ARRAY_SIZE(asserts),
    .run = run,
};

/* The pods that the named Deployments select (references, not copies). */
static cJSON *bookinfo_pods(const cJSON *deploys, const cJSON *pods,
			    char **names)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *p;
	size_t i;

	cJSON_ArrayForEach(p, pods)
	{
		if (lg_expect_pod_is_gone(p))
			continue;
		for (i = 0; names[i]; i++) {
			const cJSON *d =
			    lg_expect_find_named(deploys, names[i]);

			if (d && lg_expect_deploy_selects(d, p)) {
				cJSON_AddItemReferenceToArray(out, (cJSON *)p);
				break;
			}
		}
	}
	return out;
}

static enum lg_err fetch(struct lg_ctx *ctx, struct lg_result *res,
			 const char *ns, cJSON **nsobj, cJSON **deploys,
			 cJSON **pods, struct lg_error *err)
{
	char *p1 = lg_xasprintf("/api/v1/namespaces/%s", ns);
	char *p2 = lg_xasprintf("/apis/apps/v1/namespaces/%s/deployments", ns);
	char *p3 = lg_xasprintf("/api/v1/namespaces/%s/pods", ns);
	enum lg_err rc = lg_expect_get(ctx->cluster, res, p1, nsobj, err);

	if (rc == LG_OK || rc == LG_ENOTFOUND)
		rc = lg_expect_list(ctx->cluster, res, p2, deploys, err);
	if (rc == LG_OK)
		rc = lg_expect_list(ctx->cluster, res, p3, pods, err);
	free(p1);
	free(p2);
	free(p3);
	return rc;
}

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res)
{
	struct lg_error err = {0};
	cJSON *nsobj = NULL, *deploys = NULL, *pods = NULL, *bpods = NULL;
	const char *ns = lg_param_str(ctx, "bookinfo-namespace", "bookinfo");
	size_t n;
	char **names = lg_expect_split(
	    lg_param_str(ctx, "bookinfo-deployments", DEFAULT_DEPLOYMENTS), &n);
	enum lg_verdict v;
	bool labelled;

	if (fetch(ctx, res, ns, &nsobj, &deploys, &pods, &err) != LG_OK) {
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	labelled = assert_label(ctx, res, nsobj, ns);
	assert_deployments(ctx, res, deploys, pods, names, ns);
	bpods = bookinfo_pods(deploys, pods, names);
	assert_sidecars(ctx, res, bpods, labelled, ns);
	assert_ready(ctx, res, bpods, ns);
	v = lg_result_finish(res);
out:
	lg_expect_split_free(names);
	cJSON_Delete(bpods);
	cJSON_Delete(pods);
	cJSON_Delete(deploys);
	cJSON_Delete(nsobj);
	return v;
}

static bool assert_label(struct lg_ctx *ctx, struct lg_result *res,
			 const cJSON *nsobj, const char *ns)
{
	const char *inj = lg_expect_label(nsobj, "istio-injection");
	const char *rev = lg_expect_label(nsobj, "istio.io/rev");
	bool ok = (inj && strcmp(inj, "enabled") == 0) ||
		  (rev && !(inj && strcmp(inj, "disabled") == 0));
	char *obs = !nsobj
			? lg_xasprintf(LG_TR(ctx, "namespace %s no encontrado",
					     "namespace %s not found"),
				       ns)
		    : inj ? lg_xasprintf("istio-injection=%s", inj)
		    : rev ? lg_xasprintf("istio.io/rev=%s", rev)
			  : lg_xstrdup(lg_tr(ctx, "sin etiqueta de inyección",
					     "no injection label"));
	char *create =
	    nsobj ? lg_xstrdup("")
		  : lg_xasprintf("`kubectl create namespace %s`; ", ns);
	char *hint = lg_xasprintf(
	    LG_TR(ctx,
		  "%s`kubectl label namespace %s istio-injection=enabled "
		  "--overwrite` y vuelve a crear los pods: "
		  "`kubectl rollout restart deployment -n %s`",
		  "%s`kubectl label namespace %s istio-injection=enabled "
		  "--overwrite`, then recreate the pods: "
		  "`kubectl rollout restart deployment -n %s`"),
	    create, ns, ns);

	lg_check_assert(ctx, res, "namespace-labelled", ok,
			"istio-injection=enabled", obs, hint);
	free(create);
	free(obs);
	free(hint);
	return ok;
}

/* What went wrong with the Deployments, for the hint. Strings owned. */
struct sick {
	bool missing;
	bool image;
	char *pod; /* the first sick pod's name */
	char *why; /* and what is wrong with it */
};

/* Why a Deployment is not available: its status and its first sick pod. */
static void why_unavailable(struct lg_buf *obs, const cJSON *d,
			    const cJSON *pods, struct sick *sick)
{
	char *st = lg_expect_deploy_status(d);
	const cJSON *p;

	lg_buf_addf(obs, "%s%s: %s", obs->len ? "; " : "", lg_expect_name(d),
		    st);
	free(st);
	cJSON_ArrayForEach(p, pods)
	{
		char *why;

		if (!lg_expect_deploy_selects(d, p) ||
		    lg_expect_pod_is_ready(p))
			continue;
		why = lg_expect_pod_problem(p);
		if (!why)
			continue;
		lg_buf_addf(obs, "; pod %s: %s", lg_expect_name(p), why);
		if (sick->pod) {
			free(why);
			return;
		}
		sick->pod = lg_xstrdup(lg_expect_name(p));
		sick->why = why;
		sick->image =
		    strstr(why, "ImagePull") || strstr(why, "InvalidImageName");
		return;
	}
}

static char *deployments_hint(struct lg_ctx *ctx, const char *ns,
			      const struct sick *k)
{
	if (k->missing)
		return lg_xasprintf(
		    LG_TR(ctx, "despliega Bookinfo: `" BOOKINFO_APPLY "`",
			  "deploy Bookinfo: `" BOOKINFO_APPLY "`"),
		    ns);
	if (k->image)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "pod %s, %s: la imagen no se puede descargar; revisa "
			  "nombre y etiqueta (el laboratorio usa "
			  "docker.io/istio/examples-bookinfo-*:1.20.2) con "
			  "`kubectl describe pod -n %s %s`, corrígela y "
			  "vuelve a aplicar `" BOOKINFO_APPLY "`",
			  "pod %s, %s: the image cannot be pulled; check its "
			  "name and tag (the lab uses "
			  "docker.io/istio/examples-bookinfo-*:1.20.2) with "
			  "`kubectl describe pod -n %s %s`, fix it and "
			  "re-apply `" BOOKINFO_APPLY "`"),
		    k->pod, k->why, ns, k->pod, ns);
	if (k->pod)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "pod %s, %s: mira por qué con `kubectl describe pod "
			  "-n %s %s`",
			  "pod %s, %s: see why with `kubectl describe pod -n "
			  "%s %s`"),
		    k->pod, k->why, ns, k->pod);
	return lg_xasprintf(
	    LG_TR(ctx,
		  "mira por qué con `kubectl describe "
		  "deployment -n %s` y `kubectl get pods -n %s`",
		  "see why with `kubectl describe deployment "
		  "-n %s` and `kubectl get pods -n %s`"),
	    ns, ns);
}

static void assert_deployments(struct lg_ctx *ctx, struct lg_result *res,
			       const cJSON *deploys, const cJSON *pods,
			       char **names, const char *ns)
{
	size_t i;
	struct lg_buf obs = LG_BUF_INIT;
	struct sick sick = {0};
	char *hint, *exp;

	for (i = 0; names[i]; i++) {
		const cJSON *d = lg_expect_find_named(deploys, names[i]);

		if (!d) {
			lg_buf_addf(&obs, "%s%s: not found",
				    obs.len ? "; " : "", names[i]);
			sick.missing = true;
		} else if (!lg_expect_deploy_available(d)) {
			why_unavailable(&obs, d, pods, &sick);
		}
	}
	hint = deployments_hint(ctx, ns, &sick);
	exp = lg_xasprintf("%zu Deployments Available", i);
	lg_check_assert(ctx, res, "deployments-available", obs.len == 0, exp,
			obs.len
			    ? obs.buf
			    : lg_tr(ctx, "todos disponibles", "all available"),
			hint);
	free(sick.pod);
	free(sick.why);
	free(hint);
	free(exp);
	lg_buf_release(&obs);
}

static void list_pod(struct lg_buf *obs, size_t *listed, const cJSON *p,
		     const char *what)
{
	int ready, total;

	if (++*listed > MAX_LISTED)
		return;
	lg_expect_pod_ready(p, &ready, &total);
	lg_buf_addf(obs, "%s%s READY %d/%d%s", obs->len ? ", " : "",
		    lg_expect_name(p), ready, total, what);
}

static char *sidecar_hint(struct lg_ctx *ctx, bool labelled, const char *ns)
{
	if (labelled)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "el namespace está marcado, pero estos pods se "
			  "crearon antes de la etiqueta (READY 1/1 en vez "
			  "de 2/2): recréalos con `kubectl rollout restart "
			  "deployment -n %s`",
			  "the namespace is labelled, but these pods were "
			  "created before the label (READY 1/1 instead of "
			  "2/2): recreate them with `kubectl rollout "
			  "restart deployment -n %s`"),
		    ns);
	return lg_xasprintf(
	    LG_TR(ctx,
		  "sin la etiqueta no se inyecta el sidecar: `kubectl label "
		  "namespace %s istio-injection=enabled` y luego `kubectl "
		  "rollout restart deployment -n %s`",
		  "without the label no sidecar is injected: `kubectl label "
		  "namespace %s istio-injection=enabled`, then `kubectl "
		  "rollout restart deployment -n %s`"),
	    ns, ns);
}

static void assert_sidecars(struct lg_ctx *ctx, struct lg_result *res,
			    const cJSON *bpods, bool labelled, const char *ns)
{
	struct lg_buf obs = LG_BUF_INIT;
	size_t listed = 0;
	const cJSON *p;
	char *hint;
	int n = cJSON_GetArraySize(bpods);

	cJSON_ArrayForEach(p, bpods)
	{
		if (!lg_expect_container(p, "istio-proxy"))
			list_pod(&obs, &listed, p, " (no istio-proxy)");
	}
	if (listed > MAX_LISTED)
		lg_buf_addf(&obs, " (+%zu)", listed - MAX_LISTED);
	hint =
	    n == 0
		? lg_xasprintf(
		      LG_TR(ctx,
			    "no hay pods de Bookinfo: `" BOOKINFO_APPLY "`",
			    "there are no Bookinfo pods: `" BOOKINFO_APPLY "`"),
		      ns)
		: sidecar_hint(ctx, labelled, ns);
	lg_check_assert(
	    ctx, res, "pods-have-sidecar", n > 0 && listed == 0,
	    "istio-proxy in every pod",
	    n == 0   ? lg_tr(ctx, "no hay pods de Bookinfo", "no Bookinfo pods")
	    : listed ? obs.buf
		     : lg_tr(ctx, "todos los pods tienen istio-proxy",
			     "every pod has istio-proxy"),
	    hint);
	free(hint);
	lg_buf_release(&obs);
}

static char *ready_hint(struct lg_ctx *ctx, const char *ns, const char *pod)
{
	if (!pod)
		return lg_xasprintf(
		    LG_TR(ctx, "despliega Bookinfo: `" BOOKINFO_APPLY "`",
			  "deploy Bookinfo: `" BOOKINFO_APPLY "`"),
		    ns);
	return lg_xasprintf(LG_TR(ctx,
				  "mira los eventos con `kubectl describe pod "
				  "-n %s %s` y los registros con `kubectl "
				  "logs -n %s %s --all-containers`",
				  "see the events with `kubectl describe pod "
				  "-n %s %s` and the logs with `kubectl logs "
				  "-n %s %s --all-containers`"),
			    ns, pod, ns, pod);
}

static void assert_ready(struct lg_ctx *ctx, struct lg_result *res,
			 const cJSON *bpods, const char *ns)
{
	struct lg_buf obs = LG_BUF_INIT, all = LG_BUF_INIT;
	size_t listed = 0, seen = 0;
	const char *first = NULL;
	const cJSON *p;
	char *hint;

	cJSON_ArrayForEach(p, bpods)
	{
		char *why = NULL;

		if (lg_expect_pod_is_ready(p)) {
			list_pod(&all, &seen, p, "");
			continue;
		}
		if (!first)
			first = lg_expect_name(p);
		why = lg_expect_pod_problem(p);
		list_pod(&obs, &listed, p, "");
		if (why && listed <= MAX_LISTED)
			lg_buf_addf(&obs, " (%s)", why);
		free(why);
	}
	if (listed > MAX_LISTED)
		lg_buf_addf(&obs, " (+%zu)", listed - MAX_LISTED);
	hint = ready_hint(ctx, ns, first);
	lg_check_assert(ctx, res, "pods-ready", listed == 0 && seen > 0,
			"Running, READY 2/2",
			listed	  ? obs.buf
			: all.len ? all.buf
				  : lg_tr(ctx, "no hay pods de Bookinfo",
					  "no Bookinfo pods"),
			hint);
	free(hint);
	lg_buf_release(&obs);
	lg_buf_release(&all);
}

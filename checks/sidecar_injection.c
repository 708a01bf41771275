/* SPDX-License-Identifier: MIT */
/* sidecar_injection.c: objective 2, Bookinfo running with Envoy sidecars. */
/*
 * Objective: "Label the bookinfo namespace with istio-injection=enabled and
 * deploy Bookinfo (samples/bookinfo/platform/kube/bookinfo.yaml): every pod
 * shows READY 2/2, its application container plus istio-proxy."
 *
 * Evidence: the Namespace (labels istio-injection / istio.io/rev), the
 * Deployments named by the rubric's bookinfo-deployments (Available), the
 * pods those Deployments select: whether each carries istio-proxy (in
 * spec.containers, or as a native sidecar in spec.initContainers), and
 * kubectl's READY x/y and phase for each; and the MutatingWebhookConfigurations
 * (the injection webhooks and their selectors).
 *
 * Why the rule is right: the injector acts only when a pod is created, so
 * the label alone proves nothing; what matters is that the running pods
 * have the proxy. Whether a pod created now would get one is what the API
 * server decides from the injection webhooks' namespaceSelector and
 * objectSelector (Istio 1.24: istio-injection=enabled, or istio.io/rev
 * naming a revision the webhooks serve while istio-injection is absent;
 * sidecar.istio.io/inject=false on the pod opts it out, label before
 * annotation), so the check evaluates those selectors rather than
 * assuming them. A pod without the proxy is then told apart by cause, each
 * with its own fix: opted out (remove the label or annotation; a restart
 * alone keeps it out), no injection webhook at all (reinstall), created
 * before the namespace was labelled (restart: the classic READY 1/1), or
 * the namespace's labels select no webhook (not labelled, istio.io/rev
 * naming no installed revision, both labels with istio-injection not
 * enabled). Pods are found through each Deployment's selector, so other
 * pods of the namespace (the gateway's own Envoy) do not count.
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

/* The injection webhooks' suffix: istioctl installs rev.namespace.,
 * rev.object., namespace. and object.sidecar-injector.istio.io, in
 * istio-sidecar-injector and in each revision tag's configuration. */
#define INJECTOR_SUFFIX "sidecar-injector.istio.io"
#define MWC_PATH                                                               \
	"/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"
#define NO_HOOK_HINT(ctx)                                                      \
	LG_TR(ctx,                                                             \
	      "no hay webhook de inyección de sidecars (ninguna "             \
	      "MutatingWebhookConfiguration con los webhooks "                 \
	      "sidecar-injector de Istio, p. ej. istio-sidecar-injector): "    \
	      "los pods nuevos no reciben istio-proxy; reinstala el plano de " \
	      "control: `istioctl install -f "                                 \
	      "samples/bookinfo/demo-profile-no-gateways.yaml -y`",            \
	      "no sidecar injector webhook is installed (no "                  \
	      "MutatingWebhookConfiguration holds Istio's sidecar-injector "   \
	      "webhooks, e.g. istio-sidecar-injector): new pods get no "       \
	      "istio-proxy; reinstall the control plane: `istioctl install "   \
	      "-f samples/bookinfo/demo-profile-no-gateways.yaml -y`")

/* What decides injection in the namespace. */
struct injector {
	const cJSON *nsobj; /* the Namespace, NULL when missing */
	cJSON *mwcs;	    /* every MutatingWebhookConfiguration (owned) */
	size_t hooks;	    /* how many injection webhooks they hold */
	struct lg_buf revs; /* the revisions they serve, "default, canary" */
};

/* The Deployments graded, for naming a pod's owner. */
struct pods_ctx {
	const cJSON *deploys;
	char **names;
	const char *ns;
};

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res);
static bool assert_label(struct lg_ctx *ctx, struct lg_result *res,
			 const struct injector *inj, const char *ns);
static void assert_deployments(struct lg_ctx *ctx, struct lg_result *res,
			       const cJSON *deploys, const cJSON *pods,
			       char **names, const char *ns);
static void assert_sidecars(struct lg_ctx *ctx, struct lg_result *res,
			    const struct injector *inj, const cJSON *bpods,
			    const struct pods_ctx *pc);
static void find_revisions(struct injector *inj);
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
			 cJSON **pods, cJSON **mwcs, struct lg_error *err)
{
	char *p1 = lg_xasprintf("/api/v1/namespaces/%s", ns);
	char *p2 = lg_xasprintf("/apis/apps/v1/namespaces/%s/deployments", ns);
	char *p3 = lg_xasprintf("/api/v1/namespaces/%s/pods", ns);
	enum lg_err rc = lg_expect_get(ctx->cluster, res, p1, nsobj, err);

	if (rc == LG_OK || rc == LG_ENOTFOUND)
		rc = lg_expect_list(ctx->cluster, res, p2, deploys, err);
	if (rc == LG_OK)
		rc = lg_expect_list(ctx->cluster, res, p3, pods, err);
	if (rc == LG_OK)
		rc = lg_expect_list(ctx->cluster, res, MWC_PATH, mwcs, err);
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
	struct injector inj = {NULL, NULL, 0, LG_BUF_INIT};
	struct pods_ctx pc = {NULL, names, ns};
	enum lg_verdict v;

	if (fetch(ctx, res, ns, &nsobj, &deploys, &pods, &inj.mwcs, &err) !=
	    LG_OK) {
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	inj.nsobj = nsobj;
	pc.deploys = deploys;
	find_revisions(&inj);
	assert_label(ctx, res, &inj, ns);
	assert_deployments(ctx, res, deploys, pods, names, ns);
	bpods = bookinfo_pods(deploys, pods, names);
	assert_sidecars(ctx, res, &inj, bpods, &pc);
	assert_ready(ctx, res, bpods, ns);
	v = lg_result_finish(res);
out:
	cJSON_Delete(inj.mwcs);
	lg_buf_release(&inj.revs);
	lg_expect_split_free(names);
	cJSON_Delete(bpods);
	cJSON_Delete(pods);
	cJSON_Delete(deploys);
	cJSON_Delete(nsobj);
	return v;
}

/* Is v (a label's value, NULL when absent) in the entry's values? */
static bool value_in(const cJSON *e, const char *v)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, lg_expect_at(e, "values", NULL))
	{
		if (v && cJSON_IsString(x) && strcmp(v, x->valuestring) == 0)
			return true;
	}
	return false;
}

/* One matchExpressions entry of a metav1.LabelSelector: an absent key is
 * NotIn every set and DoesNotExist. */
static bool expr_matches(const cJSON *e, const cJSON *labels)
{
	const char *key = lg_expect_str(e, "key", NULL);
	const char *op = lg_expect_str(e, "operator", NULL);
	const char *v = key ? lg_expect_str(labels, key, NULL) : NULL;

	if (!key || !op)
		return false;
	if (strcmp(op, "In") == 0)
		return value_in(e, v);
	if (strcmp(op, "NotIn") == 0)
		return !value_in(e, v);
	if (strcmp(op, "Exists") == 0)
		return v != NULL;
	return strcmp(op, "DoesNotExist") == 0 && v == NULL;
}

/* A webhook's namespaceSelector or objectSelector, as the API server reads
 * it: every matchLabels pair and matchExpressions entry holds; an absent
 * selector matches everything. */
static bool label_selector_matches(const cJSON *sel, const cJSON *labels)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, lg_expect_at(sel, "matchLabels", NULL))
	{
		const char *v = lg_expect_str(labels, s->string, NULL);

		if (!v || !cJSON_IsString(s) || strcmp(v, s->valuestring))
			return false;
	}
	cJSON_ArrayForEach(s, lg_expect_at(sel, "matchExpressions", NULL))
	{
		if (!expr_matches(s, labels))
			return false;
	}
	return true;
}

static bool is_injection_hook(const cJSON *w)
{
	const char *n = lg_expect_str(w, "name", NULL);
	size_t len = n ? strlen(n) : 0, k = strlen(INJECTOR_SUFFIX);

	return len >= k && strcmp(n + len - k, INJECTOR_SUFFIX) == 0;
}

/* Would the API server send a pod with these labels, created in the
 * namespace now, to an injection webhook? */
static bool injector_selects(const struct injector *inj, const cJSON *podlabels)
{
	const cJSON *nsl = lg_expect_at(inj->nsobj, "metadata", "labels", NULL);
	const cJSON *c, *w;

	cJSON_ArrayForEach(c, inj->mwcs)
	{
		cJSON_ArrayForEach(w, lg_expect_at(c, "webhooks", NULL))
		{
			if (is_injection_hook(w) &&
			    label_selector_matches(
				lg_expect_at(w, "namespaceSelector", NULL),
				nsl) &&
			    label_selector_matches(
				lg_expect_at(w, "objectSelector", NULL),
				podlabels))
				return true;
		}
	}
	return false;
}

/* The istio.io/rev values one webhook's namespaceSelector accepts. */
static void add_revisions(struct lg_buf *revs, const cJSON *hook)
{
	const cJSON *e, *v;

	cJSON_ArrayForEach(e, lg_expect_at(hook, "namespaceSelector",
					   "matchExpressions", NULL))
	{
		const char *k = lg_expect_str(e, "key", NULL);

		if (!k || strcmp(k, "istio.io/rev"))
			continue;
		cJSON_ArrayForEach(v, lg_expect_at(e, "values", NULL))
		{
			if (cJSON_IsString(v) &&
			    !strstr(revs->buf, v->valuestring))
				lg_buf_addf(revs, "%s%s", revs->len ? ", " : "",
					    v->valuestring);
		}
	}
}

/* Counts the injection webhooks and gathers the revisions (and revision
 * tags) they serve. */
static void find_revisions(struct injector *inj)
{
	const cJSON *c, *w;

	cJSON_ArrayForEach(c, inj->mwcs)
	{
		cJSON_ArrayForEach(w, lg_expect_at(c, "webhooks", NULL))
		{
			if (!is_injection_hook(w))
				continue;
			inj->hooks++;
			add_revisions(&inj->revs, w);
		}
	}
}

/*
 * Does the namespace's labelling make Istio inject a plain pod created in
 * it now? With the injection webhooks installed, their selectors decide
 * (Istio 1.24: istio-injection=enabled, or istio.io/rev naming a served
 * revision with no istio-injection label). Without them the labels alone
 * are judged by those rules for the default revision; the missing webhook
 * is a cause of its own (pods-have-sidecar).
 */
static bool ns_selected(const struct injector *inj)
{
	cJSON *none = cJSON_CreateObject();
	const char *en = lg_expect_label(inj->nsobj, "istio-injection");
	const char *rev = lg_expect_label(inj->nsobj, "istio.io/rev");
	bool ok = inj->hooks ? injector_selects(inj, none)
			     : (en && strcmp(en, "enabled") == 0) ||
				   (!en && rev && strcmp(rev, "default") == 0);

	cJSON_Delete(none);
	return ok;
}

/* What is wrong with the namespace's labels, and the fix (caller's).
 * Called only when ns_selected() is false. */
static char *ns_fix(struct lg_ctx *ctx, const struct injector *inj,
		    const char *ns)
{
	const char *en = lg_expect_label(inj->nsobj, "istio-injection");
	const char *rev = lg_expect_label(inj->nsobj, "istio.io/rev");

	if (en && rev)
		return lg_xasprintf(
		    LG_TR(
			ctx,
			"el namespace tiene istio-injection=%s e "
			"istio.io/rev=%s: con istio-injection presente solo "
			"el valor enabled inyecta; deja una sola etiqueta: "
			"`kubectl label namespace %s istio.io/rev- "
			"istio-injection=enabled --overwrite` y recrea los "
			"pods: `kubectl rollout restart deployment -n %s`",
			"the namespace has both istio-injection=%s and "
			"istio.io/rev=%s: while istio-injection is present "
			"only its value enabled injects; keep one label: "
			"`kubectl label namespace %s istio.io/rev- "
			"istio-injection=enabled --overwrite`, then recreate "
			"the pods: `kubectl rollout restart deployment -n %s`"),
		    en, rev, ns, ns);
	if (rev)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "istio.io/rev=%s no nombra ninguna revisión "
			  "instalada (el inyector sirve: %s): `kubectl label "
			  "namespace %s istio.io/rev- istio-injection=enabled` "
			  "y recrea los pods: `kubectl rollout restart "
			  "deployment -n %s`",
			  "istio.io/rev=%s names no installed revision (the "
			  "injector serves: %s): `kubectl label namespace %s "
			  "istio.io/rev- istio-injection=enabled`, then "
			  "recreate the pods: `kubectl rollout restart "
			  "deployment -n %s`"),
		    rev, inj->revs.len ? inj->revs.buf : "default", ns, ns);
	return lg_xasprintf(
	    LG_TR(ctx,
		  "sin la etiqueta no se inyecta el sidecar%s%s: `kubectl "
		  "label namespace %s istio-injection=enabled --overwrite` y "
		  "luego `kubectl rollout restart deployment -n %s`",
		  "without the label no sidecar is injected%s%s: `kubectl "
		  "label namespace %s istio-injection=enabled --overwrite`, "
		  "then `kubectl rollout restart deployment -n %s`"),
	    en ? " (istio-injection=" : "", en ? en : "", ns, ns);
}

static char *label_observed(struct lg_ctx *ctx, const cJSON *nsobj,
			    const char *ns)
{
	const char *en = lg_expect_label(nsobj, "istio-injection");
	const char *rev = lg_expect_label(nsobj, "istio.io/rev");

	if (!nsobj)
		return lg_xasprintf(LG_TR(ctx, "namespace %s no encontrado",
					  "namespace %s not found"),
				    ns);
	if (en || rev)
		return lg_xasprintf("%s%s%s%s%s", en ? "istio-injection=" : "",
				    en ? en : "", en && rev ? ", " : "",
				    rev ? "istio.io/rev=" : "", rev ? rev : "");
	return lg_xstrdup(
	    lg_tr(ctx, "sin etiqueta de inyección", "no injection label"));
}

/* Both labels, and injection works: it is istio-injection that injects,
 * and istioctl analyze warns (IST0123). */
static void warn_labels(struct lg_ctx *ctx, struct lg_result *res,
			const struct injector *inj, const char *ns)
{
	const char *en = lg_expect_label(inj->nsobj, "istio-injection");
	const char *rev = lg_expect_label(inj->nsobj, "istio.io/rev");

	if (en && rev)
		lg_result_warnf(
		    res,
		    LG_TR(ctx,
			  "el namespace %s tiene istio-injection=%s e "
			  "istio.io/rev=%s (IST0123): inyecta "
			  "istio-injection; quita la otra: `kubectl label "
			  "namespace %s istio.io/rev-`",
			  "namespace %s has both istio-injection=%s and "
			  "istio.io/rev=%s (IST0123): istio-injection is the "
			  "one that injects; drop the other: `kubectl label "
			  "namespace %s istio.io/rev-`"),
		    ns, en, rev, ns);
	if (!inj->hooks && inj->nsobj)
		lg_result_warnf(res, "%s", NO_HOOK_HINT(ctx));
}

static bool assert_label(struct lg_ctx *ctx, struct lg_result *res,
			 const struct injector *inj, const char *ns)
{
	bool ok = inj->nsobj && ns_selected(inj);
	char *obs = label_observed(ctx, inj->nsobj, ns);
	char *fix = ok ? NULL : ns_fix(ctx, inj, ns);
	char *hint =
	    inj->nsobj
		? NULL
		: lg_xasprintf("`kubectl create namespace %s`; %s", ns, fix);

	lg_check_assert(ctx, res, "namespace-labelled", ok,
			"istio-injection=enabled", obs, hint ? hint : fix);
	if (ok)
		warn_labels(ctx, res, inj, ns);
	free(hint);
	free(fix);
	free(obs);
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

/* Why a pod has no istio-proxy, most specific first. */
enum cause { CAUSE_OPT_OUT, CAUSE_NO_HOOK, CAUSE_BEFORE, CAUSE_NS, NCAUSES };

/* The pod's own sidecar.istio.io/inject: the label wins over the
 * annotation (Istio's injector reads them so); "label", "annotation" or
 * NULL when the pod does not opt out. */
static const char *opt_out(const cJSON *pod)
{
	const char *l = lg_expect_label(pod, "sidecar.istio.io/inject");
	const char *a = lg_expect_annotation(pod, "sidecar.istio.io/inject");

	if (l)
		return strcmp(l, "false") == 0 ? "label" : NULL;
	return a && strcmp(a, "false") == 0 ? "annotation" : NULL;
}

static enum cause why_no_proxy(const struct injector *inj, const cJSON *pod)
{
	if (opt_out(pod))
		return CAUSE_OPT_OUT;
	if (!inj->hooks)
		return CAUSE_NO_HOOK;
	if (injector_selects(inj,
			     lg_expect_at(pod, "metadata", "labels", NULL)))
		return CAUSE_BEFORE;
	return CAUSE_NS;
}

/* The Deployment (of the graded ones) whose pod this is. */
static const char *owner(const cJSON *deploys, char **names, const cJSON *pod)
{
	size_t i;

	for (i = 0; names[i]; i++) {
		const cJSON *d = lg_expect_find_named(deploys, names[i]);

		if (d && lg_expect_deploy_selects(d, pod))
			return names[i];
	}
	return lg_expect_name(pod);
}

static void opt_out_hint(struct lg_ctx *ctx, struct lg_buf *hint,
			 const char *deploy, const cJSON *pod, const char *ns)
{
	lg_buf_addf(
	    hint,
	    LG_TR(ctx,
		  "%sel Deployment %s excluye sus pods de la inyección con "
		  "la %s sidecar.istio.io/inject: \"false\" en su plantilla: "
		  "quítala (`kubectl edit deployment %s -n %s`); reiniciar "
		  "sin quitarla no añade el sidecar",
		  "%sDeployment %s opts its pods out of injection with the "
		  "%s sidecar.istio.io/inject: \"false\" in its pod template: "
		  "remove it (`kubectl edit deployment %s -n %s`); a restart "
		  "alone will not add the sidecar"),
	    hint->len ? "; " : "", deploy,
	    strcmp(opt_out(pod), "label") == 0
		? lg_tr(ctx, "etiqueta", "label")
		: lg_tr(ctx, "anotación", "annotation"),
	    deploy, ns);
}

/* which: the Deployments to restart (" a b"), "" for all of them. */
static void cause_hint(struct lg_ctx *ctx, struct lg_buf *hint,
		       const struct injector *inj, enum cause c, const char *ns,
		       const char *which)
{
	char *fix = NULL;

	if (c == CAUSE_NO_HOOK)
		lg_buf_addf(hint,
			    "%s%s, %s `kubectl rollout restart "
			    "deployment -n %s`",
			    hint->len ? "; " : "", NO_HOOK_HINT(ctx),
			    lg_tr(ctx, "y luego", "then"), ns);
	else if (c == CAUSE_BEFORE)
		lg_buf_addf(
		    hint,
		    LG_TR(ctx,
			  "%sel namespace está marcado, pero estos pods se "
			  "crearon antes de la etiqueta (READY 1/1 en vez "
			  "de 2/2): recréalos con `kubectl rollout restart "
			  "deployment -n %s%s`",
			  "%sthe namespace is labelled, but these pods were "
			  "created before the label (READY 1/1 instead of "
			  "2/2): recreate them with `kubectl rollout "
			  "restart deployment -n %s%s`"),
		    hint->len ? "; " : "", ns, which);
	else if (c == CAUSE_NS)
		fix = ns_fix(ctx, inj, ns);
	if (fix)
		lg_buf_addf(hint, "%s%s", hint->len ? "; " : "", fix);
	free(fix);
}

/* What the pods without istio-proxy come to, Deployment by Deployment. */
struct causes {
	bool seen[NCAUSES];
	struct lg_buf done;   /* "|name|" per Deployment already told */
	struct lg_buf before; /* " name" per Deployment created before */
	size_t nbefore;
};

static void note_pod(struct lg_ctx *ctx, struct lg_buf *hint,
		     const struct injector *inj, const cJSON *p,
		     const struct pods_ctx *pc, struct causes *k)
{
	const char *d = owner(pc->deploys, pc->names, p);
	char *key = lg_xasprintf("|%s|", d);
	enum cause c = why_no_proxy(inj, p);

	k->seen[c] = true;
	if (!strstr(k->done.buf, key)) {
		lg_buf_adds(&k->done, key);
		if (c == CAUSE_OPT_OUT)
			opt_out_hint(ctx, hint, d, p, pc->ns);
		if (c == CAUSE_BEFORE) {
			lg_buf_addf(&k->before, " %s", d);
			k->nbefore++;
		}
	}
	free(key);
}

/* The causes of the pods without istio-proxy, one sentence each; the
 * opted-out Deployments by name, and those to restart when not all. */
static void sidecar_hint(struct lg_ctx *ctx, struct lg_buf *hint,
			 const struct injector *inj, const cJSON *bpods,
			 const struct pods_ctx *pc)
{
	struct causes k = {{false}, LG_BUF_INIT, LG_BUF_INIT, 0};
	const cJSON *p;
	size_t ndeploys = 0;
	int c;

	while (pc->names[ndeploys])
		ndeploys++;
	cJSON_ArrayForEach(p, bpods)
	{
		if (!lg_expect_container(p, "istio-proxy"))
			note_pod(ctx, hint, inj, p, pc, &k);
	}
	for (c = CAUSE_NO_HOOK; c < NCAUSES; c++)
		if (k.seen[c])
			cause_hint(ctx, hint, inj, (enum cause)c, pc->ns,
				   k.nbefore < ndeploys ? k.before.buf : "");
	lg_buf_release(&k.done);
	lg_buf_release(&k.before);
}

static void assert_sidecars(struct lg_ctx *ctx, struct lg_result *res,
			    const struct injector *inj, const cJSON *bpods,
			    const struct pods_ctx *pc)
{
	struct lg_buf obs = LG_BUF_INIT, hint = LG_BUF_INIT;
	size_t listed = 0;
	const cJSON *p;
	int n = cJSON_GetArraySize(bpods);

	cJSON_ArrayForEach(p, bpods)
	{
		if (!lg_expect_container(p, "istio-proxy"))
			list_pod(&obs, &listed, p, " (no istio-proxy)");
	}
	if (listed > MAX_LISTED)
		lg_buf_addf(&obs, " (+%zu)", listed - MAX_LISTED);
	if (n == 0)
		lg_buf_addf(
		    &hint,
		    LG_TR(ctx, "no hay pods de Bookinfo: `" BOOKINFO_APPLY "`",
			  "there are no Bookinfo pods: `" BOOKINFO_APPLY "`"),
		    pc->ns);
	else if (listed)
		sidecar_hint(ctx, &hint, inj, bpods, pc);
	lg_check_assert(
	    ctx, res, "pods-have-sidecar", n > 0 && listed == 0,
	    "istio-proxy in every pod",
	    n == 0   ? lg_tr(ctx, "no hay pods de Bookinfo", "no Bookinfo pods")
	    : listed ? obs.buf
		     : lg_tr(ctx, "todos los pods tienen istio-proxy",
			     "every pod has istio-proxy"),
	    hint.len ? hint.buf : NULL);
	lg_buf_release(&hint);
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

/* SPDX-License-Identifier: MIT */
/* istio_install.c: objective 1, Istio 1.24 installed with its CRDs. */
/*
 * Objective: "Install Istio 1.24 with istioctl and the demo profile without
 * gateways (istioctl install -f samples/bookinfo/demo-profile-no-gateways.yaml
 * -y), and the Kubernetes Gateway API CRDs."
 *
 * Evidence: the Deployment istiod in the rubric's istio-namespace (its
 * Available condition and ready replicas, the tag of its `discovery`
 * container image, the label operator.istio.io/version), and the
 * CustomResourceDefinitions of networking.istio.io and
 * gateway.networking.k8s.io (present and Established).
 *
 * Why the rule is right: istiod is the whole control plane of this profile
 * (it injects sidecars and programs every proxy), so an unavailable istiod
 * explains every later failure and is reported here once. A CRD that is not
 * Established cannot store the lab's VirtualServices yet. The image tag is
 * what really runs (a label can be stale), so it wins; the label is only a
 * fallback for images without a tag (digests).
 */
#include <stdlib.h>
#include <string.h>

#include "../harness/expect.h"
#include "../harness/i18n.h"
#include "check.h"

#define INSTALL_CMD                                                            \
	"istioctl install -f samples/bookinfo/demo-profile-no-gateways.yaml "  \
	"-y"
#define GWAPI_CMD                                                              \
	"kubectl get crd gateways.gateway.networking.k8s.io || kubectl apply " \
	"-f https://github.com/kubernetes-sigs/gateway-api/releases/download/" \
	"v1.2.0/standard-install.yaml"
#define CRD_PATH "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res);
static void assert_istiod(struct lg_ctx *ctx, struct lg_result *res,
			  const cJSON *istiod, const char *ns);
static void assert_version(struct lg_ctx *ctx, struct lg_result *res,
			   const cJSON *istiod);
static enum lg_err assert_crds(struct lg_ctx *ctx, struct lg_result *res,
			       const char *key, const char *const *names,
			       const char *hint, struct lg_error *err);

static const char *const istio_crds[] = {
    "virtualservices.networking.istio.io",
    "destinationrules.networking.istio.io",
    "gateways.networking.istio.io",
    NULL,
};

static const char *const gwapi_crds[] = {
    "gateways.gateway.networking.k8s.io",
    "httproutes.gateway.networking.k8s.io",
    NULL,
};

static const struct lg_assert_def asserts[] = {
    {"istiod-deployed", "Deployment istiod desplegado",
     "istiod Deployment deployed", NULL},
    {"istiod-available", "istiod disponible (Available, réplicas listas)",
     "istiod available (Available, ready replicas)", NULL},
    {"istio-crds", "CRD de Istio (networking.istio.io) establecidas",
     "Istio CRDs (networking.istio.io) established", NULL},
    {"istio-version", "versión de Istio según la rúbrica",
     "Istio version as the rubric asks", NULL},
    {"gateway-api-crds", "CRD de la Gateway API presentes",
     "Gateway API CRDs present", NULL},
};

const struct lg_check lg_check_istio_install = {
    .id = "istio-install",
    .objective = 1,
    .title_es = "Instalación de Istio",
    .title_en = "Istio installation",
    .prereqs = NULL,
    .flags = 0,
    .asserts = asserts,
    .nasserts = LG_ARRAY_SIZE(asserts),
    .run = run,
};

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res)
{
	struct lg_error err = {0};
	cJSON *istiod = NULL;
	enum lg_verdict v;
	const char *ns = lg_param_str(ctx, "istio-namespace", "istio-system");
	char *path =
	    lg_xasprintf("/apis/apps/v1/namespaces/%s/deployments/istiod", ns);
	enum lg_err rc = lg_expect_get(ctx->cluster, res, path, &istiod, &err);

	free(path);
	if (rc != LG_OK && rc != LG_ENOTFOUND)
		return lg_result_errorf(res, "%s", err.msg);
	assert_istiod(ctx, res, istiod, ns);
	if (assert_crds(ctx, res, "istio-crds", istio_crds, INSTALL_CMD,
			&err) != LG_OK) {
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	assert_version(ctx, res, istiod);
	if (assert_crds(ctx, res, "gateway-api-crds", gwapi_crds, GWAPI_CMD,
			&err) != LG_OK) {
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	v = lg_result_finish(res);
out:
	cJSON_Delete(istiod);
	return v;
}

static void assert_istiod(struct lg_ctx *ctx, struct lg_result *res,
			  const cJSON *istiod, const char *ns)
{
	char *want = lg_xasprintf("deployment/istiod -n %s", ns);
	char *hint = lg_xasprintf(
	    LG_TR(ctx, "istiod no está en %s: instala Istio con `%s`",
		  "istiod is not in %s: install Istio with `%s`"),
	    ns, INSTALL_CMD);
	char *status = NULL;

	lg_check_assert(ctx, res, "istiod-deployed", istiod != NULL, want,
			istiod ? lg_tr(ctx, "encontrado", "found")
			       : lg_tr(ctx, "no encontrado", "not found"),
			hint);
	free(hint);
	if (!istiod) {
		lg_check_assert(
		    ctx, res, "istiod-available", false, "Available=True",
		    lg_tr(ctx, "no encontrado", "not found"),
		    LG_TR(ctx, "primero instala Istio", "install Istio first"));
		goto out;
	}
	status = lg_expect_deploy_status(istiod);
	hint = lg_xasprintf(
	    LG_TR(ctx,
		  "istiod no tiene réplicas listas; mira por qué con "
		  "`kubectl get pods -n %s -l app=istiod` y "
		  "`kubectl describe pods -n %s -l app=istiod`",
		  "istiod has no ready replica; see why with "
		  "`kubectl get pods -n %s -l app=istiod` and "
		  "`kubectl describe pods -n %s -l app=istiod`"),
	    ns, ns);
	lg_check_assert(ctx, res, "istiod-available",
			lg_expect_deploy_available(istiod),
			"Available=True, ready >= 1", status, hint);
	free(hint);
out:
	free(want);
	free(status);
}

/* The version running: the discovery image's tag, else istioctl's label. */
static char *istiod_version(const cJSON *istiod, const char **how)
{
	const cJSON *tmpl = lg_expect_at(istiod, "spec", "template", NULL);
	const char *image = lg_expect_container_image(tmpl, "discovery");
	char *tag = lg_expect_image_tag(image);
	const char *label =
	    lg_expect_label(istiod, "operator.istio.io/version");

	if (tag) {
		*how = image;
		return tag;
	}
	*how = "label operator.istio.io/version";
	return label ? lg_xstrdup(label) : NULL;
}

/* Why the version is wrong, and the fix ("runs ?" reads badly). */
static char *version_hint(struct lg_ctx *ctx, const cJSON *istiod,
			  const char *want, const char *ver)
{
	if (!istiod)
		return lg_xstrdup(
		    lg_tr(ctx, "primero instala Istio", "install Istio first"));
	if (!ver)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "la imagen de istiod no indica su versión; el "
			  "laboratorio usa Istio %s: descarga istio-%s.x y "
			  "ejecuta `%s`",
			  "istiod's image does not show its version; the lab "
			  "uses Istio %s: download istio-%s.x and run `%s`"),
		    want, want, INSTALL_CMD);
	return lg_xasprintf(LG_TR(ctx,
				  "el laboratorio usa Istio %s e istiod "
				  "ejecuta la versión %s: descarga "
				  "istio-%s.x y ejecuta `%s`",
				  "the lab uses Istio %s and istiod runs %s: "
				  "download istio-%s.x and run `%s`"),
			    want, ver, want, INSTALL_CMD);
}

static void assert_version(struct lg_ctx *ctx, struct lg_result *res,
			   const cJSON *istiod)
{
	const char *want = lg_param_str(ctx, "istio-version", "1.24");
	const char *how = NULL;
	char *ver = istiod ? istiod_version(istiod, &how) : NULL;
	char *exp = lg_xasprintf("%s.x", want);
	char *obs =
	    ver ? lg_xasprintf("%s (%s)", ver, how)
		: lg_xstrdup(istiod ? lg_tr(ctx, "desconocida", "unknown")
				    : lg_tr(ctx, "istiod no encontrado",
					    "istiod not found"));
	char *hint = version_hint(ctx, istiod, want, ver);

	if (ver)
		lg_result_evidencef(res, "istiod version %s from %s", ver, how);
	lg_check_assert(ctx, res, "istio-version",
			lg_expect_version_matches(ver, want), exp, obs, hint);
	free(ver);
	free(exp);
	free(obs);
	free(hint);
}

/* One CRD: "" when Established, else why not. */
static enum lg_err crd_state(struct lg_ctx *ctx, struct lg_result *res,
			     const char *name, const char **state,
			     struct lg_error *err)
{
	char *path = lg_xasprintf(CRD_PATH "%s", name);
	cJSON *crd = NULL;
	enum lg_err rc = lg_expect_get(ctx->cluster, res, path, &crd, err);

	free(path);
	if (rc == LG_ENOTFOUND)
		*state = lg_tr(ctx, "falta", "missing");
	else if (rc == LG_OK && !lg_expect_condition_true(crd, "Established"))
		*state = lg_tr(ctx, "no Established", "not Established");
	else
		*state = "";
	cJSON_Delete(crd);
	return rc == LG_ENOTFOUND ? LG_OK : rc;
}

static enum lg_err assert_crds(struct lg_ctx *ctx, struct lg_result *res,
			       const char *key, const char *const *names,
			       const char *hint, struct lg_error *err)
{
	struct lg_buf bad = LG_BUF_INIT, want = LG_BUF_INIT;
	char *full = NULL;
	size_t i;

	for (i = 0; names[i]; i++) {
		const char *st;

		if (crd_state(ctx, res, names[i], &st, err) != LG_OK)
			goto out;
		lg_buf_addf(&want, "%s%s", i ? ", " : "", names[i]);
		if (*st)
			lg_buf_addf(&bad, "%s%s (%s)", bad.len ? ", " : "",
				    names[i], st);
	}
	full = lg_xasprintf(LG_TR(ctx, "faltan %s: `%s`", "missing %s: `%s`"),
			    bad.buf, hint);
	lg_check_assert(
	    ctx, res, key, bad.len == 0, want.buf,
	    bad.len ? bad.buf
		    : lg_tr(ctx, "todas establecidas", "all established"),
	    full);
out:
	free(full);
	lg_buf_release(&bad);
	lg_buf_release(&want);
	return err->code;
}

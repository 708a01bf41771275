/* SPDX-License-Identifier: MIT */
/* request_routing.c: objective 4, reviews routed by version and by user. */
/*
 * Objective: "Apply destination-rule-all.yaml and virtual-service-all-v1.yaml:
 * every user sees reviews-v1 (no stars). Then apply
 * virtual-service-reviews-test-v2.yaml: logged in as jason, the page shows
 * reviews-v2 (black stars); everyone else still v1."
 *
 * Evidence: the VirtualServices and DestinationRules of the Bookinfo
 * namespace, read into the mesh model (what a sidecar would do for an
 * anonymous request and for one with `end-user: jason`); then the page (or
 * the JSON API when the gateway exposes it) fetched N times anonymously and
 * N times with jason's session cookie, all at once, and the reviews version
 * that served each (pod name, star colour).
 *
 * Why the rule is right: configuration says what should happen and the
 * traffic says what does; both are asked for, so a right manifest on proxies
 * that never received it fails, with the cause. The two steps overwrite each
 * other's VirtualService in the lab (and later steps overwrite both), so a
 * step is judged live only while its routing is in effect: all-v1 when
 * anonymous users go to v1, test-v2 when a rule sends jason to v2. Otherwise
 * its assertions come from the progress journal, or are pending with the
 * command that applies the step. A half-present step (jason to v2 but
 * anonymous users elsewhere) is judged, unless the journal already holds a
 * pass: then the student has moved on and the recorded pass stands.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/bookinfo.h"
#include "../harness/i18n.h"
#include "../harness/journal.h"
#include "check.h"

#define NET "samples/bookinfo/networking/"
#define APPLY_DR "kubectl apply -n %s -f " NET "destination-rule-all.yaml"
#define APPLY_V1 "kubectl apply -n %s -f " NET "virtual-service-all-v1.yaml"
#define APPLY_V2                                                               \
	"kubectl apply -n %s -f " NET "virtual-service-reviews-test-v2.yaml"
#define MAX_OBS 100

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res);
struct rr;
static bool drs_ok(const struct rr *r, struct lg_buf *obs);

static const char *const prereqs[] = {"gateway", NULL};

static const struct lg_assert_def asserts[] = {
    {"destination-rules",
     "DestinationRules con los subsets v1, v2 y v3 (destination-rule-all)",
     "DestinationRules with subsets v1, v2 and v3 (destination-rule-all)",
     "all-v1"},
    {"all-v1-config", "VirtualServices que envían todo a v1 (all-v1)",
     "VirtualServices sending everything to v1 (all-v1)", "all-v1"},
    {"all-v1-live",
     "anónimo: todas las páginas las sirve reviews-v1, sin estrellas",
     "anonymous: every page served by reviews-v1, no stars", "all-v1"},
    {"test-v2-config",
     "VirtualService reviews: jason a v2, los demás a v1 (test-v2)",
     "VirtualService reviews: jason to v2, everyone else to v1 (test-v2)",
     "test-v2"},
    {"test-v2-live",
     "como jason: reviews-v2 con estrellas negras; anónimo sigue en v1",
     "as jason: reviews-v2 with black stars; anonymous still on v1", "test-v2"},
};

static const struct lg_step_def steps[] = {
    {"all-v1",
     LG_STEPS_SUBSETS | LG_STEPS_REVIEWS_ROUTE | LG_STEPS_RATINGS_ROUTE |
	 LG_STEPS_OTHER_ROUTES,
     "destination-rule-all: subsets by label version; productpage, reviews, "
     "ratings, details: every request -> the subset labelled version=v1",
     "aplica `kubectl apply -n {ns} -f " NET "destination-rule-all.yaml` y "
     "`kubectl apply -n {ns} -f " NET "virtual-service-all-v1.yaml`",
     "apply `kubectl apply -n {ns} -f " NET "destination-rule-all.yaml` and "
     "`kubectl apply -n {ns} -f " NET "virtual-service-all-v1.yaml`"},
    {"test-v2", LG_STEPS_REVIEWS_ROUTE,
     "reviews: end-user exact jason -> subset labelled version=v2; "
     "everyone else -> version=v1",
     "`kubectl apply -n {ns} -f " NET "virtual-service-reviews-test-v2.yaml`",
     "`kubectl apply -n {ns} -f " NET "virtual-service-reviews-test-v2.yaml`"},
};

const struct lg_check lg_check_request_routing = {
    .id = "request-routing",
    .objective = 4,
    .title_es = "Enrutamiento de peticiones",
    .title_en = "Request routing",
    .prereqs = prereqs,
    .flags = LG_CHECK_NEEDS_GATEWAY | LG_CHECK_SLOW,
    .asserts = asserts,
    .nasserts = LG_ARRAY_SIZE(asserts),
    .steps = steps,
    .nsteps = LG_ARRAY_SIZE(steps),
    .run = run,
};

struct rr {
	const char *ns;
	struct lg_steps_view v; /* the mesh, modelled and placed */
	unsigned conc;		/* views in flight at once, 0: default */
	enum lg_step_mode all_v1, test_v2;
	bool jason_fault; /* a ratings fault for jason (fault-injection) */
	size_t nobs;
	struct lg_bookinfo_tally anon, jason;
	char *login_problem; /* why jason could not log in, or NULL */
};

static bool near(double a, double b)
{
	return fabs(a - b) < 0.01;
}

/*
 * all-v1 is in effect when anonymous users all go to v1 (all-v1 itself, or
 * test-v2, which keeps them there); half when the subsets it needs are
 * gone (a later circuit-breaker rule replaced them). test-v2 is in effect
 * when jason goes to v2 and anonymous users stay on v1; half when a rule
 * for jason exists but the rest differs (or fault-injection's ratings
 * fault hides jason's stars). An attempt at either (a rule on the wrong
 * header, in the wrong namespace...) is judged too: harness/steps.c.
 */
static void pick_modes(const struct lg_ctx *ctx, struct rr *r)
{
	const struct lg_reviews_info *i = &r->v.info;
	bool jason_rule = i->jason[2] > 0.01 && !near(i->jason[2], i->anon[2]);
	bool full_v2 =
	    near(i->anon[1], 100) && near(i->jason[2], 100) && !r->jason_fault;
	struct lg_buf scratch = LG_BUF_INIT;
	enum lg_step_effect e1 = LG_STEP_NOT, e2 = LG_STEP_NOT;

	if (near(i->anon[1], 100))
		e1 = drs_ok(r, &scratch) ? LG_STEP_FULL : LG_STEP_HALF;
	lg_buf_release(&scratch);
	if (jason_rule)
		e2 = full_v2 ? LG_STEP_FULL : LG_STEP_HALF;
	r->all_v1 = lg_check_step_mode(ctx, &r->v, "all-v1", e1);
	r->test_v2 = lg_check_step_mode(ctx, &r->v, "test-v2", e2);
}

/* Does a subset of the merged rules select version v (by its labels)? */
static bool has_version(const struct lg_mesh *m, const char *ns,
			const char *host, const struct lg_mesh_merged_dr *d,
			int v)
{
	char *fq = lg_mesh_fqdn(host, ns);
	bool yes = false;
	size_t i;

	for (i = 0; i < d->nsubsets && !yes; i++)
		yes =
		    lg_mesh_subset_version(m, ns, fq, d->subsets[i]->name) == v;
	free(fq);
	return yes;
}

/*
 * "reviews: v1 v2 v3; productpage: v1" of the merged rules; a subset is
 * counted by its labels (version-v1 with version=v1 is v1). A host routed
 * by a Gateway API HTTPRoute (per-version Services) needs no subsets.
 */
static bool subsets_text(const struct lg_mesh *m, const char *ns,
			 const char *host, int nversions, struct lg_buf *obs)
{
	struct lg_mesh_merged_dr d;
	struct lg_route_decision rd;
	bool ok = true;
	int v;
	size_t i;

	lg_mesh_route(m, ns, host, NULL, &rd);
	lg_mesh_merged_dr(m, ns, host, &d);
	lg_buf_addf(obs, "%s%s:", obs->len ? "; " : "", host);
	for (i = 0; i < d.nsubsets; i++)
		lg_buf_addf(obs, " %s", d.subsets[i]->name);
	if (d.nsubsets == 0)
		lg_buf_adds(obs,
			    d.ndrs ? " no subsets" : " no DestinationRule");
	if (rd.vs && rd.vs->from_httproute)
		lg_buf_adds(obs, " (routed by HTTPRoute: none needed)");
	else
		for (v = 1; v <= nversions; v++)
			ok &= has_version(m, ns, host, &d, v);
	lg_mesh_merged_dr_release(&d);
	lg_route_decision_release(&rd);
	return ok;
}

/* destination-rule-all's subsets, as the lab's routes need them. */
static bool drs_ok(const struct rr *r, struct lg_buf *obs)
{
	bool ok = subsets_text(&r->v.mesh, r->ns, "reviews", 3, obs);

	ok &= subsets_text(&r->v.mesh, r->ns, "productpage", 1, obs);
	ok &= subsets_text(&r->v.mesh, r->ns, "ratings", 1, obs);
	ok &= subsets_text(&r->v.mesh, r->ns, "details", 1, obs);
	return ok;
}

static void assert_drs(struct lg_ctx *ctx, struct lg_result *res,
		       const struct rr *r)
{
	struct lg_buf obs = LG_BUF_INIT;
	char *hint;
	bool ok = drs_ok(r, &obs);

	hint = lg_xasprintf(
	    LG_TR(ctx,
		  "faltan subsets, y una ruta a un subset sin definir da 503: "
		  "`" APPLY_DR "` (si aplicaste una DestinationRule `reviews` "
		  "sin subsets, como la del circuit breaker, reemplazó a la "
		  "del laboratorio)",
		  "subsets are missing, and a route to an undefined subset "
		  "answers 503: `" APPLY_DR "` (a DestinationRule `reviews` "
		  "without subsets, like the circuit breaker's, replaces the "
		  "lab's one)"),
	    r->ns);
	lg_check_assert(ctx, res, "destination-rules", ok,
			"reviews: v1 v2 v3; productpage, ratings, details: v1",
			obs.buf, hint);
	free(hint);
	lg_buf_release(&obs);
}

/* Every share > 0 goes to a defined subset labelled version=v1 (or a
 * per-version Service "<host>-v1"), whatever its name. */
static bool all_to_v1(const struct lg_mesh *m, const char *ns,
		      const struct lg_route_decision *d)
{
	size_t i;

	if (d->kind != LG_ROUTE_RULE || d->nshares == 0 || d->undefined_subset)
		return false;
	for (i = 0; i < d->nshares; i++)
		if (d->shares[i].pct > 0.01 &&
		    lg_mesh_subset_version(m, ns, d->shares[i].host,
					   d->shares[i].subset) != 1)
			return false;
	return true;
}

/* Where anonymous requests for host go: "reviews v1 100%". */
static bool host_to_v1(const struct lg_mesh *m, const char *ns,
		       const char *host, struct lg_buf *obs)
{
	struct lg_route_decision d;
	bool ok;
	size_t i;

	lg_mesh_route(m, ns, host, NULL, &d);
	lg_buf_addf(obs, "%s%s", obs->len ? ", " : "", host);
	if (d.kind == LG_ROUTE_DEFAULT)
		lg_buf_adds(obs, " (no VirtualService: every version)");
	for (i = 0; i < d.nshares; i++)
		lg_buf_addf(obs, " %s %.4g%%",
			    d.shares[i].subset ? d.shares[i].subset : "(all)",
			    d.shares[i].pct);
	if (d.undefined_subset)
		lg_buf_adds(obs, " (subset not defined: 503)");
	ok = all_to_v1(m, ns, &d);
	lg_route_decision_release(&d);
	return ok;
}

static void assert_all_v1_config(struct lg_ctx *ctx, struct lg_result *res,
				 const struct rr *r)
{
	static const char *const hosts[] = {"productpage", "reviews", "ratings",
					    "details"};
	struct lg_buf obs = LG_BUF_INIT;
	bool ok = true;
	char *hint, *why;
	size_t i;

	for (i = 0; i < LG_ARRAY_SIZE(hosts); i++)
		ok &= host_to_v1(&r->v.mesh, r->ns, hosts[i], &obs);
	hint = lg_xasprintf(
	    LG_TR(ctx, "aplica los cuatro VirtualServices a v1: `" APPLY_V1 "`",
		  "apply the four VirtualServices to v1: `" APPLY_V1 "`"),
	    r->ns);
	why = lg_check_step_why(ctx, &r->v, "all-v1", hint);
	lg_check_assert(ctx, res, "all-v1-config", ok,
			"productpage, reviews, ratings, details: v1 100%",
			obs.buf, why);
	free(why);
	free(hint);
	lg_buf_release(&obs);
}

static void assert_test_v2_config(struct lg_ctx *ctx, struct lg_result *res,
				  const struct rr *r)
{
	char *a = lg_reviews_shares_text(r->v.info.anon);
	char *j = lg_reviews_shares_text(r->v.info.jason);
	char *obs = lg_xasprintf("anonymous: %s; jason: %s", a, j);
	bool ok = near(r->v.info.anon[1], 100) &&
		  near(r->v.info.jason[2], 100) && !r->v.info.broken;
	char *why,
	    *hint = lg_xasprintf(
		r->v.info.stage == LG_STAGE_JASON_V2_V3
		    ? LG_TR(ctx,
			    "es virtual-service-reviews-jason-v2-v3.yaml (los "
			    "anónimos van a v3); el paso del laboratorio es "
			    "`" APPLY_V2 "`",
			    "this is virtual-service-reviews-jason-v2-v3.yaml "
			    "(anonymous users go to v3); the lab's step is "
			    "`" APPLY_V2 "`")
		    : LG_TR(
			  ctx,
			  "la regla debe enviar `end-user: jason` (exact) a v2 "
			  "y todo lo demás a v1: `" APPLY_V2 "`",
			  "the rule must send `end-user: jason` (exact) to v2 "
			  "and everything else to v1: `" APPLY_V2 "`"),
		r->ns);

	why = lg_check_step_why(ctx, &r->v, "test-v2", hint);
	lg_check_assert(ctx, res, "test-v2-config", ok,
			"anonymous: v1 100%; jason: v2 100%", obs, why);
	free(why);
	free(a);
	free(j);
	free(obs);
	free(hint);
}

/* The hint for traffic that does not match what was expected. */
static char *live_hint(struct lg_ctx *ctx, const struct lg_bookinfo_tally *t,
		       bool config_ok, const char *ns, const char *fix)
{
	if (t->bad_status || t->reviews_error)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "algunas páginas fallaron (subset sin definir, pod "
			  "caído): `kubectl get pods -n %s` y `%s`",
			  "some pages failed (an undefined subset, a pod "
			  "down): `kubectl get pods -n %s` and `%s`"),
		    ns, fix);
	if (config_ok)
		return lg_xstrdup(lg_tr(
		    ctx,
		    "la configuración es correcta pero el tráfico no la "
		    "sigue: ¿tienen los pods su sidecar (READY 2/2)? mira "
		    "`istioctl proxy-status`",
		    "the configuration is right but traffic does not follow "
		    "it: do the pods have their sidecar (READY 2/2)? look "
		    "at `istioctl proxy-status`"));
	return lg_xasprintf(LG_TR(ctx,
				  "el tráfico sigue la configuración, que no "
				  "es la del paso: `%s`",
				  "traffic follows the configuration, which is "
				  "not the step's: `%s`"),
			    fix);
}

/* A live hint, after the configuration's cause when that was wrong. */
static char *with_why(const struct lg_ctx *ctx, const struct rr *r,
		      const char *step, bool config_ok, char *hint)
{
	char *why;

	if (config_ok)
		return hint;
	why = lg_check_step_why(ctx, &r->v, step, hint);
	free(hint);
	return why;
}

static bool all_v1(const struct lg_bookinfo_tally *t)
{
	return t->n > 0 && t->v[1] == t->n && !t->black && !t->red;
}

static void assert_all_v1_live(struct lg_ctx *ctx, struct lg_result *res,
			       const struct rr *r, bool config_ok)
{
	char *obs = lg_bookinfo_tally_describe(&r->anon);
	char *fix = lg_xasprintf(APPLY_V1, r->ns);
	char *hint = with_why(ctx, r, "all-v1", config_ok,
			      live_hint(ctx, &r->anon, config_ok, r->ns, fix));
	char *exp =
	    lg_xasprintf("%zu/%zu reviews-v1, no stars", r->nobs, r->nobs);

	lg_check_assert(ctx, res, "all-v1-live", all_v1(&r->anon), exp, obs,
			hint);
	free(obs);
	free(fix);
	free(hint);
	free(exp);
}

static char *test_v2_hint(struct lg_ctx *ctx, const struct rr *r,
			  bool config_ok)
{
	const struct lg_bookinfo_tally *j = &r->jason;
	char *fix, *hint;

	if (r->login_problem)
		return lg_xstrdup(lg_tr(ctx,
					"no se pudo entrar como jason: la ruta "
					"del gateway debe exponer /login "
					"(vuelve a aplicar "
					"bookinfo-gateway.yaml)",
					"could not log in as jason: the "
					"gateway's route must expose /login "
					"(re-apply bookinfo-gateway.yaml)"));
	if (j->v[2] == j->n && all_v1(&r->anon)) /* v2 without stars */
		return lg_xasprintf(
		    LG_TR(ctx,
			  "reviews-v2 no obtiene las valoraciones: `kubectl "
			  "get pods -n %s -l app=ratings`",
			  "reviews-v2 gets no ratings: `kubectl get pods -n "
			  "%s -l app=ratings`"),
		    r->ns);
	fix = lg_xasprintf(APPLY_V2, r->ns);
	hint = live_hint(ctx, j->v[2] == j->n ? &r->anon : j, config_ok, r->ns,
			 fix);
	free(fix);
	return hint;
}

/*
 * Every view of jason's shows reviews-v2: black stars; or, while
 * fault-injection's ratings fault for jason is in place, its effect: v2
 * without stars (an abort) or productpage's reviews timeout (the delay).
 */
static bool jason_on_v2(const struct rr *r)
{
	const struct lg_bookinfo_tally *j = &r->jason;

	if (j->n == 0)
		return false;
	if (!r->jason_fault)
		return j->v[2] == j->n && j->black == j->n;
	return j->v[2] + j->reviews_error == j->n;
}

static void assert_test_v2_live(struct lg_ctx *ctx, struct lg_result *res,
				const struct rr *r, bool config_ok)
{
	const struct lg_bookinfo_tally *j = &r->jason;
	bool ok = !r->login_problem && jason_on_v2(r) && all_v1(&r->anon);
	char *tj = lg_bookinfo_tally_describe(j);
	char *ta = lg_bookinfo_tally_describe(&r->anon);
	char *obs = r->login_problem
			? lg_xstrdup(r->login_problem)
			: lg_xasprintf("jason: %s; anonymous: %s", tj, ta);
	char *hint = ok ? NULL
			: with_why(ctx, r, "test-v2", config_ok,
				   test_v2_hint(ctx, r, config_ok));

	lg_check_assert(ctx, res, "test-v2-live", ok,
			"jason: reviews-v2, black stars; anonymous: reviews-v1",
			obs, hint);
	free(tj);
	free(ta);
	free(obs);
	free(hint);
}

/* Log in as jason when test-v2 is judged; a refusal is the cluster's. */
static enum lg_err login(struct lg_ctx *ctx, struct rr *r, char **cookie,
			 struct lg_error *err)
{
	struct lg_error lerr = {0};
	enum lg_err rc;

	*cookie = NULL;
	if (r->test_v2 != LG_STEP_JUDGE)
		return LG_OK;
	rc = lg_bookinfo_login(ctx->state->gateway_url, "jason", cookie, &lerr);
	if (rc == LG_EHTTP && strstr(lerr.msg, "HTTP "))
		r->login_problem = lg_xstrdup(lerr.msg);
	else if (rc != LG_OK)
		return lg_errorf(err, rc, "%s", lerr.msg);
	return LG_OK;
}

static const char *source_path(enum lg_bookinfo_source src)
{
	return src == LG_BOOKINFO_API ? "/api/v1/products/0/reviews"
				      : "/productpage";
}

/* N anonymous and (when test-v2 is judged) N jason views, all at once. */
static enum lg_err observe(struct lg_ctx *ctx, struct lg_result *res,
			   struct rr *r, struct lg_error *err)
{
	long tmo = (long)lg_param_num(ctx, "request-timeout-ms", 10000);
	enum lg_bookinfo_source src =
	    lg_bookinfo_pick_source(ctx->state->gateway_url, tmo);
	struct lg_bookinfo_ask *asks;
	struct lg_bookinfo_obs *obs;
	char *cookie = NULL;
	size_t i, n;
	enum lg_err rc = login(ctx, r, &cookie, err);

	if (rc != LG_OK)
		return rc;
	n = r->nobs * (cookie ? 2 : 1);
	asks = lg_xcalloc(n, sizeof(*asks));
	obs = lg_xcalloc(n, sizeof(*obs));
	for (i = 0; i < n; i++) {
		asks[i].cookie = i < r->nobs ? NULL : cookie;
		asks[i].src = src;
	}
	lg_bookinfo_observe_set(ctx->state->gateway_url, asks, n, r->conc, tmo,
				obs, err);
	for (i = 0; i < n; i++)
		lg_bookinfo_tally_add(i < r->nobs ? &r->anon : &r->jason,
				      &obs[i]);
	lg_result_evidencef(res, "%zu x GET %s anonymous%s", r->nobs,
			    source_path(src),
			    cookie ? ", and as jason (session cookie)" : "");
	free(cookie);
	free(asks);
	free(obs);
	if (r->anon.no_answer || r->jason.no_answer)
		return lg_errorf(err, LG_ETIMEOUT,
				 "%zu request(s) through the gateway got no "
				 "answer",
				 r->anon.no_answer + r->jason.no_answer);
	return LG_OK;
}

static void judge_all_v1(struct lg_ctx *ctx, struct lg_result *res,
			 const struct rr *r)
{
	size_t before = res->nasserts;
	bool config_ok;

	assert_drs(ctx, res, r);
	assert_all_v1_config(ctx, res, r);
	config_ok = res->asserts[before].ok && res->asserts[before + 1].ok;
	assert_all_v1_live(ctx, res, r, config_ok);
}

/* What the configuration amounts to, and how each step is graded. */
static void read_stage(const struct lg_ctx *ctx, struct lg_result *res,
		       struct rr *r)
{
	char *a, *j;

	/* a fault written on reviews' own route (an attempt at the fault
	 * step) shows on jason's pages the same way */
	r->jason_fault = r->v.info.delay_jason || r->v.info.abort_jason ||
			 (r->v.reviews.check &&
			  strcmp(r->v.reviews.check, "fault-injection") == 0);
	r->conc = lg_bookinfo_concurrency(&r->v.mesh, r->ns);
	if (r->conc)
		lg_result_evidencef(res,
				    "a connectionPool limits reviews (circuit "
				    "breaker): one request at a time");
	a = lg_reviews_shares_text(r->v.info.anon);
	j = lg_reviews_shares_text(r->v.info.jason);
	lg_result_evidencef(res, "reviews routing (%s): anonymous %s; jason %s",
			    lg_reviews_stage_name(r->v.info.stage), a, j);
	free(a);
	free(j);
	pick_modes(ctx, r);
	if (r->jason_fault && r->test_v2 == LG_STEP_JUDGE)
		lg_result_evidencef(res,
				    "a ratings fault for jason is in place "
				    "(fault-injection): jason's pages show "
				    "it instead of stars");
}

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res)
{
	struct lg_error err = {0};
	struct rr r = {0};
	enum lg_verdict v;

	r.ns = lg_param_str(ctx, "bookinfo-namespace", "bookinfo");
	r.nobs = (size_t)lg_param_num(ctx, "observations", 10);
	r.nobs = r.nobs < 1 ? 1 : r.nobs > MAX_OBS ? MAX_OBS : r.nobs;
	if (lg_check_steps_read(ctx, res, r.ns, &r.v, &err)) {
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	read_stage(ctx, res, &r);
	if ((r.all_v1 == LG_STEP_JUDGE || r.test_v2 == LG_STEP_JUDGE) &&
	    observe(ctx, res, &r, &err) != LG_OK) {
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	if (r.all_v1 == LG_STEP_JUDGE)
		judge_all_v1(ctx, res, &r);
	else
		lg_check_step_skip(ctx, res, &r.v, "all-v1");
	if (r.test_v2 == LG_STEP_JUDGE) {
		assert_test_v2_config(ctx, res, &r);
		assert_test_v2_live(ctx, res, &r,
				    res->asserts[res->nasserts - 1].ok);
	} else {
		lg_check_step_skip(ctx, res, &r.v, "test-v2");
	}
	v = lg_result_finish(res);
out:
	lg_steps_view_release(&r.v);
	free(r.login_problem);
	return v;
}

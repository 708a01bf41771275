/* SPDX-License-Identifier: MIT */
/* mirroring.c: objective 8, reviews traffic mirrored to v2. */
/*
 * Objective: "Route all reviews traffic to v1 and mirror it to v2
 * (VirtualService reviews: route subset v1, mirror {host: reviews,
 * subset: v2}, mirrorPercentage 50): users keep seeing v1 while v2
 * receives a copy of the requests."
 *
 * Evidence: the reviews VirtualService as the mesh model reads it (route,
 * mirror destination, percentage; the deprecated mirrorPercent noted);
 * then N anonymous page requests through the gateway, the reviews version
 * that served each, and the reviews-v2 sidecars' destination-side
 * istio_requests_total{reporter="destination",
 * destination_workload="reviews-v2"} (summed over the v2 pods) read
 * before and after through the API server's pod proxy. As a second sign,
 * ratings' destination-side count of requests from source_workload
 * "reviews-v2" (v2 calls ratings for every mirrored request).
 *
 * Why the rule is right: shadow requests are fire-and-forget and counted
 * only at the destination, so the v2 sidecar's own counter is where they
 * show. Envoy mirrors each request independently with probability
 * p = mirrorPercentage/100, so the copies among n page loads (one reviews
 * call each) are Binomial(n, p). The check accepts the central 1 - alpha
 * region of that law (rubric mirror-alpha, default 0.001: a right
 * configuration fails at most once in a thousand runs, the grade's false-fail
 * bound), widened by mirror-slack requests for strays (a student's
 * browser, a retry). With n = 40 and p = 0.5 that is about 9..31: both "no
 * mirror" (0) and "everything mirrored" (40) fall outside. Scrapes can lag
 * behind the requests, so the count is re-read a few times before judging.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../harness/bookinfo.h"
#include "../harness/expect.h"
#include "../harness/i18n.h"
#include "../harness/istio.h"
#include "../harness/prom.h"
#include "../harness/stats.h"
#include "check.h"

#define STEP "mirror"
#define MAX_PODS 16
#define MAX_OBS 1000

/* Counters read around the page requests. */
enum { MR_V2 = 0, MR_RATINGS, MR_N };

struct mr {
	const char *ns;
	struct lg_steps_view v; /* the mesh, modelled and placed */
	bool deprecated;	/* mirrorPercent was used */
	const char *mhost;	/* the mirror's host, borrowed from the mesh */
	char *v2[MAX_PODS];	/* reviews-v2 pods */
	size_t nv2;
	char *rt[MAX_PODS]; /* ratings pods */
	size_t nrt;
	struct lg_bookinfo_tally tally;
	size_t pages; /* pages answered 200: one reviews call each */
};

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res);
LG_TESTABLE void lg_mirroring_count(const struct lg_prom *p, bool v2_side,
				    double counts[MR_N]);
LG_TESTABLE void lg_mirroring_window(double pct, size_t n, double alpha,
				     double slack, double *lo, double *hi);

static const char *const prereqs[] = {"gateway", NULL};

static const struct lg_assert_def asserts[] = {
    {"mirror-config",
     "VirtualService reviews: ruta a v1 con mirror a reviews v2 y su "
     "porcentaje",
     "VirtualService reviews: route to v1 with a mirror to reviews v2 and "
     "its percentage",
     STEP},
    {"mirror-users-see-v1",
     "los usuarios solo ven reviews-v1 (el espejo no responde)",
     "users see only reviews-v1 (the mirror never answers)", STEP},
    {"mirror-v2-receives",
     "el sidecar de reviews-v2 recibe la parte reflejada de las peticiones",
     "the reviews-v2 sidecar receives the mirrored share of the requests",
     STEP},
};

static const struct lg_step_def steps[] = {
    {STEP, LG_STEPS_REVIEWS_ROUTE,
     "reviews: 100 % to the subset labelled version=v1, mirror (mirror or "
     "mirrors[]) to version=v2, 50 % of requests",
     "aplica el VirtualService reviews del paso de mirroring: ruta a v1, "
     "mirror: {host: reviews, subset: v2}, mirrorPercentage: {value: 50} "
     "(kubectl apply -n {ns} -f <fichero>)",
     "apply the mirroring step's VirtualService reviews: route to v1, "
     "mirror: {host: reviews, subset: v2}, mirrorPercentage: {value: 50} "
     "(kubectl apply -n {ns} -f <file>)"},
};

const struct lg_check lg_check_mirroring = {
    .id = "mirroring",
    .objective = 8,
    .title_es = "Mirroring (réplica de tráfico)",
    .title_en = "Mirroring",
    .prereqs = prereqs,
    /* alone: other checks' pages are mirrored too and would inflate the
     * count at reviews-v2 */
    .flags = LG_CHECK_NEEDS_GATEWAY | LG_CHECK_SLOW | LG_CHECK_ALONE,
    .asserts = asserts,
    .nasserts = LG_ARRAY_SIZE(asserts),
    .steps = steps,
    .nsteps = LG_ARRAY_SIZE(steps),
    .run = run,
};

static void mr_release(struct mr *s)
{
	size_t i;

	lg_steps_view_release(&s->v);
	for (i = 0; i < s->nv2; i++)
		free(s->v2[i]);
	for (i = 0; i < s->nrt; i++)
		free(s->rt[i]);
}

/* ------------------------------------------------------------------ */
/* Configuration.                                                      */

/* The mirror of the anonymous route: its host and mirrorPercent use. */
static void read_mirror(struct mr *s)
{
	struct lg_route_decision d = {0};

	lg_mesh_route(&s->v.mesh, s->ns, "reviews", NULL, &d);
	if (d.nmirrors) {
		s->mhost = d.mirrors[0].dest.host;
		s->deprecated = d.mirrors[0].deprecated_percent;
	}
	lg_route_decision_release(&d);
}

static bool is_reviews(const struct mr *s, const char *host)
{
	char *want = lg_mesh_fqdn("reviews", s->ns);
	bool ok = host && strcmp(host, want) == 0;

	free(want);
	return ok;
}

/* What is wrong with the mirror configuration (English), or NULL. */
/* The mirror's target, by meaning: the subset labelled version=v2. */
static char *target_problem(const struct mr *s)
{
	const struct lg_reviews_info *i = &s->v.info;
	struct lg_mesh_merged_dr m;
	bool defined;

	lg_mesh_merged_dr(&s->v.mesh, s->ns, "reviews", &m);
	defined = lg_mesh_merged_subset(&m, i->mirror_subset) != NULL;
	lg_mesh_merged_dr_release(&m);
	if (is_reviews(s, s->mhost) && i->mirror_subset && !defined)
		return lg_xasprintf("subset %s of reviews is defined by no "
				    "DestinationRule (IST0101): the mirror "
				    "has nowhere to go",
				    i->mirror_subset);
	if (!is_reviews(s, s->mhost) || i->mirror_version != 2)
		return lg_xasprintf("the mirror goes to %s subset %s, not "
				    "reviews subset v2 (labelled version=v2)",
				    s->mhost ? s->mhost : "?",
				    i->mirror_subset ? i->mirror_subset
						     : "(none)");
	return NULL;
}

static char *config_problem(struct lg_ctx *ctx, const struct mr *s)
{
	const struct lg_reviews_info *i = &s->v.info;
	double want = lg_param_num(ctx, "mirror-percentage", 50);
	char *problem;

	if (fabs(i->anon[1] - 100) > 0.01)
		return lg_xstrdup("the route does not send every request to "
				  "subset v1");
	problem = target_problem(s);
	if (problem)
		return problem;
	if (want > 0 && fabs(i->mirror_pct - want) > 0.01)
		return lg_xasprintf("mirrorPercentage is %g, the lab asks for "
				    "%g",
				    i->mirror_pct, want);
	return NULL;
}

static void note_deprecated(struct lg_ctx *ctx, struct lg_result *res,
			    const struct mr *s)
{
	if (!s->deprecated)
		return;
	lg_result_evidencef(
	    res, "%s",
	    lg_tr(ctx,
		  "aviso IST0133: mirrorPercent está obsoleto; usa "
		  "mirrorPercentage: {value: 50}",
		  "warning IST0133: mirrorPercent is deprecated; use "
		  "mirrorPercentage: {value: 50}"));
}

static void assert_config(struct lg_ctx *ctx, struct lg_result *res,
			  const struct mr *s)
{
	char *problem = config_problem(ctx, s);
	char *obs = lg_xasprintf(
	    "VirtualService %s/%s: %s; mirror %s subset %s, %g %%%s", s->ns,
	    s->v.info.reviews_vs ? s->v.info.reviews_vs->meta.name : "?",
	    problem ? problem : "route v1 100 %", s->mhost ? s->mhost : "?",
	    s->v.info.mirror_subset ? s->v.info.mirror_subset : "(none)",
	    s->v.info.mirror_pct, s->deprecated ? " (mirrorPercent)" : "");
	char *exp = lg_xasprintf(
	    "route v1 100 %%, mirror reviews subset v2, mirrorPercentage %g",
	    lg_param_num(ctx, "mirror-percentage", 50));
	char *why;
	const char *fix =
	    lg_tr(ctx,
		  "el VirtualService reviews debe enviar todo a subset v1 y "
		  "llevar mirror: {host: reviews, subset: v2} con "
		  "mirrorPercentage: {value: 50} (y destination-rule-all "
		  "aplicada para el subset v2); corrígelo y aplícalo con "
		  "kubectl apply -n bookinfo -f <fichero>",
		  "VirtualService reviews must send everything to subset v1 "
		  "and carry mirror: {host: reviews, subset: v2} with "
		  "mirrorPercentage: {value: 50} (and destination-rule-all "
		  "applied for subset v2); fix it and apply it with kubectl "
		  "apply -n bookinfo -f <file>");

	why = lg_check_step_why(ctx, &s->v, STEP, fix);
	lg_check_assert(ctx, res, "mirror-config", !problem, exp, obs, why);
	free(why);

	note_deprecated(ctx, res, s);
	free(problem);
	free(obs);
	free(exp);
}

/* ------------------------------------------------------------------ */
/* Live: the v2 sidecar's count around N page loads.                   */

/*
 * v2_side: p is a reviews-v2 sidecar's text (count what it received);
 * else a ratings sidecar's (count what reviews-v2 sent it).
 */
LG_TESTABLE void lg_mirroring_count(const struct lg_prom *p, bool v2_side,
				    double counts[MR_N])
{
	struct lg_prom_match m[] = {
	    {"reporter", "destination"},
	    {v2_side ? "destination_workload" : "source_workload",
	     "reviews-v2"},
	};

	counts[v2_side ? MR_V2 : MR_RATINGS] +=
	    lg_prom_sum(p, "istio_requests_total", m, 2, NULL);
}

/*
 * The accepted range of mirrored requests among n: the central 1 - alpha
 * region of Binomial(n, pct/100), widened by slack on both sides.
 */
LG_TESTABLE void lg_mirroring_window(double pct, size_t n, double alpha,
				     double slack, double *lo, double *hi)
{
	double p = pct / 100;
	unsigned k, nn = (unsigned)n;

	*lo = 0;
	*hi = (double)n;
	if (p <= 0)
		*hi = 0;
	else if (p >= 1)
		*lo = (double)n;
	else {
		for (k = 0; k < nn && lg_binom_cdf(k, nn, p) <= alpha / 2; k++)
			;
		*lo = k;
		for (k = 0; k < nn && lg_binom_cdf(k, nn, p) < 1 - alpha / 2;
		     k++)
			;
		*hi = k;
	}
	*lo = *lo - slack < 0 ? 0 : *lo - slack;
	*hi += slack;
}

/* The names of the pods with app (and version, if not NULL). */
static size_t pick_pods(const cJSON *items, const char *app,
			const char *version, char **out)
{
	const cJSON *p;
	const char *a, *v;
	size_t n = 0;

	cJSON_ArrayForEach(p, items)
	{
		a = lg_expect_label(p, "app");
		v = lg_expect_label(p, "version");
		if (!a || strcmp(a, app) != 0 || lg_expect_pod_is_gone(p) ||
		    (version && (!v || strcmp(v, version) != 0)) ||
		    n >= MAX_PODS)
			continue;
		out[n++] = lg_xstrdup(lg_expect_name(p));
	}
	return n;
}

static enum lg_err find_pods(struct lg_ctx *ctx, struct lg_result *res,
			     struct mr *s, struct lg_error *err)
{
	char *path = lg_xasprintf("/api/v1/namespaces/%s/pods", s->ns);
	cJSON *items = NULL;
	enum lg_err rc = lg_expect_list(ctx->cluster, res, path, &items, err);

	if (rc == LG_OK) {
		s->nv2 = pick_pods(items, "reviews", "v2", s->v2);
		s->nrt = pick_pods(items, "ratings", NULL, s->rt);
	}
	cJSON_Delete(items);
	free(path);
	if (rc == LG_OK && s->nv2 == 0)
		rc = lg_errorf(err, LG_ENOTFOUND,
			       "no reviews-v2 pod in namespace %s to read "
			       "metrics from",
			       s->ns);
	return rc;
}

/* counts[MR_V2] over the v2 pods; counts[MR_RATINGS] over ratings' pods
 * (a ratings pod that cannot be read only loses the second sign). */
static enum lg_err scrape(struct lg_ctx *ctx, const struct mr *s,
			  double counts[MR_N], struct lg_error *err)
{
	struct lg_error ignored = {0};
	struct lg_prom p;
	size_t i;

	memset(counts, 0, MR_N * sizeof(double));
	for (i = 0; i < s->nv2; i++) {
		if (lg_prom_fetch_pod(ctx->cluster, s->ns, s->v2[i],
				      "istio_requests_total", &p, err))
			return err->code;
		lg_mirroring_count(&p, true, counts);
		lg_prom_release(&p);
	}
	for (i = 0; i < s->nrt; i++) {
		if (lg_prom_fetch_pod(ctx->cluster, s->ns, s->rt[i],
				      "istio_requests_total", &p, &ignored))
			continue;
		lg_mirroring_count(&p, false, counts);
		lg_prom_release(&p);
	}
	return LG_OK;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	if (ms > 0)
		nanosleep(&ts, NULL);
}

/* N anonymous page loads; the tally and the pages that reached reviews. */
static enum lg_err observe(struct lg_ctx *ctx, struct lg_result *res,
			   struct mr *s, size_t n, struct lg_error *err)
{
	long tmo = (long)lg_param_num(ctx, "request-timeout-ms", 10000);
	struct lg_bookinfo_obs *obs = lg_xcalloc(n, sizeof(*obs));
	struct lg_bookinfo_ask *asks = lg_xcalloc(n, sizeof(*asks));
	/* the lab's circuit breaker (applied just before this step) allows
	 * one pending request: parallel pages would overflow into 503s that
	 * are the breaker's doing, not the mirror's */
	unsigned conc = lg_bookinfo_concurrency(&s->v.mesh, s->ns);
	enum lg_err rc;
	size_t i;

	for (i = 0; i < n; i++)
		asks[i].src = LG_BOOKINFO_PAGE;
	rc = lg_bookinfo_observe_set(ctx->state->gateway_url, asks, n, conc,
				     tmo, obs, err);
	free(asks);
	for (i = 0; rc == LG_OK && i < n; i++) {
		lg_bookinfo_tally_add(&s->tally, &obs[i]);
		if (obs[i].status == 200 && !obs[i].reviews_error)
			s->pages++;
	}
	free(obs);
	if (rc == LG_OK && s->tally.no_answer == n)
		rc = lg_errorf(err, LG_ETIMEOUT,
			       "none of %zu page requests through the gateway "
			       "got an answer",
			       n);
	lg_result_evidencef(res, "%zu x GET /productpage anonymous%s", n,
			    conc == 1 ? ", one at a time (a connectionPool "
					"limits reviews)"
				      : "");
	return rc;
}

static void assert_users(struct lg_ctx *ctx, struct lg_result *res,
			 const struct mr *s)
{
	const struct lg_bookinfo_tally *t = &s->tally;
	size_t answered = t->n - t->no_answer;
	bool ok = answered > 0 && t->v[1] == answered && !t->black && !t->red;
	char *obs = lg_bookinfo_tally_describe(t);
	char *exp =
	    lg_xasprintf("%zu/%zu reviews-v1, no stars", answered, answered);
	/* failed pages with no other version in sight are not a routing
	 * mistake: say what they are */
	bool only_failed = (t->bad_status || t->reviews_error) && !t->v[2] &&
			   !t->v[3] && !t->black && !t->red;
	char *hint =
	    only_failed
		? lg_xasprintf(LG_TR(ctx,
				     "algunas páginas fallaron (reviews no "
				     "disponible: un pod caído, un subset sin "
				     "definir, un connectionPool desbordado): "
				     "`kubectl get pods,destinationrules -n "
				     "%s`",
				     "some pages failed (reviews unavailable: "
				     "a pod down, an undefined subset, an "
				     "overflowing connectionPool): `kubectl "
				     "get pods,destinationrules -n %s`"),
			       s->ns)
		: lg_xstrdup(
		      lg_tr(ctx,
			    "las páginas las sirvió otra versión: el "
			    "VirtualService reviews debe enviar el 100 % a "
			    "v1; el espejo (mirror) nunca responde a los "
			    "usuarios",
			    "pages were served by another version: "
			    "VirtualService reviews must send 100 % to v1; "
			    "the mirror never answers users"));

	lg_check_assert(ctx, res, "mirror-users-see-v1", ok, exp, obs, hint);
	free(hint);
	free(obs);
	free(exp);
}

static void assert_v2(struct lg_ctx *ctx, struct lg_result *res,
		      const struct mr *s, const double *before,
		      const double *after)
{
	double got = lg_prom_increase(before[MR_V2], after[MR_V2]), lo, hi;
	char *exp, *obs;

	lg_mirroring_window(s->v.info.mirror_pct, s->pages,
			    lg_param_num(ctx, "mirror-alpha", 0.001),
			    lg_param_num(ctx, "mirror-slack", 2), &lo, &hi);
	exp = lg_xasprintf("%g..%g of %zu (%g %% mirrored)", lo, hi, s->pages,
			   s->v.info.mirror_pct);
	obs = lg_xasprintf("%g new requests at reviews-v2 (%zu pod(s), "
			   "destination side)",
			   got, s->nv2);
	lg_check_assert(
	    ctx, res, "mirror-v2-receives", got >= lo && got <= hi, exp, obs,
	    got < lo ? lg_tr(ctx,
			     "reviews-v2 recibió menos copias de las "
			     "esperadas: comprueba el mirror del "
			     "VirtualService reviews y que los sidecars "
			     "tienen la configuración (istioctl proxy-status)",
			     "reviews-v2 received fewer copies than "
			     "expected: check the mirror of VirtualService "
			     "reviews and that the sidecars have the "
			     "configuration (istioctl proxy-status)")
		     : lg_tr(ctx,
			     "reviews-v2 recibió más peticiones que las "
			     "reflejadas: algo más le envía tráfico (otra "
			     "ruta, otro usuario); repite sin otra carga",
			     "reviews-v2 received more requests than the "
			     "mirrored ones: something else sends it traffic "
			     "(another route, another user); run again "
			     "without other load"));
	lg_result_evidencef(
	    res,
	    LG_TR(ctx,
		  "segunda señal: %g peticiones nuevas de reviews-v2 en "
		  "ratings",
		  "second sign: %g new requests from reviews-v2 at ratings"),
	    lg_prom_increase(before[MR_RATINGS], after[MR_RATINGS]));
	free(exp);
	free(obs);
}

/* Re-read while the mirrored count is still below the window. */
static enum lg_err scrape_settled(struct lg_ctx *ctx, const struct mr *s,
				  const double *before, double after[MR_N],
				  struct lg_error *err)
{
	int tries = (int)lg_param_num(ctx, "metrics-retries", 2);
	long wait_ms = (long)lg_param_num(ctx, "metrics-retry-ms", 500);
	double lo, hi;
	enum lg_err rc = scrape(ctx, s, after, err);

	lg_mirroring_window(s->v.info.mirror_pct, s->pages,
			    lg_param_num(ctx, "mirror-alpha", 0.001),
			    lg_param_num(ctx, "mirror-slack", 2), &lo, &hi);
	while (rc == LG_OK && tries-- > 0 &&
	       lg_prom_increase(before[MR_V2], after[MR_V2]) < lo) {
		sleep_ms(wait_ms);
		rc = scrape(ctx, s, after, err);
	}
	return rc;
}

static enum lg_verdict live(struct lg_ctx *ctx, struct lg_result *res,
			    struct mr *s)
{
	double before[MR_N], after[MR_N];
	double rn = lg_param_num(ctx, "requests", 40);
	size_t n = rn < 1 ? 1 : rn > MAX_OBS ? MAX_OBS : (size_t)rn;
	struct lg_error err = {0};

	if (!ctx->state || !ctx->state->gateway_url)
		return lg_result_errorf(res, "no gateway address to send "
					     "requests through");
	if (find_pods(ctx, res, s, &err) || scrape(ctx, s, before, &err) ||
	    observe(ctx, res, s, n, &err) ||
	    scrape_settled(ctx, s, before, after, &err))
		return lg_result_errorf(res, "%s", err.msg);
	assert_users(ctx, res, s);
	assert_v2(ctx, res, s, before, after);
	return lg_result_finish(res);
}

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res)
{
	struct lg_error err = {0};
	struct mr s = {0};
	enum lg_verdict v;

	s.ns = lg_param_str(ctx, "bookinfo-namespace", "bookinfo");
	if (lg_check_steps_read(ctx, res, s.ns, &s.v, &err)) {
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	/* any mirror in effect is judged (a wrong one is measured too); an
	 * attempt that does not apply (another namespace...) as well */
	if (lg_check_step_mode(ctx, &s.v, STEP,
			       s.v.info.mirror ? LG_STEP_FULL : LG_STEP_NOT) !=
	    LG_STEP_JUDGE) {
		lg_check_step_skip(ctx, res, &s.v, STEP);
		v = lg_result_finish(res);
		goto out;
	}
	read_mirror(&s);
	/* a wrong mirror is still measured: what users and v2 see is
	 * evidence of its own (and users-see-v1 can hold regardless) */
	assert_config(ctx, res, &s);
	v = live(ctx, res, &s);
out:
	mr_release(&s);
	return v;
}

/* SPDX-License-Identifier: MIT */
/* circuit_breaking.c: objective 7, reviews' circuit breaker overflows. */
/*
 * Objective: "Apply a DestinationRule for reviews with connectionPool
 * (http1MaxPendingRequests: 1, maxRequestsPerConnection: 1) and
 * outlierDetection, then load the service until the breaker trips."
 *
 * Evidence: the DestinationRules and VirtualServices of the Bookinfo
 * namespace read into the mesh model: the policy Envoy applies to reviews
 * for the subset anonymous traffic is routed to (merged rules: subsets
 * first-wins, trafficPolicy from the oldest rule that has one), and the
 * analysis finding "a DestinationRule named reviews without subsets
 * replaced destination-rule-all's". Live: productpage's sidecar metrics
 * (port 15020 through the API server's pod proxy), read before and after a
 * sequential control (one request at a time) and after a bounded load of
 * concurrent page requests sent in simultaneous waves: the increase of
 * istio_requests_total{reporter="source", destination_service_name=
 * "reviews", response_code="503", response_flags="UO"}.
 *
 * Why the rule is right: Envoy's overflow counters are not exported by
 * default, but the client sidecar's request metric with flag UO always
 * records an overflow, so "UO grew under load and not in the control" is
 * the breaker tripping, observed. Productpage keeps answering 200 (it
 * shows an error for reviews), so the page status proves nothing.
 *
 * consecutiveErrors (the lab's manifest) is a warning, not a lost point:
 * Istio ignores the field since 1.7 (IST0133) and Envoy's default of 5
 * consecutive 5xx applies, so `consecutive5xxErrors: 1` is what the lab
 * meant; the evidence says so with the fix. The student followed the lab
 * text, and what the lab observes (overflow, UO) does not depend on
 * outlier detection at all, so docking points would grade the lab's own
 * error. Ejections (UH) are counted and reported only when the rule can
 * eject (consecutive5xxErrors set): they need hosts that really fail.
 * When they do (5xx answered by a reviews host, then UH), the breaker has
 * tripped too: with every host ejected nothing is left to overflow, so
 * that counts as tripping; UH without such failures does not (a service
 * with no endpoints answers UH as well).
 *
 * The load disturbs the mesh (hosts ejected for baseEjectionTime), so the
 * check is flagged DISTURBS (run last) and its evidence says, before the
 * load starts, what will happen and for how long.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../harness/bookinfo.h"
#include "../harness/expect.h"
#include "../harness/i18n.h"
#include "../harness/istio.h"
#include "../harness/probe_multi.h"
#include "../harness/prom.h"
#include "check.h"

#define STEP "circuit-breaker"
#define APPLY_DR_ALL                                                           \
	"kubectl apply -n %s -f "                                              \
	"samples/bookinfo/networking/destination-rule-all.yaml"
#define MAX_PODS 16
#define MAX_LOAD 2000
#define MAX_CONC 200

/* What productpage's sidecar counted for reviews (503 by flag). */
/* CB_FAIL: 5xx answered by a reviews host itself: "-" at its own sidecar
 * or at the client, URX at the client when the retries ran out. */
enum { CB_UO = 0, CB_UH, CB_NC, CB_ALL, CB_FAIL, CB_N };

struct cb {
	const char *ns;
	struct lg_steps_view v; /* the mesh, modelled and placed */
	unsigned conc;		/* the load's concurrency (rubric) */
	struct lg_mesh_resolved_policy pol;
	const char *subset;   /* the subset anonymous traffic goes to */
	char *replaced_by;    /* the `reviews` rule that replaced the subsets */
	char *subsets;	      /* "v1 v2 v3" of the merged rules */
	char *pods[MAX_PODS]; /* productpage pods */
	size_t npods;
	char *rpods[MAX_PODS]; /* reviews pods: their hosts' own failures */
	size_t nrpods;
};

/* One live measurement: the counters around the control and the load. */
struct cb_run {
	size_t n, nctl, ans, ans_ctl;
	unsigned conc;
	double c0[CB_N], c1[CB_N], c2[CB_N];
};

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res);
LG_TESTABLE void lg_circuit_breaking_count(const struct lg_prom *p,
					   double counts[CB_N]);
LG_TESTABLE bool lg_circuit_breaking_judge(const double *before,
					   const double *mid,
					   const double *after, bool can_eject,
					   double *control_uo, double *load_uo);

static const char *const prereqs[] = {"gateway", NULL};

static const struct lg_assert_def asserts[] = {
    {"cb-connection-pool",
     "DestinationRule de reviews: connectionPool con "
     "http1MaxPendingRequests 1 y maxRequestsPerConnection 1",
     "reviews DestinationRule: connectionPool with "
     "http1MaxPendingRequests 1 and maxRequestsPerConnection 1",
     STEP},
    {"cb-outlier-detection", "DestinationRule de reviews con outlierDetection",
     "reviews DestinationRule with outlierDetection", STEP},
    {"cb-subsets-kept",
     "los subsets de reviews siguen definidos (la regla no los reemplazó)",
     "reviews' subsets still defined (the rule did not replace them)", STEP},
    {"cb-sequential-control",
     "control secuencial: ningún 503 UO nuevo con una petición cada vez",
     "sequential control: no new 503 UO with one request at a time", STEP},
    {"cb-overflow",
     "bajo carga concurrente el circuit breaker salta: productpage ve 503 UO "
     "(desbordamiento) de reviews, o UH si se expulsaron hosts que fallaban",
     "under concurrent load the circuit breaker trips: productpage sees "
     "503 UO (overflow) from reviews, or UH once failing hosts are ejected",
     STEP},
};

static const struct lg_step_def steps[] = {
    {STEP, LG_STEPS_REVIEWS_POLICY,
     "reviews: a connectionPool limit the lab's concurrent load exceeds "
     "(the lab: http1MaxPendingRequests 1, maxRequestsPerConnection 1) "
     "and outlierDetection, in a DestinationRule of its own name",
     "aplica la DestinationRule de circuit breaking del laboratorio para el "
     "host reviews, con su propio nombre (kubectl apply -n {ns} -f "
     "<fichero>)",
     "apply the lab's circuit-breaker DestinationRule for host reviews, "
     "under its own name (kubectl apply -n {ns} -f <file>)"},
};

const struct lg_check lg_check_circuit_breaking = {
    .id = "circuit-breaking",
    .objective = 7,
    .title_es = "Circuit breaking",
    .title_en = "Circuit breaking",
    .prereqs = prereqs,
    .flags = LG_CHECK_NEEDS_GATEWAY | LG_CHECK_DISTURBS | LG_CHECK_SLOW,
    .asserts = asserts,
    .nasserts = LG_ARRAY_SIZE(asserts),
    .steps = steps,
    .nsteps = LG_ARRAY_SIZE(steps),
    .run = run,
};

static void cb_release(struct cb *s)
{
	size_t i;

	lg_steps_view_release(&s->v);
	free(s->replaced_by);
	free(s->subsets);
	for (i = 0; i < s->npods; i++)
		free(s->pods[i]);
	for (i = 0; i < s->nrpods; i++)
		free(s->rpods[i]);
}

/* ------------------------------------------------------------------ */
/* Configuration.                                                      */

/* The `reviews` rule without subsets that replaced destination-rule-all's. */
static void find_replaced(struct cb *s)
{
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	size_t i;

	lg_mesh_analyze(&s->v.mesh, &f);
	for (i = 0; i < f.n && !s->replaced_by; i++) {
		if (f.v[i].cause != LG_CAUSE_SUBSETS_REPLACED || !f.v[i].name ||
		    strncmp(f.v[i].name, "reviews", 7) != 0)
			continue;
		s->replaced_by = lg_xasprintf("%s/%s", f.v[i].ns, f.v[i].name);
	}
	lg_mesh_findings_release(&f);
}

/* The policy for the subset anonymous requests are routed to (the
 * top-level one when that subset is not defined). */
static void resolve(struct cb *s)
{
	struct lg_route_decision d = {0};
	struct lg_mesh_merged_dr m;
	struct lg_buf b = LG_BUF_INIT;
	size_t i;

	lg_mesh_route(&s->v.mesh, s->ns, "reviews", NULL, &d);
	s->subset = d.nshares ? d.shares[0].subset : NULL;
	lg_mesh_policy_for(&s->v.mesh, s->ns, "reviews", s->subset, &s->pol);
	if (!s->pol.subset_found) {
		s->subset = NULL;
		lg_mesh_policy_for(&s->v.mesh, s->ns, "reviews", NULL, &s->pol);
	}
	lg_route_decision_release(&d);
	lg_mesh_merged_dr(&s->v.mesh, s->ns, "reviews", &m);
	for (i = 0; i < m.nsubsets; i++)
		lg_buf_addf(&b, "%s%s", i ? " " : "", m.subsets[i]->name);
	s->subsets = lg_buf_detach(&b, NULL);
	lg_mesh_merged_dr_release(&m);
	find_replaced(s);
}

/* The rule whose trafficPolicy reviews gets; with none, the one the lab
 * has the student write (any name of its own). */
static const char *rule_name(const struct cb *s)
{
	return s->pol.from ? s->pol.from->meta.name : "reviews-cb";
}

static void int_field(struct lg_buf *b, const char *name, int v)
{
	if (v == LG_MESH_UNSET)
		lg_buf_addf(b, "%s%s unset", b->len ? ", " : "", name);
	else
		lg_buf_addf(b, "%s%s %d", b->len ? ", " : "", name, v);
}

/*
 * The limit that makes the lab's load overflow, or NULL. Under `conc`
 * requests at once, Envoy queues what exceeds the active limit
 * (tcp.maxConnections, or http2MaxRequests) as pending and answers 503 UO
 * beyond http1MaxPendingRequests (unset: 2^32-1, so tcp.maxConnections
 * alone never overflows). A request also waits as pending while its
 * connection is set up (every request, with maxRequestsPerConnection 1),
 * so a pending limit below the concurrency overflows by itself, even with
 * a generous maxConnections (100). http2MaxRequests caps requests in
 * flight for HTTP/1.1 too; beyond it Envoy answers UO at once. Values at
 * or above the load are no breaker for it.
 */
static const char *overflowing_limit(const struct lg_mesh_pool *p,
				     unsigned conc)
{
	if (p->http1_max_pending != LG_MESH_UNSET &&
	    p->http1_max_pending < (int)conc)
		return "http.http1MaxPendingRequests";
	if (p->http2_max_requests != LG_MESH_UNSET &&
	    p->http2_max_requests < (int)conc)
		return "http.http2MaxRequests";
	return NULL;
}

static void assert_pool(struct lg_ctx *ctx, struct lg_result *res,
			const struct cb *s)
{
	const struct lg_mesh_pool *p = &s->pol.policy.pool;
	struct lg_buf obs = LG_BUF_INIT;
	const char *limit =
	    s->pol.policy.has_pool ? overflowing_limit(p, s->conc) : NULL;
	char *hint, *why, *exp;

	if (s->pol.policy.has_pool) {
		int_field(&obs, "http1MaxPendingRequests",
			  p->http1_max_pending);
		int_field(&obs, "maxRequestsPerConnection",
			  p->max_requests_per_conn);
		int_field(&obs, "tcp.maxConnections", p->max_connections);
		if (limit)
			lg_buf_addf(&obs, "; %s overflows under %u at once",
				    limit, s->conc);
	} else {
		lg_buf_adds(&obs, "no connectionPool");
	}
	if (s->pol.from)
		lg_buf_addf(&obs, " (DestinationRule %s/%s)", s->ns,
			    rule_name(s));
	else
		lg_buf_adds(&obs, " (no DestinationRule for reviews has a "
				  "trafficPolicy)");
	hint = lg_xasprintf(
	    LG_TR(ctx,
		  "ningún límite de la DestinationRule %s está por debajo de "
		  "las %u peticiones a la vez de la carga, así que nada "
		  "desborda: pon trafficPolicy.connectionPool: "
		  "http.http1MaxPendingRequests: 1 y "
		  "http.maxRequestsPerConnection: 1 (como el laboratorio), y "
		  "vuelve a aplicarla (kubectl apply -n %s -f <fichero>)",
		  "no limit of DestinationRule %s is below the load's %u "
		  "requests at once, so nothing overflows: set "
		  "trafficPolicy.connectionPool: http.http1MaxPendingRequests: "
		  "1 and http.maxRequestsPerConnection: 1 (as the lab does), "
		  "and apply it again (kubectl apply -n %s -f <file>)"),
	    rule_name(s), s->conc, s->ns);
	why = lg_check_step_why(ctx, &s->v, STEP, hint);
	exp = lg_xasprintf("a connectionPool limit below the load's %u "
			   "requests at once (the lab: "
			   "http1MaxPendingRequests 1, "
			   "maxRequestsPerConnection 1)",
			   s->conc);
	lg_check_assert(ctx, res, "cb-connection-pool", limit != NULL, exp,
			obs.buf, why);
	free(exp);
	free(why);
	free(hint);
	lg_buf_release(&obs);
}

/* consecutiveErrors alone: a warning with the fix (see the header). */
static void warn_consecutive_errors(struct lg_ctx *ctx, struct lg_result *res,
				    const struct cb *s)
{
	const struct lg_mesh_outlier *o = &s->pol.policy.outlier;

	if (o->consecutive_errors == LG_MESH_UNSET ||
	    o->consecutive_5xx != LG_MESH_UNSET)
		return;
	lg_result_warnf(
	    res,
	    LG_TR(ctx,
		  "IST0133: outlierDetection.consecutiveErrors: %d en "
		  "%s/%s no tiene efecto: Istio lo ignora desde la 1.7 y Envoy "
		  "aplica su valor por defecto, 5 errores 5xx seguidos; lo que "
		  "el laboratorio pretende es consecutive5xxErrors: %d "
		  "(cámbialo y vuelve a aplicar la regla)",
		  "IST0133: outlierDetection.consecutiveErrors: %d in "
		  "%s/%s has no effect: Istio ignores it since 1.7 and Envoy "
		  "applies its default, 5 consecutive 5xx errors; what the lab "
		  "means is consecutive5xxErrors: %d (change it and apply the "
		  "rule again)"),
	    o->consecutive_errors, s->ns, rule_name(s), o->consecutive_errors);
}

/* "consecutiveErrors 1 (ignored), interval 1s, ...; ejects after 5
 * consecutive 5xx": the fields as written, then what Envoy does. */
static char *outlier_text(const struct cb *s)
{
	const struct lg_mesh_outlier *o = &s->pol.policy.outlier;
	struct lg_buf b = LG_BUF_INIT;

	if (o->consecutive_5xx != LG_MESH_UNSET)
		int_field(&b, "consecutive5xxErrors", o->consecutive_5xx);
	if (o->consecutive_errors != LG_MESH_UNSET)
		lg_buf_addf(&b, "%sconsecutiveErrors %d (ignored)",
			    b.len ? ", " : "", o->consecutive_errors);
	lg_buf_addf(&b,
		    "%sinterval %gs, baseEjectionTime %gs, "
		    "maxEjectionPercent %d; Envoy ejects after %d "
		    "consecutive 5xx",
		    b.len ? ", " : "", s->pol.eff_interval_s,
		    s->pol.eff_base_ejection_s, s->pol.eff_max_ejection_pct,
		    s->pol.eff_consecutive_5xx);
	return lg_buf_detach(&b, NULL);
}

static void assert_outlier(struct lg_ctx *ctx, struct lg_result *res,
			   const struct cb *s)
{
	bool ok = s->pol.policy.has_outlier;
	char *obs = ok ? outlier_text(s) : lg_xstrdup("no outlierDetection");
	char *hint = lg_xasprintf(
	    LG_TR(ctx,
		  "añade a la DestinationRule %s trafficPolicy."
		  "outlierDetection (consecutive5xxErrors: 1, interval: 1s, "
		  "baseEjectionTime: 3m, maxEjectionPercent: 100)",
		  "add trafficPolicy.outlierDetection to DestinationRule %s "
		  "(consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: "
		  "3m, maxEjectionPercent: 100)"),
	    rule_name(s));

	lg_check_assert(ctx, res, "cb-outlier-detection", ok,
			"outlierDetection", obs, hint);
	if (ok)
		warn_consecutive_errors(ctx, res, s);
	free(obs);
	free(hint);
}

static void assert_subsets(struct lg_ctx *ctx, struct lg_result *res,
			   const struct cb *s)
{
	char *obs = s->replaced_by
			? lg_xasprintf("DestinationRule %s has a trafficPolicy "
				       "and no subsets: it replaced the "
				       "subsets of destination-rule-all; "
				       "every route to a reviews subset now "
				       "answers 503 (NC)",
				       s->replaced_by)
			: lg_xasprintf("subsets: %s",
				       *s->subsets ? s->subsets : "none");
	char *hint = lg_xasprintf(
	    LG_TR(ctx,
		  "la regla de circuit breaking se llama como la de "
		  "destination-rule-all y la ha sustituido: dale su propio "
		  "nombre (metadata.name: reviews-cb) y aplícala, y recupera "
		  "los subsets con `" APPLY_DR_ALL "`; o añade a %s los "
		  "subsets v1, v2 y v3 (labels version)",
		  "the circuit-breaker rule has the same name as "
		  "destination-rule-all's and replaced it: give it its own "
		  "name (metadata.name: reviews-cb) and apply it, then restore "
		  "the subsets with `" APPLY_DR_ALL "`; or add subsets v1, v2 "
		  "and v3 (labels version) to %s"),
	    s->ns, s->replaced_by ? s->replaced_by : "");

	lg_check_assert(ctx, res, "cb-subsets-kept", !s->replaced_by,
			"subsets v1 v2 v3 of reviews kept", obs, hint);
	free(obs);
	free(hint);
}

/* ------------------------------------------------------------------ */
/* Live: metrics around a sequential control and a concurrent load.    */

static bool label_is(const struct lg_prom_sample *x, const char *name,
		     const char *value)
{
	const char *v = lg_prom_label(x, name);

	return v && strcmp(v, value) == 0;
}

/*
 * Is this series about calls to reviews? The stats filter takes the name
 * from the cluster's metadata; a call Envoy could not route to a cluster
 * (503 NC, NR) has none, and the name then comes from the Host header:
 * "reviews:9080", or the FQDN a client wrote.
 */
static bool is_reviews(const struct lg_prom_sample *x)
{
	const char *v = lg_prom_label(x, "destination_service_name");

	return v && !strncmp(v, "reviews", 7) &&
	       (v[7] == '\0' || v[7] == ':' || v[7] == '.');
}

/*
 * A 5xx that a reviews host answered itself: no Envoy flag, or URX when
 * Istio's default retry policy (2 retries on 503) retried it and every
 * attempt failed, so the client sidecar passed the host's answer on.
 */
static bool is_host_5xx(const struct lg_prom_sample *x)
{
	const char *code = lg_prom_label(x, "response_code");
	const char *flags = lg_prom_label(x, "response_flags");

	return code && code[0] == '5' && flags &&
	       (strcmp(flags, "-") == 0 || strstr(flags, "URX"));
}

/* Which counter a 503 with these flags adds to, or -1. */
static int flag_counter(const char *flags)
{
	static const char *const names[] = {"UO", "UH", "NC"};
	size_t i;

	for (i = 0; flags && i < LG_ARRAY_SIZE(names); i++)
		if (!strcmp(flags, names[i]))
			return (int)i;
	return -1;
}

/* Add one istio_requests_total series about reviews to the counters. */
static void count_sample(const struct lg_prom_sample *x, double counts[CB_N])
{
	int k;

	if (label_is(x, "reporter", "destination")) {
		counts[CB_FAIL] += is_host_5xx(x) ? x->value : 0;
		return;
	}
	if (!label_is(x, "reporter", "source"))
		return;
	counts[CB_ALL] += x->value;
	if (is_host_5xx(x))
		counts[CB_FAIL] += x->value;
	k = flag_counter(lg_prom_label(x, "response_flags"));
	if (k >= 0 && label_is(x, "response_code", "503"))
		counts[k] += x->value;
}

LG_TESTABLE void lg_circuit_breaking_count(const struct lg_prom *p,
					   double counts[CB_N])
{
	const struct lg_prom_sample *x;
	size_t i;

	for (i = 0; i < p->n; i++) {
		x = &p->samples[i];
		if (!strcmp(x->name, "istio_requests_total") &&
		    !isnan(x->value) && is_reviews(x))
			count_sample(x, counts);
	}
}

/*
 * New UO in the control (before..mid) and under load (mid..after). The
 * breaker tripped when the load overflowed, or, for a rule that can eject,
 * when hosts that really failed (5xx of their own, counted since the
 * sidecar started: an ejected host is not called again for
 * baseEjectionTime, so its failure may predate this run) were ejected and
 * calls got UH: with every host ejected nothing is left to overflow. UH
 * alone is not enough: a service without endpoints answers UH too.
 */
LG_TESTABLE bool lg_circuit_breaking_judge(const double *before,
					   const double *mid,
					   const double *after, bool can_eject,
					   double *control_uo, double *load_uo)
{
	*control_uo = lg_prom_increase(before[CB_UO], mid[CB_UO]);
	*load_uo = lg_prom_increase(mid[CB_UO], after[CB_UO]);
	return *load_uo > 0 ||
	       (can_eject &&
		lg_prom_increase(before[CB_UH], after[CB_UH]) > 0 &&
		after[CB_FAIL] > 0);
}

/* Keep the pod's name in names[] when it runs app and there is room. */
static void keep_pod(const cJSON *p, const char *app, char **names, size_t *n)
{
	const char *a = lg_expect_label(p, "app");

	if (a && !strcmp(a, app) && !lg_expect_pod_is_gone(p) && *n < MAX_PODS)
		names[(*n)++] = lg_xstrdup(lg_expect_name(p));
}

/*
 * The productpage pods (Running or Pending, not terminating): their
 * sidecars count the calls to reviews. And the reviews pods: only their
 * own sidecars see a host fail, because the default retry policy retries
 * a host's 503 and the client then reports URX or, once the host is
 * ejected, UH.
 */
static enum lg_err find_pods(struct lg_ctx *ctx, struct lg_result *res,
			     struct cb *s, struct lg_error *err)
{
	char *path = lg_xasprintf("/api/v1/namespaces/%s/pods", s->ns);
	cJSON *items = NULL;
	const cJSON *p;
	enum lg_err rc = lg_expect_list(ctx->cluster, res, path, &items, err);

	cJSON_ArrayForEach(p, items)
	{
		keep_pod(p, "productpage", s->pods, &s->npods);
		keep_pod(p, "reviews", s->rpods, &s->nrpods);
	}
	cJSON_Delete(items);
	free(path);
	if (rc == LG_OK && s->npods == 0)
		rc = lg_errorf(err, LG_ENOTFOUND,
			       "no productpage pod in namespace %s to read "
			       "metrics from",
			       s->ns);
	return rc;
}

/* Add the counters of n pods' sidecars. */
static enum lg_err scrape_pods(struct lg_ctx *ctx, const char *ns,
			       char *const *names, size_t n,
			       double counts[CB_N], struct lg_error *err)
{
	struct lg_prom p;
	enum lg_err rc;
	size_t i;

	for (i = 0; i < n; i++) {
		rc = lg_prom_fetch_pod(ctx->cluster, ns, names[i],
				       "istio_requests_total", &p, err);
		if (rc != LG_OK)
			return rc;
		lg_circuit_breaking_count(&p, counts);
		lg_prom_release(&p);
	}
	return LG_OK;
}

/* Sum productpage's and the reviews hosts' counters over their pods. */
static enum lg_err scrape(struct lg_ctx *ctx, const struct cb *s,
			  double counts[CB_N], struct lg_error *err)
{
	memset(counts, 0, CB_N * sizeof(double));
	if (scrape_pods(ctx, s->ns, s->pods, s->npods, counts, err))
		return err->code;
	return scrape_pods(ctx, s->ns, s->rpods, s->nrpods, counts, err);
}

/* n GETs of /productpage, `conc` at once in waves; how many answered. */
static size_t send_pages(struct lg_ctx *ctx, const char *gw, size_t n,
			 unsigned conc, struct lg_error *err)
{
	struct lg_probe_req *q = lg_xcalloc(n, sizeof(*q));
	struct lg_probe_resp *r = lg_xcalloc(n, sizeof(*r));
	struct lg_probe_many_stats st = {0};
	char *url = lg_xasprintf("%s/productpage", gw);
	size_t i;

	for (i = 0; i < n; i++) {
		q[i].url = url;
		q[i].timeout_ms =
		    (long)lg_param_num(ctx, "request-timeout-ms", 10000);
	}
	lg_probe_many_ex(q, n, conc, LG_PROBE_MANY_BARRIER, r, NULL, &st, err);
	for (i = 0; i < n; i++)
		lg_probe_resp_release(&r[i]);
	free(url);
	free(q);
	free(r);
	return st.answered;
}

static void announce(struct lg_ctx *ctx, struct lg_result *res,
		     const struct cb *s, size_t n, unsigned conc)
{
	if (!s->pol.policy.has_outlier) {
		lg_result_evidencef(
		    res,
		    LG_TR(ctx,
			  "esta comprobación carga la malla: %zu peticiones "
			  "a /productpage, %u a la vez (sin outlierDetection "
			  "no se expulsa ningún pod)",
			  "this check loads the mesh: %zu requests to "
			  "/productpage, %u at once (without "
			  "outlierDetection no pod is ejected)"),
		    n, conc);
		return;
	}
	lg_result_evidencef(
	    res,
	    LG_TR(ctx,
		  "esta comprobación perturba la malla: %zu peticiones a "
		  "/productpage, %u a la vez; outlierDetection puede expulsar "
		  "pods de reviews durante baseEjectionTime (%g s)",
		  "this check disturbs the mesh: %zu requests to "
		  "/productpage, %u at once; outlierDetection may eject "
		  "reviews pods for baseEjectionTime (%g s)"),
	    n, conc, s->pol.eff_base_ejection_s);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	if (ms > 0)
		nanosleep(&ts, NULL);
}

/*
 * Re-read while the load has not shown up yet: no new UO, and fewer new
 * calls to reviews than pages answered (productpage calls reviews at least
 * once per page, so a counter that grew by that much is up to date and a
 * zero is final).
 */
static enum lg_err scrape_settled(struct lg_ctx *ctx, const struct cb *s,
				  const double *mid, double after[CB_N],
				  size_t answered, struct lg_error *err)
{
	int tries = (int)lg_param_num(ctx, "metrics-retries", 2);
	long wait_ms = (long)lg_param_num(ctx, "metrics-retry-ms", 1000);
	enum lg_err rc = scrape(ctx, s, after, err);

	while (rc == LG_OK && tries-- > 0 &&
	       lg_prom_increase(mid[CB_UO], after[CB_UO]) <= 0 &&
	       lg_prom_increase(mid[CB_ALL], after[CB_ALL]) <
		   (double)answered) {
		sleep_ms(wait_ms);
		rc = scrape(ctx, s, after, err);
	}
	return rc;
}

static void assert_control(struct lg_ctx *ctx, struct lg_result *res, size_t n,
			   size_t answered, double new_uo)
{
	char *obs = lg_xasprintf("%zu/%zu answered one at a time; %g new "
				 "503 UO",
				 answered, n, new_uo);

	lg_check_assert(
	    ctx, res, "cb-sequential-control", new_uo <= 0, "0 new 503 UO", obs,
	    lg_tr(ctx,
		  "hubo desbordamientos sin concurrencia: otro tráfico carga "
		  "reviews a la vez, o el connectionPool es más estricto que "
		  "1 petición pendiente; repite sin otra carga",
		  "overflows without concurrency: other traffic loads "
		  "reviews at the same time, or the connectionPool is "
		  "stricter than 1 pending request; run again without other "
		  "load"));
	free(obs);
}

static const char *overflow_hint(struct lg_ctx *ctx, double nc)
{
	if (nc > 0)
		return lg_tr(ctx,
			     "las llamadas a reviews fallan con 503 NC (subset "
			     "sin definir), no por el circuit breaker: "
			     "recupera los subsets de reviews",
			     "calls to reviews fail with 503 NC (undefined "
			     "subset), not by the circuit breaker: restore "
			     "reviews' subsets");
	return lg_tr(ctx,
		     "no se vio desbordamiento: comprueba que la "
		     "DestinationRule con connectionPool está aplicada al host "
		     "reviews (kubectl get destinationrules -n bookinfo) y que "
		     "los sidecars la recibieron",
		     "no overflow seen: check that the DestinationRule with "
		     "connectionPool applies to host reviews (kubectl get "
		     "destinationrules -n bookinfo) and that the sidecars "
		     "received it");
}

/*
 * UO under load, or (see lg_circuit_breaking_judge) ejection of hosts
 * that really failed. UH is reported only when the rule can eject.
 */
static void assert_overflow(struct lg_ctx *ctx, struct lg_result *res,
			    const struct cb *s, const struct cb_run *m,
			    bool tripped, double new_uo)
{
	double nc = lg_prom_increase(m->c1[CB_NC], m->c2[CB_NC]);
	struct lg_buf obs = LG_BUF_INIT;

	lg_buf_addf(&obs,
		    "%g new 503 UO, %g new 503 NC, %g calls to reviews "
		    "(productpage sidecar, %zu pod(s))",
		    new_uo, nc, lg_prom_increase(m->c1[CB_ALL], m->c2[CB_ALL]),
		    s->npods);
	if (s->pol.policy.outlier.consecutive_5xx != LG_MESH_UNSET)
		lg_buf_addf(&obs,
			    "; ejection after %d consecutive 5xx: %g 5xx "
			    "from reviews hosts in all, %g new 503 UH",
			    s->pol.eff_consecutive_5xx, m->c2[CB_FAIL],
			    lg_prom_increase(m->c0[CB_UH], m->c2[CB_UH]));
	lg_check_assert(ctx, res, "cb-overflow", tripped,
			"> 0 new 503 UO (or UH after failing hosts were "
			"ejected)",
			obs.buf, overflow_hint(ctx, nc));
	lg_buf_release(&obs);
}

/* The load, sized by the rubric within fixed bounds. */
static void load_size(struct lg_ctx *ctx, size_t *n, unsigned *conc)
{
	double rn = lg_param_num(ctx, "requests", 60);
	double rc = lg_param_num(ctx, "concurrency", 20);

	*n = rn < 1 ? 1 : rn > MAX_LOAD ? MAX_LOAD : (size_t)rn;
	*conc = rc < 2 ? 2 : rc > MAX_CONC ? MAX_CONC : (unsigned)rc;
}

static enum lg_err measure(struct lg_ctx *ctx, struct lg_result *res,
			   struct cb *s, const char *gw, struct cb_run *m,
			   struct lg_error *err)
{
	struct lg_error perr = {0};

	if (find_pods(ctx, res, s, err) || scrape(ctx, s, m->c0, err))
		return err->code;
	announce(ctx, res, s, m->n, m->conc);
	m->ans_ctl = send_pages(ctx, gw, m->nctl, 1, &perr);
	if (scrape(ctx, s, m->c1, err))
		return err->code;
	m->ans = send_pages(ctx, gw, m->n, m->conc, &perr);
	lg_result_evidencef(
	    res,
	    LG_TR(ctx,
		  "carga: %zu/%zu peticiones respondidas, %u "
		  "a la vez",
		  "load: %zu/%zu requests answered, %u at once"),
	    m->ans, m->n, m->conc);
	if (m->ans_ctl + m->ans == 0)
		return lg_errorf(err, perr.code ? perr.code : LG_EHTTP, "%s",
				 perr.msg);
	return scrape_settled(ctx, s, m->c1, m->c2, m->ans, err);
}

static enum lg_verdict live(struct lg_ctx *ctx, struct lg_result *res,
			    struct cb *s)
{
	const char *gw = ctx->state && ctx->state->gateway_url
			     ? ctx->state->gateway_url
			     : ctx->gateway_url;
	double nctl = lg_param_num(ctx, "control-requests", 10);
	struct lg_error err = {0};
	struct cb_run m = {0};
	double control_uo, load_uo;
	bool tripped;

	if (!gw)
		return lg_result_errorf(res, "no gateway address to send "
					     "load through");
	load_size(ctx, &m.n, &m.conc);
	m.nctl = nctl < 1 ? 1 : nctl > MAX_LOAD ? MAX_LOAD : (size_t)nctl;
	if (measure(ctx, res, s, gw, &m, &err))
		return lg_result_errorf(res, "%s", err.msg);
	tripped = lg_circuit_breaking_judge(
	    m.c0, m.c1, m.c2,
	    s->pol.policy.outlier.consecutive_5xx != LG_MESH_UNSET, &control_uo,
	    &load_uo);
	assert_control(ctx, res, m.nctl, m.ans_ctl, control_uo);
	assert_overflow(ctx, res, s, &m, tripped, load_uo);
	return lg_result_finish(res);
}

static enum lg_step_effect limits_reviews(const struct cb *s)
{
	return s->pol.policy.has_pool || s->pol.policy.has_outlier
		   ? LG_STEP_FULL
		   : LG_STEP_NOT;
}

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res)
{
	struct lg_error err = {0};
	struct cb s = {0};
	enum lg_verdict v;
	size_t n;

	s.ns = lg_param_str(ctx, "bookinfo-namespace", "bookinfo");
	if (lg_check_steps_read(ctx, res, s.ns, &s.v, &err)) {
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	resolve(&s);
	load_size(ctx, &n, &s.conc);
	/* a rule with limits for reviews is the step; one on another host
	 * (ratings) is an attempt at it, judged: harness/steps.c */
	if (lg_check_step_mode(ctx, &s.v, STEP, limits_reviews(&s)) !=
	    LG_STEP_JUDGE) {
		lg_check_step_skip(ctx, res, &s.v, STEP);
		v = lg_result_finish(res);
		goto out;
	}
	assert_pool(ctx, res, &s);
	assert_outlier(ctx, res, &s);
	assert_subsets(ctx, res, &s);
	v = live(ctx, res, &s);
out:
	cb_release(&s);
	return v;
}

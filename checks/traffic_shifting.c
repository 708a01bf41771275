/* SPDX-License-Identifier: MIT */
/* traffic_shifting.c: objective 6, reviews traffic moved from v1 to v3. */
/*
 * Objective: "Apply virtual-service-reviews-50-v3.yaml: half the pages come
 * from reviews-v1, half from reviews-v3 (red stars). Then apply
 * virtual-service-reviews-v3.yaml: every page comes from reviews-v3."
 *
 * Evidence: the reviews VirtualService read into the mesh model (the shares
 * by version for anonymous users and for jason); then anonymous page views
 * (the JSON API when the gateway exposes it, else the page), sent in
 * parallel batches, each classified by the reviews version that served it.
 * For the split, the counts, an exact 95 % interval and the sequential
 * test's decision (harness/stats.h); for all-v3, the tally.
 *
 * Why the rule is right: a 50/50 split can only be judged statistically.
 * Wald's sequential test (two one-sided SPRTs, docs/internals/stats.md)
 * stops as soon as the verdict is certain enough: with the rubric's
 * defaults a true 50/50 fails at most 1 time in 1000 and an 80/20 (or
 * worse) passes at most 1 time in 100, after about 33 requests on average
 * for a right split. The lab's classic mistakes (reviews-90-10 and 80-20
 * split to v2, not v3) are caught at the first v2 page, which a v1/v3 split
 * never serves. Each step is judged while its routing is in effect (or a
 * wrong attempt at it is: a v1/v2, v2/v3 or uneven v1/v3 split; jason kept
 * on v2), else taken from the progress journal.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/bookinfo.h"
#include "../harness/i18n.h"
#include "../harness/journal.h"
#include "../harness/stats.h"
#include "check.h"

#define NET "samples/bookinfo/networking/"
#define APPLY_50                                                               \
	"kubectl apply -n %s -f " NET "virtual-service-reviews-50-v3.yaml"
#define APPLY_V3 "kubectl apply -n %s -f " NET "virtual-service-reviews-v3.yaml"
#define MAX_OBS 100
#define MAX_BATCH 32
/* Load on a student's cluster is bounded: a rubric whose tolerance would
 * need more requests than this is refused. */
#define MAX_SPLIT_REQUESTS 5000u

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res);

static const char *const prereqs[] = {"gateway", NULL};

static const struct lg_assert_def asserts[] = {
    {"split-config", "VirtualService reviews: 50 % a v1 y 50 % a v3",
     "VirtualService reviews: 50 % to v1 and 50 % to v3", "split-50-v3"},
    {"split-live",
     "el reparto observado entre v1 y v3 es 50/50 (prueba secuencial)",
     "the observed v1/v3 split is 50/50 (sequential test)", "split-50-v3"},
    {"all-v3-config", "VirtualService reviews: todo a v3",
     "VirtualService reviews: everything to v3", "all-v3"},
    {"all-v3-live", "todas las páginas las sirve reviews-v3 (estrellas rojas)",
     "every page served by reviews-v3 (red stars)", "all-v3"},
};

static const struct lg_step_def steps[] = {
    {"split-50-v3", LG_STEPS_REVIEWS_ROUTE,
     "reviews: 50 % to the subset labelled version=v1, 50 % to version=v3, "
     "for everyone",
     "`kubectl apply -n {ns} -f " NET "virtual-service-reviews-50-v3.yaml`",
     "`kubectl apply -n {ns} -f " NET "virtual-service-reviews-50-v3.yaml`"},
    {"all-v3", LG_STEPS_REVIEWS_ROUTE,
     "reviews: 100 % to the subset labelled version=v3",
     "`kubectl apply -n {ns} -f " NET "virtual-service-reviews-v3.yaml`",
     "`kubectl apply -n {ns} -f " NET "virtual-service-reviews-v3.yaml`"},
};

const struct lg_check lg_check_traffic_shifting = {
    .id = "traffic-shifting",
    .objective = 6,
    .title_es = "Desvío de tráfico",
    .title_en = "Traffic shifting",
    .prereqs = prereqs,
    .flags = LG_CHECK_NEEDS_GATEWAY | LG_CHECK_SLOW,
    .asserts = asserts,
    .nasserts = LG_ARRAY_SIZE(asserts),
    .steps = steps,
    .nsteps = LG_ARRAY_SIZE(steps),
    .run = run,
};

/* What the split's live test saw. */
struct split {
	struct lg_sprt sprt;
	size_t v2, broken, sent; /* wrong version; not a served page */
	struct lg_bookinfo_obs first_broken;
};

struct ts {
	const char *ns;
	struct lg_steps_view v; /* the mesh, modelled and placed */
	unsigned conc;		/* views in flight at once, 0: default */
	enum lg_bookinfo_source src;
	long tmo;
};

static bool near(double a, double b)
{
	return fabs(a - b) < 0.01;
}

static bool journal_has(const struct lg_ctx *ctx, const char *step)
{
	char *key = lg_check_step_key(ctx->check, step);
	bool held = ctx->journal && lg_journal_find(ctx->journal, key);

	free(key);
	return held;
}

static bool is_split_stage(enum lg_reviews_stage s)
{
	return s == LG_STAGE_SPLIT_V2 || s == LG_STAGE_SPLIT_V2_V3 ||
	       s == LG_STAGE_SPLIT_V3_UNEVEN;
}

/*
 * The step judged now ("split-50-v3", "all-v3"), or NULL: the lab's own
 * split or all-v3; a wrong split (v1/v2, v2/v3, uneven) or any attempt
 * nearest to a step (harness/steps.c: a GAMMA HTTPRoute, a route in another
 * namespace...) unless the journal holds that step's pass.
 */
static const char *judged_step(const struct lg_ctx *ctx, const struct ts *t)
{
	enum lg_reviews_stage s = t->v.info.stage;
	enum lg_step_effect split = LG_STEP_NOT, v3 = LG_STEP_NOT;

	if (s == LG_STAGE_SPLIT_50_V3)
		split = LG_STEP_FULL;
	else if (is_split_stage(s))
		split = LG_STEP_HALF;
	if (s == LG_STAGE_ALL_V3)
		v3 = LG_STEP_FULL;
	/* jason-v2-v3 is a wrong all-v3 only for a student past the split;
	 * before it, request-routing reports it (as a wrong test-v2). */
	else if (s == LG_STAGE_JASON_V2_V3 && journal_has(ctx, "split-50-v3"))
		v3 = LG_STEP_HALF;
	if (lg_check_step_mode(ctx, &t->v, "split-50-v3", split) ==
	    LG_STEP_JUDGE)
		return "split-50-v3";
	if (lg_check_step_mode(ctx, &t->v, "all-v3", v3) == LG_STEP_JUDGE)
		return "all-v3";
	return NULL;
}

static char *shares_obs(const struct lg_reviews_info *i)
{
	char *a = lg_reviews_shares_text(i->anon);
	char *j = lg_reviews_shares_text(i->jason);
	char *s = lg_xasprintf("anonymous: %s; jason: %s", a, j);

	free(a);
	free(j);
	return s;
}

/* "virtual-service-reviews-90-10.yaml" when the weights are one of the
 * sample's wrong splits, else "". */
static const char *sample_name(const double p[4])
{
	if (near(p[1], 90) && near(p[2], 10))
		return " (virtual-service-reviews-90-10.yaml)";
	if (near(p[1], 80) && near(p[2], 20))
		return " (virtual-service-reviews-80-20.yaml)";
	return "";
}

static char *split_config_hint(struct lg_ctx *ctx, const struct ts *t)
{
	const double *p = t->v.info.anon;

	switch (t->v.info.stage) {
	case LG_STAGE_SPLIT_V2:
		/* name the weights seen, and the version they get wrong */
		return lg_xasprintf(
		    LG_TR(ctx,
			  "reparte v1 %.4g %%, v2 %.4g %%%s: reparte a v2, no "
			  "a v3 (las estrellas rojas son de v3); el "
			  "laboratorio pide 50 v1 / 50 v3: `" APPLY_50 "`",
			  "splits v1 %.4g %%, v2 %.4g %%%s: it splits to v2, "
			  "not v3 (red stars come from v3); the lab wants 50 "
			  "v1 / 50 v3: `" APPLY_50 "`"),
		    p[1], p[2], sample_name(p), t->ns);
	case LG_STAGE_SPLIT_V2_V3:
		return lg_xasprintf(
		    LG_TR(ctx,
			  "reparte v2 %.4g %%, v3 %.4g %% "
			  "(virtual-service-reviews-v2-v3.yaml): le falta v1; "
			  "el laboratorio pide 50 v1 / 50 v3: `" APPLY_50 "`",
			  "splits v2 %.4g %%, v3 %.4g %% "
			  "(virtual-service-reviews-v2-v3.yaml): v1 is "
			  "missing; the lab wants 50 v1 / 50 v3: `" APPLY_50
			  "`"),
		    p[2], p[3], t->ns);
	default:
		return lg_xasprintf(
		    LG_TR(ctx,
			  "los pesos deben ser 50 (versión v1) y 50 (versión "
			  "v3) para todos: `" APPLY_50 "`",
			  "the weights must be 50 (version v1) and 50 "
			  "(version v3) for everyone: `" APPLY_50 "`"),
		    t->ns);
	}
}

static bool assert_split_config(struct lg_ctx *ctx, struct lg_result *res,
				const struct ts *t)
{
	const struct lg_reviews_info *i = &t->v.info;
	bool ok = t->v.info.stage == LG_STAGE_SPLIT_50_V3 && !i->broken;
	char *obs = shares_obs(i);
	char *hint = split_config_hint(ctx, t);
	char *why = lg_check_step_why(ctx, &t->v, "split-50-v3", hint);

	lg_check_assert(ctx, res, "split-config", ok, "v1 50%, v3 50%", obs,
			why);
	free(why);
	free(obs);
	free(hint);
	return ok;
}

/* n anonymous views, as many at once as the mesh allows. */
static void view_anon(struct lg_ctx *ctx, const struct ts *t, size_t n,
		      struct lg_bookinfo_obs *obs, struct lg_error *err)
{
	struct lg_bookinfo_ask asks[MAX_OBS];
	size_t i;

	for (i = 0; i < n && i < MAX_OBS; i++) {
		asks[i].cookie = NULL;
		asks[i].src = t->src;
	}
	lg_bookinfo_observe_set(ctx->state->gateway_url, asks, i, t->conc,
				t->tmo, obs, err);
}

/* A page from reviews-v2: a v1/v3 split never serves one. */
static bool is_v2(const struct lg_bookinfo_obs *o)
{
	return o->version == 2 && !o->reviews_error && o->status == 200;
}

/* A page that counts for the split: served by v1 or v3. */
static bool is_v1_or_v3(const struct lg_bookinfo_obs *o)
{
	return o->status == 200 && !o->reviews_error &&
	       (o->version == 1 || o->version == 3);
}

/* Feed one batch of views to the test; false when it must stop. */
static bool feed(struct split *sp, const struct lg_bookinfo_obs *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (is_v2(&o[i]))
			sp->v2++;
		else if (is_v1_or_v3(&o[i]))
			lg_sprt_add(&sp->sprt, o[i].version == 3);
		else if (!sp->broken++)
			sp->first_broken = o[i];
	}
	return !sp->v2 && !sp->broken &&
	       lg_sprt_verdict(&sp->sprt) == LG_SPRT_CONTINUE;
}

/* Batches of parallel views until the test decides (or something is
 * plainly wrong). A view without an answer is an error. */
static enum lg_err run_split(struct lg_ctx *ctx, const struct ts *t,
			     struct split *sp, struct lg_error *err)
{
	struct lg_bookinfo_obs obs[MAX_BATCH];
	size_t batch = (size_t)lg_param_num(ctx, "split-batch", 8), i;
	bool more = true;

	batch = batch < 1 ? 1 : batch > MAX_BATCH ? MAX_BATCH : batch;
	while (more) {
		size_t left = sp->sprt.n_max - sp->sprt.n;
		size_t n = left < batch ? left : batch;

		view_anon(ctx, t, n, obs, err);
		sp->sent += n;
		for (i = 0; i < n; i++)
			if (obs[i].status == 0)
				return lg_errorf(
				    err, LG_ETIMEOUT,
				    "a request through the gateway "
				    "got no answer: %s",
				    obs[i].detail);
		more = feed(sp, obs, n) && n > 0;
	}
	return LG_OK;
}

static char *split_live_hint(struct lg_ctx *ctx, const struct ts *t,
			     const struct split *sp, bool config_ok)
{
	if (sp->v2 && sp->sprt.n > sp->sprt.k)
		return lg_xasprintf(
		    LG_TR(
			ctx,
			"reviews-v2 (estrellas negras) sirvió páginas junto a "
			"v1: el reparto va a v2, no a v3; el laboratorio pide "
			"v1/v3: `" APPLY_50 "`",
			"reviews-v2 (black stars) served pages next to v1: "
			"the split goes to v2, not v3; the lab wants v1/v3: "
			"`" APPLY_50 "`"),
		    t->ns);
	if (sp->v2)
		return lg_xasprintf(
		    LG_TR(
			ctx,
			"reviews-v2 (estrellas negras) sirvió páginas y v1 "
			"ninguna (¿virtual-service-reviews-v2-v3.yaml?); el "
			"laboratorio pide v1/v3: `" APPLY_50 "`",
			"reviews-v2 (black stars) served pages and v1 none "
			"(virtual-service-reviews-v2-v3.yaml?); the lab wants "
			"v1/v3: `" APPLY_50 "`"),
		    t->ns);
	if (sp->broken)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "hubo páginas sin reseñas o con error (¿subset sin "
			  "definir, pod caído?): `kubectl get pods -n %s` y "
			  "`kubectl get destinationrule -n %s`",
			  "some pages had no reviews or an error (an undefined "
			  "subset, a pod down?): `kubectl get pods -n %s` and "
			  "`kubectl get destinationrule -n %s`"),
		    t->ns, t->ns);
	if (config_ok)
		return lg_xstrdup(lg_tr(
		    ctx,
		    "la configuración es 50/50 pero el tráfico no: ¿tienen los "
		    "pods de reviews su sidecar (READY 2/2)? mira `istioctl "
		    "proxy-status`",
		    "the configuration is 50/50 but the traffic is not: do the "
		    "reviews pods have their sidecar (READY 2/2)? look at "
		    "`istioctl proxy-status`"));
	return lg_xasprintf(LG_TR(ctx,
				  "el reparto sigue a los pesos configurados, "
				  "que no son 50/50: `" APPLY_50 "`",
				  "the split follows the configured weights, "
				  "which are not 50/50: `" APPLY_50 "`"),
			    t->ns);
}

static void assert_split_live(struct lg_ctx *ctx, struct lg_result *res,
			      const struct ts *t, const struct split *sp,
			      bool config_ok)
{
	struct lg_buf obs = LG_BUF_INIT;
	bool ok = !sp->v2 && !sp->broken &&
		  lg_sprt_verdict(&sp->sprt) == LG_SPRT_ACCEPT;
	char *hint = ok ? NULL : split_live_hint(ctx, t, sp, config_ok);

	lg_sprt_describe(&sp->sprt, "v3", &obs);
	if (sp->v2 || sp->broken)
		lg_buf_addf(&obs,
			    "; stopped: %zu reviews-v2 page(s), %zu "
			    "page(s) without a version",
			    sp->v2, sp->broken);
	if (sp->broken) {
		char *d = lg_bookinfo_obs_describe(&sp->first_broken);

		lg_buf_addf(&obs, " (first: %s)", d);
		free(d);
	}
	lg_check_assert(ctx, res, "split-live", ok,
			"v1/v3 50/50 within the rubric's tolerance", obs.buf,
			hint);
	lg_result_evidencef(res, "%zu requests sent in parallel batches",
			    sp->sent);
	free(hint);
	lg_buf_release(&obs);
}

static enum lg_verdict judge_split(struct lg_ctx *ctx, struct lg_result *res,
				   const struct ts *t)
{
	struct lg_error err = {0};
	struct split sp;
	bool config_ok = assert_split_config(ctx, res, t);

	memset(&sp, 0, sizeof(sp));
	if (lg_sprt_init(&sp.sprt, lg_param_num(ctx, "split-share", 0.5),
			 lg_param_num(ctx, "split-tolerance", 0.3),
			 lg_param_num(ctx, "split-alpha", 0.001),
			 lg_param_num(ctx, "split-beta", 0.01),
			 (unsigned)lg_param_num(ctx, "split-max-requests", 0),
			 &err) != LG_OK)
		return lg_result_errorf(res, "rubric: %s", err.msg);
	if (sp.sprt.n_max > MAX_SPLIT_REQUESTS)
		return lg_result_errorf(
		    res,
		    "rubric: the split test could need %u requests (at most "
		    "%u): raise split-tolerance or lower split-max-requests",
		    sp.sprt.n_max, MAX_SPLIT_REQUESTS);
	if (run_split(ctx, t, &sp, &err) != LG_OK)
		return lg_result_errorf(res, "%s", err.msg);
	assert_split_live(ctx, res, t, &sp, config_ok);
	return res->verdict;
}

static void assert_all_v3_config(struct lg_ctx *ctx, struct lg_result *res,
				 const struct ts *t)
{
	bool ok = near(t->v.info.anon[3], 100) &&
		  near(t->v.info.jason[3], 100) && !t->v.info.broken;
	char *s = shares_obs(&t->v.info), *why;
	char *hint = lg_xasprintf(
	    t->v.info.stage == LG_STAGE_JASON_V2_V3
		? LG_TR(ctx,
			"es virtual-service-reviews-jason-v2-v3.yaml (jason "
			"sigue en v2): `" APPLY_V3 "`",
			"this is virtual-service-reviews-jason-v2-v3.yaml "
			"(jason stays on v2): `" APPLY_V3 "`")
		: LG_TR(ctx, "`" APPLY_V3 "`", "`" APPLY_V3 "`"),
	    t->ns);
	why = lg_check_step_why(ctx, &t->v, "all-v3", hint);
	lg_check_assert(ctx, res, "all-v3-config", ok, "v3 100% for everyone",
			s, why);
	free(why);
	free(s);
	free(hint);
}

static void assert_all_v3_live(struct lg_ctx *ctx, struct lg_result *res,
			       const struct ts *t,
			       const struct lg_bookinfo_tally *tally)
{
	char *s = lg_bookinfo_tally_describe(tally);
	char *hint = lg_xasprintf(
	    LG_TR(ctx,
		  "no todas las páginas vienen de reviews-v3 con estrellas "
		  "rojas: `" APPLY_V3 "`; si la configuración ya es esa, mira "
		  "`istioctl proxy-status`",
		  "not every page comes from reviews-v3 with red stars: "
		  "`" APPLY_V3 "`; if that is already the configuration, look "
		  "at `istioctl proxy-status`"),
	    t->ns);

	lg_check_assert(ctx, res, "all-v3-live",
			tally->v[3] == tally->n && tally->red == tally->n,
			"every page: reviews-v3, red stars", s, hint);
	free(s);
	free(hint);
}

static enum lg_verdict judge_all_v3(struct lg_ctx *ctx, struct lg_result *res,
				    const struct ts *t)
{
	struct lg_bookinfo_obs obs[MAX_OBS];
	struct lg_bookinfo_tally tally = {0};
	struct lg_error err = {0};
	size_t n = (size_t)lg_param_num(ctx, "observations", 10), i;

	assert_all_v3_config(ctx, res, t);
	n = n < 1 ? 1 : n > MAX_OBS ? MAX_OBS : n;
	view_anon(ctx, t, n, obs, &err);
	lg_result_evidencef(res, "%zu x GET %s anonymous, at once", n,
			    t->src == LG_BOOKINFO_API
				? "/api/v1/products/0/reviews"
				: "/productpage");
	for (i = 0; i < n; i++)
		lg_bookinfo_tally_add(&tally, &obs[i]);
	if (tally.no_answer)
		return lg_result_errorf(res,
					"%zu of %zu requests through the "
					"gateway got no answer",
					tally.no_answer, n);
	assert_all_v3_live(ctx, res, t, &tally);
	return res->verdict;
}

static void from_journal(struct lg_ctx *ctx, struct lg_result *res,
			 const struct ts *t, const char *judged)
{
	if (!judged || strcmp(judged, "split-50-v3") != 0)
		lg_check_step_skip(ctx, res, &t->v, "split-50-v3");
	if (!judged || strcmp(judged, "all-v3") != 0)
		lg_check_step_skip(ctx, res, &t->v, "all-v3");
}

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res)
{
	struct lg_error err = {0};
	struct ts t = {0};
	enum lg_verdict v;
	const char *step;
	char *s;

	t.ns = lg_param_str(ctx, "bookinfo-namespace", "bookinfo");
	t.tmo = (long)lg_param_num(ctx, "request-timeout-ms", 10000);
	if (lg_check_steps_read(ctx, res, t.ns, &t.v, &err)) {
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	t.conc = lg_bookinfo_concurrency(&t.v.mesh, t.ns);
	if (t.conc)
		lg_result_evidencef(res,
				    "a connectionPool limits reviews (circuit "
				    "breaker): one request at a time");
	s = shares_obs(&t.v.info);
	lg_result_evidencef(res, "reviews routing (%s): %s",
			    lg_reviews_stage_name(t.v.info.stage), s);
	free(s);
	step = judged_step(ctx, &t);
	if (!step) {
		from_journal(ctx, res, &t, NULL);
		v = lg_result_finish(res);
		goto out;
	}
	t.src = lg_bookinfo_pick_source(ctx->state->gateway_url, t.tmo);
	/* assertions in the table's order: the split, then all-v3 */
	if (strcmp(step, "all-v3") == 0) {
		from_journal(ctx, res, &t, step);
		v = judge_all_v3(ctx, res, &t);
	} else {
		v = judge_split(ctx, res, &t);
		from_journal(ctx, res, &t, step);
	}
	if (v != LG_ERROR)
		v = lg_result_finish(res);
out:
	lg_steps_view_release(&t.v);
	return v;
}

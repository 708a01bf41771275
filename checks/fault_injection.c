/* SPDX-License-Identifier: MIT */
/* fault_injection.c: objective 5, a delay injected for one user. */
/*
 * Objective: "With reviews-test-v2 in place, apply
 * virtual-service-ratings-test-delay.yaml (a 7 s delay on ratings for
 * end-user jason, 100 %). Logged in as jason, /productpage answers after
 * about 6 s with 'Sorry, product reviews are currently unavailable for this
 * book.'; everyone else is unaffected."
 *
 * Evidence: the ratings and reviews VirtualServices read into the mesh
 * model (the fault jason's ratings calls get, the reviews version jason
 * reaches); then, at the same moment, a few page views as jason (session
 * cookie from POST /login) and a few anonymous ones, with their time and
 * the error sentences on the page. The page, not the JSON API, is observed:
 * the lab's result is what the page shows and how long it takes.
 *
 * Why the rule is right: the 6 s is not the 7 s delay. productpage calls
 * reviews with a 3 s timeout and tries twice, so a reviews call that waits
 * for the delayed ratings costs 2 x 3 s and ends in the reviews error;
 * reviews-v2 itself would wait 10 s for ratings. The window comes from the
 * rubric (fault-min-seconds, fault-max-seconds). jason must reach
 * reviews-v2 for this to happen (v1 never calls ratings; v3 gives up on
 * ratings after 2.5 s and shows "Ratings service is currently
 * unavailable"), so that is asserted too. Anonymous users must stay fast:
 * a fault that matches everyone is a different, wrong, configuration. The
 * step is in effect while a ratings fault for jason exists; once it is gone
 * (later steps), the progress journal answers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/bookinfo.h"
#include "../harness/i18n.h"
#include "../harness/journal.h"
#include "check.h"

#define NET "samples/bookinfo/networking/"
#define APPLY_V2                                                               \
	"kubectl apply -n %s -f " NET "virtual-service-reviews-test-v2.yaml"
#define APPLY_DELAY                                                            \
	"kubectl apply -n %s -f " NET "virtual-service-ratings-test-delay."    \
	"yaml"
#define MAX_OBS 20

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res);

static const char *const prereqs[] = {"gateway", NULL};

static const struct lg_assert_def asserts[] = {
    {"delay-config",
     "VirtualService ratings: retraso fijo de 7 s al 100 % solo para jason",
     "VirtualService ratings: a fixed 7 s delay, 100 %, for jason only",
     "delay"},
    {"jason-on-v2", "reviews sigue enviando a jason a v2 (test-v2)",
     "reviews still sends jason to v2 (test-v2)", "delay"},
    {"jason-delayed-live",
     "como jason: la página tarda unos 6 s y dice que las reseñas no están "
     "disponibles",
     "as jason: the page takes about 6 s and says reviews are unavailable",
     "delay"},
    {"anonymous-unaffected", "anónimo: la página sigue rápida y correcta",
     "anonymous: the page stays fast and correct", "delay"},
};

static const struct lg_step_def steps[] = {
    {"delay", LG_STEPS_RATINGS_ROUTE | LG_STEPS_REVIEWS_ROUTE,
     "ratings: delay 7 s, 100 %, for end-user exact jason, else v1; "
     "reviews still sends jason to version=v2 (test-v2)",
     "`kubectl apply -n {ns} -f " NET "virtual-service-reviews-test-v2."
     "yaml` y `kubectl apply -n {ns} -f " NET "virtual-service-ratings-"
     "test-delay.yaml`",
     "`kubectl apply -n {ns} -f " NET "virtual-service-reviews-test-v2."
     "yaml` and `kubectl apply -n {ns} -f " NET "virtual-service-ratings-"
     "test-delay.yaml`"},
};

const struct lg_check lg_check_fault_injection = {
    .id = "fault-injection",
    .objective = 5,
    .title_es = "Inyección de fallos",
    .title_en = "Fault injection",
    .prereqs = prereqs,
    .flags = LG_CHECK_NEEDS_GATEWAY | LG_CHECK_SLOW,
    .asserts = asserts,
    .nasserts = LG_ARRAY_SIZE(asserts),
    .steps = steps,
    .nsteps = LG_ARRAY_SIZE(steps),
    .run = run,
};

struct fi {
	const char *ns;
	struct lg_steps_view v; /* the mesh, modelled and placed */
	unsigned conc;		/* views in flight at once, 0: default */
	double want_delay, lo, hi, anon_max;
	size_t njason, nanon;
	struct lg_bookinfo_obs obs[2 * MAX_OBS]; /* jason first */
	struct lg_bookinfo_tally jason, anon;
	char *login_problem;
};

static bool near(double a, double b)
{
	return fabs(a - b) < 0.01;
}

static char *delay_obs(const struct lg_reviews_info *i)
{
	if (i->delay_jason)
		return lg_xasprintf("jason: delay %.4g s at %.4g %%%s%s",
				    i->delay_s, i->delay_pct,
				    i->delay_anon ? "; anonymous delayed too"
						  : "",
				    i->abort_jason ? "; plus an abort" : "");
	if (i->abort_jason)
		return lg_xasprintf("jason: abort HTTP %d at %.4g %%, no delay",
				    i->abort_status, i->abort_pct);
	return lg_xstrdup("no fault for jason");
}

static void assert_delay_config(struct lg_ctx *ctx, struct lg_result *res,
				const struct fi *f)
{
	const struct lg_reviews_info *i = &f->v.info;
	bool ok = i->delay_jason && near(i->delay_s, f->want_delay) &&
		  near(i->delay_pct, 100) && !i->delay_anon && !i->abort_jason;
	char *obs = delay_obs(i), *hint, *exp, *why;

	if (i->abort_jason && !i->delay_jason)
		hint = lg_xasprintf(
		    LG_TR(ctx,
			  "es virtual-service-ratings-test-abort.yaml (aborta "
			  "con HTTP 500); este paso pide el retraso: "
			  "`" APPLY_DELAY "`",
			  "this is virtual-service-ratings-test-abort.yaml (an "
			  "HTTP 500 abort); this step wants the delay: "
			  "`" APPLY_DELAY "`"),
		    f->ns);
	else
		hint = lg_xasprintf(
		    LG_TR(
			ctx,
			"el fallo debe ser `delay: {fixedDelay: 7s, "
			"percentage: {value: 100}}` bajo `headers: end-user: "
			"exact: jason`, y nada para los demás: `" APPLY_DELAY
			"`",
			"the fault must be `delay: {fixedDelay: 7s, "
			"percentage: {value: 100}}` under `headers: end-user: "
			"exact: jason`, and nothing for others: `" APPLY_DELAY
			"`"),
		    f->ns);
	exp = lg_xasprintf("jason: delay %.4g s at 100 %%; anonymous: none",
			   f->want_delay);
	why = lg_check_step_why(ctx, &f->v, "delay", hint);
	lg_check_assert(ctx, res, "delay-config", ok, exp, obs, why);
	free(why);
	free(exp);
	free(obs);
	free(hint);
}

static void assert_jason_v2(struct lg_ctx *ctx, struct lg_result *res,
			    const struct fi *f)
{
	char *shares = lg_reviews_shares_text(f->v.info.jason);
	char *obs = lg_xasprintf("jason: reviews %s", shares);
	bool ok = near(f->v.info.jason[2], 100);
	char *hint = lg_xasprintf(
	    f->v.info.jason[3] > 0.01
		? LG_TR(ctx,
			"jason llega a reviews-v3, que espera a ratings solo "
			"2,5 s y muestra \"Ratings service is currently "
			"unavailable\" en vez del error de 6 s: `" APPLY_V2 "`",
			"jason reaches reviews-v3, which waits for ratings "
			"only 2.5 s and shows \"Ratings service is currently "
			"unavailable\" instead of the 6 s error: `" APPLY_V2
			"`")
		: LG_TR(ctx,
			"jason llega a reviews-v1, que nunca llama a ratings: "
			"el retraso no tiene efecto. Primero `" APPLY_V2 "`",
			"jason reaches reviews-v1, which never calls ratings: "
			"the delay has no effect. First `" APPLY_V2 "`"),
	    f->ns);

	lg_check_assert(ctx, res, "jason-on-v2", ok, "jason: reviews v2 100%",
			obs, hint);
	free(shares);
	free(obs);
	free(hint);
}

/* A live hint after the configuration's cause, when one is known: a
 * fast page under a 10 % delay is the percentage's doing, not routing's. */
static char *with_why(const struct lg_ctx *ctx, const struct fi *f, char *hint)
{
	char *why = lg_check_step_why(ctx, &f->v, "delay", hint);

	free(hint);
	return why;
}

/* Why one of jason's views is not the lab's ~6 s reviews error. */
/* A reviews error outside the window: the 3 s x 2 explanation. */
static char *window_hint(struct lg_ctx *ctx, const struct fi *f,
			 const struct lg_bookinfo_obs *o)
{
	return lg_xasprintf(
	    LG_TR(ctx,
		  "productpage espera 3 s a reviews y lo intenta 2 veces: unos "
		  "6 s (ventana de la rúbrica %.4g-%.4g s); %.2f s indica "
		  "otro retraso o timeouts cambiados: revisa `kubectl get "
		  "virtualservice -n %s -o yaml`",
		  "productpage waits 3 s for reviews and tries twice: about 6 "
		  "s (rubric window %.4g-%.4g s); %.2f s means another delay "
		  "or changed timeouts: check `kubectl get virtualservice -n "
		  "%s -o yaml`"),
	    f->lo, f->hi, o->seconds, f->ns);
}

static char *jason_hint(struct lg_ctx *ctx, const struct fi *f,
			const struct lg_bookinfo_obs *o)
{
	if (o->status != 200 || !o->is_bookinfo)
		return lg_xstrdup(
		    lg_tr(ctx,
			  "la página no se sirvió: mira los pods de "
			  "productpage y el gateway",
			  "the page was not served: look at productpage's "
			  "pods and the gateway"));
	/* An abort answers at once; v3 gives up on ratings after 2.5 s. A
	 * quarter of the window's start (1.25 s by default) tells them
	 * apart. */
	if (o->ratings_error && o->seconds < f->lo / 4)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "ratings falla enseguida: es un abort (HTTP 500), "
			  "no el retraso: `" APPLY_DELAY "`",
			  "ratings fails at once: that is an abort (HTTP 500), "
			  "not the delay: `" APPLY_DELAY "`"),
		    f->ns);
	if (o->ratings_error)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "\"Ratings service is currently unavailable\" tras "
			  "unos 2,5 s es reviews-v3 (su límite para ratings): "
			  "jason debe ir a v2: `" APPLY_V2 "`",
			  "\"Ratings service is currently unavailable\" after "
			  "about 2.5 s is reviews-v3 (its limit for ratings): "
			  "jason must reach v2: `" APPLY_V2 "`"),
		    f->ns);
	if (!o->reviews_error && o->seconds >= f->lo / 4)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "la página tardó %.2f s pero mostró las reseñas: un "
			  "retraso menor que el límite de 3 s de productpage "
			  "no lo dispara; el del laboratorio es `fixedDelay: "
			  "7s`: `" APPLY_DELAY "`",
			  "the page took %.2f s but showed the reviews: a "
			  "delay shorter than productpage's 3 s timeout does "
			  "not trigger it; the lab's is `fixedDelay: 7s`: "
			  "`" APPLY_DELAY "`"),
		    o->seconds, f->ns);
	if (!o->reviews_error)
		return lg_xasprintf(
		    LG_TR(ctx,
			  "el retraso no llega a jason: reviews debe mandar a "
			  "jason a v2 (`" APPLY_V2 "`) y el fallo de ratings "
			  "debe casar `end-user: exact: jason` (`" APPLY_DELAY
			  "`)",
			  "the delay does not reach jason: reviews must send "
			  "jason to v2 (`" APPLY_V2
			  "`) and ratings' fault must "
			  "match `end-user: exact: jason` (`" APPLY_DELAY "`)"),
		    f->ns, f->ns);
	return window_hint(ctx, f, o);
}

static bool jason_ok(const struct fi *f, const struct lg_bookinfo_obs *o)
{
	return o->status == 200 && o->is_bookinfo && o->reviews_error &&
	       o->seconds >= f->lo && o->seconds <= f->hi;
}

static void assert_jason_live(struct lg_ctx *ctx, struct lg_result *res,
			      const struct fi *f)
{
	const struct lg_bookinfo_obs *bad = NULL;
	char *obs, *hint = NULL, *exp;
	size_t i;

	for (i = 0; i < f->njason && !bad; i++)
		if (!jason_ok(f, &f->obs[i]))
			bad = &f->obs[i];
	if (f->login_problem) {
		obs = lg_xstrdup(f->login_problem);
		hint = lg_xstrdup(lg_tr(ctx,
					"no se pudo entrar como jason: la ruta "
					"del gateway debe exponer /login",
					"could not log in as jason: the "
					"gateway's route must expose /login"));
	} else {
		obs = lg_bookinfo_tally_describe(&f->jason);
		if (bad)
			hint = with_why(ctx, f, jason_hint(ctx, f, bad));
	}
	exp = lg_xasprintf("%.4g-%.4g s, \"Sorry, product reviews are "
			   "currently unavailable for this book.\"",
			   f->lo, f->hi);
	lg_check_assert(ctx, res, "jason-delayed-live",
			!f->login_problem && !bad, exp, obs, hint);
	free(obs);
	free(hint);
	free(exp);
}

static void assert_anon_live(struct lg_ctx *ctx, struct lg_result *res,
			     const struct fi *f)
{
	const struct lg_bookinfo_tally *t = &f->anon;
	bool ok = t->n > 0 && t->bad_status == 0 && t->reviews_error == 0 &&
		  t->ratings_error == 0 && t->max_seconds < f->anon_max;
	char *obs = lg_bookinfo_tally_describe(t);
	char *exp =
	    lg_xasprintf("every page correct, under %.4g s", f->anon_max);
	char *hint = lg_xasprintf(
	    LG_TR(ctx,
		  "el fallo alcanza también a los usuarios anónimos: debe "
		  "estar bajo `match: headers: end-user: exact: jason` y "
		  "el resto ir a v1 sin fallo: `" APPLY_DELAY "`",
		  "the fault also hits anonymous users: it must sit under "
		  "`match: headers: end-user: exact: jason`, with everyone "
		  "else routed to v1 without a fault: `" APPLY_DELAY "`"),
	    f->ns);

	lg_check_assert(ctx, res, "anonymous-unaffected", ok, exp, obs, hint);
	free(obs);
	free(exp);
	free(hint);
}

/* jason's and anonymous views together: the check costs one ~6 s wait. */
static void observe_all(struct lg_ctx *ctx, struct fi *f, const char *cookie,
			long tmo, struct lg_error *err)
{
	struct lg_bookinfo_ask asks[2 * MAX_OBS];
	size_t i, n;

	if (!cookie) /* no session: only the anonymous views are useful */
		f->njason = 0;
	n = f->njason + f->nanon;
	for (i = 0; i < n; i++) {
		asks[i].cookie = i < f->njason ? cookie : NULL;
		asks[i].src = LG_BOOKINFO_PAGE;
	}
	lg_bookinfo_observe_set(ctx->state->gateway_url, asks, n, f->conc, tmo,
				f->obs, err);
	for (i = 0; i < n; i++)
		lg_bookinfo_tally_add(i < f->njason ? &f->jason : &f->anon,
				      &f->obs[i]);
}

static enum lg_err observe(struct lg_ctx *ctx, struct lg_result *res,
			   struct fi *f, struct lg_error *err)
{
	long tmo = (long)lg_param_num(ctx, "request-timeout-ms", 10000);
	struct lg_error lerr = {0};
	char *cookie = NULL;
	enum lg_err rc =
	    lg_bookinfo_login(ctx->state->gateway_url, "jason", &cookie, &lerr);

	if (rc == LG_EHTTP && strstr(lerr.msg, "HTTP "))
		f->login_problem = lg_xstrdup(lerr.msg);
	else if (rc != LG_OK)
		return lg_errorf(err, rc, "%s", lerr.msg);
	/* jason's request must outlast the window it is judged by */
	if (tmo < (long)(f->hi * 1000) + 4000)
		tmo = (long)(f->hi * 1000) + 4000;
	observe_all(ctx, f, cookie, tmo, err);
	lg_result_evidencef(res,
			    "GET /productpage: %zu as jason and %zu anonymous, "
			    "at once",
			    f->njason, f->nanon);
	free(cookie);
	if (f->jason.no_answer || f->anon.no_answer)
		return lg_errorf(err, LG_ETIMEOUT,
				 "%zu request(s) through the gateway got no "
				 "answer in %ld ms",
				 f->jason.no_answer + f->anon.no_answer, tmo);
	return LG_OK;
}

static void params(struct lg_ctx *ctx, struct fi *f)
{
	double nj = lg_param_num(ctx, "jason-observations", 2);
	double na = lg_param_num(ctx, "anonymous-observations", 4);

	f->ns = lg_param_str(ctx, "bookinfo-namespace", "bookinfo");
	f->want_delay = lg_param_num(ctx, "fault-delay-seconds", 7);
	f->lo = lg_param_num(ctx, "fault-min-seconds", 5);
	f->hi = lg_param_num(ctx, "fault-max-seconds", 8);
	f->anon_max = lg_param_num(ctx, "anonymous-max-seconds", 2);
	f->njason = nj < 1 ? 1 : nj > MAX_OBS ? MAX_OBS : (size_t)nj;
	f->nanon = na < 1 ? 1 : na > MAX_OBS ? MAX_OBS : (size_t)na;
}

/*
 * In effect: some fault reaches jason's ratings calls. Fully the lab's
 * step: a delay, and jason on v2. A half-present step is judged unless the
 * journal already holds a pass (the student went on to later steps); so is
 * an attempt (a delay with no percentage, on reviews, in another
 * namespace): harness/steps.c.
 */
static enum lg_step_effect effect(const struct fi *f)
{
	const struct lg_reviews_info *i = &f->v.info;

	if (!i->delay_jason && !i->abort_jason)
		return LG_STEP_NOT;
	if (i->delay_jason && near(i->jason[2], 100))
		return LG_STEP_FULL;
	return LG_STEP_HALF;
}

static enum lg_verdict run(struct lg_ctx *ctx, struct lg_result *res)
{
	struct lg_error err = {0};
	struct fi *f = lg_xcalloc(1, sizeof(*f));
	enum lg_verdict v;

	params(ctx, f);
	if (lg_check_steps_read(ctx, res, f->ns, &f->v, &err)) {
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	f->conc = lg_bookinfo_concurrency(&f->v.mesh, f->ns);
	if (f->conc)
		lg_result_evidencef(res,
				    "a connectionPool limits reviews (circuit "
				    "breaker): one request at a time");
	lg_result_evidencef(res, "reviews routing: %s",
			    lg_reviews_stage_name(f->v.info.stage));
	if (lg_check_step_mode(ctx, &f->v, "delay", effect(f)) !=
	    LG_STEP_JUDGE) {
		lg_check_step_skip(ctx, res, &f->v, "delay");
		v = lg_result_finish(res);
		goto out;
	}
	if (observe(ctx, res, f, &err) != LG_OK) {
		v = lg_result_errorf(res, "%s", err.msg);
		goto out;
	}
	assert_delay_config(ctx, res, f);
	assert_jason_v2(ctx, res, f);
	assert_jason_live(ctx, res, f);
	assert_anon_live(ctx, res, f);
	v = lg_result_finish(res);
out:
	lg_steps_view_release(&f->v);
	free(f->login_problem);
	free(f);
	return v;
}

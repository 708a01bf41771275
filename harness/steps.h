/* SPDX-License-Identifier: MIT */
/* steps.h: the lab's traffic steps as data, the mesh they configure, and
 * whether each step is judged now, taken from the journal, or pending. */
#ifndef LG_STEPS_H
#define LG_STEPS_H

#include "cluster.h"
#include "istio.h"
#include "lg.h"
#include "result.h"

/*
 * The traffic objectives (request-routing, fault-injection,
 * traffic-shifting, circuit-breaking, mirroring) share one reviews/ratings
 * configuration that the lab's steps overwrite in turn. Each objective's
 * descriptor lists its steps (struct lg_step_def); this module reads the
 * configuration once, models what bookinfo's sidecars do with it, places
 * it on the nearest lab step, and tells every step how it is graded:
 *
 *  - JUDGE: the step is in effect, or the configuration is an attempt at
 *    it (an object for the step's hosts that matches no lab step and is
 *    closest in meaning to this one);
 *  - JOURNAL: not in effect, and the progress journal holds its pass;
 *  - PENDING: untouched (nothing it configures differs from earlier
 *    steps), or moved on from without a recorded pass.
 *
 * It also explains, in the student's terms, what is wrong with an attempt
 * (struct lg_steps_cause): the object, the field, its effect on the mesh
 * and the fix. See docs/internals/steps.md.
 * @test tests/unit/test_istio.c, tests/unit/test_checks.c
 */

/* What a step configures. */
enum lg_steps_group {
	LG_STEPS_SUBSETS = 1 << 0,	  /* DestinationRule subsets */
	LG_STEPS_REVIEWS_ROUTE = 1 << 1,  /* reviews VirtualService/HTTPRoute */
	LG_STEPS_RATINGS_ROUTE = 1 << 2,  /* ratings VirtualService */
	LG_STEPS_OTHER_ROUTES = 1 << 3,	  /* productpage, details */
	LG_STEPS_REVIEWS_POLICY = 1 << 4, /* reviews trafficPolicy */
};

/* How far a step is in effect, by the objective's own judgement. */
enum lg_step_effect {
	LG_STEP_NOT = 0, /* not configured now */
	LG_STEP_HALF,	 /* partly: judged unless the journal holds a pass */
	LG_STEP_FULL,	 /* in effect: judged */
};

enum lg_step_mode {
	LG_STEP_PENDING = 0,
	LG_STEP_JUDGE,
	LG_STEP_JOURNAL,
};

/*
 * One lab step, as a row of its objective's table. apply_* is the text
 * that applies it, with "{ns}" standing for the Bookinfo namespace.
 */
struct lg_step_def {
	const char *id;	     /* journal key suffix: "<check>.<id>" */
	unsigned configures; /* enum lg_steps_group bits */
	const char *means;   /* its intended semantics, for docs/evidence */
	const char *apply_es;
	const char *apply_en;
};

/* Where the current configuration of one group sits among the steps. */
struct lg_steps_place {
	const char *check; /* NULL: untouched (nothing for the group) */
	const char *step;
	bool exact; /* the lab's own configuration of that step */
};

/* One explained problem of the configuration; strings owned. */
struct lg_steps_cause {
	const char *check; /* the step it spoils (static strings) */
	const char *step;
	char *es;
	char *en;
};

/*
 * Everything read and derived for one grade. Owned; release with
 * lg_steps_view_release(). An all-zero view is empty.
 */
struct lg_steps_view {
	const char *ns; /* the Bookinfo namespace (borrowed) */
	struct lg_mesh mesh;
	struct lg_reviews_info info;
	bool cluster_wide; /* every namespace was read, not only ns */
	struct lg_steps_place reviews, ratings, policy;
	/* A VirtualService aimed at reviews/ratings that bookinfo's sidecars
	 * do not apply (another namespace, a host typo, exportTo, gateways,
	 * an older rule wins): the step it is nearest to, never exact. */
	struct lg_steps_place reviews_stray, ratings_stray;
	struct lg_steps_cause *causes;
	size_t ncauses;
};

/*
 * List VirtualServices, DestinationRules (networking.istio.io/v1) and
 * Gateway API HTTPRoutes in every namespace (config in another namespace
 * reaches bookinfo's sidecars through exportTo and FQDN hosts), falling
 * back to namespace ns when RBAC refuses the cluster-wide list. An absent
 * collection (404) is empty. Then model, place and explain (as
 * lg_steps_assess). Adds evidence lines to res. Errors: the API's, with
 * the first cause in err; v is usable (and must be released) either way.
 * Blocks for up to 6 requests.
 */
enum lg_err lg_steps_read(struct lg_cluster *c, struct lg_result *res,
			  const char *ns, struct lg_steps_view *v,
			  struct lg_error *err);

/* The lists of one run, shared by its checks (opaque). */
struct lg_steps_cache;

/*
 * lg_steps_read, listing only once per *slot: the first caller reads (and
 * its result gets the evidence lines), later ones build their view from
 * the same lists, from any thread, with one evidence line saying so. A
 * failed read is the same error for every caller. *slot starts NULL and
 * is freed with lg_steps_cache_free() when the run ends; slot NULL: no
 * sharing. A different ns than the first caller's reads afresh.
 */
enum lg_err lg_steps_read_shared(struct lg_cluster *c, struct lg_result *res,
				 const char *ns, struct lg_steps_cache **slot,
				 struct lg_steps_view *v, struct lg_error *err);

/* Free a cache (NULL is fine). No check may be running. */
void lg_steps_cache_free(struct lg_steps_cache *cache);

/*
 * Place and explain a view whose mesh is already filled (tests feed the
 * mesh themselves). Idempotent.
 * @test tests/unit/test_istio.c
 */
void lg_steps_assess(struct lg_steps_view *v);

void lg_steps_view_release(struct lg_steps_view *v);

/* Is the configuration an attempt (no lab step) nearest to check/step? */
bool lg_steps_is_attempt_at(const struct lg_steps_view *v, const char *check,
			    const char *step);

/*
 * The causes for check/step, joined with "; " in the language (true:
 * English). NULL when there is none. The caller frees the string.
 */
char *lg_steps_explain(const struct lg_steps_view *v, const char *check,
		       const char *step, bool english);

/* The English apply text of a step row with {ns} replaced (caller frees). */
char *lg_steps_apply_text(const struct lg_step_def *d, const char *ns,
			  bool english);

#endif

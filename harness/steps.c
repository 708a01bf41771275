/* SPDX-License-Identifier: MIT */
/* steps.c: reads the mesh configuration once and places it on the lab's
 * traffic steps (which step it is, or which one it is an attempt at). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "steps.h"
#include "steps_int.h"

/* ------------------------------------------------------------------ */
/* Reading.                                                             */

static const struct {
	const char *group_version;
	const char *plural;
} lists[] = {
    {"networking.istio.io/v1", "virtualservices"},
    {"networking.istio.io/v1", "destinationrules"},
    {"gateway.networking.k8s.io/v1", "httproutes"},
};

static void add_items(struct lg_result *res, const char *path,
		      const cJSON *items, const char *ns, struct lg_mesh *m)
{
	struct lg_error perr = {0};
	const cJSON *it;

	/* a malformed item is the student's, not an API failure */
	cJSON_ArrayForEach(it, items)
	{
		lg_error_clear(&perr);
		if (lg_mesh_add_object_ns(m, it, ns, &perr) == LG_EPARSE)
			lg_result_evidencef(res, "%s: %s", path, perr.msg);
	}
}

/* One kind: every namespace, or ns alone when RBAC refuses that. *items
 * is the caller's (cJSON_Delete), NULL on error. */
static enum lg_err read_kind(struct lg_cluster *c, struct lg_result *res,
			     size_t k, const char *ns, bool *cluster_wide,
			     cJSON **items, struct lg_error *err)
{
	char *path = lg_xasprintf("/apis/%s/%s", lists[k].group_version,
				  lists[k].plural);
	enum lg_err rc = lg_expect_list(c, res, path, items, err);

	if (rc == LG_EFORBIDDEN) {
		lg_error_clear(err);
		free(path);
		cJSON_Delete(*items);
		*items = NULL;
		*cluster_wide = false;
		path =
		    lg_xasprintf("/apis/%s/namespaces/%s/%s",
				 lists[k].group_version, ns, lists[k].plural);
		rc = lg_expect_list(c, res, path, items, err);
	}
	free(path);
	return rc;
}

/* The lists read (or shared), in the order of lists[]. */
struct steps_lists {
	cJSON *items[LG_ARRAY_SIZE(lists)];
	bool cluster_wide;
};

static enum lg_err read_lists(struct lg_cluster *c, struct lg_result *res,
			      const char *ns, struct steps_lists *l,
			      struct lg_error *err)
{
	enum lg_err rc = LG_OK;
	size_t k;

	memset(l, 0, sizeof(*l));
	l->cluster_wide = true;
	for (k = 0; rc == LG_OK && k < LG_ARRAY_SIZE(lists); k++)
		rc = read_kind(c, res, k, ns, &l->cluster_wide, &l->items[k],
			       err);
	if (rc == LG_OK && !l->cluster_wide)
		lg_result_evidencef(res,
				    "only namespace '%s' could be read: "
				    "configuration in other namespaces "
				    "is not seen",
				    ns);
	return rc;
}

static void lists_release(struct steps_lists *l)
{
	size_t k;

	for (k = 0; k < LG_ARRAY_SIZE(lists); k++)
		cJSON_Delete(l->items[k]);
	memset(l, 0, sizeof(*l));
}

/* Build the view from lists (read-only: shared lists stay intact). */
static void view_from(struct lg_result *res, const struct steps_lists *l,
		      const char *ns, struct lg_steps_view *v)
{
	size_t k;

	memset(v, 0, sizeof(*v));
	v->ns = ns;
	v->cluster_wide = l->cluster_wide;
	for (k = 0; k < LG_ARRAY_SIZE(lists); k++)
		add_items(res, lists[k].plural, l->items[k], ns, &v->mesh);
	lg_steps_assess(v);
}

enum lg_err lg_steps_read(struct lg_cluster *c, struct lg_result *res,
			  const char *ns, struct lg_steps_view *v,
			  struct lg_error *err)
{
	struct steps_lists l;
	enum lg_err rc = read_lists(c, res, ns, &l, err);

	memset(v, 0, sizeof(*v));
	v->ns = ns;
	if (rc == LG_OK)
		view_from(res, &l, ns, v);
	lists_release(&l);
	return rc;
}

/* ------------------------------------------------------------------ */
/* One read per run, shared by the checks (maybe from several threads). */

struct lg_steps_cache {
	pthread_mutex_t mu;
	bool done;
	char *ns;
	struct steps_lists lists;
	enum lg_err rc;
	struct lg_error err;
};

static struct lg_steps_cache *cache_of(struct lg_steps_cache **slot)
{
	struct lg_steps_cache *mine, *cur = NULL;

	if (__atomic_load_n(slot, __ATOMIC_ACQUIRE))
		return *slot;
	mine = lg_xcalloc(1, sizeof(*mine));
	pthread_mutex_init(&mine->mu, NULL);
	if (__atomic_compare_exchange_n(slot, &cur, mine, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return mine;
	pthread_mutex_destroy(&mine->mu);
	free(mine);
	return cur; /* another check created it first */
}

enum lg_err lg_steps_read_shared(struct lg_cluster *c, struct lg_result *res,
				 const char *ns, struct lg_steps_cache **slot,
				 struct lg_steps_view *v, struct lg_error *err)
{
	struct lg_steps_cache *k;
	bool first = false;

	if (!slot)
		return lg_steps_read(c, res, ns, v, err);
	k = cache_of(slot);
	pthread_mutex_lock(&k->mu);
	if (!k->done) {
		k->ns = lg_xstrdup(ns);
		k->rc = read_lists(c, res, ns, &k->lists, &k->err);
		k->done = first = true;
	}
	pthread_mutex_unlock(&k->mu);
	if (strcmp(k->ns, ns) != 0)
		return lg_steps_read(c, res, ns, v, err);
	memset(v, 0, sizeof(*v));
	v->ns = ns;
	if (k->rc != LG_OK)
		return lg_errorf(err, k->rc, "%s", k->err.msg);
	if (!first)
		lg_result_evidencef(res,
				    "VirtualServices, DestinationRules and "
				    "HTTPRoutes: as read once this run");
	view_from(res, &k->lists, ns, v);
	return LG_OK;
}

void lg_steps_cache_free(struct lg_steps_cache *k)
{
	if (!k)
		return;
	lists_release(&k->lists);
	pthread_mutex_destroy(&k->mu);
	free(k->ns);
	free(k);
}

/* ------------------------------------------------------------------ */
/* Placing the configuration on a step.                                 */

static const struct lg_steps_place untouched = {NULL, NULL, false};

static struct lg_steps_place at(const char *check, const char *step, bool exact)
{
	struct lg_steps_place p;

	p.check = check;
	p.step = step;
	p.exact = exact;
	return p;
}

static bool any_rule(const struct lg_mesh_vs *vs,
		     bool (*pred)(const struct lg_mesh_http *h))
{
	size_t i;

	for (i = 0; vs && i < vs->nhttp; i++)
		if (pred(&vs->http[i]))
			return true;
	return false;
}

static bool has_mirror(const struct lg_mesh_http *h)
{
	return h->nmirrors > 0;
}

static bool has_fault(const struct lg_mesh_http *h)
{
	return h->has_fault;
}

static bool has_match(const struct lg_mesh_http *h)
{
	return h->nmatches > 0;
}

static bool has_split(const struct lg_mesh_http *h)
{
	size_t i, n = 0;

	for (i = 0; i < h->nroutes; i++)
		n += h->routes[i].weight != 0;
	return n > 1;
}

/*
 * The nearest step of a VirtualService for reviews, by what it does: a
 * mirror is the mirroring step, a fault the fault step (even on the wrong
 * host), a match on a request the jason rule, weights the split, one
 * destination all-v1 (or all-v3 when it is v3).
 */
const char *lg_steps_nearest_reviews(const struct lg_mesh_vs *vs, bool to_v3,
				     const char **check)
{
	static const struct {
		bool (*pred)(const struct lg_mesh_http *h);
		const char *check, *step;
	} rules[] = {
	    {has_mirror, "mirroring", "mirror"},
	    {has_fault, "fault-injection", "delay"},
	    {has_match, "request-routing", "test-v2"},
	    {has_split, "traffic-shifting", "split-50-v3"},
	};
	size_t i;

	for (i = 0; i < LG_ARRAY_SIZE(rules); i++)
		if (any_rule(vs, rules[i].pred)) {
			*check = rules[i].check;
			return rules[i].step;
		}
	*check = to_v3 ? "traffic-shifting" : "request-routing";
	return to_v3 ? "all-v3" : "all-v1";
}

static bool near_pct(double a, double b)
{
	return fabs(a - b) < 0.01;
}

/* Is the step found by its structure also the lab's own configuration? */
static bool is_exact(const struct lg_reviews_info *i, const char *step)
{
	static const struct {
		const char *step;
		enum lg_reviews_stage stage;
	} map[] = {
	    {"all-v1", LG_STAGE_ALL_V1},
	    {"test-v2", LG_STAGE_TEST_V2},
	    {"split-50-v3", LG_STAGE_SPLIT_50_V3},
	    {"all-v3", LG_STAGE_ALL_V3},
	    {"mirror", LG_STAGE_MIRROR},
	};
	size_t k;

	if (i->broken)
		return false;
	for (k = 0; k < LG_ARRAY_SIZE(map); k++)
		if (strcmp(map[k].step, step) == 0)
			return i->stage == map[k].stage &&
			       (map[k].stage != LG_STAGE_MIRROR ||
				(i->mirror_version == 2 &&
				 near_pct(i->mirror_pct, 50)));
	return false;
}

/* Does every rule of vs send everything to one destination of version 3? */
static bool all_to_v3(const struct lg_steps_view *v,
		      const struct lg_mesh_vs *vs)
{
	size_t i;

	for (i = 0; i < vs->nhttp; i++)
		if (vs->http[i].nroutes != 1 ||
		    lg_mesh_subset_version(&v->mesh, v->ns,
					   vs->http[i].routes[0].host,
					   vs->http[i].routes[0].subset) != 3)
			return false;
	return vs->nhttp > 0;
}

static void place_reviews(struct lg_steps_view *v)
{
	const struct lg_mesh_vs *vs = v->info.reviews_vs;
	const struct lg_mesh_vs *stray = lg_steps_stray(v, "reviews");
	const char *check, *step;

	v->reviews = v->reviews_stray = untouched;
	if (vs) {
		step = lg_steps_nearest_reviews(
		    vs, near_pct(v->info.anon[3], 100), &check);
		v->reviews = at(check, step, is_exact(&v->info, step));
	}
	if (stray) {
		step = lg_steps_nearest_reviews(stray, all_to_v3(v, stray),
						&check);
		v->reviews_stray = at(check, step, false);
	}
}

static bool ratings_to_v1(const struct lg_reviews_info *i)
{
	return i->ratings_vs && !i->ratings_broken &&
	       !any_rule(i->ratings_vs, has_fault);
}

static void place_ratings(struct lg_steps_view *v)
{
	const struct lg_mesh_vs *vs = v->info.ratings_vs;
	const struct lg_mesh_vs *stray = lg_steps_stray(v, "ratings");
	const struct lg_reviews_info *i = &v->info;
	bool exact;

	v->ratings_stray = untouched;
	if (stray)
		v->ratings_stray = any_rule(stray, has_fault)
				       ? at("fault-injection", "delay", false)
				       : at("request-routing", "all-v1", false);
	if (any_rule(vs, has_fault)) {
		exact = vs && i->delay_jason && !i->delay_anon &&
			near_pct(i->delay_pct, 100) &&
			near_pct(i->delay_s, 7) && !i->ratings_broken;
		v->ratings = at("fault-injection", "delay", exact);
		return;
	}
	if (!vs)
		v->ratings = untouched;
	else
		v->ratings = at("request-routing", "all-v1", ratings_to_v1(i));
}

static bool limits(const struct lg_mesh_policy *p)
{
	return p->has_pool || p->has_outlier;
}

static void place_policy(struct lg_steps_view *v)
{
	struct lg_mesh_resolved_policy pol;

	lg_mesh_policy_for(&v->mesh, v->ns, "reviews", NULL, &pol);
	if (limits(&pol.policy))
		v->policy = at("circuit-breaking", "circuit-breaker", true);
	else if (lg_steps_stray_policy(v))
		v->policy = at("circuit-breaking", "circuit-breaker", false);
	else
		v->policy = untouched;
}

void lg_steps_assess(struct lg_steps_view *v)
{
	lg_steps_causes_release(v);
	lg_mesh_reviews_stage(&v->mesh, v->ns, &v->info);
	place_reviews(v);
	place_ratings(v);
	place_policy(v);
	lg_steps_explain_all(v);
}

void lg_steps_view_release(struct lg_steps_view *v)
{
	lg_steps_causes_release(v);
	lg_mesh_release(&v->mesh);
	memset(v, 0, sizeof(*v));
}

static bool place_is(const struct lg_steps_place *p, const char *check,
		     const char *step)
{
	return p->check && !p->exact && strcmp(p->check, check) == 0 &&
	       strcmp(p->step, step) == 0;
}

bool lg_steps_is_attempt_at(const struct lg_steps_view *v, const char *check,
			    const char *step)
{
	return place_is(&v->reviews, check, step) ||
	       place_is(&v->ratings, check, step) ||
	       place_is(&v->policy, check, step) ||
	       place_is(&v->reviews_stray, check, step) ||
	       place_is(&v->ratings_stray, check, step);
}

char *lg_steps_explain(const struct lg_steps_view *v, const char *check,
		       const char *step, bool english)
{
	struct lg_buf b = LG_BUF_INIT;
	size_t i;

	for (i = 0; i < v->ncauses; i++) {
		const struct lg_steps_cause *c = &v->causes[i];

		if (strcmp(c->check, check) != 0 || strcmp(c->step, step) != 0)
			continue;
		lg_buf_addf(&b, "%s%s", b.len ? "; " : "",
			    english ? c->en : c->es);
	}
	if (b.len == 0) {
		lg_buf_release(&b);
		return NULL;
	}
	return lg_buf_detach(&b, NULL);
}

char *lg_steps_apply_text(const struct lg_step_def *d, const char *ns,
			  bool english)
{
	const char *t = english ? d->apply_en : d->apply_es;
	struct lg_buf b = LG_BUF_INIT;
	const char *p;

	while ((p = strstr(t, "{ns}")) != NULL) {
		lg_buf_add(&b, t, (size_t)(p - t));
		lg_buf_adds(&b, ns);
		t = p + 4;
	}
	lg_buf_adds(&b, t);
	return lg_buf_detach(&b, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_istio.c: the Istio routing model on every lab step and wrong variant. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../harness/istio.h"
#include "../../harness/steps.h"
#include "../../harness/yaml.h"

#define DATA "tests/data/istio/"
#define NS "bookinfo"

/*
 * A tiny "cluster": objects applied in order with kubectl's semantics that
 * matter here: applying an object that exists (same group, kind, namespace
 * and name) replaces its spec and keeps its creationTimestamp; a new object
 * gets the next timestamp.
 */
struct cluster {
	cJSON *objs;
	int clock;
};

static void cluster_init(struct cluster *c)
{
	c->objs = cJSON_CreateArray();
	c->clock = 0;
}

static const char *meta_str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(o, "metadata"), key));
}

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static bool same_object(const cJSON *a, const cJSON *b)
{
	const char *ga = str(a, "apiVersion"), *gb = str(b, "apiVersion");

	return strcspn(ga, "/") == strcspn(gb, "/") &&
	       strncmp(ga, gb, strcspn(ga, "/")) == 0 &&
	       strcmp(str(a, "kind"), str(b, "kind")) == 0 &&
	       strcmp(meta_str(a, "namespace"), meta_str(b, "namespace")) ==
		   0 &&
	       strcmp(meta_str(a, "name"), meta_str(b, "name")) == 0;
}

/* Apply one object (taken): set namespace and timestamp, replace or add. */
static void apply_obj(struct cluster *c, cJSON *obj)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *it;
	char ts[32];
	int i = 0;

	if (!meta_str(obj, "namespace"))
		cJSON_AddStringToObject(md, "namespace", NS);
	cJSON_ArrayForEach(it, c->objs)
	{
		if (same_object(it, obj)) {
			cJSON_AddStringToObject(
			    md, "creationTimestamp",
			    meta_str(it, "creationTimestamp"));
			cJSON_ReplaceItemInArray(c->objs, i, obj);
			return;
		}
		i++;
	}
	snprintf(ts, sizeof(ts), "2026-11-25T10:%02d:00Z", c->clock++);
	cJSON_AddStringToObject(md, "creationTimestamp", ts);
	cJSON_AddItemToArray(c->objs, obj);
}

static void apply_text(struct cluster *c, const char *text)
{
	struct lg_ynode **docs = NULL;
	size_t n = 0, i;
	struct lg_error err = {0};

	assert_int_equal(
	    lg_yaml_parse(text, strlen(text), "inline", &docs, &n, &err),
	    LG_OK);
	for (i = 0; i < n; i++)
		apply_obj(c, lg_ynode_to_json(docs[i]));
	lg_ynode_free_docs(docs, n);
}

/* Apply dir/file.yaml. */
static void apply_from(struct cluster *c, const char *dir, const char *file)
{
	struct lg_ynode **docs = NULL;
	size_t n = 0, i;
	struct lg_error err = {0};
	char *path = lg_xasprintf("%s%s.yaml", dir, file);

	if (lg_yaml_parse_file(path, &docs, &n, &err) != LG_OK)
		fail_msg("%s", err.msg);
	for (i = 0; i < n; i++)
		apply_obj(c, lg_ynode_to_json(docs[i]));
	lg_ynode_free_docs(docs, n);
	free(path);
}

static void apply(struct cluster *c, const char *file)
{
	apply_from(c, DATA, file);
}

/* Build the mesh from the cluster and drop the cluster. */
static void to_mesh(struct cluster *c, struct lg_mesh *m)
{
	const cJSON *it;

	lg_mesh_init(m);
	/* Services, Deployments...: not for the model (LG_ENOTFOUND). */
	cJSON_ArrayForEach(it, c->objs)
	    assert_int_not_equal(lg_mesh_add_object(m, it), LG_EPARSE);
	cJSON_Delete(c->objs);
	c->objs = NULL;
}

/* The mesh after applying files in order (NULL-terminated). */
static void mesh_of(struct lg_mesh *m, ...)
{
	struct cluster c;
	const char *f;
	va_list ap;

	cluster_init(&c);
	va_start(ap, m);
	while ((f = va_arg(ap, const char *)) != NULL)
		apply(&c, f);
	va_end(ap);
	to_mesh(&c, m);
}

static const char *DR_ALL = "destination-rule-all";
static const char *ALL_V1 = "virtual-service-all-v1";

/* ------------------------------------------------------------------ */

static void test_istio__duration(void **state)
{
	(void)state;
	assert_true(lg_mesh_duration("7s") == 7);
	assert_true(lg_mesh_duration("3m") == 180);
	assert_true(lg_mesh_duration("1.5s") == 1.5);
	assert_true(lg_mesh_duration("100ms") > 0.0999 &&
		    lg_mesh_duration("100ms") < 0.1001);
	assert_true(lg_mesh_duration("1h30m") == 5400);
	assert_true(lg_mesh_duration("0") == 0);
	assert_true(lg_mesh_duration(".5s") == 0.5);
	assert_true(lg_mesh_duration("250us") > 0.000249 &&
		    lg_mesh_duration("250us") < 0.000251);
	assert_true(lg_mesh_duration(NULL) < 0);
	assert_true(lg_mesh_duration("") < 0);
	assert_true(lg_mesh_duration("7") < 0);
	assert_true(lg_mesh_duration("s") < 0);
	assert_true(lg_mesh_duration("7 s") < 0);
	assert_true(lg_mesh_duration("-1s") < 0);
	assert_true(lg_mesh_duration("7sec") < 0);
	assert_true(lg_mesh_duration(".s") < 0);
}

static void test_istio__fqdn(void **state)
{
	char *a = lg_mesh_fqdn("reviews", "bookinfo");
	char *b = lg_mesh_fqdn("reviews.bookinfo.svc.cluster.local", "x");
	char *c = lg_mesh_fqdn("*", "x");
	char *d = lg_mesh_fqdn("httpbin.example.com", "default");

	(void)state;
	assert_string_equal(a, "reviews.bookinfo.svc.cluster.local");
	assert_string_equal(b, "reviews.bookinfo.svc.cluster.local");
	assert_string_equal(c, "*");
	assert_string_equal(d, "httpbin.example.com");
	free(a);
	free(b);
	free(c);
	free(d);
}

static void test_istio__no_vs_routes_to_all_endpoints(void **state)
{
	struct lg_mesh m;
	struct lg_route_decision d;
	struct lg_reviews_info ri;

	(void)state;
	mesh_of(&m, DR_ALL, NULL);
	assert_int_equal(lg_mesh_route(&m, NS, "reviews", NULL, &d), LG_OK);
	assert_int_equal(d.kind, LG_ROUTE_DEFAULT);
	assert_null(d.vs);
	assert_int_equal(d.rule, -1);
	assert_int_equal(d.nshares, 1);
	assert_null(d.shares[0].subset);
	assert_true(d.shares[0].pct == 100);
	assert_string_equal(d.host, "reviews.bookinfo.svc.cluster.local");
	lg_route_decision_release(&d);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_NONE);
	assert_string_equal(lg_reviews_stage_name(ri.stage), "none");
	lg_mesh_release(&m);
}

static void test_istio__bad_arguments(void **state)
{
	struct lg_mesh m = LG_MESH_INIT;
	struct lg_route_decision d;

	(void)state;
	assert_int_equal(lg_mesh_route(&m, NULL, "reviews", NULL, &d),
			 LG_EUSAGE);
	lg_route_decision_release(&d);
	assert_int_equal(lg_mesh_route(&m, NS, "", NULL, &d), LG_EUSAGE);
	lg_route_decision_release(&d);
	lg_mesh_release(&m);
}

/* Route reviews for user and expect one subset at 100 % by rule. */
static void expect_route(const struct lg_mesh *m, const char *host,
			 const char *user, const char *subset, int rule)
{
	struct lg_route_decision d;

	assert_int_equal(lg_mesh_route(m, NS, host, user, &d), LG_OK);
	assert_int_equal(d.kind, LG_ROUTE_RULE);
	assert_int_equal(d.rule, rule);
	assert_int_equal(d.nshares, 1);
	assert_string_equal(d.shares[0].subset, subset);
	assert_true(d.shares[0].pct == 100);
	assert_true(d.shares[0].subset_ok);
	assert_false(d.undefined_subset);
	assert_null(d.shadowed);
	lg_route_decision_release(&d);
}

static void test_istio__all_v1(void **state)
{
	struct lg_mesh m;
	struct lg_reviews_info ri;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;

	(void)state;
	mesh_of(&m, DR_ALL, ALL_V1, NULL);
	expect_route(&m, "reviews", NULL, "v1", 0);
	expect_route(&m, "reviews", "jason", "v1", 0);
	expect_route(&m, "ratings", "jason", "v1", 0);
	expect_route(&m, "productpage", NULL, "v1", 0);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_ALL_V1);
	assert_true(ri.anon[1] == 100 && ri.jason[1] == 100);
	assert_false(ri.mirror || ri.broken || ri.conflict);
	assert_false(ri.delay_jason || ri.abort_jason);
	assert_non_null(ri.reviews_vs);
	assert_string_equal(ri.reviews_vs->meta.name, "reviews");
	lg_mesh_analyze(&m, &f);
	assert_int_equal(f.n, 0);
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

static void test_istio__test_v2(void **state)
{
	struct lg_mesh m;
	struct lg_reviews_info ri;

	(void)state;
	mesh_of(&m, DR_ALL, ALL_V1, "virtual-service-reviews-test-v2", NULL);
	expect_route(&m, "reviews", NULL, "v1", 1);
	expect_route(&m, "reviews", "jason", "v2", 0);
	/* Another user is anonymous as far as the rule is concerned. */
	expect_route(&m, "reviews", "jasonx", "v1", 1);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_TEST_V2);
	assert_true(ri.anon[1] == 100 && ri.jason[2] == 100);
	assert_false(ri.delay_jason);
	lg_mesh_release(&m);
}

static void test_istio__ratings_delay(void **state)
{
	struct lg_mesh m;
	struct lg_reviews_info ri;
	struct lg_route_decision d;

	(void)state;
	mesh_of(&m, DR_ALL, ALL_V1, "virtual-service-reviews-test-v2",
		"virtual-service-ratings-test-delay", NULL);
	assert_int_equal(lg_mesh_route(&m, NS, "ratings", "jason", &d), LG_OK);
	assert_int_equal(d.rule, 0);
	assert_non_null(d.fault);
	assert_true(d.fault->has_delay && !d.fault->has_abort);
	assert_true(d.fault->delay_s == 7 && d.fault->delay_pct == 100);
	lg_route_decision_release(&d);
	assert_int_equal(lg_mesh_route(&m, NS, "ratings", NULL, &d), LG_OK);
	assert_int_equal(d.rule, 1);
	assert_null(d.fault);
	lg_route_decision_release(&d);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_TEST_V2);
	assert_true(ri.delay_jason);
	assert_false(ri.delay_anon);
	assert_true(ri.delay_s == 7 && ri.delay_pct == 100);
	assert_false(ri.abort_jason);
	lg_mesh_release(&m);
}

static void test_istio__ratings_abort_is_not_delay(void **state)
{
	struct lg_mesh m;
	struct lg_reviews_info ri;

	(void)state;
	mesh_of(&m, DR_ALL, ALL_V1, "virtual-service-reviews-test-v2",
		"virtual-service-ratings-test-abort", NULL);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_TEST_V2);
	assert_false(ri.delay_jason);
	assert_true(ri.abort_jason);
	assert_int_equal(ri.abort_status, 500);
	assert_true(ri.abort_pct == 100);
	assert_false(ri.abort_anon);
	lg_mesh_release(&m);
}

/* Expect a two-way split of reviews for both users. */
static void expect_split(const struct lg_mesh *m, const char *s1, double p1,
			 const char *s2, double p2)
{
	struct lg_route_decision d;
	const char *users[] = {NULL, "jason"};
	size_t i;

	for (i = 0; i < LG_ARRAY_SIZE(users); i++) {
		assert_int_equal(lg_mesh_route(m, NS, "reviews", users[i], &d),
				 LG_OK);
		assert_int_equal(d.nshares, 2);
		assert_string_equal(d.shares[0].subset, s1);
		assert_true(d.shares[0].pct == p1);
		assert_string_equal(d.shares[1].subset, s2);
		assert_true(d.shares[1].pct == p2);
		lg_route_decision_release(&d);
	}
}

static void test_istio__split_50_v3_then_v3(void **state)
{
	struct lg_mesh m;
	struct lg_reviews_info ri;

	(void)state;
	mesh_of(&m, DR_ALL, ALL_V1, "virtual-service-reviews-50-v3", NULL);
	expect_split(&m, "v1", 50, "v3", 50);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri),
			 LG_STAGE_SPLIT_50_V3);
	assert_true(ri.anon[1] == 50 && ri.anon[3] == 50 && ri.anon[2] == 0);
	lg_mesh_release(&m);

	mesh_of(&m, DR_ALL, ALL_V1, "virtual-service-reviews-50-v3",
		"virtual-service-reviews-v3", NULL);
	expect_route(&m, "reviews", NULL, "v3", 0);
	expect_route(&m, "reviews", "jason", "v3", 0);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_ALL_V3);
	lg_mesh_release(&m);
}

static void test_istio__wrong_splits(void **state)
{
	struct lg_mesh m;
	struct lg_reviews_info ri;
	char *text;

	(void)state;
	mesh_of(&m, DR_ALL, ALL_V1, "virtual-service-reviews-90-10", NULL);
	expect_split(&m, "v1", 90, "v2", 10);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_SPLIT_V2);
	assert_true(ri.anon[1] == 90 && ri.anon[2] == 10 && ri.anon[3] == 0);
	lg_mesh_release(&m);

	mesh_of(&m, DR_ALL, ALL_V1, "virtual-service-reviews-80-20", NULL);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_SPLIT_V2);
	assert_true(ri.anon[1] == 80 && ri.anon[2] == 20);
	text = lg_reviews_shares_text(ri.anon);
	assert_string_equal(text, "v1 80%, v2 20%");
	free(text);
	assert_string_equal(lg_reviews_stage_name(ri.stage), "split-v2");
	lg_mesh_release(&m);

	mesh_of(&m, DR_ALL, ALL_V1, "virtual-service-reviews-v2-v3", NULL);
	expect_split(&m, "v2", 50, "v3", 50);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri),
			 LG_STAGE_SPLIT_V2_V3);
	lg_mesh_release(&m);
}

static void test_istio__uneven_v3_split(void **state)
{
	struct lg_mesh m;
	struct lg_reviews_info ri;
	struct cluster c;

	(void)state;
	cluster_init(&c);
	apply(&c, DR_ALL);
	apply_text(&c, "apiVersion: networking.istio.io/v1\n"
		       "kind: VirtualService\n"
		       "metadata: {name: reviews}\n"
		       "spec:\n"
		       "  hosts: [reviews]\n"
		       "  http:\n"
		       "  - route:\n"
		       "    - destination: {host: reviews, subset: v1}\n"
		       "      weight: 3\n"
		       "    - destination: {host: reviews, subset: v3}\n"
		       "      weight: 1\n");
	to_mesh(&c, &m);
	/* Weights are proportions: 3:1 is 75/25. */
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri),
			 LG_STAGE_SPLIT_V3_UNEVEN);
	assert_true(ri.anon[1] == 75 && ri.anon[3] == 25);
	lg_mesh_release(&m);
}

static void test_istio__jason_v2_v3(void **state)
{
	struct lg_mesh m;
	struct lg_reviews_info ri;

	(void)state;
	mesh_of(&m, DR_ALL, ALL_V1, "virtual-service-reviews-jason-v2-v3",
		NULL);
	expect_route(&m, "reviews", NULL, "v3", 1);
	expect_route(&m, "reviews", "jason", "v2", 0);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri),
			 LG_STAGE_JASON_V2_V3);
	lg_mesh_release(&m);
}

static void test_istio__mirror(void **state)
{
	struct lg_mesh m;
	struct lg_reviews_info ri;
	struct lg_route_decision d;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;

	(void)state;
	mesh_of(&m, DR_ALL, ALL_V1, "virtual-service-reviews-mirror", NULL);
	assert_int_equal(lg_mesh_route(&m, NS, "reviews", NULL, &d), LG_OK);
	assert_int_equal(d.nmirrors, 1);
	assert_string_equal(d.mirrors[0].dest.host,
			    "reviews.bookinfo.svc.cluster.local");
	assert_string_equal(d.mirrors[0].dest.subset, "v2");
	assert_true(d.mirrors[0].pct == 50);
	assert_false(d.mirrors[0].deprecated_percent);
	assert_true(d.shares[0].pct == 100);
	lg_route_decision_release(&d);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_MIRROR);
	assert_true(ri.mirror);
	assert_string_equal(ri.mirror_subset, "v2");
	assert_true(ri.mirror_pct == 50);
	assert_true(ri.anon[1] == 100);
	lg_mesh_analyze(&m, &f);
	assert_int_equal(f.n, 0);
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

static void test_istio__mirror_percentage_absent_is_100(void **state)
{
	struct lg_mesh m;
	struct lg_reviews_info ri;

	(void)state;
	mesh_of(&m, DR_ALL, "virtual-service-reviews-mirror-all", NULL);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_MIRROR);
	assert_true(ri.mirror_pct == 100);
	lg_mesh_release(&m);
}

static void test_istio__mirror_percent_deprecated(void **state)
{
	struct lg_mesh m;
	struct lg_reviews_info ri;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	const struct lg_mesh_finding *x;

	(void)state;
	mesh_of(&m, DR_ALL, "virtual-service-reviews-mirror-percent", NULL);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_MIRROR);
	assert_true(ri.mirror_pct == 50);
	assert_true(m.vs[0].http[0].mirrors[0].deprecated_percent);
	lg_mesh_analyze(&m, &f);
	assert_int_equal(f.n, 1);
	x = lg_mesh_findings_find(&f, LG_CAUSE_DEPRECATED_MIRROR_PERCENT);
	assert_non_null(x);
	assert_string_equal(x->code, "IST0133");
	assert_int_equal(x->level, LG_FINDING_WARNING);
	assert_string_equal(x->kind, "VirtualService");
	assert_string_equal(x->ns, NS);
	assert_string_equal(x->name, "reviews");
	assert_non_null(strstr(x->message, "mirrorPercentage"));
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

/* ------------------------------------------------------------------ */
/* Circuit breaking: merging and replacing DestinationRules.            */

static void test_istio__cb_separate_rule_is_merged(void **state)
{
	struct lg_mesh m;
	struct lg_mesh_merged_dr md;
	struct lg_mesh_resolved_policy p;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	const struct lg_mesh_finding *x;

	(void)state;
	mesh_of(&m, DR_ALL, ALL_V1, "destination-rule-reviews-cb", NULL);
	lg_mesh_merged_dr(&m, NS, "reviews", &md);
	assert_int_equal(md.ndrs, 2);
	assert_string_equal(md.drs[0]->meta.name, "reviews");
	assert_int_equal(md.nsubsets, 3);
	assert_non_null(lg_mesh_merged_subset(&md, "v3"));
	assert_null(lg_mesh_merged_subset(&md, "v4"));
	assert_non_null(md.policy_from);
	assert_string_equal(md.policy_from->meta.name, "reviews-cb");
	lg_mesh_merged_dr_release(&md);

	lg_mesh_policy_for(&m, NS, "reviews", "v1", &p);
	assert_true(p.subset_found);
	assert_true(p.policy.has_pool && p.policy.has_outlier);
	assert_int_equal(p.policy.pool.max_connections, 1);
	assert_int_equal(p.policy.pool.http1_max_pending, 1);
	assert_int_equal(p.policy.pool.max_requests_per_conn, 1);
	assert_int_equal(p.policy.pool.http2_max_requests, LG_MESH_UNSET);
	assert_int_equal(p.policy.outlier.consecutive_errors, 1);
	assert_int_equal(p.policy.outlier.consecutive_5xx, LG_MESH_UNSET);
	/* consecutiveErrors is ignored: Envoy's default of 5 applies. */
	assert_int_equal(p.eff_consecutive_5xx, 5);
	assert_true(p.eff_interval_s == 1);
	assert_true(p.eff_base_ejection_s == 180);
	assert_int_equal(p.eff_max_ejection_pct, 100);

	expect_route(&m, "reviews", NULL, "v1", 0);
	lg_mesh_analyze(&m, &f);
	assert_int_equal(f.n, 2);
	x = lg_mesh_findings_find(&f, LG_CAUSE_DEPRECATED_CONSECUTIVE_ERRORS);
	assert_non_null(x);
	assert_string_equal(x->code, "IST0133");
	assert_string_equal(x->name, "reviews-cb");
	assert_non_null(strstr(x->message, "after 5 consecutive 5xx, not 1"));
	x = lg_mesh_findings_find(&f, LG_CAUSE_DR_MERGED);
	assert_non_null(x);
	assert_string_equal(x->code, "LG0001");
	assert_int_equal(x->level, LG_FINDING_INFO);
	assert_string_equal(x->name, "reviews-cb");
	assert_null(lg_mesh_findings_find(&f, LG_CAUSE_SUBSETS_REPLACED));
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

static void test_istio__cb_5xx_counts(void **state)
{
	struct lg_mesh m;
	struct lg_mesh_resolved_policy p;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;

	(void)state;
	mesh_of(&m, DR_ALL, ALL_V1, "destination-rule-reviews-cb-5xx", NULL);
	lg_mesh_policy_for(&m, NS, "reviews.bookinfo.svc.cluster.local", NULL,
			   &p);
	assert_int_equal(p.eff_consecutive_5xx, 1);
	lg_mesh_analyze(&m, &f);
	assert_null(
	    lg_mesh_findings_find(&f, LG_CAUSE_DEPRECATED_CONSECUTIVE_ERRORS));
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

static void test_istio__cb_named_reviews_replaces_subsets(void **state)
{
	struct lg_mesh m;
	struct lg_mesh_merged_dr md;
	struct lg_mesh_resolved_policy p;
	struct lg_route_decision d;
	struct lg_reviews_info ri;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	const struct lg_mesh_finding *x;

	(void)state;
	mesh_of(&m, DR_ALL, ALL_V1, "destination-rule-reviews-cb-replace",
		NULL);
	assert_int_equal(m.ndr, 4); /* replaced, not added */
	lg_mesh_merged_dr(&m, NS, "reviews", &md);
	assert_int_equal(md.ndrs, 1);
	assert_int_equal(md.nsubsets, 0);
	lg_mesh_merged_dr_release(&md);
	lg_mesh_policy_for(&m, NS, "reviews", "v1", &p);
	assert_false(p.subset_found);
	assert_true(p.policy.has_pool);

	assert_int_equal(lg_mesh_route(&m, NS, "reviews", NULL, &d), LG_OK);
	assert_true(d.undefined_subset);
	assert_false(d.shares[0].subset_ok);
	lg_route_decision_release(&d);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_ALL_V1);
	assert_true(ri.broken);
	assert_false(ri.ratings_broken); /* ratings' rule is intact */

	lg_mesh_analyze(&m, &f);
	x = lg_mesh_findings_find(&f, LG_CAUSE_SUBSETS_REPLACED);
	assert_non_null(x);
	assert_string_equal(x->code, "IST0101");
	assert_int_equal(x->level, LG_FINDING_ERROR);
	assert_string_equal(x->kind, "VirtualService");
	assert_string_equal(x->name, "reviews");
	assert_string_equal(x->subject, "reviews+v1");
	assert_non_null(strstr(x->message, "503 (NC)"));
	assert_null(lg_mesh_findings_find(&f, LG_CAUSE_SUBSET_NOT_FOUND));
	assert_null(lg_mesh_findings_find(&f, LG_CAUSE_DR_MERGED));
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

static void test_istio__subset_without_rule(void **state)
{
	struct lg_mesh m;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	struct lg_reviews_info ri;
	size_t i;

	(void)state;
	mesh_of(&m, ALL_V1, NULL);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_ALL_V1);
	assert_true(ri.broken && ri.ratings_broken);
	lg_mesh_analyze(&m, &f);
	assert_int_equal(f.n, 4); /* one per VirtualService */
	for (i = 0; i < f.n; i++) {
		assert_string_equal(f.v[i].code, "IST0101");
		assert_int_equal(f.v[i].cause, LG_CAUSE_NO_DR_FOR_HOST);
	}
	assert_string_equal(f.v[1].subject, "reviews+v1");
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

static void test_istio__subset_not_defined(void **state)
{
	struct lg_mesh m;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	struct cluster c;
	struct lg_route_decision d;

	(void)state;
	cluster_init(&c);
	apply(&c, DR_ALL);
	/* reviews v4 does not exist in destination-rule-all. */
	apply_text(&c, "apiVersion: networking.istio.io/v1\n"
		       "kind: VirtualService\n"
		       "metadata: {name: reviews}\n"
		       "spec:\n"
		       "  hosts: [reviews]\n"
		       "  http:\n"
		       "  - route:\n"
		       "    - destination: {host: reviews, subset: v4}\n"
		       "    mirror: {host: reviews, subset: v4}\n");
	to_mesh(&c, &m);
	assert_int_equal(lg_mesh_route(&m, NS, "reviews", NULL, &d), LG_OK);
	assert_true(d.undefined_subset);
	lg_route_decision_release(&d);
	lg_mesh_analyze(&m, &f);
	assert_int_equal(f.n, 1); /* route and mirror: one subject */
	assert_int_equal(f.v[0].cause, LG_CAUSE_SUBSET_NOT_FOUND);
	assert_string_equal(f.v[0].subject, "reviews+v4");
	assert_string_equal(f.v[0].message,
			    "Referenced host+subset in destinationrule not "
			    "found: \"reviews+v4\"");
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

/* A rule named reviews WITH a policy and some subsets replaced nothing. */
static void test_istio__named_rule_with_subsets_is_not_replacement(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;

	(void)state;
	cluster_init(&c);
	apply(&c, "virtual-service-reviews-v3");
	apply_text(&c,
		   "apiVersion: networking.istio.io/v1\n"
		   "kind: DestinationRule\n"
		   "metadata: {name: reviews}\n"
		   "spec:\n"
		   "  host: reviews\n"
		   "  trafficPolicy:\n"
		   "    connectionPool: {http: {http1MaxPendingRequests: 1}}\n"
		   "  subsets:\n"
		   "  - {name: v1, labels: {version: v1}}\n"
		   "  - {name: v2, labels: {version: v2}}\n");
	to_mesh(&c, &m);
	lg_mesh_analyze(&m, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].cause, LG_CAUSE_SUBSET_NOT_FOUND);
	assert_string_equal(f.v[0].subject, "reviews+v3");
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

/* Two rules for one host, applied in order, with given policies. */
static const char *const dr_two =
    "apiVersion: networking.istio.io/v1\n"
    "kind: DestinationRule\n"
    "metadata: {name: b-old}\n"
    "spec:\n"
    "  host: reviews.bookinfo.svc.cluster.local\n"
    "  subsets:\n"
    "  - name: v1\n"
    "    labels: {version: v1}\n"
    "    trafficPolicy:\n"
    "      connectionPool: {http: {http2MaxRequests: 3}}\n"
    "  - name: v2\n"
    "    labels: {version: v2}\n"
    "    trafficPolicy:\n"
    "      outlierDetection: {consecutive5xxErrors: 2}\n"
    "---\n"
    "apiVersion: networking.istio.io/v1\n"
    "kind: DestinationRule\n"
    "metadata: {name: a-new}\n"
    "spec:\n"
    "  host: reviews\n"
    "  trafficPolicy:\n"
    "    connectionPool: {http: {http2MaxRequests: 7}}\n"
    "  subsets:\n"
    "  - {name: v1, labels: {version: other}}\n"
    "  - {name: v3, labels: {version: v3}}\n"
    "---\n"
    "apiVersion: networking.istio.io/v1\n"
    "kind: DestinationRule\n"
    "metadata: {name: c-newest}\n"
    "spec:\n"
    "  host: reviews\n"
    "  trafficPolicy:\n"
    "    connectionPool: {http: {http2MaxRequests: 9}}\n";

static void test_istio__dr_merge_order(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_mesh_merged_dr md;
	struct lg_mesh_resolved_policy p;
	const struct lg_mesh_subset *s;

	(void)state;
	cluster_init(&c);
	apply_text(&c, dr_two);
	to_mesh(&c, &m);
	lg_mesh_merged_dr(&m, NS, "reviews", &md);
	assert_int_equal(md.ndrs, 3);
	/* b-old is older although a-new sorts first by name. */
	assert_string_equal(md.drs[0]->meta.name, "b-old");
	assert_int_equal(md.nsubsets, 3);
	s = lg_mesh_merged_subset(&md, "v1");
	assert_string_equal(s->labels.values[0], "v1"); /* first wins */
	assert_string_equal(md.policy_from->meta.name, "a-new");
	lg_mesh_merged_dr_release(&md);

	lg_mesh_policy_for(&m, NS, "reviews", "v1", &p);
	assert_int_equal(p.policy.pool.http2_max_requests, 3); /* subset's */
	assert_false(p.policy.has_outlier);
	lg_mesh_policy_for(&m, NS, "reviews", "v2", &p);
	assert_int_equal(p.policy.pool.http2_max_requests, 7);
	assert_true(p.policy.has_outlier); /* from the subset */
	assert_int_equal(p.eff_consecutive_5xx, 2);
	assert_true(p.eff_interval_s == 10 && p.eff_base_ejection_s == 30);
	lg_mesh_policy_for(&m, NS, "reviews", "v3", &p);
	assert_false(p.policy.has_outlier);
	assert_int_equal(p.eff_consecutive_5xx, 0);
	lg_mesh_release(&m);
}

static void test_istio__two_vs_for_one_host(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_route_decision d;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	struct lg_reviews_info ri;

	(void)state;
	cluster_init(&c);
	apply(&c, DR_ALL);
	apply(&c, "virtual-service-reviews-v3");
	apply_text(&c, "apiVersion: networking.istio.io/v1\n"
		       "kind: VirtualService\n"
		       "metadata: {name: a-reviews-v1}\n"
		       "spec:\n"
		       "  hosts: [reviews.bookinfo.svc.cluster.local]\n"
		       "  http:\n"
		       "  - route:\n"
		       "    - destination: {host: reviews, subset: v1}\n");
	to_mesh(&c, &m);
	/* The older one wins although the newer sorts first by name. */
	assert_int_equal(lg_mesh_route(&m, NS, "reviews", NULL, &d), LG_OK);
	assert_string_equal(d.vs->meta.name, "reviews");
	assert_non_null(d.shadowed);
	assert_string_equal(d.shadowed->meta.name, "a-reviews-v1");
	assert_string_equal(d.shares[0].subset, "v3");
	lg_route_decision_release(&d);
	assert_int_equal(lg_mesh_reviews_stage(&m, NS, &ri), LG_STAGE_ALL_V3);
	assert_true(ri.conflict);
	lg_mesh_analyze(&m, &f);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].code, "IST0109");
	assert_int_equal(f.v[0].cause, LG_CAUSE_VS_CONFLICT);
	assert_string_equal(f.v[0].name, "a-reviews-v1");
	assert_non_null(strstr(f.v[0].message, "bookinfo/reviews, the oldest"));
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

/* ------------------------------------------------------------------ */
/* Matching details.                                                    */

static const char *const vs_matches =
    "apiVersion: networking.istio.io/v1\n"
    "kind: VirtualService\n"
    "metadata: {name: reviews}\n"
    "spec:\n"
    "  hosts: [reviews]\n"
    "  http:\n"
    "  - match:\n"
    "    - queryParams: {x: {exact: y}}\n"
    "    route: [{destination: {host: reviews, subset: v3}}]\n"
    "  - match:\n"
    "    - headers: {End-User: {regex: 'jas(on|per)'}}\n"
    "      uri: {prefix: /reviews}\n"
    "    route: [{destination: {host: reviews, subset: v2}}]\n"
    "  - match:\n"
    "    - headers: {end-user: {prefix: ad}}\n"
    "    - uri: {exact: /special}\n"
    "    route: [{destination: {host: reviews, subset: v1}}]\n"
    "    timeout: 100ms\n"
    "  - match:\n"
    "    - withoutHeaders: {end-user: {}}\n"
    "    route: [{destination: {host: reviews, subset: v1}}]\n";

static void route_req(const struct lg_mesh *m, const char *uri,
		      const char *user, struct lg_route_decision *d)
{
	struct lg_mesh_header h = {"end-user", user};
	struct lg_mesh_request req = {uri, &h, user ? 1 : 0};

	assert_int_equal(lg_mesh_route_req(m, NS, "reviews", &req, d), LG_OK);
}

static void test_istio__matching(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_route_decision d;

	(void)state;
	cluster_init(&c);
	apply(&c, DR_ALL);
	apply_text(&c, vs_matches);
	to_mesh(&c, &m);
	route_req(&m, "/reviews/0", "jasper", &d);
	assert_int_equal(d.rule, 1);
	assert_true(d.unjudged); /* rule 0 had queryParams */
	lg_route_decision_release(&d);
	route_req(&m, "/other", "jason", &d); /* uri fails rule 1 */
	assert_int_equal(d.kind, LG_ROUTE_NO_MATCH);
	assert_int_equal(d.nshares, 0);
	lg_route_decision_release(&d);
	route_req(&m, "/special?q=1", "bob", &d);
	assert_int_equal(d.rule, 2);
	assert_true(d.timeout_s > 0.0999 && d.timeout_s < 0.1001);
	lg_route_decision_release(&d);
	route_req(&m, "/x", "admin", &d);
	assert_int_equal(d.rule, 2);
	lg_route_decision_release(&d);
	route_req(&m, "/x", NULL, &d);
	assert_int_equal(d.rule, 3); /* withoutHeaders: no end-user */
	lg_route_decision_release(&d);
	/* lg_mesh_route knows no URI: the uri condition is unjudged. */
	assert_int_equal(lg_mesh_route(&m, NS, "reviews", "jason", &d), LG_OK);
	assert_int_equal(d.kind, LG_ROUTE_NO_MATCH);
	assert_true(d.unjudged);
	lg_route_decision_release(&d);
	lg_mesh_release(&m);
}

static void test_istio__weights(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_route_decision d;

	(void)state;
	cluster_init(&c);
	apply(&c, DR_ALL);
	apply_text(&c, "apiVersion: networking.istio.io/v1\n"
		       "kind: VirtualService\n"
		       "metadata: {name: reviews}\n"
		       "spec:\n"
		       "  hosts: [reviews]\n"
		       "  http:\n"
		       "  - route:\n"
		       "    - destination: {host: reviews, subset: v1}\n"
		       "      weight: 100\n"
		       "    - destination: {host: reviews, subset: v2}\n"
		       "---\n"
		       "apiVersion: networking.istio.io/v1\n"
		       "kind: VirtualService\n"
		       "metadata: {name: ratings}\n"
		       "spec:\n"
		       "  hosts: [ratings]\n"
		       "  http:\n"
		       "  - route:\n"
		       "    - destination: {host: ratings, subset: v1}\n"
		       "      weight: 0\n");
	to_mesh(&c, &m);
	assert_int_equal(lg_mesh_route(&m, NS, "reviews", NULL, &d), LG_OK);
	assert_true(d.shares[0].pct == 100 && d.shares[1].pct == 0);
	assert_int_equal(d.shares[1].weight, LG_MESH_UNSET);
	lg_route_decision_release(&d);
	/* A single destination takes everything whatever its weight. */
	assert_int_equal(lg_mesh_route(&m, NS, "ratings", NULL, &d), LG_OK);
	assert_true(d.shares[0].pct == 100);
	lg_route_decision_release(&d);
	lg_mesh_release(&m);
}

static void test_istio__export_to_and_namespaces(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_route_decision d;

	(void)state;
	cluster_init(&c);
	apply(&c, DR_ALL);
	apply_text(&c, "apiVersion: networking.istio.io/v1\n"
		       "kind: VirtualService\n"
		       "metadata: {name: reviews, namespace: other}\n"
		       "spec:\n"
		       "  hosts: [reviews.bookinfo.svc.cluster.local]\n"
		       "  exportTo: ['.']\n"
		       "  http:\n"
		       "  - route:\n"
		       "    - destination:\n"
		       "        host: reviews.bookinfo.svc.cluster.local\n"
		       "        subset: v3\n");
	to_mesh(&c, &m);
	assert_int_equal(lg_mesh_route(&m, NS, "reviews", NULL, &d), LG_OK);
	assert_int_equal(d.kind, LG_ROUTE_DEFAULT);
	lg_route_decision_release(&d);
	/* From its own namespace it applies; the DR in bookinfo is found
	 * through the host's namespace. */
	assert_int_equal(lg_mesh_route(&m, "other",
				       "reviews.bookinfo.svc.cluster.local",
				       NULL, &d),
			 LG_OK);
	assert_int_equal(d.kind, LG_ROUTE_RULE);
	assert_true(d.shares[0].subset_ok);
	lg_route_decision_release(&d);
	lg_mesh_release(&m);
}

static void test_istio__fault_percentage_absent_is_zero(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_reviews_info ri;

	(void)state;
	cluster_init(&c);
	apply(&c, DR_ALL);
	apply_text(&c,
		   "apiVersion: networking.istio.io/v1\n"
		   "kind: VirtualService\n"
		   "metadata: {name: ratings}\n"
		   "spec:\n"
		   "  hosts: [ratings]\n"
		   "  http:\n"
		   "  - fault: {delay: {fixedDelay: 7s}, abort: {httpStatus: "
		   "500}}\n"
		   "    route: [{destination: {host: ratings, subset: "
		   "v1}}]\n");
	to_mesh(&c, &m);
	assert_true(m.vs[0].http[0].fault.has_delay);
	assert_true(m.vs[0].http[0].fault.delay_pct == 0);
	assert_true(m.vs[0].http[0].fault.abort_pct == 0);
	lg_mesh_reviews_stage(&m, NS, &ri);
	assert_false(ri.delay_jason || ri.delay_anon);
	assert_false(ri.abort_jason || ri.abort_anon);
	lg_mesh_release(&m);
}

static void test_istio__wildcard_hosts(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_route_decision d;

	(void)state;
	cluster_init(&c);
	apply(&c, DR_ALL);
	apply_text(&c, "apiVersion: networking.istio.io/v1\n"
		       "kind: VirtualService\n"
		       "metadata: {name: all}\n"
		       "spec:\n"
		       "  hosts: ['*.bookinfo.svc.cluster.local']\n"
		       "  http:\n"
		       "  - route: [{destination: {host: reviews, subset: "
		       "v2}}]\n");
	apply(&c, "virtual-service-reviews-v3");
	to_mesh(&c, &m);
	/* The exact host wins over the older wildcard, without conflict. */
	assert_int_equal(lg_mesh_route(&m, NS, "reviews", NULL, &d), LG_OK);
	assert_string_equal(d.vs->meta.name, "reviews");
	assert_null(d.shadowed);
	lg_route_decision_release(&d);
	/* The wildcard takes what has no exact VirtualService. */
	assert_int_equal(lg_mesh_route(&m, NS, "details", NULL, &d), LG_OK);
	assert_string_equal(d.vs->meta.name, "all");
	lg_route_decision_release(&d);
	assert_int_equal(
	    lg_mesh_route(&m, NS, "details.other.svc.cluster.local", NULL, &d),
	    LG_OK);
	assert_int_equal(d.kind, LG_ROUTE_DEFAULT);
	lg_route_decision_release(&d);
	lg_mesh_release(&m);
}

static void test_istio__dr_namespace_order(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_mesh_merged_dr md;

	(void)state;
	cluster_init(&c);
	apply(&c, DR_ALL);
	apply_text(&c, "apiVersion: networking.istio.io/v1\n"
		       "kind: DestinationRule\n"
		       "metadata: {name: reviews, namespace: other}\n"
		       "spec:\n"
		       "  host: reviews.bookinfo.svc.cluster.local\n"
		       "  subsets: [{name: canary, labels: {version: v3}}]\n"
		       "---\n"
		       "apiVersion: networking.istio.io/v1\n"
		       "kind: DestinationRule\n"
		       "metadata: {name: mesh-wide, namespace: istio-system}\n"
		       "spec:\n"
		       "  host: '*.svc.cluster.local'\n"
		       "  trafficPolicy:\n"
		       "    connectionPool: {tcp: {maxConnections: 5}}\n");
	to_mesh(&c, &m);
	/* The client's own namespace first. */
	lg_mesh_merged_dr(&m, "other", "reviews.bookinfo.svc.cluster.local",
			  &md);
	assert_int_equal(md.ndrs, 1);
	assert_non_null(lg_mesh_merged_subset(&md, "canary"));
	lg_mesh_merged_dr_release(&md);
	/* Then the host's namespace. */
	lg_mesh_merged_dr(&m, "third", "reviews.bookinfo.svc.cluster.local",
			  &md);
	assert_int_equal(md.nsubsets, 3);
	assert_string_equal(md.drs[0]->meta.ns, NS);
	lg_mesh_merged_dr_release(&md);
	/* Then the root namespace, by wildcard. */
	lg_mesh_merged_dr(&m, "third", "httpbin.third.svc.cluster.local", &md);
	assert_int_equal(md.ndrs, 1);
	assert_string_equal(md.policy_from->meta.name, "mesh-wide");
	lg_mesh_merged_dr_release(&md);
	lg_mesh_release(&m);
}

/* ------------------------------------------------------------------ */
/* Gateways.                                                            */

static const char *const httpbin_gw =
    "apiVersion: networking.istio.io/v1\n"
    "kind: Gateway\n"
    "metadata: {name: httpbin-gateway, namespace: default}\n"
    "spec:\n"
    "  selector: {istio: ingressgateway}\n"
    "  servers:\n"
    "  - port: {number: 80, name: http, protocol: HTTP}\n"
    "    hosts: [httpbin.example.com]\n"
    "---\n"
    "apiVersion: networking.istio.io/v1\n"
    "kind: VirtualService\n"
    "metadata: {name: httpbin, namespace: default}\n"
    "spec:\n"
    "  hosts: [httpbin.example.com]\n"
    "  gateways: [httpbin-gateway, missing-gateway]\n"
    "  http:\n"
    "  - route: [{destination: {host: httpbin, port: {number: 8000}}}]\n";

static const char *const ingress_pod =
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata:\n"
    "  name: istio-ingressgateway-1\n"
    "  namespace: istio-system\n"
    "  labels: {app: istio-ingressgateway, istio: ingressgateway}\n";

static void test_istio__gateway_references(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	const struct lg_mesh_finding *x;

	(void)state;
	cluster_init(&c);
	apply_text(&c, httpbin_gw);
	to_mesh(&c, &m);
	assert_false(m.vs[0].for_mesh);
	assert_string_equal(m.vs[0].gateways[0], "default/httpbin-gateway");
	assert_int_equal(m.gw[0].servers[0].port, 80);
	assert_string_equal(m.gw[0].servers[0].hosts[0], "httpbin.example.com");
	/* Pods unknown: the selector cannot be judged. */
	lg_mesh_analyze(&m, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].cause, LG_CAUSE_GATEWAY_NOT_FOUND);
	assert_string_equal(f.v[0].subject, "default/missing-gateway");
	assert_string_equal(f.v[0].code, "IST0101");
	lg_mesh_findings_release(&f);
	/* No pod carries istio=ingressgateway (demo-profile-no-gateways). */
	lg_mesh_set_pods_known(&m);
	lg_mesh_analyze(&m, &f);
	x = lg_mesh_findings_find(&f, LG_CAUSE_SELECTOR_NOT_FOUND);
	assert_non_null(x);
	assert_string_equal(x->code, "IST0101");
	assert_string_equal(x->kind, "Gateway");
	assert_string_equal(x->subject, "istio=ingressgateway");
	assert_string_equal(x->message, "Referenced selector not found: "
					"\"istio=ingressgateway\"");
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);

	cluster_init(&c);
	apply_text(&c, httpbin_gw);
	apply_text(&c, ingress_pod);
	to_mesh(&c, &m);
	assert_true(m.pods_known);
	lg_mesh_analyze(&m, &f);
	assert_null(lg_mesh_findings_find(&f, LG_CAUSE_SELECTOR_NOT_FOUND));
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

static void test_istio__gateway_ignores_subsets(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	const struct lg_mesh_finding *x;

	(void)state;
	cluster_init(&c);
	apply(&c, DR_ALL);
	apply(&c, ALL_V1);
	apply_text(&c, "apiVersion: networking.istio.io/v1\n"
		       "kind: Gateway\n"
		       "metadata: {name: reviews-gateway}\n"
		       "spec:\n"
		       "  selector: {istio: ingressgateway}\n"
		       "  servers:\n"
		       "  - port: {number: 80, protocol: HTTP}\n"
		       "    hosts: ['*']\n"
		       "---\n"
		       "apiVersion: networking.istio.io/v1\n"
		       "kind: VirtualService\n"
		       "metadata: {name: reviews-ingress}\n"
		       "spec:\n"
		       "  hosts: [reviews.example.com]\n"
		       "  gateways: [reviews-gateway]\n"
		       "  http:\n"
		       "  - route: [{destination: {host: reviews}}]\n");
	to_mesh(&c, &m);
	lg_mesh_analyze(&m, &f);
	assert_int_equal(f.n, 1);
	x = lg_mesh_findings_find(&f, LG_CAUSE_GATEWAY_IGNORES_SUBSETS);
	assert_non_null(x);
	assert_string_equal(x->code, "IST0140");
	assert_string_equal(x->name, "reviews-ingress");
	assert_string_equal(
	    x->message, "Subset in virtual service bookinfo/reviews has no "
			"effect on ingress gateway bookinfo/reviews-ingress "
			"requests");
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

static void test_istio__unreachable_rule_and_gateway_host(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	const struct lg_mesh_finding *x;

	(void)state;
	cluster_init(&c);
	apply(&c, DR_ALL);
	/* Fault and mirror in two list items: the second is never used. */
	apply_text(&c, "apiVersion: networking.istio.io/v1\n"
		       "kind: VirtualService\n"
		       "metadata: {name: ratings}\n"
		       "spec:\n"
		       "  hosts: [ratings]\n"
		       "  http:\n"
		       "  - fault: {delay: {fixedDelay: 7s, percentage: "
		       "{value: 100}}}\n"
		       "    route: [{destination: {host: ratings, subset: "
		       "v1}}]\n"
		       "  - mirror: {host: ratings, subset: v2}\n"
		       "    route: [{destination: {host: ratings, subset: "
		       "v1}}]\n"
		       "---\n"
		       "apiVersion: networking.istio.io/v1\n"
		       "kind: Gateway\n"
		       "metadata: {name: gw}\n"
		       "spec:\n"
		       "  selector: {istio: ingressgateway}\n"
		       "  servers:\n"
		       "  - port: {number: 80, protocol: HTTP}\n"
		       "    hosts: [bookinfo/bookinfo.example.com]\n"
		       "---\n"
		       "apiVersion: networking.istio.io/v1\n"
		       "kind: VirtualService\n"
		       "metadata: {name: httpbin}\n"
		       "spec:\n"
		       "  hosts: [httpbin.example.com, bookinfo.example.com]\n"
		       "  gateways: [gw]\n"
		       "  http:\n"
		       "  - route: [{destination: {host: httpbin}}]\n");
	to_mesh(&c, &m);
	lg_mesh_analyze(&m, &f);
	assert_int_equal(f.n, 2);
	x = lg_mesh_findings_find(&f, LG_CAUSE_UNREACHABLE_RULE);
	assert_non_null(x);
	assert_string_equal(x->code, "IST0130");
	assert_string_equal(x->name, "ratings");
	assert_string_equal(x->message, "VirtualService rule #1 not used (only "
					"the last rule can have no matches)");
	x = lg_mesh_findings_find(&f, LG_CAUSE_HOST_NOT_IN_GATEWAY);
	assert_non_null(x);
	assert_string_equal(x->code, "IST0132");
	assert_string_equal(x->subject, "httpbin.example.com");
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

static const char *const bookinfo_gateway_api =
    "apiVersion: gateway.networking.k8s.io/v1\n"
    "kind: Gateway\n"
    "metadata: {name: bookinfo-gateway}\n"
    "spec:\n"
    "  gatewayClassName: istio\n"
    "  listeners:\n"
    "  - {name: http, port: 80, protocol: HTTP,\n"
    "     allowedRoutes: {namespaces: {from: Same}}}\n"
    "---\n"
    "apiVersion: gateway.networking.k8s.io/v1\n"
    "kind: HTTPRoute\n"
    "metadata: {name: bookinfo}\n"
    "spec:\n"
    "  parentRefs: [{name: bookinfo-gateway}]\n"
    "  rules:\n"
    "  - matches:\n"
    "    - path: {type: Exact, value: /productpage}\n"
    "    - path: {type: PathPrefix, value: /static}\n"
    "    backendRefs: [{name: productpage, port: 9080}]\n";

static void test_istio__gateway_api_objects(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;

	(void)state;
	cluster_init(&c);
	apply_text(&c, bookinfo_gateway_api);
	to_mesh(&c, &m);
	assert_int_equal(m.ngw, 0);
	assert_int_equal(m.nkgw, 1);
	assert_string_equal(m.kgw[0].class_name, "istio");
	assert_int_equal(m.kgw[0].nlisteners, 1);
	assert_int_equal(m.kgw[0].listeners[0].port, 80);
	assert_null(m.kgw[0].listeners[0].hostname);
	assert_int_equal(m.nhr, 1);
	assert_string_equal(m.hr[0].parents[0].ns, NS);
	assert_string_equal(m.hr[0].parents[0].name, "bookinfo-gateway");
	assert_int_equal(m.hr[0].rules[0].npaths, 2);
	assert_string_equal(m.hr[0].rules[0].paths[0].type, "Exact");
	assert_string_equal(m.hr[0].rules[0].paths[0].value, "/productpage");
	assert_string_equal(m.hr[0].rules[0].backends[0].host,
			    "productpage.bookinfo.svc.cluster.local");
	assert_int_equal(m.hr[0].rules[0].backends[0].port, 9080);
	assert_int_equal(m.hr[0].rules[0].backends[0].weight, 1);
	lg_mesh_analyze(&m, &f);
	assert_int_equal(f.n, 0);
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

static void test_istio__ingress_gateway_api(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_ingress_decision d;

	(void)state;
	cluster_init(&c);
	apply_text(&c, bookinfo_gateway_api);
	to_mesh(&c, &m);
	assert_int_equal(lg_mesh_ingress_route(&m, "127.0.0.1", 80,
					       "/productpage?u=normal", &d),
			 LG_INGRESS_ROUTED);
	assert_string_equal(d.kgw->meta.name, "bookinfo-gateway");
	assert_string_equal(d.route->meta.name, "bookinfo");
	assert_int_equal(d.rule, 0);
	assert_string_equal(d.backend_host,
			    "productpage.bookinfo.svc.cluster.local");
	assert_int_equal(d.backend_port, 9080);
	assert_null(d.gw);
	assert_int_equal(lg_mesh_ingress_route(&m, "x", 0, "/static/a.css", &d),
			 LG_INGRESS_ROUTED);
	/* PathPrefix matches whole path elements. */
	assert_int_equal(lg_mesh_ingress_route(&m, "x", 80, "/staticx", &d),
			 LG_INGRESS_NO_ROUTE);
	assert_non_null(d.kgw);
	assert_int_equal(
	    lg_mesh_ingress_route(&m, "x", 80, "/productpage/x", &d),
	    LG_INGRESS_NO_ROUTE);
	assert_int_equal(
	    lg_mesh_ingress_route(&m, "x", 443, "/productpage", &d),
	    LG_INGRESS_NONE);
	lg_mesh_release(&m);
}

static void test_istio__ingress_istio_api_bookinfo(void **state)
{
	struct lg_mesh m;
	struct lg_ingress_decision d;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;

	(void)state;
	mesh_of(&m, "bookinfo-gateway", NULL);
	assert_int_equal(
	    lg_mesh_ingress_route(&m, "localhost", 0, "/productpage", &d),
	    LG_INGRESS_ROUTED);
	assert_string_equal(d.gw->meta.name, "bookinfo-gateway");
	assert_string_equal(d.vs->meta.name, "bookinfo");
	assert_string_equal(d.backend_host,
			    "productpage.bookinfo.svc.cluster.local");
	assert_int_equal(d.backend_port, 9080);
	assert_int_equal(lg_mesh_ingress_route(&m, "localhost", 8080,
					       "/api/v1/products/0/reviews",
					       &d),
			 LG_INGRESS_ROUTED);
	assert_int_equal(
	    lg_mesh_ingress_route(&m, "localhost", 8080, "/health", &d),
	    LG_INGRESS_NO_ROUTE);
	assert_int_equal(
	    lg_mesh_ingress_route(&m, "localhost", 80, "/productpage", &d),
	    LG_INGRESS_NONE);
	/* Hosts "*" on both sides: no IST0132. */
	lg_mesh_analyze(&m, &f);
	assert_int_equal(f.n, 0);
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

static const char *const httpbin_k8s =
    "apiVersion: gateway.networking.k8s.io/v1\n"
    "kind: Gateway\n"
    "metadata: {name: httpbin-gateway, namespace: default}\n"
    "spec:\n"
    "  gatewayClassName: istio\n"
    "  listeners:\n"
    "  - {name: http, hostname: httpbin.example.com, port: 80,\n"
    "     protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}\n"
    "---\n"
    "apiVersion: gateway.networking.k8s.io/v1\n"
    "kind: HTTPRoute\n"
    "metadata: {name: httpbin, namespace: httpbin}\n"
    "spec:\n"
    "  parentRefs: [{name: httpbin-gateway, namespace: default}]\n"
    "  hostnames: [httpbin.example.com]\n"
    "  rules:\n"
    "  - matches: [{path: {type: PathPrefix, value: /status}}]\n"
    "    backendRefs: [{name: httpbin, port: 8000}]\n";

static void test_istio__ingress_httpbin(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_ingress_decision d;

	(void)state;
	/* The lab's Istio Gateway without the VirtualService it omits. */
	cluster_init(&c);
	apply_text(&c, httpbin_gw);
	to_mesh(&c, &m);
	lg_mesh_set_pods_known(&m);
	assert_int_equal(lg_mesh_ingress_route(&m, "httpbin.example.com", 80,
					       "/status/200", &d),
			 LG_INGRESS_ROUTED);
	assert_string_equal(d.vs->meta.name, "httpbin");
	assert_string_equal(d.backend_host,
			    "httpbin.default.svc.cluster.local");
	assert_int_equal(d.backend_port, 8000);
	assert_true(d.no_gateway_pod); /* demo-profile-no-gateways */
	assert_int_equal(lg_mesh_ingress_route(&m, "other.example.com", 80,
					       "/status/200", &d),
			 LG_INGRESS_NONE);
	lg_mesh_release(&m);

	cluster_init(&c);
	apply_text(&c, httpbin_gw);
	to_mesh(&c, &m);
	free(m.vs[0].gateways[0]); /* unbind: the lab text's omission */
	m.vs[0].gateways[0] = lg_xstrdup("default/elsewhere");
	assert_int_equal(lg_mesh_ingress_route(&m, "httpbin.example.com", 80,
					       "/status/200", &d),
			 LG_INGRESS_NO_ROUTE);
	assert_string_equal(d.gw->meta.name, "httpbin-gateway");
	assert_false(d.no_gateway_pod); /* pods unknown: not judged */
	lg_mesh_release(&m);

	/* The Gateway API realisation, route in another namespace. */
	cluster_init(&c);
	apply_text(&c, httpbin_k8s);
	to_mesh(&c, &m);
	assert_true(m.kgw[0].listeners[0].from_all);
	assert_int_equal(lg_mesh_ingress_route(&m, "httpbin.example.com", 80,
					       "/status/200", &d),
			 LG_INGRESS_ROUTED);
	assert_string_equal(d.backend_host,
			    "httpbin.httpbin.svc.cluster.local");
	assert_int_equal(lg_mesh_ingress_route(&m, "bookinfo.example.com", 80,
					       "/status/200", &d),
			 LG_INGRESS_NONE);
	m.kgw[0].listeners[0].from_all = false; /* default: Same */
	assert_int_equal(lg_mesh_ingress_route(&m, "httpbin.example.com", 80,
					       "/status/200", &d),
			 LG_INGRESS_NO_ROUTE);
	lg_mesh_release(&m);
}

/* ------------------------------------------------------------------ */
/* The reference step manifests in fixtures/manifests/. */

#define FX "fixtures/manifests/"

struct fx_case {
	const char *files[3]; /* after destination-rule-all */
	enum lg_reviews_stage stage;
	double anon[3], jason[3]; /* v1 v2 v3 */
	bool delay, abort_, broken, mirror;
};

/* clang-format off */
static const struct fx_case fx_cases[] = {
	{ { "virtual-service-all-v1" }, LG_STAGE_ALL_V1,
	  { 100, 0, 0 }, { 100, 0, 0 }, false, false, false, false },
	{ { "virtual-service-all-v1", "virtual-service-reviews-test-v2" },
	  LG_STAGE_TEST_V2,
	  { 100, 0, 0 }, { 0, 100, 0 }, false, false, false, false },
	{ { "virtual-service-all-v1", "virtual-service-reviews-test-v2",
	    "virtual-service-ratings-test-delay" }, LG_STAGE_TEST_V2,
	  { 100, 0, 0 }, { 0, 100, 0 }, true, false, false, false },
	{ { "virtual-service-all-v1", "virtual-service-reviews-test-v2",
	    "virtual-service-ratings-test-abort" }, LG_STAGE_TEST_V2,
	  { 100, 0, 0 }, { 0, 100, 0 }, false, true, false, false },
	{ { "virtual-service-all-v1", "virtual-service-reviews-50-v3" },
	  LG_STAGE_SPLIT_50_V3,
	  { 50, 0, 50 }, { 50, 0, 50 }, false, false, false, false },
	{ { "virtual-service-all-v1", "virtual-service-reviews-v3" },
	  LG_STAGE_ALL_V3,
	  { 0, 0, 100 }, { 0, 0, 100 }, false, false, false, false },
	{ { "virtual-service-all-v1", "virtual-service-reviews-90-10" },
	  LG_STAGE_SPLIT_V2,
	  { 90, 10, 0 }, { 90, 10, 0 }, false, false, false, false },
	{ { "virtual-service-all-v1", "virtual-service-reviews-80-20" },
	  LG_STAGE_SPLIT_V2,
	  { 80, 20, 0 }, { 80, 20, 0 }, false, false, false, false },
	{ { "virtual-service-all-v1", "virtual-service-reviews-v2-v3" },
	  LG_STAGE_SPLIT_V2_V3,
	  { 0, 50, 50 }, { 0, 50, 50 }, false, false, false, false },
	{ { "virtual-service-all-v1", "virtual-service-reviews-jason-v2-v3" },
	  LG_STAGE_JASON_V2_V3,
	  { 0, 0, 100 }, { 0, 100, 0 }, false, false, false, false },
	{ { "virtual-service-all-v1", "virtual-service-reviews-mirror" },
	  LG_STAGE_MIRROR,
	  { 100, 0, 0 }, { 100, 0, 0 }, false, false, false, true },
	{ { "virtual-service-all-v1",
	    "destination-rule-reviews-cb-no-subsets" }, LG_STAGE_ALL_V1,
	  { 100, 0, 0 }, { 100, 0, 0 }, false, false, true, false },
	{ { "virtual-service-all-v1",
	    "destination-rule-reviews-circuit-breaker" }, LG_STAGE_ALL_V1,
	  { 100, 0, 0 }, { 100, 0, 0 }, false, false, false, false },
};
/* clang-format on */

static void fx_mesh(struct lg_mesh *m, const char *const *files, size_t n)
{
	struct cluster c;
	size_t i;

	cluster_init(&c);
	apply_from(&c, FX, "destination-rule-all");
	for (i = 0; i < n && files[i]; i++)
		apply_from(&c, FX, files[i]);
	to_mesh(&c, m);
}

static void expect_fx(const struct fx_case *k, const struct lg_reviews_info *ri)
{
	size_t v;

	for (v = 0; v < 3; v++) {
		assert_true(ri->anon[v + 1] == k->anon[v]);
		assert_true(ri->jason[v + 1] == k->jason[v]);
	}
	assert_int_equal(ri->delay_jason, k->delay);
	assert_false(ri->delay_anon || ri->abort_anon);
	assert_int_equal(ri->abort_jason, k->abort_);
	assert_int_equal(ri->broken, k->broken);
	assert_int_equal(ri->mirror, k->mirror);
	if (k->delay)
		assert_true(ri->delay_s == 7 && ri->delay_pct == 100);
	if (k->abort_)
		assert_int_equal(ri->abort_status, 500);
	if (k->mirror)
		assert_true(ri->mirror_pct == 50 &&
			    strcmp(ri->mirror_subset, "v2") == 0);
}

static void test_istio__fixture_manifests_stages(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < LG_ARRAY_SIZE(fx_cases); i++) {
		struct lg_mesh m;
		struct lg_reviews_info ri;

		fx_mesh(&m, fx_cases[i].files,
			LG_ARRAY_SIZE(fx_cases[i].files));
		lg_mesh_reviews_stage(&m, NS, &ri);
		if (ri.stage != fx_cases[i].stage)
			fail_msg("case %zu (%s): stage %s", i,
				 fx_cases[i].files[1],
				 lg_reviews_stage_name(ri.stage));
		expect_fx(&fx_cases[i], &ri);
		lg_mesh_release(&m);
	}
}

/* Is there a finding with cause and code after all-v1 + file? */
static bool fx_has(const char *file, enum lg_finding_cause cause,
		   const char *code, int *eff_5xx)
{
	const char *files[] = {"virtual-service-all-v1", file};
	struct lg_mesh m;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	struct lg_mesh_resolved_policy p;
	const struct lg_mesh_finding *x;
	bool found;

	fx_mesh(&m, files, 2);
	lg_mesh_analyze(&m, &f);
	x = lg_mesh_findings_find(&f, cause);
	found = x && strcmp(x->code, code) == 0;
	lg_mesh_policy_for(&m, NS, "reviews", "v1", &p);
	*eff_5xx = p.eff_consecutive_5xx;
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
	return found;
}

static void test_istio__fixture_manifests_circuit_breakers(void **state)
{
	int eff = 0;

	(void)state;
	assert_true(fx_has("destination-rule-reviews-circuit-breaker",
			   LG_CAUSE_DEPRECATED_CONSECUTIVE_ERRORS, "IST0133",
			   &eff));
	assert_int_equal(eff, 5);
	assert_true(fx_has("destination-rule-reviews-circuit-breaker",
			   LG_CAUSE_DR_MERGED, "LG0001", &eff));
	assert_false(fx_has("destination-rule-reviews-circuit-breaker-5xx",
			    LG_CAUSE_DEPRECATED_CONSECUTIVE_ERRORS, "IST0133",
			    &eff));
	assert_int_equal(eff, 1);
	assert_true(fx_has("destination-rule-reviews-cb-no-subsets",
			   LG_CAUSE_SUBSETS_REPLACED, "IST0101", &eff));
	assert_false(fx_has("destination-rule-reviews-circuit-breaker",
			    LG_CAUSE_SUBSETS_REPLACED, "IST0101", &eff));
}

static void test_istio__fixture_manifests_httpbin(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_ingress_decision d;

	(void)state;
	cluster_init(&c);
	apply_from(&c, FX, "httpbin");
	apply_from(&c, FX, "httpbin-gateway");
	to_mesh(&c, &m);
	lg_mesh_set_pods_known(&m);
	/* The lab text's VirtualService is missing: a gateway, no route. */
	assert_int_equal(lg_mesh_ingress_route(&m, "httpbin.example.com", 80,
					       "/status/200", &d),
			 LG_INGRESS_NO_ROUTE);
	assert_true(d.no_gateway_pod);
	lg_mesh_release(&m);

	cluster_init(&c);
	apply_from(&c, FX, "httpbin-gateway");
	apply_from(&c, FX, "httpbin-virtual-service");
	to_mesh(&c, &m);
	assert_int_equal(lg_mesh_ingress_route(&m, "httpbin.example.com", 80,
					       "/status/200", &d),
			 LG_INGRESS_ROUTED);
	assert_string_equal(d.backend_host,
			    "httpbin.bookinfo.svc.cluster.local");
	lg_mesh_release(&m);

	cluster_init(&c);
	apply_from(&c, FX, "httpbin-gateway-api");
	to_mesh(&c, &m);
	assert_int_equal(lg_mesh_ingress_route(&m, "httpbin.example.com", 80,
					       "/status/200", &d),
			 LG_INGRESS_ROUTED);
	assert_non_null(d.route);
	assert_int_equal(lg_mesh_ingress_route(&m, "httpbin.example.com", 80,
					       "/headers", &d),
			 LG_INGRESS_NO_ROUTE);
	lg_mesh_release(&m);
}

/* ------------------------------------------------------------------ */
/* Input handling.                                                      */

static void test_istio__api_lists(void **state)
{
	const char *text =
	    "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":["
	    "{\"metadata\":{\"name\":\"reviews-v1-abc\","
	    "\"namespace\":\"bookinfo\",\"labels\":{\"app\":\"reviews\","
	    "\"version\":\"v1\"}}}]}";
	cJSON *list = cJSON_Parse(text);
	cJSON *bad = cJSON_Parse("{\"kind\":\"VirtualServiceList\","
				 "\"items\":[{\"kind\":\"VirtualService\","
				 "\"apiVersion\":\"networking.istio.io/v1\","
				 "\"metadata\":{}}]}");
	cJSON *vsl =
	    cJSON_Parse("{\"kind\":\"VirtualServiceList\",\"apiVersion\":"
			"\"networking.istio.io/v1\",\"items\":[{\"metadata\":{"
			"\"name\":\"cart\",\"namespace\":\"shop\"},\"spec\":{"
			"\"hosts\":[\"cart\"]}}]}");
	cJSON *other = cJSON_Parse("{\"kind\":\"Service\",\"apiVersion\":"
				   "\"v1\",\"metadata\":{\"name\":\"x\"}}");
	struct lg_mesh m = LG_MESH_INIT;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(lg_mesh_add_list(&m, list, NULL, &err), LG_OK);
	assert_int_equal(m.npods, 1);
	assert_true(m.pods_known);
	assert_string_equal(m.pods[0].meta.name, "reviews-v1-abc");
	assert_int_equal(m.pods[0].labels.n, 2);
	assert_int_equal(lg_mesh_add_list(&m, vsl, NULL, &err), LG_OK);
	assert_int_equal(m.nvs, 1);
	assert_string_equal(m.vs[0].meta.ns, "shop");
	assert_string_equal(m.vs[0].hosts[0], "cart.shop.svc.cluster.local");
	assert_int_equal(lg_mesh_add_list(&m, bad, NULL, &err), LG_EPARSE);
	assert_non_null(strstr(err.msg, "metadata.name"));
	assert_int_equal(lg_mesh_add_object(&m, other), LG_ENOTFOUND);
	assert_int_equal(lg_mesh_add_object(&m, NULL), LG_EPARSE);
	assert_int_equal(m.nvs, 1);
	cJSON_Delete(list);
	cJSON_Delete(vsl);
	cJSON_Delete(bad);
	cJSON_Delete(other);
	lg_mesh_release(&m);
}

static void test_istio__default_namespace(void **state)
{
	cJSON *vs = cJSON_Parse(
	    "{\"kind\":\"VirtualService\",\"apiVersion\":"
	    "\"networking.istio.io/v1beta1\",\"metadata\":{\"name\":"
	    "\"reviews\"},\"spec\":{\"hosts\":[\"reviews\"]}}");
	struct lg_mesh m = LG_MESH_INIT;

	(void)state;
	assert_int_equal(lg_mesh_add_object_ns(&m, vs, "bookinfo", NULL),
			 LG_OK);
	assert_int_equal(lg_mesh_add_object(&m, vs), LG_OK);
	assert_string_equal(m.vs[0].hosts[0],
			    "reviews.bookinfo.svc.cluster.local");
	assert_string_equal(m.vs[1].hosts[0],
			    "reviews.default.svc.cluster.local");
	assert_string_equal(m.vs[0].meta.created, "");
	cJSON_Delete(vs);
	lg_mesh_release(&m);
}

static void test_istio__bad_fields_become_notes(void **state)
{
	struct lg_mesh m;
	struct cluster c;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	const struct lg_mesh_finding *x;

	(void)state;
	cluster_init(&c);
	apply(&c, DR_ALL);
	apply_text(&c, "apiVersion: networking.istio.io/v1\n"
		       "kind: VirtualService\n"
		       "metadata: {name: ratings}\n"
		       "spec:\n"
		       "  hosts: [ratings]\n"
		       "  http:\n"
		       "  - fault:\n"
		       "      delay: {fixedDelay: 7 seconds, percent: 100}\n"
		       "    route:\n"
		       "    - destination: {host: ratings, subset: v1}\n"
		       "      weight: lots\n");
	to_mesh(&c, &m);
	assert_int_equal(m.nnotes, 2);
	assert_true(m.vs[0].http[0].fault.delay_s < 0);
	assert_true(m.vs[0].http[0].fault.delay_pct == 100);
	lg_mesh_analyze(&m, &f);
	x = lg_mesh_findings_find(&f, LG_CAUSE_BAD_FIELD);
	assert_non_null(x);
	assert_string_equal(x->code, "LG0002");
	assert_string_equal(x->name, "ratings");
	assert_string_equal(x->message, "field 'weight' is not a number");
	assert_int_equal(x[1].cause, LG_CAUSE_BAD_FIELD);
	assert_string_equal(x[1].message,
			    "field 'fixedDelay' is not a duration");
	assert_non_null(
	    lg_mesh_findings_find(&f, LG_CAUSE_DEPRECATED_FAULT_PERCENT));
	lg_mesh_findings_release(&f);
	lg_mesh_release(&m);
}

/* Every field of the wrong type: nothing breaks, nothing is invented. */
static void test_istio__hostile_objects(void **state)
{
	static const char *const docs[] = {
	    "{\"kind\":\"VirtualService\",\"apiVersion\":"
	    "\"networking.istio.io/v1\",\"metadata\":{\"name\":\"a\","
	    "\"namespace\":7},\"spec\":{\"hosts\":\"reviews\",\"http\":"
	    "[1,{\"match\":[{\"headers\":[1]},7],\"route\":[{"
	    "\"destination\":7,\"weight\":1e300}],\"fault\":{\"delay\":"
	    "[]},\"mirror\":{},\"mirrors\":{\"x\":1},\"timeout\":5}]}}",
	    "{\"kind\":\"DestinationRule\",\"apiVersion\":"
	    "\"networking.istio.io/v1\",\"metadata\":{\"name\":\"b\"},"
	    "\"spec\":{\"host\":[],\"subsets\":[{\"labels\":[]},3],"
	    "\"trafficPolicy\":{\"connectionPool\":[],"
	    "\"outlierDetection\":{\"interval\":\"1y\"}}}}",
	    "{\"kind\":\"Gateway\",\"apiVersion\":"
	    "\"gateway.networking.k8s.io/v1\",\"metadata\":{\"name\":"
	    "\"c\"},\"spec\":{\"listeners\":{\"a\":1}}}",
	    "{\"kind\":\"HTTPRoute\",\"apiVersion\":"
	    "\"gateway.networking.k8s.io/v1\",\"metadata\":{\"name\":"
	    "\"d\"},\"spec\":{\"parentRefs\":[7],\"rules\":[{"
	    "\"matches\":[{}],\"backendRefs\":[{}]}]}}",
	    "{\"kind\":\"Gateway\",\"apiVersion\":"
	    "\"networking.istio.io/v1\",\"metadata\":{\"name\":\"e\"},"
	    "\"spec\":{\"selector\":[1],\"servers\":[{\"port\":1}]}}",
	    /* GAMMA: odd parents, matches and backends */
	    "{\"kind\":\"HTTPRoute\",\"apiVersion\":"
	    "\"gateway.networking.k8s.io/v1\",\"metadata\":{\"name\":"
	    "\"g\",\"namespace\":\"bookinfo\"},\"spec\":{\"parentRefs\":"
	    "[{\"kind\":\"Service\",\"name\":7},{\"kind\":\"Service\","
	    "\"name\":\"reviews\",\"namespace\":[]},{\"kind\":\"Service\","
	    "\"group\":\"x\",\"name\":\"ratings\"}],\"rules\":[9,{"
	    "\"matches\":[7,{\"headers\":[{\"name\":1,\"value\":[]},5],"
	    "\"path\":{\"type\":\"X\",\"value\":3}}],\"backendRefs\":"
	    "[{\"name\":[],\"weight\":\"x\"},5]}]}}",
	};
	struct lg_steps_view v;
	struct lg_mesh m = LG_MESH_INIT;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	struct lg_route_decision d;
	struct lg_reviews_info ri;
	struct lg_ingress_decision in;
	size_t i;

	(void)state;
	for (i = 0; i < LG_ARRAY_SIZE(docs); i++) {
		cJSON *o = cJSON_Parse(docs[i]);

		assert_non_null(o);
		assert_int_equal(lg_mesh_add_object(&m, o), LG_OK);
		cJSON_Delete(o);
	}
	assert_string_equal(m.vs[0].meta.ns, "default");
	assert_int_equal(m.vs[0].nhosts, 0);
	assert_true(m.dr[0].policy.outlier.interval_s < 0);
	assert_int_equal(lg_mesh_route(&m, "default", "reviews", NULL, &d),
			 LG_OK);
	assert_int_equal(d.kind, LG_ROUTE_DEFAULT);
	lg_route_decision_release(&d);
	lg_mesh_reviews_stage(&m, "default", &ri);
	lg_mesh_ingress_route(&m, "x", 0, "/", &in);
	lg_mesh_analyze(&m, &f);
	assert_non_null(lg_mesh_findings_find(&f, LG_CAUSE_BAD_FIELD));
	lg_mesh_findings_release(&f);
	/* the step model places and explains whatever was read */
	memset(&v, 0, sizeof(v));
	v.ns = NS;
	v.mesh = m;
	lg_steps_assess(&v);
	lg_steps_assess(&v); /* idempotent */
	lg_steps_view_release(&v);
}

static void test_istio__names(void **state)
{
	const double none[4] = {0, 0, 0, 0};
	const double third[4] = {100.0 / 3, 100.0 / 3, 0, 100.0 / 3};
	char *text;

	(void)state;
	assert_string_equal(lg_finding_level_name(LG_FINDING_ERROR), "Error");
	assert_string_equal(lg_finding_level_name(LG_FINDING_WARNING),
			    "Warning");
	assert_string_equal(lg_finding_level_name(LG_FINDING_INFO), "Info");
	assert_string_equal(lg_reviews_stage_name(LG_STAGE_OTHER), "other");
	assert_string_equal(lg_reviews_stage_name(LG_STAGE_JASON_V2_V3),
			    "jason-v2-v3");
	text = lg_reviews_shares_text(none);
	assert_string_equal(text, "none");
	free(text);
	text = lg_reviews_shares_text(third);
	assert_string_equal(text, "v1 33.33%, v3 33.33%, other 33.33%");
	free(text);
}

/* ------------------------------------------------------------------ */
/* Semantics, not spelling: the step model's reading of variants.      */

static const char *const dr_version_named =
    "apiVersion: networking.istio.io/v1\n"
    "kind: DestinationRule\n"
    "metadata: {name: reviews}\n"
    "spec:\n"
    "  host: reviews\n"
    "  subsets:\n"
    "  - {name: version-v1, labels: {version: v1}}\n"
    "  - {name: version-v2, labels: {version: v2}}\n"
    "  - {name: version-v3, labels: {version: v3}}\n";

static const char *const vs_test_v2_named =
    "apiVersion: networking.istio.io/v1\n"
    "kind: VirtualService\n"
    "metadata: {name: reviews}\n"
    "spec:\n"
    "  hosts: [reviews]\n"
    "  http:\n"
    "  - match: [{headers: {end-user: {exact: jason}}}]\n"
    "    route: [{destination: {host: reviews, subset: version-v2}}]\n"
    "  - route: [{destination: {host: reviews, subset: version-v1}}]\n";

/* A view of the objects applied in order (inline manifests). */
static void view_of(struct lg_steps_view *v, ...)
{
	struct cluster c;
	const char *t;
	va_list ap;

	memset(v, 0, sizeof(*v));
	v->ns = NS;
	cluster_init(&c);
	va_start(ap, v);
	while ((t = va_arg(ap, const char *)) != NULL)
		apply_text(&c, t);
	va_end(ap);
	to_mesh(&c, &v->mesh);
	lg_steps_assess(v);
}

static void assert_explains(const struct lg_steps_view *v, const char *check,
			    const char *step, const char *words)
{
	char *en = lg_steps_explain(v, check, step, true);

	if (!en || !strstr(en, words))
		fail_msg("%s.%s: '%s' not in '%s'", check, step, words,
			 en ? en : "(none)");
	free(en);
}

static void test_istio__subsets_by_labels(void **state)
{
	struct lg_steps_view v;
	char *fq = lg_mesh_fqdn("reviews", NS);

	(void)state;
	view_of(&v, dr_version_named, vs_test_v2_named, NULL);
	assert_int_equal(v.info.stage, LG_STAGE_TEST_V2);
	assert_false(v.info.broken);
	assert_int_equal(lg_mesh_subset_version(&v.mesh, NS, fq, "version-v3"),
			 3);
	/* undefined: counted by its name, and broken */
	assert_int_equal(lg_mesh_subset_version(&v.mesh, NS, fq, "v4"), 4);
	assert_int_equal(lg_mesh_subset_version(&v.mesh, NS, fq, "canary"), 0);
	/* a typo keeps the version it was meant for */
	assert_int_equal(lg_mesh_subset_version(&v.mesh, NS, fq, "v33"), 3);
	assert_int_equal(lg_mesh_subset_version(&v.mesh, NS, fq, "v1-new"), 1);
	assert_int_equal(lg_mesh_subset_version(&v.mesh, NS, fq, "rev-v2"), 2);
	assert_string_equal(v.reviews.step, "test-v2");
	assert_true(v.reviews.exact);
	assert_int_equal(v.ncauses, 0);
	lg_steps_view_release(&v);
	free(fq);
}

static const char *const gamma_50_v3 =
    "apiVersion: gateway.networking.k8s.io/v1beta1\n"
    "kind: HTTPRoute\n"
    "metadata: {name: reviews}\n"
    "spec:\n"
    "  parentRefs: [{group: \"\", kind: Service, name: reviews, port: "
    "9080}]\n"
    "  rules:\n"
    "  - backendRefs:\n"
    "    - {name: reviews-v1, port: 9080, weight: 50}\n"
    "    - {name: reviews-v3, port: 9080, weight: 50}\n";

/* The catch-all is written first: Gateway API precedence still puts the
 * header match first. */
static const char *const gamma_jason =
    "apiVersion: gateway.networking.k8s.io/v1\n"
    "kind: HTTPRoute\n"
    "metadata: {name: reviews}\n"
    "spec:\n"
    "  parentRefs: [{kind: Service, name: reviews, port: 9080}]\n"
    "  rules:\n"
    "  - backendRefs: [{name: reviews-v1, port: 9080}]\n"
    "  - matches: [{headers: [{name: End-User, value: jason}]}]\n"
    "    backendRefs: [{name: reviews-v2, port: 9080}]\n";

static const char *const gamma_elsewhere =
    "apiVersion: gateway.networking.k8s.io/v1\n"
    "kind: HTTPRoute\n"
    "metadata: {name: reviews, namespace: default}\n"
    "spec:\n"
    "  parentRefs: [{kind: Service, name: reviews, namespace: bookinfo}]\n"
    "  rules:\n"
    "  - backendRefs: [{name: reviews-v3, namespace: bookinfo, port: "
    "9080}]\n";

static void test_istio__gamma_httproutes(void **state)
{
	struct lg_steps_view v;

	(void)state;
	view_of(&v, gamma_50_v3, NULL);
	assert_int_equal(v.info.stage, LG_STAGE_SPLIT_50_V3);
	assert_true(v.info.reviews_vs->from_httproute);
	assert_string_equal(v.reviews.check, "traffic-shifting");
	assert_true(v.reviews.exact);
	lg_steps_view_release(&v);

	view_of(&v, gamma_jason, NULL);
	assert_int_equal(v.info.stage, LG_STAGE_TEST_V2);
	lg_steps_view_release(&v);

	/* a consumer route of another namespace: only its own clients */
	view_of(&v, gamma_elsewhere, NULL);
	assert_null(v.info.reviews_vs);
	assert_int_equal(v.info.stage, LG_STAGE_NONE);
	assert_string_equal(v.reviews_stray.step, "all-v3");
	assert_explains(&v, "traffic-shifting", "all-v3",
			"HTTPRoute default/reviews for reviews is a consumer "
			"route");
	lg_steps_view_release(&v);
}

static const char *const dr_all_inline =
    "apiVersion: networking.istio.io/v1\n"
    "kind: DestinationRule\n"
    "metadata: {name: reviews}\n"
    "spec:\n"
    "  host: reviews\n"
    "  subsets:\n"
    "  - {name: v1, labels: {version: v1}}\n"
    "  - {name: v2, labels: {version: v2}}\n"
    "  - {name: v3, labels: {version: v3}}\n"
    "---\n"
    "apiVersion: networking.istio.io/v1\n"
    "kind: DestinationRule\n"
    "metadata: {name: ratings}\n"
    "spec:\n"
    "  host: ratings\n"
    "  subsets: [{name: v1, labels: {version: v1}}]\n";

static const char *const vs_mirrors_list =
    "apiVersion: networking.istio.io/v1\n"
    "kind: VirtualService\n"
    "metadata: {name: reviews}\n"
    "spec:\n"
    "  hosts: [reviews]\n"
    "  http:\n"
    "  - route: [{destination: {host: reviews, subset: v1}}]\n"
    "    mirrors:\n"
    "    - destination: {host: reviews, subset: v2}\n"
    "      percentage: {value: 50}\n";

static void test_istio__mirrors_list(void **state)
{
	struct lg_steps_view v;

	(void)state;
	view_of(&v, dr_all_inline, vs_mirrors_list, NULL);
	assert_int_equal(v.info.stage, LG_STAGE_MIRROR);
	assert_int_equal(v.info.mirror_version, 2);
	assert_true(v.info.mirror_pct > 49.99 && v.info.mirror_pct < 50.01);
	assert_string_equal(v.reviews.step, "mirror");
	assert_true(v.reviews.exact);
	lg_steps_view_release(&v);
}

static const char *const ratings_delay_nopct =
    "apiVersion: networking.istio.io/v1\n"
    "kind: VirtualService\n"
    "metadata: {name: ratings}\n"
    "spec:\n"
    "  hosts: [ratings]\n"
    "  http:\n"
    "  - match: [{headers: {end-user: {exact: jason}}}]\n"
    "    fault: {delay: {fixedDelay: 7s}}\n"
    "    route: [{destination: {host: ratings, subset: v1}}]\n"
    "  - route: [{destination: {host: ratings, subset: v1}}]\n";

static void test_istio__fault_without_percentage(void **state)
{
	struct lg_steps_view v;

	(void)state;
	view_of(&v, dr_all_inline, ratings_delay_nopct, NULL);
	/* neither percentage nor percent: 0 % of requests */
	assert_false(v.info.delay_jason);
	assert_string_equal(v.ratings.check, "fault-injection");
	assert_false(v.ratings.exact);
	assert_true(lg_steps_is_attempt_at(&v, "fault-injection", "delay"));
	assert_explains(&v, "fault-injection", "delay",
			"VirtualService bookinfo/ratings: http[0].fault.delay "
			"sets no percentage: Istio delays 0 % of requests");
	lg_steps_view_release(&v);
}

static const char *const vs_header_user =
    "apiVersion: networking.istio.io/v1\n"
    "kind: VirtualService\n"
    "metadata: {name: reviews}\n"
    "spec:\n"
    "  hosts: [reviews]\n"
    "  http:\n"
    "  - match: [{headers: {user: {exact: jason}}}]\n"
    "    route: [{destination: {host: reviews, subset: v2}}]\n"
    "  - route: [{destination: {host: reviews, subset: v1}}]\n";

static const char *const vs_v1_only =
    "apiVersion: networking.istio.io/v1\n"
    "kind: VirtualService\n"
    "metadata: {name: reviews}\n"
    "spec:\n"
    "  hosts: [reviews]\n"
    "  http: [{route: [{destination: {host: reviews, subset: v1}}]}]\n";

static const char *const vs_test_v2_default =
    "apiVersion: networking.istio.io/v1\n"
    "kind: VirtualService\n"
    "metadata: {name: reviews, namespace: default}\n"
    "spec:\n"
    "  hosts: [reviews]\n"
    "  http:\n"
    "  - match: [{headers: {end-user: {exact: jason}}}]\n"
    "    route: [{destination: {host: reviews, subset: v2}}]\n"
    "  - route: [{destination: {host: reviews, subset: v1}}]\n";

static void test_istio__attempts_placed(void **state)
{
	struct lg_steps_view v;

	(void)state;
	/* matches like test-v2 and routes like all-v1: an attempt at the
	 * jason rule, whose header productpage never sends */
	view_of(&v, dr_all_inline, vs_header_user, NULL);
	assert_int_equal(v.info.stage, LG_STAGE_ALL_V1);
	assert_true(lg_steps_is_attempt_at(&v, "request-routing", "test-v2"));
	assert_false(lg_steps_is_attempt_at(&v, "request-routing", "all-v1"));
	assert_explains(&v, "request-routing", "test-v2",
			"matches header 'user', but productpage sends the "
			"user in 'end-user'");
	lg_steps_view_release(&v);

	/* the lab's all-v1, and test-v2 applied in default: it names
	 * reviews.default, so bookinfo keeps all-v1 */
	view_of(&v, dr_all_inline, vs_v1_only, vs_test_v2_default, NULL);
	assert_int_equal(v.info.stage, LG_STAGE_ALL_V1);
	assert_true(v.reviews.exact);
	assert_true(lg_steps_is_attempt_at(&v, "request-routing", "test-v2"));
	assert_explains(&v, "request-routing", "test-v2",
			"which resolves to reviews.default.svc.cluster.local");
	lg_steps_view_release(&v);
}

static const char *const dr_cb_ratings =
    "apiVersion: networking.istio.io/v1\n"
    "kind: DestinationRule\n"
    "metadata: {name: ratings-cb}\n"
    "spec:\n"
    "  host: ratings\n"
    "  trafficPolicy:\n"
    "    connectionPool: {http: {http1MaxPendingRequests: 1}}\n";

static const char *const vs_split_v1_v2 =
    "apiVersion: networking.istio.io/v1\n"
    "kind: VirtualService\n"
    "metadata: {name: reviews}\n"
    "spec:\n"
    "  hosts: [reviews]\n"
    "  http:\n"
    "  - route:\n"
    "    - {destination: {host: reviews, subset: v1}, weight: 50}\n"
    "    - {destination: {host: reviews, subset: v2}, weight: 50}\n";

static void test_istio__breaker_and_split_attempts(void **state)
{
	struct lg_steps_view v;

	(void)state;
	view_of(&v, dr_all_inline, dr_cb_ratings, NULL);
	assert_true(
	    lg_steps_is_attempt_at(&v, "circuit-breaking", "circuit-breaker"));
	assert_explains(&v, "circuit-breaking", "circuit-breaker",
			"DestinationRule bookinfo/ratings-cb sets the "
			"connectionPool/outlierDetection on host ratings");
	lg_steps_view_release(&v);

	view_of(&v, dr_all_inline, vs_split_v1_v2, NULL);
	assert_int_equal(v.info.stage, LG_STAGE_SPLIT_V2);
	assert_true(
	    lg_steps_is_attempt_at(&v, "traffic-shifting", "split-50-v3"));
	assert_false(lg_steps_is_attempt_at(&v, "request-routing", "all-v1"));
	lg_steps_view_release(&v);

	/* nothing configured: every step untouched */
	view_of(&v, dr_all_inline, NULL);
	assert_null(v.reviews.check);
	assert_null(v.ratings.check);
	assert_null(v.policy.check);
	assert_int_equal(v.ncauses, 0);
	lg_steps_view_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_istio__duration),
	    cmocka_unit_test(test_istio__fqdn),
	    cmocka_unit_test(test_istio__no_vs_routes_to_all_endpoints),
	    cmocka_unit_test(test_istio__bad_arguments),
	    cmocka_unit_test(test_istio__all_v1),
	    cmocka_unit_test(test_istio__test_v2),
	    cmocka_unit_test(test_istio__ratings_delay),
	    cmocka_unit_test(test_istio__ratings_abort_is_not_delay),
	    cmocka_unit_test(test_istio__split_50_v3_then_v3),
	    cmocka_unit_test(test_istio__wrong_splits),
	    cmocka_unit_test(test_istio__uneven_v3_split),
	    cmocka_unit_test(test_istio__jason_v2_v3),
	    cmocka_unit_test(test_istio__mirror),
	    cmocka_unit_test(test_istio__mirror_percentage_absent_is_100),
	    cmocka_unit_test(test_istio__mirror_percent_deprecated),
	    cmocka_unit_test(test_istio__cb_separate_rule_is_merged),
	    cmocka_unit_test(test_istio__cb_5xx_counts),
	    cmocka_unit_test(test_istio__cb_named_reviews_replaces_subsets),
	    cmocka_unit_test(test_istio__subset_without_rule),
	    cmocka_unit_test(test_istio__subset_not_defined),
	    cmocka_unit_test(
		test_istio__named_rule_with_subsets_is_not_replacement),
	    cmocka_unit_test(test_istio__dr_merge_order),
	    cmocka_unit_test(test_istio__two_vs_for_one_host),
	    cmocka_unit_test(test_istio__matching),
	    cmocka_unit_test(test_istio__weights),
	    cmocka_unit_test(test_istio__export_to_and_namespaces),
	    cmocka_unit_test(test_istio__fault_percentage_absent_is_zero),
	    cmocka_unit_test(test_istio__wildcard_hosts),
	    cmocka_unit_test(test_istio__dr_namespace_order),
	    cmocka_unit_test(test_istio__gateway_references),
	    cmocka_unit_test(test_istio__gateway_ignores_subsets),
	    cmocka_unit_test(test_istio__gateway_api_objects),
	    cmocka_unit_test(test_istio__ingress_gateway_api),
	    cmocka_unit_test(test_istio__ingress_httpbin),
	    cmocka_unit_test(test_istio__ingress_istio_api_bookinfo),
	    cmocka_unit_test(test_istio__unreachable_rule_and_gateway_host),
	    cmocka_unit_test(test_istio__fixture_manifests_stages),
	    cmocka_unit_test(test_istio__fixture_manifests_circuit_breakers),
	    cmocka_unit_test(test_istio__fixture_manifests_httpbin),
	    cmocka_unit_test(test_istio__api_lists),
	    cmocka_unit_test(test_istio__default_namespace),
	    cmocka_unit_test(test_istio__bad_fields_become_notes),
	    cmocka_unit_test(test_istio__hostile_objects),
	    cmocka_unit_test(test_istio__names),
	    cmocka_unit_test(test_istio__subsets_by_labels),
	    cmocka_unit_test(test_istio__gamma_httproutes),
	    cmocka_unit_test(test_istio__mirrors_list),
	    cmocka_unit_test(test_istio__fault_without_percentage),
	    cmocka_unit_test(test_istio__attempts_placed),
	    cmocka_unit_test(test_istio__breaker_and_split_attempts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* fuzz_istio.c: libFuzzer harness for the Istio model, from YAML or JSON. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/istio.h"
#include "../../harness/lg.h"
#include "../../harness/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const hosts[] = {"reviews", "ratings", "productpage",
				    "details", "httpbin"};

/* Feed one document: a List (kubectl get -o json) or a single object. */
static void add_doc(struct lg_mesh *m, const cJSON *j)
{
	struct lg_error err = {0};

	if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "items")))
		(void)lg_mesh_add_list(m, j, "bookinfo", &err);
	else if (cJSON_GetObjectItemCaseSensitive(j, "status"))
		(void)lg_mesh_add_object(m, j);
	else
		(void)lg_mesh_add_object_ns(m, j, "bookinfo", &err);
}

/* Every share of a decision is a percentage: 0..100, never NaN. */
static void check_decision(const struct lg_route_decision *d)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < d->nshares; i++) {
		if (!(d->shares[i].pct >= 0 && d->shares[i].pct <= 100.0001)) {
			fprintf(stderr, "share %zu of %s: %g %%\n", i, d->host,
				d->shares[i].pct);
			abort();
		}
		sum += d->shares[i].pct;
	}
	if (sum > 100.01) {
		fprintf(stderr, "shares of %s add up to %g %%\n", d->host, sum);
		abort();
	}
}

static void route_all(const struct lg_mesh *m)
{
	struct lg_mesh_header h = {"end-user", "jason"};
	struct lg_mesh_request req = {"/productpage", &h, 1};
	struct lg_route_decision d = {0};
	struct lg_mesh_resolved_policy pol;
	struct lg_mesh_merged_dr md = {0};
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		(void)lg_mesh_route(m, "bookinfo", hosts[i], NULL, &d);
		check_decision(&d);
		lg_route_decision_release(&d);
		(void)lg_mesh_route(m, "bookinfo", hosts[i], "jason", &d);
		check_decision(&d);
		lg_route_decision_release(&d);
		(void)lg_mesh_route_req(m, "default", hosts[i], &req, &d);
		check_decision(&d);
		lg_route_decision_release(&d);
		lg_mesh_policy_for(m, "bookinfo", hosts[i], "v1", &pol);
		lg_mesh_merged_dr(m, "bookinfo", hosts[i], &md);
		(void)lg_mesh_merged_subset(&md, "v2");
		lg_mesh_merged_dr_release(&md);
	}
}

static void query(struct lg_mesh *m)
{
	struct lg_reviews_info ri;
	struct lg_mesh_findings f = LG_MESH_FINDINGS_INIT;
	struct lg_ingress_decision in;
	size_t i;
	char *s;

	route_all(m);
	memset(&ri, 0, sizeof(ri));
	(void)lg_reviews_stage_name(lg_mesh_reviews_stage(m, "bookinfo", &ri));
	for (i = 0; i < 4; i++)
		if (!(ri.anon[i] >= 0 && ri.anon[i] <= 100.0001) ||
		    !(ri.jason[i] >= 0 && ri.jason[i] <= 100.0001))
			abort(); /* the reviews split is a percentage */
	s = lg_reviews_shares_text(ri.anon);
	free(s);
	lg_mesh_analyze(m, &f);
	lg_mesh_findings_release(&f);
	(void)lg_mesh_ingress_route(m, "httpbin.example.com", 80, "/status/200",
				    &in);
	(void)lg_mesh_ingress_route(m, "anything", 0, "/productpage", &in);
	lg_mesh_set_pods_known(m);
	lg_mesh_analyze(m, &f);
	lg_mesh_findings_release(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = lg_xmalloc(size + 1);
	struct lg_ynode **docs = NULL;
	struct lg_error err = {0};
	struct lg_mesh m = LG_MESH_INIT;
	size_t ndocs = 0, i;
	cJSON *j;

	memcpy(text, data, size);
	text[size] = '\0';
	/* YAML is a superset of JSON, so this reads both seed kinds. */
	if (lg_yaml_parse(text, size, "fuzz", &docs, &ndocs, &err) != LG_OK)
		goto out;
	for (i = 0; i < ndocs; i++) {
		j = lg_ynode_to_json(docs[i]);
		add_doc(&m, j);
		cJSON_Delete(j);
	}
	query(&m);
	(void)lg_mesh_duration(text);
	free(lg_mesh_fqdn(text, "bookinfo"));
out:
	lg_mesh_release(&m);
	lg_ynode_free_docs(docs, ndocs);
	free(text);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* istio_route.c: what a sidecar does with a request, and the DR policy. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "istio.h"
#include "istio_int.h"

/* A match outcome: the model may not be able to tell. */
enum tri { T_NO = 0, T_YES = 1, T_UNKNOWN = -1 };

static enum tri strmatch(const struct lg_mesh_strmatch *sm, const char *v);

/* ------------------------------------------------------------------ */
/* Shared helpers.                                                      */

bool lg_mesh_is_exported(char *const *export_to, size_t n, const char *obj_ns,
			 const char *ns)
{
	size_t i;

	if (n == 0)
		return true;
	for (i = 0; i < n; i++) {
		if (strcmp(export_to[i], "*") == 0)
			return true;
		if (strcmp(export_to[i], ".") == 0 && strcmp(obj_ns, ns) == 0)
			return true;
		if (strcmp(export_to[i], ns) == 0)
			return true;
	}
	return false;
}

bool lg_mesh_host_matches(const char *pattern, const char *host)
{
	size_t pl, hl;

	if (strcmp(pattern, host) == 0 || strcmp(pattern, "*") == 0)
		return true;
	if (pattern[0] != '*')
		return false;
	pl = strlen(pattern + 1);
	hl = strlen(host);
	return hl > pl && strcmp(host + hl - pl, pattern + 1) == 0;
}

/* How well pattern names host: exact beats any wildcard, longer wins. */
static size_t host_score(const char *pattern, const char *host)
{
	if (!lg_mesh_host_matches(pattern, host))
		return 0;
	if (strcmp(pattern, host) == 0)
		return (size_t)-1;
	return strlen(pattern);
}

int lg_mesh_meta_cmp(const struct lg_mesh_meta *a, const struct lg_mesh_meta *b)
{
	int c = strcmp(a->created, b->created);

	if (c)
		return c;
	c = strcmp(a->name, b->name);
	return c ? c : strcmp(a->ns, b->ns);
}

bool lg_mesh_labels_match(const struct lg_mesh_labels *sel,
			  const struct lg_mesh_labels *labels)
{
	size_t i, j;

	for (i = 0; i < sel->n; i++) {
		for (j = 0; j < labels->n; j++)
			if (strcmp(sel->keys[i], labels->keys[j]) == 0 &&
			    strcmp(sel->values[i], labels->values[j]) == 0)
				break;
		if (j == labels->n)
			return false;
	}
	return true;
}

static size_t vs_score(const struct lg_mesh_vs *vs, const char *host)
{
	size_t i, best = 0;

	for (i = 0; i < vs->nhosts; i++) {
		size_t s = host_score(vs->hosts[i], host);

		if (s > best)
			best = s;
	}
	return best;
}

/* A candidate VirtualService with its host score, for sorting. */
struct ranked_vs {
	const struct lg_mesh_vs *vs;
	size_t score;
};

static int ranked_cmp(const void *pa, const void *pb)
{
	const struct ranked_vs *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return lg_mesh_meta_cmp(&a->vs->meta, &b->vs->meta);
}

void lg_mesh_vs_for_host(const struct lg_mesh *m, const char *ns,
			 const char *host, const struct lg_mesh_vs ***out,
			 size_t *n)
{
	struct ranked_vs *r = lg_xcalloc(m->nvs + 1, sizeof(*r));
	size_t i;

	*out = lg_xcalloc(m->nvs + 1, sizeof(**out));
	*n = 0;
	for (i = 0; i < m->nvs; i++) {
		const struct lg_mesh_vs *vs = &m->vs[i];

		if (!vs->for_mesh || vs_score(vs, host) == 0)
			continue;
		if (!lg_mesh_is_exported(vs->export_to, vs->nexport_to,
					 vs->meta.ns, ns))
			continue;
		r[*n].vs = vs;
		r[(*n)++].score = vs_score(vs, host);
	}
	qsort(r, *n, sizeof(*r), ranked_cmp);
	for (i = 0; i < *n; i++)
		(*out)[i] = r[i].vs;
	free(r);
}

/* ------------------------------------------------------------------ */
/* Matching a request.                                                  */

int lg_mesh_regex_full(const char *re, const char *v)
{
	regex_t rx;
	char *anchored = lg_xasprintf("^(%s)$", re);
	int rc = regcomp(&rx, anchored, REG_EXTENDED | REG_NOSUB);
	enum tri t;

	free(anchored);
	/* RE2 syntax POSIX does not know (\d, (?i)): the model cannot tell. */
	if (rc != 0)
		return T_UNKNOWN;
	t = regexec(&rx, v, 0, NULL, 0) == 0 ? T_YES : T_NO;
	regfree(&rx);
	return t;
}

static enum tri strmatch(const struct lg_mesh_strmatch *sm, const char *v)
{
	switch (sm->kind) {
	case LG_MESH_MATCH_EXACT:
		return strcmp(sm->value, v) == 0 ? T_YES : T_NO;
	case LG_MESH_MATCH_PREFIX:
		return strncmp(sm->value, v, strlen(sm->value)) == 0 ? T_YES
								     : T_NO;
	case LG_MESH_MATCH_REGEX:
		return (enum tri)lg_mesh_regex_full(sm->value, v);
	default:
		return T_YES; /* {} : the header only has to be present */
	}
}

static const char *req_header(const struct lg_mesh_request *req,
			      const char *name)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

static enum tri header_holds(const struct lg_mesh_header_match *h,
			     const struct lg_mesh_request *req)
{
	const char *v = req_header(req, h->name);
	enum tri t = v ? strmatch(&h->m, v) : T_NO;

	if (t == T_UNKNOWN || !h->negate)
		return t;
	return t == T_YES ? T_NO : T_YES;
}

static enum tri uri_holds(const struct lg_mesh_strmatch *sm,
			  const struct lg_mesh_request *req)
{
	char *path;
	enum tri t;

	if (sm->kind == LG_MESH_MATCH_NONE)
		return T_YES;
	if (!req->uri)
		return T_UNKNOWN;
	if (sm->kind == LG_MESH_MATCH_PREFIX)
		return strmatch(sm, req->uri);
	/* Envoy compares exact and regex paths without the query string. */
	path = lg_xstrndup(req->uri, strcspn(req->uri, "?"));
	t = strmatch(sm, path);
	free(path);
	return t;
}

static enum tri block_holds(const struct lg_mesh_match *mt,
			    const struct lg_mesh_request *req)
{
	enum tri all = T_YES;
	size_t i;

	if (mt->unjudged)
		return T_UNKNOWN;
	for (i = 0; i < mt->nheaders && all != T_NO; i++) {
		enum tri t = header_holds(&mt->headers[i], req);

		if (t != T_YES)
			all = t;
	}
	if (all == T_NO)
		return T_NO;
	if (uri_holds(&mt->uri, req) == T_NO)
		return T_NO;
	return uri_holds(&mt->uri, req) == T_UNKNOWN ? T_UNKNOWN : all;
}

/* Blocks are OR'ed; an unknown block counts as no match but is noted. */
bool lg_mesh_rule_matches(const struct lg_mesh_http *h,
			  const struct lg_mesh_request *req, bool *unjudged)
{
	size_t i;

	if (h->nmatches == 0)
		return true;
	for (i = 0; i < h->nmatches; i++) {
		enum tri t = block_holds(&h->matches[i], req);

		if (t == T_YES)
			return true;
		if (t == T_UNKNOWN)
			*unjudged = true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* DestinationRules.                                                    */

/* "reviews.bookinfo.svc.cluster.local" -> "bookinfo" (caller frees). */
static char *host_namespace(const char *host)
{
	const char *dot = strchr(host, '.');
	const char *end = dot ? strchr(dot + 1, '.') : NULL;

	if (!end || strncmp(end, ".svc.", 5) != 0)
		return NULL;
	return lg_xstrndup(dot + 1, (size_t)(end - dot - 1));
}

static int dr_cmp(const void *pa, const void *pb)
{
	const struct lg_mesh_dr *a = *(const struct lg_mesh_dr *const *)pa;
	const struct lg_mesh_dr *b = *(const struct lg_mesh_dr *const *)pb;

	return lg_mesh_meta_cmp(&a->meta, &b->meta);
}

/* The best host score of the DRs in dr_ns visible from ns; 0: none. */
static size_t best_dr_score(const struct lg_mesh *m, const char *dr_ns,
			    const char *ns, const char *host)
{
	size_t i, best = 0;

	for (i = 0; i < m->ndr; i++) {
		const struct lg_mesh_dr *dr = &m->dr[i];
		size_t s;

		if (strcmp(dr->meta.ns, dr_ns) != 0 ||
		    dr->has_workload_selector ||
		    !lg_mesh_is_exported(dr->export_to, dr->nexport_to,
					 dr->meta.ns, ns))
			continue;
		s = host_score(dr->host, host);
		if (s > best)
			best = s;
	}
	return best;
}

/* Collect the DRs of dr_ns with the best host match; sorted oldest first. */
static size_t collect_drs(const struct lg_mesh *m, const char *dr_ns,
			  const char *ns, const char *host,
			  const struct lg_mesh_dr **out)
{
	size_t i, n = 0, best = best_dr_score(m, dr_ns, ns, host);

	for (i = 0; best && i < m->ndr; i++) {
		const struct lg_mesh_dr *dr = &m->dr[i];

		if (strcmp(dr->meta.ns, dr_ns) != 0 ||
		    dr->has_workload_selector ||
		    !lg_mesh_is_exported(dr->export_to, dr->nexport_to,
					 dr->meta.ns, ns) ||
		    host_score(dr->host, host) != best)
			continue;
		out[n++] = dr;
	}
	qsort(out, n, sizeof(*out), dr_cmp);
	return n;
}

static void merge(struct lg_mesh_merged_dr *d)
{
	size_t i, j, total = 0;

	for (i = 0; i < d->ndrs; i++)
		total += d->drs[i]->nsubsets;
	d->subsets = lg_xcalloc(total + 1, sizeof(*d->subsets));
	for (i = 0; i < d->ndrs; i++) {
		const struct lg_mesh_dr *dr = d->drs[i];

		if (!d->policy_from && dr->has_policy)
			d->policy_from = dr;
		for (j = 0; j < dr->nsubsets; j++)
			if (!lg_mesh_merged_subset(d, dr->subsets[j].name))
				d->subsets[d->nsubsets++] = &dr->subsets[j];
	}
}

void lg_mesh_merged_dr(const struct lg_mesh *m, const char *ns,
		       const char *host, struct lg_mesh_merged_dr *out)
{
	char *fq = lg_mesh_fqdn(host, ns);
	char *hns = host_namespace(fq);
	const char *order[3];
	size_t i;

	memset(out, 0, sizeof(*out));
	order[0] = ns;
	order[1] = hns ? hns : ns;
	order[2] = "istio-system";
	out->drs = lg_xcalloc(m->ndr + 1, sizeof(*out->drs));
	for (i = 0; i < LG_ARRAY_SIZE(order) && out->ndrs == 0; i++)
		out->ndrs = collect_drs(m, order[i], ns, fq, out->drs);
	merge(out);
	free(hns);
	free(fq);
}

void lg_mesh_merged_dr_release(struct lg_mesh_merged_dr *d)
{
	free(d->drs);
	free(d->subsets);
	memset(d, 0, sizeof(*d));
}

const struct lg_mesh_subset *
lg_mesh_merged_subset(const struct lg_mesh_merged_dr *d, const char *name)
{
	size_t i;

	for (i = 0; name && i < d->nsubsets; i++)
		if (strcmp(d->subsets[i]->name, name) == 0)
			return d->subsets[i];
	return NULL;
}

static void effective_outlier(struct lg_mesh_resolved_policy *out)
{
	const struct lg_mesh_outlier *o = &out->policy.outlier;

	if (!out->policy.has_outlier)
		return;
	/* Envoy's defaults; consecutiveErrors is not consulted at all. */
	out->eff_consecutive_5xx =
	    o->consecutive_5xx >= 0 ? o->consecutive_5xx : 5;
	out->eff_interval_s = o->interval_s >= 0 ? o->interval_s : 10;
	out->eff_base_ejection_s =
	    o->base_ejection_s >= 0 ? o->base_ejection_s : 30;
	out->eff_max_ejection_pct =
	    o->max_ejection_pct >= 0 ? o->max_ejection_pct : 10;
}

void lg_mesh_policy_for(const struct lg_mesh *m, const char *ns,
			const char *host, const char *subset,
			struct lg_mesh_resolved_policy *out)
{
	struct lg_mesh_merged_dr d;
	const struct lg_mesh_subset *s;

	memset(out, 0, sizeof(*out));
	lg_mesh_merged_dr(m, ns, host, &d);
	out->from = d.policy_from;
	if (d.policy_from)
		out->policy = d.policy_from->policy;
	s = lg_mesh_merged_subset(&d, subset);
	out->subset_found = !subset || s;
	/* A subset's policy replaces whole sections, not single fields. */
	if (s && s->has_policy && s->policy.has_pool) {
		out->policy.has_pool = true;
		out->policy.pool = s->policy.pool;
	}
	if (s && s->has_policy && s->policy.has_outlier) {
		out->policy.has_outlier = true;
		out->policy.outlier = s->policy.outlier;
	}
	effective_outlier(out);
	lg_mesh_merged_dr_release(&d);
}

/* ------------------------------------------------------------------ */
/* Routing.                                                             */

static bool subset_defined(const struct lg_mesh *m, const char *ns,
			   const char *host, const char *subset)
{
	struct lg_mesh_merged_dr d;
	bool ok;

	if (!subset)
		return true;
	lg_mesh_merged_dr(m, ns, host, &d);
	ok = lg_mesh_merged_subset(&d, subset) != NULL;
	lg_mesh_merged_dr_release(&d);
	return ok;
}

static void fill_shares(const struct lg_mesh *m, const char *ns,
			const struct lg_mesh_http *h,
			struct lg_route_decision *out)
{
	size_t i;
	double total = 0;

	out->shares = lg_xcalloc(h->nroutes + 1, sizeof(*out->shares));
	for (i = 0; i < h->nroutes; i++)
		total += h->routes[i].weight > 0 ? h->routes[i].weight : 0;
	for (i = 0; i < h->nroutes; i++) {
		const struct lg_mesh_dest *d = &h->routes[i];
		struct lg_route_share *s = &out->shares[out->nshares++];

		s->host = d->host;
		s->subset = d->subset;
		s->port = d->port;
		s->weight = d->weight;
		/* One destination takes everything whatever its weight. */
		if (h->nroutes == 1)
			s->pct = 100;
		else if (total > 0 && d->weight > 0)
			s->pct = 100.0 * d->weight / total;
		s->subset_ok = subset_defined(m, ns, d->host, d->subset);
		if (s->pct > 0 && !s->subset_ok)
			out->undefined_subset = true;
	}
}

static void decide_default(struct lg_route_decision *out)
{
	out->kind = LG_ROUTE_DEFAULT;
	out->shares = lg_xcalloc(1, sizeof(*out->shares));
	out->nshares = 1;
	out->shares[0].host = out->host;
	out->shares[0].weight = LG_MESH_UNSET;
	out->shares[0].pct = 100;
	out->shares[0].subset_ok = true;
}

static void decide_rule(const struct lg_mesh *m, const char *ns,
			const struct lg_mesh_request *req,
			struct lg_route_decision *out)
{
	const struct lg_mesh_vs *vs = out->vs;
	const struct lg_mesh_http *h = NULL;
	size_t i;

	for (i = 0; i < vs->nhttp && !h; i++)
		if (lg_mesh_rule_matches(&vs->http[i], req, &out->unjudged))
			h = &vs->http[i];
	if (!h) {
		out->kind = LG_ROUTE_NO_MATCH;
		return;
	}
	out->kind = LG_ROUTE_RULE;
	out->rule = (int)(h - vs->http);
	fill_shares(m, ns, h, out);
	out->fault = h->has_fault ? &h->fault : NULL;
	out->mirrors = h->mirrors;
	out->nmirrors = h->nmirrors;
	out->timeout_s = h->timeout_s;
}

enum lg_err lg_mesh_route_req(const struct lg_mesh *m, const char *ns,
			      const char *host,
			      const struct lg_mesh_request *req,
			      struct lg_route_decision *out)
{
	const struct lg_mesh_vs **c = NULL;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->rule = -1;
	out->timeout_s = -1;
	if (!ns || !*ns || !host || !*host || !req)
		return LG_EUSAGE;
	out->host = lg_mesh_fqdn(host, ns);
	lg_mesh_vs_for_host(m, ns, out->host, &c, &n);
	if (n == 0) {
		decide_default(out);
		goto out;
	}
	out->vs = c[0];
	if (n > 1 && vs_score(c[1], out->host) == vs_score(c[0], out->host))
		out->shadowed = c[1];
	decide_rule(m, ns, req, out);
out:
	free(c);
	return LG_OK;
}

enum lg_err lg_mesh_route(const struct lg_mesh *m, const char *ns,
			  const char *host, const char *user,
			  struct lg_route_decision *out)
{
	struct lg_mesh_header h = {"end-user", user};
	struct lg_mesh_request req = {NULL, &h, user ? 1 : 0};

	return lg_mesh_route_req(m, ns, host, &req, out);
}

void lg_route_decision_release(struct lg_route_decision *d)
{
	free(d->host);
	free(d->shares);
	memset(d, 0, sizeof(*d));
	d->rule = -1;
	d->timeout_s = -1;
}

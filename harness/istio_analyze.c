/* SPDX-License-Identifier: MIT */
/* istio_analyze.c: istioctl analyze-style findings and the lab's stage. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "istio.h"
#include "istio_int.h"

static void add_finding(struct lg_mesh_findings *f, const char *code,
			enum lg_finding_level level,
			enum lg_finding_cause cause, const char *kind,
			const struct lg_mesh_meta *meta, const char *subject,
			const char *fmt, ...) LG_PRINTF(8, 9);

static void add_finding(struct lg_mesh_findings *f, const char *code,
			enum lg_finding_level level,
			enum lg_finding_cause cause, const char *kind,
			const struct lg_mesh_meta *meta, const char *subject,
			const char *fmt, ...)
{
	struct lg_mesh_finding *x;
	va_list ap;

	f->v = lg_mesh_grow(f->v, &f->alloc, f->n, sizeof(*f->v));
	x = &f->v[f->n++];
	x->code = code;
	x->level = level;
	x->cause = cause;
	x->kind = lg_xstrdup(kind);
	x->ns = lg_xstrdup(meta->ns);
	x->name = lg_xstrdup(meta->name);
	x->subject = lg_xstrdup(subject ? subject : "");
	va_start(ap, fmt);
	x->message = lg_xvasprintf(fmt, ap);
	va_end(ap);
}

void lg_mesh_findings_release(struct lg_mesh_findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].kind);
		free(f->v[i].ns);
		free(f->v[i].name);
		free(f->v[i].subject);
		free(f->v[i].message);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

const struct lg_mesh_finding *
lg_mesh_findings_find(const struct lg_mesh_findings *f,
		      enum lg_finding_cause cause)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].cause == cause)
			return &f->v[i];
	return NULL;
}

const char *lg_finding_level_name(enum lg_finding_level l)
{
	switch (l) {
	case LG_FINDING_ERROR:
		return "Error";
	case LG_FINDING_WARNING:
		return "Warning";
	default:
		return "Info";
	}
}

/* ------------------------------------------------------------------ */
/* Subset references (IST0101) and their likely cause.                  */

/* "reviews.bookinfo.svc.cluster.local" -> "reviews" (caller frees). */
static char *short_host(const char *host)
{
	return lg_xstrndup(host, strcspn(host, "."));
}

/*
 * The circuit-breaker trap: `kubectl apply` of a DestinationRule named
 * like the host (metadata.name reviews) with a trafficPolicy and no subsets
 * replaces destination-rule-all's `reviews` instead of adding to it.
 */
static const struct lg_mesh_dr *replacing_dr(const struct lg_mesh_merged_dr *d,
					     const char *host)
{
	char *sh = short_host(host);
	const struct lg_mesh_dr *found = NULL;
	size_t i;

	for (i = 0; i < d->ndrs && !found; i++)
		if (d->drs[i]->nsubsets == 0 && d->drs[i]->has_policy &&
		    strcmp(d->drs[i]->meta.name, sh) == 0)
			found = d->drs[i];
	free(sh);
	return found;
}

static void check_subset(const struct lg_mesh *m, const struct lg_mesh_vs *vs,
			 const struct lg_mesh_dest *dest,
			 struct lg_mesh_findings *out)
{
	struct lg_mesh_merged_dr d;
	const struct lg_mesh_dr *rep;
	char *sh = short_host(dest->host);
	char *subj = lg_xasprintf("%s+%s", sh, dest->subset);
	const char *base = "Referenced host+subset in destinationrule not "
			   "found";

	lg_mesh_merged_dr(m, vs->meta.ns, dest->host, &d);
	if (lg_mesh_merged_subset(&d, dest->subset))
		goto out;
	rep = replacing_dr(&d, dest->host);
	if (rep)
		add_finding(out, "IST0101", LG_FINDING_ERROR,
			    LG_CAUSE_SUBSETS_REPLACED, "VirtualService",
			    &vs->meta, subj,
			    "%s: \"%s\"; DestinationRule %s/%s has a "
			    "trafficPolicy but no subsets and replaced the "
			    "rule that defined them, so every route to a "
			    "subset of %s fails with 503 (NC)",
			    base, subj, rep->meta.ns, rep->meta.name, sh);
	else
		add_finding(out, "IST0101", LG_FINDING_ERROR,
			    d.ndrs ? LG_CAUSE_SUBSET_NOT_FOUND
				   : LG_CAUSE_NO_DR_FOR_HOST,
			    "VirtualService", &vs->meta, subj, "%s: \"%s\"%s",
			    base, subj,
			    d.ndrs ? "" : " (no DestinationRule for the host)");
out:
	lg_mesh_merged_dr_release(&d);
	free(subj);
	free(sh);
}

/* Report each host+subset once per VirtualService. */
static bool seen_subset(const struct lg_mesh_findings *f, size_t from,
			const struct lg_mesh_dest *d)
{
	char *sh = short_host(d->host);
	char *subj = lg_xasprintf("%s+%s", sh, d->subset);
	bool seen = false;
	size_t i;

	for (i = from; i < f->n && !seen; i++)
		seen = strcmp(f->v[i].code, "IST0101") == 0 &&
		       strcmp(f->v[i].subject, subj) == 0;
	free(subj);
	free(sh);
	return seen;
}

static void check_dests(const struct lg_mesh *m, const struct lg_mesh_vs *vs,
			const struct lg_mesh_dest *d, size_t n, size_t from,
			struct lg_mesh_findings *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (d[i].subset && !seen_subset(out, from, &d[i]))
			check_subset(m, vs, &d[i], out);
}

static void check_deprecated(const struct lg_mesh_vs *vs,
			     const struct lg_mesh_http *h,
			     struct lg_mesh_findings *out)
{
	size_t i;

	for (i = 0; i < h->nmirrors; i++)
		if (h->mirrors[i].deprecated_percent)
			add_finding(out, "IST0133", LG_FINDING_WARNING,
				    LG_CAUSE_DEPRECATED_MIRROR_PERCENT,
				    "VirtualService", &vs->meta,
				    "mirrorPercent",
				    "Schema validation warning: using "
				    "deprecated setting \"mirrorPercent\", "
				    "use \"mirrorPercentage\" instead");
	if (h->has_fault && h->fault.deprecated_percent)
		add_finding(out, "IST0133", LG_FINDING_WARNING,
			    LG_CAUSE_DEPRECATED_FAULT_PERCENT, "VirtualService",
			    &vs->meta, "percent",
			    "Schema validation warning: fault injection "
			    "\"percent\" is deprecated, use \"percentage\"");
}

static const struct lg_mesh_gateway *find_gateway(const struct lg_mesh *m,
						  const char *ref)
{
	size_t j;

	for (j = 0; j < m->ngw; j++) {
		const struct lg_mesh_meta *g = &m->gw[j].meta;
		size_t nl = strlen(g->ns);

		if (strncmp(ref, g->ns, nl) == 0 && ref[nl] == '/' &&
		    strcmp(ref + nl + 1, g->name) == 0)
			return &m->gw[j];
	}
	return NULL;
}

static void check_gateway_hosts(const struct lg_mesh_vs *vs,
				const struct lg_mesh_gateway *g,
				struct lg_mesh_findings *out)
{
	size_t i, j;

	for (i = 0; i < vs->nhosts; i++) {
		bool found = false;

		for (j = 0; j < g->nservers && !found; j++)
			found = lg_mesh_server_has_host(&g->servers[j],
							vs->hosts[i]);
		if (!found)
			add_finding(out, "IST0132", LG_FINDING_WARNING,
				    LG_CAUSE_HOST_NOT_IN_GATEWAY,
				    "VirtualService", &vs->meta, vs->hosts[i],
				    "one or more host [%s] defined in "
				    "VirtualService %s/%s not found in Gateway "
				    "%s/%s",
				    vs->hosts[i], vs->meta.ns, vs->meta.name,
				    g->meta.ns, g->meta.name);
	}
}

static void check_gateways(const struct lg_mesh *m, const struct lg_mesh_vs *vs,
			   struct lg_mesh_findings *out)
{
	size_t i;

	for (i = 0; i < vs->ngateways; i++) {
		const char *ref = vs->gateways[i];
		const struct lg_mesh_gateway *g;

		if (strcmp(ref, "mesh") == 0)
			continue;
		g = find_gateway(m, ref);
		if (g)
			check_gateway_hosts(vs, g, out);
		else
			add_finding(out, "IST0101", LG_FINDING_ERROR,
				    LG_CAUSE_GATEWAY_NOT_FOUND,
				    "VirtualService", &vs->meta, ref,
				    "Referenced gateway not found: \"%s\"",
				    ref);
	}
}

/* IST0130: only the last rule may go without a match. */
static void check_unreachable(const struct lg_mesh_vs *vs,
			      struct lg_mesh_findings *out)
{
	size_t i, j;

	for (i = 0; i + 1 < vs->nhttp; i++) {
		if (vs->http[i].nmatches != 0)
			continue;
		for (j = i + 1; j < vs->nhttp; j++) {
			char *subj = lg_xasprintf("#%zu", j);

			add_finding(out, "IST0130", LG_FINDING_WARNING,
				    LG_CAUSE_UNREACHABLE_RULE, "VirtualService",
				    &vs->meta, subj,
				    "VirtualService rule #%zu not used (only "
				    "the last rule can have no matches)",
				    j);
			free(subj);
		}
		return;
	}
}

/* ------------------------------------------------------------------ */
/* IST0140: a gateway-bound route ignores the mesh VS's subsets.        */

static bool routes_to_subsets(const struct lg_mesh_vs *vs, const char *host)
{
	size_t i, j;

	for (i = 0; i < vs->nhttp; i++)
		for (j = 0; j < vs->http[i].nroutes; j++)
			if (vs->http[i].routes[j].subset &&
			    strcmp(vs->http[i].routes[j].host, host) == 0)
				return true;
	return false;
}

static void check_ingress_subsets(const struct lg_mesh *m,
				  const struct lg_mesh_vs *gvs,
				  const struct lg_mesh_dest *d,
				  struct lg_mesh_findings *out)
{
	const struct lg_mesh_vs **c = NULL;
	size_t n = 0;

	lg_mesh_vs_for_host(m, gvs->meta.ns, d->host, &c, &n);
	if (n > 0 && routes_to_subsets(c[0], d->host))
		add_finding(out, "IST0140", LG_FINDING_WARNING,
			    LG_CAUSE_GATEWAY_IGNORES_SUBSETS, "VirtualService",
			    &gvs->meta, d->host,
			    "Subset in virtual service %s/%s has no effect "
			    "on ingress gateway %s/%s requests",
			    c[0]->meta.ns, c[0]->meta.name, gvs->meta.ns,
			    gvs->meta.name);
	free(c);
}

static void check_gateway_vs(const struct lg_mesh *m,
			     const struct lg_mesh_vs *vs,
			     struct lg_mesh_findings *out)
{
	size_t i, j;

	if (vs->for_mesh || vs->ngateways == 0)
		return;
	for (i = 0; i < vs->nhttp; i++)
		for (j = 0; j < vs->http[i].nroutes; j++)
			if (!vs->http[i].routes[j].subset)
				check_ingress_subsets(
				    m, vs, &vs->http[i].routes[j], out);
}

/* ------------------------------------------------------------------ */
/* IST0109: two mesh VirtualServices for one host.                      */

static void check_conflict(const struct lg_mesh *m, const struct lg_mesh_vs *vs,
			   struct lg_mesh_findings *out)
{
	size_t i, j;

	if (!vs->for_mesh)
		return;
	for (i = 0; i < vs->nhosts; i++) {
		const struct lg_mesh_vs *win = vs;

		for (j = 0; j < m->nvs; j++) {
			const struct lg_mesh_vs *o = &m->vs[j];
			size_t k;

			for (k = 0; o != vs && o->for_mesh && k < o->nhosts;
			     k++)
				if (strcmp(o->hosts[k], vs->hosts[i]) == 0 &&
				    lg_mesh_meta_cmp(&o->meta, &win->meta) < 0)
					win = o;
		}
		if (win != vs)
			add_finding(
			    out, "IST0109", LG_FINDING_ERROR,
			    LG_CAUSE_VS_CONFLICT, "VirtualService", &vs->meta,
			    vs->hosts[i],
			    "The VirtualServices %s/%s,%s/%s associated "
			    "with mesh gateway define the same host %s "
			    "which can lead to undefined behavior; "
			    "sidecars use %s/%s, the oldest",
			    win->meta.ns, win->meta.name, vs->meta.ns,
			    vs->meta.name, vs->hosts[i], win->meta.ns,
			    win->meta.name);
	}
}

static void analyze_vs(const struct lg_mesh *m, const struct lg_mesh_vs *vs,
		       struct lg_mesh_findings *out)
{
	size_t i, from = out->n;

	check_gateways(m, vs, out);
	check_conflict(m, vs, out);
	check_unreachable(vs, out);
	for (i = 0; i < vs->nhttp; i++) {
		const struct lg_mesh_http *h = &vs->http[i];
		size_t k;

		check_dests(m, vs, h->routes, h->nroutes, from, out);
		for (k = 0; k < h->nmirrors; k++)
			check_dests(m, vs, &h->mirrors[k].dest, 1, from, out);
		check_deprecated(vs, h, out);
	}
	check_gateway_vs(m, vs, out);
}

/* ------------------------------------------------------------------ */
/* DestinationRules, Gateways, notes.                                   */

static void check_consecutive_errors(const struct lg_mesh_dr *dr,
				     const struct lg_mesh_policy *p,
				     struct lg_mesh_findings *out)
{
	if (!p->has_outlier || p->outlier.consecutive_errors < 0)
		return;
	add_finding(out, "IST0133", LG_FINDING_WARNING,
		    LG_CAUSE_DEPRECATED_CONSECUTIVE_ERRORS, "DestinationRule",
		    &dr->meta, "consecutiveErrors",
		    "Schema validation warning: outlier detection consecutive "
		    "errors is deprecated, use consecutiveGatewayErrors or "
		    "consecutive5xxErrors instead; Istio ignores it, so hosts "
		    "are ejected after %d consecutive 5xx, not %d",
		    p->outlier.consecutive_5xx >= 0 ? p->outlier.consecutive_5xx
						    : 5,
		    p->outlier.consecutive_errors);
}

/* One info finding on every rule merged into an older one. */
static void check_merged(const struct lg_mesh *m, const struct lg_mesh_dr *dr,
			 struct lg_mesh_findings *out)
{
	size_t i;

	if (dr->has_workload_selector)
		return;
	for (i = 0; i < m->ndr; i++) {
		const struct lg_mesh_dr *o = &m->dr[i];

		if (o == dr || o->has_workload_selector ||
		    strcmp(o->meta.ns, dr->meta.ns) != 0 ||
		    strcmp(o->host, dr->host) != 0 ||
		    lg_mesh_meta_cmp(&o->meta, &dr->meta) > 0)
			continue;
		add_finding(out, "LG0001", LG_FINDING_INFO, LG_CAUSE_DR_MERGED,
			    "DestinationRule", &dr->meta, dr->host,
			    "DestinationRule %s/%s is merged with the older "
			    "%s/%s for host %s: a subset name defined twice "
			    "keeps the older definition, and only the oldest "
			    "trafficPolicy counts",
			    dr->meta.ns, dr->meta.name, o->meta.ns,
			    o->meta.name, dr->host);
		return;
	}
}

static void analyze_dr(const struct lg_mesh *m, const struct lg_mesh_dr *dr,
		       struct lg_mesh_findings *out)
{
	size_t i;

	check_consecutive_errors(dr, &dr->policy, out);
	for (i = 0; i < dr->nsubsets; i++)
		if (dr->subsets[i].has_policy)
			check_consecutive_errors(dr, &dr->subsets[i].policy,
						 out);
	check_merged(m, dr, out);
}

static char *selector_text(const struct lg_mesh_labels *l)
{
	struct lg_buf b = LG_BUF_INIT;
	size_t i;

	for (i = 0; i < l->n; i++)
		lg_buf_addf(&b, "%s%s=%s", i ? "," : "", l->keys[i],
			    l->values[i]);
	return lg_buf_detach(&b, NULL);
}

static void analyze_gw(const struct lg_mesh *m, const struct lg_mesh_gateway *g,
		       struct lg_mesh_findings *out)
{
	char *sel;
	size_t i;

	if (!m->pods_known || g->selector.n == 0)
		return;
	for (i = 0; i < m->npods; i++)
		if (lg_mesh_labels_match(&g->selector, &m->pods[i].labels))
			return;
	sel = selector_text(&g->selector);
	add_finding(out, "IST0101", LG_FINDING_ERROR,
		    LG_CAUSE_SELECTOR_NOT_FOUND, "Gateway", &g->meta, sel,
		    "Referenced selector not found: \"%s\"", sel);
	free(sel);
}

void lg_mesh_analyze(const struct lg_mesh *m, struct lg_mesh_findings *out)
{
	size_t i;

	for (i = 0; i < m->nvs; i++)
		analyze_vs(m, &m->vs[i], out);
	for (i = 0; i < m->ndr; i++)
		analyze_dr(m, &m->dr[i], out);
	for (i = 0; i < m->ngw; i++)
		analyze_gw(m, &m->gw[i], out);
	for (i = 0; i < m->nnotes; i++)
		add_finding(out, "LG0002", LG_FINDING_WARNING,
			    LG_CAUSE_BAD_FIELD, m->notes[i].kind,
			    &m->notes[i].meta, NULL, "%s", m->notes[i].message);
}

/* ------------------------------------------------------------------ */
/* The lab's stage.                                                     */

const char *lg_reviews_stage_name(enum lg_reviews_stage s)
{
	static const char *const names[] = {
	    "none",	   "all-v1",	  "test-v2",
	    "split-50-v3", "all-v3",	  "mirror",
	    "split-v2",	   "split-v2-v3", "split-v3-uneven",
	    "jason-v2-v3", "other",
	};

	if ((size_t)s >= LG_ARRAY_SIZE(names))
		return "other";
	return names[s];
}

char *lg_reviews_shares_text(const double pct[4])
{
	static const char *const names[] = {"other", "v1", "v2", "v3"};
	struct lg_buf b = LG_BUF_INIT;
	int i;

	for (i = 1; i <= 4; i++) {
		int k = i % 4; /* v1, v2, v3, then other */

		if (pct[k] > 0.005)
			lg_buf_addf(&b, "%s%s %.4g%%", b.len ? ", " : "",
				    names[k], pct[k]);
	}
	if (b.len == 0)
		lg_buf_adds(&b, "none");
	return lg_buf_detach(&b, NULL);
}

/* "v2" -> 2; anything else 0. */
static int version_of(const char *v)
{
	if (v && v[0] == 'v' && v[1] >= '1' && v[1] <= '9' && !v[2])
		return v[1] - '0';
	return 0;
}

/*
 * The version a student meant by an undefined subset's name: "v4" is 4, and
 * a typo keeps its leading "vN" ("v33", "v3-new" are 3) or its trailing
 * "-vN" ("version-v3"); anything else 0.
 */
static int meant_version(const char *name)
{
	const char *dash = strrchr(name, '-');

	if (name[0] == 'v' && name[1] >= '1' && name[1] <= '9')
		return name[1] - '0';
	return dash ? version_of(dash + 1) : 0;
}

int lg_mesh_subset_version(const struct lg_mesh *m, const char *ns,
			   const char *host, const char *subset)
{
	struct lg_mesh_merged_dr d;
	const struct lg_mesh_subset *sub;
	const char *dash = strrchr(host, '-');
	char v[4] = "";
	int ver = 0;
	size_t i;

	if (!subset) {
		/* a Service per version ("reviews-v2", the Gateway API
		 * samples' backends), named as Bookinfo names them */
		if (dash && strcspn(dash + 1, ".") == 2 &&
		    (size_t)(dash - host) < strcspn(host, "."))
			memcpy(v, dash + 1, 2);
		return version_of(v);
	}
	lg_mesh_merged_dr(m, ns, host, &d);
	sub = lg_mesh_merged_subset(&d, subset);
	for (i = 0; sub && i < sub->labels.n; i++)
		if (strcmp(sub->labels.keys[i], "version") == 0)
			ver = version_of(sub->labels.values[i]);
	lg_mesh_merged_dr_release(&d);
	/* Undefined: what the student meant by the name; `broken` tells. */
	return sub ? ver : meant_version(subset);
}

/*
 * The reviews version a share reaches (0: another host, or no version).
 */
static int version_index(const struct lg_mesh *m, const char *ns,
			 const struct lg_route_share *s)
{
	int v;

	if (strncmp(s->host, "reviews.", 8) != 0 &&
	    strncmp(s->host, "reviews-", 8) != 0)
		return 0;
	v = lg_mesh_subset_version(m, ns, s->host, s->subset);
	return v <= 3 ? v : 0;
}

/* Route reviews for user; fill pct[] by version. */
static void reviews_shares(const struct lg_mesh *m, const char *ns,
			   const char *user, double pct[4],
			   struct lg_route_decision *d)
{
	size_t i;

	lg_mesh_route(m, ns, "reviews", user, d);
	memset(pct, 0, 4 * sizeof(*pct));
	if (d->kind == LG_ROUTE_NO_MATCH)
		pct[0] = 100;
	for (i = 0; i < d->nshares; i++)
		pct[version_index(m, ns, &d->shares[i])] += d->shares[i].pct;
}

static bool is(const double p[4], const double want[3])
{
	return fabs(p[0]) < 0.01 && fabs(p[1] - want[0]) < 0.01 &&
	       fabs(p[2] - want[1]) < 0.01 && fabs(p[3] - want[2]) < 0.01;
}

/* A split between versions a and b (1..3) and nothing else. */
static bool split_of(const double p[4], int a, int b)
{
	int i;

	for (i = 0; i < 4; i++)
		if ((i == a || i == b) != (p[i] > 0.01))
			return false;
	return true;
}

/* The lab's manifests and the known wrong ones, as v1/v2/v3 shares. */
static const struct {
	double anon[3], jason[3];
	enum lg_reviews_stage stage;
} exact_stages[] = {
    {{100, 0, 0}, {100, 0, 0}, LG_STAGE_ALL_V1},
    {{100, 0, 0}, {0, 100, 0}, LG_STAGE_TEST_V2},
    {{0, 0, 100}, {0, 100, 0}, LG_STAGE_JASON_V2_V3},
    {{50, 0, 50}, {50, 0, 50}, LG_STAGE_SPLIT_50_V3},
    {{0, 0, 100}, {0, 0, 100}, LG_STAGE_ALL_V3},
};

static const struct {
	int a, b;
	enum lg_reviews_stage stage;
} split_stages[] = {
    {1, 2, LG_STAGE_SPLIT_V2},
    {2, 3, LG_STAGE_SPLIT_V2_V3},
    {1, 3, LG_STAGE_SPLIT_V3_UNEVEN},
};

static enum lg_reviews_stage classify(const struct lg_reviews_info *r)
{
	size_t i;

	if (!r->reviews_vs)
		return LG_STAGE_NONE;
	for (i = 0; i < LG_ARRAY_SIZE(exact_stages); i++) {
		if (!is(r->anon, exact_stages[i].anon) ||
		    !is(r->jason, exact_stages[i].jason))
			continue;
		if (exact_stages[i].stage == LG_STAGE_ALL_V1 && r->mirror)
			return LG_STAGE_MIRROR;
		return exact_stages[i].stage;
	}
	/* A wrong split counts only when both users get it. */
	if (!is(r->anon, r->jason + 1) || fabs(r->jason[0]) > 0.01)
		return LG_STAGE_OTHER;
	for (i = 0; i < LG_ARRAY_SIZE(split_stages); i++)
		if (split_of(r->anon, split_stages[i].a, split_stages[i].b))
			return split_stages[i].stage;
	return LG_STAGE_OTHER;
}

static bool delays(const struct lg_mesh_fault *f)
{
	return f && f->has_delay && f->delay_pct > 0;
}

static bool aborts(const struct lg_mesh_fault *f)
{
	return f && f->has_abort && f->abort_pct > 0;
}

static void ratings_faults(const struct lg_mesh *m, const char *ns,
			   struct lg_reviews_info *out)
{
	struct lg_route_decision dj, da;

	lg_mesh_route(m, ns, "ratings", "jason", &dj);
	lg_mesh_route(m, ns, "ratings", NULL, &da);
	out->ratings_vs = dj.vs;
	out->conflict |= dj.shadowed != NULL;
	out->ratings_broken = dj.undefined_subset || da.undefined_subset;
	out->delay_jason = delays(dj.fault);
	if (out->delay_jason) {
		out->delay_s = dj.fault->delay_s;
		out->delay_pct = dj.fault->delay_pct;
	}
	out->delay_anon = delays(da.fault);
	out->abort_jason = aborts(dj.fault);
	if (out->abort_jason) {
		out->abort_status = dj.fault->abort_status;
		out->abort_pct = dj.fault->abort_pct;
	}
	out->abort_anon = aborts(da.fault);
	lg_route_decision_release(&dj);
	lg_route_decision_release(&da);
}

enum lg_reviews_stage lg_mesh_reviews_stage(const struct lg_mesh *m,
					    const char *ns,
					    struct lg_reviews_info *out)
{
	struct lg_route_decision da, dj;
	struct lg_route_share ms = {0};

	memset(out, 0, sizeof(*out));
	reviews_shares(m, ns, NULL, out->anon, &da);
	reviews_shares(m, ns, "jason", out->jason, &dj);
	out->reviews_vs = da.vs;
	out->broken = da.undefined_subset || dj.undefined_subset;
	out->conflict = da.shadowed != NULL;
	if (da.nmirrors > 0) {
		out->mirror = true;
		ms.host = da.mirrors[0].dest.host;
		ms.subset = da.mirrors[0].dest.subset;
		out->mirror_subset = ms.subset;
		out->mirror_version = version_index(m, ns, &ms);
		out->mirror_pct = da.mirrors[0].pct;
	}
	ratings_faults(m, ns, out);
	out->stage = classify(out);
	lg_route_decision_release(&da);
	lg_route_decision_release(&dj);
	return out->stage;
}

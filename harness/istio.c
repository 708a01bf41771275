/* SPDX-License-Identifier: MIT */
/* istio.c: reads Istio and Gateway API objects into the mesh model. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "istio.h"
#include "istio_int.h"

/* Where a field is being read from, so a note can name the object. */
struct pctx {
	struct lg_mesh *m;
	const char *kind;
	const struct lg_mesh_meta *meta;
};

static void note(const struct pctx *c, const char *fmt, ...) LG_PRINTF(2, 3);

/* ------------------------------------------------------------------ */
/* Small JSON readers: absent gives the default, a wrong type a note.   */

static const cJSON *jget(const cJSON *o, const char *key)
{
	if (!cJSON_IsObject(o))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* An array field, or NULL (so cJSON_ArrayForEach walks nothing). */
static const cJSON *jarr(const cJSON *o, const char *key)
{
	const cJSON *v = jget(o, key);

	return cJSON_IsArray(v) ? v : NULL;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = jget(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *jdup(const cJSON *o, const char *key)
{
	const char *s = jstr(o, key);

	return s ? lg_xstrdup(s) : NULL;
}

/* A number field; def when absent; a note when of another type. */
static double jnum(const struct pctx *c, const cJSON *o, const char *key,
		   double def)
{
	const cJSON *v = jget(o, key);

	if (!v || cJSON_IsNull(v))
		return def;
	if (cJSON_IsNumber(v))
		return v->valuedouble;
	note(c, "field '%s' is not a number", key);
	return def;
}

static int jint(const struct pctx *c, const cJSON *o, const char *key, int def)
{
	double d = jnum(c, o, key, def);

	if (d < -2147483648.0 || d > 2147483647.0)
		return def;
	return (int)d;
}

/* A duration field in seconds; -1 when absent; a note when malformed. */
static double jdur(const struct pctx *c, const cJSON *o, const char *key)
{
	const cJSON *v = jget(o, key);
	double d;

	if (!v)
		return -1;
	d = cJSON_IsString(v) ? lg_mesh_duration(v->valuestring) : -1;
	if (d < 0)
		note(c, "field '%s' is not a duration", key);
	return d;
}

/* A percentage object {value: N}; def when absent. */
static double jpct(const struct pctx *c, const cJSON *o, const char *key,
		   double def)
{
	const cJSON *v = jget(o, key);

	if (!v)
		return def;
	return jnum(c, v, "value", 0);
}

/* Copy an array of strings; each through map (may be NULL). */
static size_t jstrv(const cJSON *arr, char ***out,
		    char *(*map)(const char *s, const char *ns), const char *ns)
{
	const cJSON *it;
	size_t n = 0;

	*out = NULL;
	if (!cJSON_IsArray(arr))
		return 0;
	*out = lg_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it))
			continue;
		(*out)[n++] = map ? map(it->valuestring, ns)
				  : lg_xstrdup(it->valuestring);
	}
	return n;
}

static void jlabels(const cJSON *o, struct lg_mesh_labels *l)
{
	const cJSON *it;
	size_t n = 0;

	memset(l, 0, sizeof(*l));
	if (!cJSON_IsObject(o))
		return;
	cJSON_ArrayForEach(it, o) n++;
	l->keys = lg_xcalloc(n + 1, sizeof(char *));
	l->values = lg_xcalloc(n + 1, sizeof(char *));
	cJSON_ArrayForEach(it, o)
	{
		if (!cJSON_IsString(it) || !it->string)
			continue;
		l->keys[l->n] = lg_xstrdup(it->string);
		l->values[l->n++] = lg_xstrdup(it->valuestring);
	}
}

static void note(const struct pctx *c, const char *fmt, ...)
{
	struct lg_mesh *m = c->m;
	struct lg_mesh_note *n;
	va_list ap;

	m->notes = lg_mesh_grow(m->notes, &m->anotes, m->nnotes, sizeof(*n));
	n = &m->notes[m->nnotes++];
	memset(n, 0, sizeof(*n));
	n->kind = lg_xstrdup(c->kind);
	n->meta.ns = lg_xstrdup(c->meta->ns);
	n->meta.name = lg_xstrdup(c->meta->name);
	n->meta.created = lg_xstrdup("");
	va_start(ap, fmt);
	n->message = lg_xvasprintf(fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Helpers shared with the query files.                                 */

void *lg_mesh_grow(void *p, size_t *alloc, size_t n, size_t size)
{
	if (n < *alloc)
		return p;
	*alloc = *alloc ? 2 * *alloc : 4;
	return lg_xrealloc(p, *alloc * size);
}

char *lg_mesh_fqdn(const char *host, const char *ns)
{
	if (!host)
		return lg_xstrdup("");
	if (strcmp(host, "*") == 0 || strchr(host, '.'))
		return lg_xstrdup(host);
	return lg_xasprintf("%s.%s.svc.cluster.local", host,
			    ns ? ns : "default");
}

/* Unit multipliers, longest first so "ms" is not read as "m" then "s". */
static const struct {
	const char *unit;
	double mult;
} dur_units[] = {
    {"ns", 1e-9}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6}, {"\xce\xbcs", 1e-6},
    {"ms", 1e-3}, {"s", 1},	{"m", 60},	     {"h", 3600},
};

/* One "<number><unit>" element; advances *p. -1 when malformed. */
static double dur_element(const char **p)
{
	const char *s = *p, *q = *p;
	char num[32];
	size_t i, len;

	while (isdigit((unsigned char)*q))
		q++;
	if (*q == '.')
		for (q++; isdigit((unsigned char)*q); q++)
			;
	len = (size_t)(q - s);
	if (len == 0 || len >= sizeof(num) || (len == 1 && *s == '.'))
		return -1;
	memcpy(num, s, len);
	num[len] = '\0';
	for (i = 0; i < LG_ARRAY_SIZE(dur_units); i++) {
		size_t ul = strlen(dur_units[i].unit);

		if (strncmp(q, dur_units[i].unit, ul) == 0) {
			*p = q + ul;
			return strtod(num, NULL) * dur_units[i].mult;
		}
	}
	return -1;
}

double lg_mesh_duration(const char *text)
{
	const char *p = text;
	double total = 0;

	if (!text || !*text)
		return -1;
	if (strcmp(text, "0") == 0)
		return 0;
	while (*p) {
		double d = dur_element(&p);

		if (d < 0)
			return -1;
		total += d;
	}
	return total;
}

/* A gateway reference as Istio resolves it: "name" is in the VS's ns. */
static char *gateway_ref(const char *gw, const char *ns)
{
	const char *dot;

	if (strcmp(gw, "mesh") == 0 || strchr(gw, '/'))
		return lg_xstrdup(gw);
	dot = strchr(gw, '.');
	if (dot) { /* legacy "name.ns.svc.cluster.local" */
		const char *end = strchr(dot + 1, '.');
		size_t nl = end ? (size_t)(end - dot - 1) : strlen(dot + 1);

		return lg_xasprintf("%.*s/%.*s", (int)nl, dot + 1,
				    (int)(dot - gw), gw);
	}
	return lg_xasprintf("%s/%s", ns, gw);
}

/* ------------------------------------------------------------------ */
/* VirtualService.                                                      */

static void parse_strmatch(const cJSON *o, struct lg_mesh_strmatch *sm)
{
	static const struct {
		const char *key;
		enum lg_mesh_strmatch_kind kind;
	} kinds[] = {
	    {"exact", LG_MESH_MATCH_EXACT},
	    {"prefix", LG_MESH_MATCH_PREFIX},
	    {"regex", LG_MESH_MATCH_REGEX},
	};
	size_t i;

	memset(sm, 0, sizeof(*sm));
	for (i = 0; i < LG_ARRAY_SIZE(kinds); i++) {
		const char *v = jstr(o, kinds[i].key);

		if (v) {
			sm->kind = kinds[i].kind;
			sm->value = lg_xstrdup(v);
			return;
		}
	}
}

static void parse_headers(const cJSON *o, bool negate, struct lg_mesh_match *mt)
{
	const cJSON *it;
	size_t n = 0;

	if (!cJSON_IsObject(o))
		return;
	cJSON_ArrayForEach(it, o) n++;
	mt->headers = lg_xrealloc(mt->headers, (mt->nheaders + n + 1) *
						   sizeof(*mt->headers));
	cJSON_ArrayForEach(it, o)
	{
		struct lg_mesh_header_match *h = &mt->headers[mt->nheaders++];
		char *q;

		h->name = lg_xstrdup(it->string ? it->string : "");
		for (q = h->name; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		parse_strmatch(it, &h->m);
		h->negate = negate;
	}
}

static void parse_match(const cJSON *o, struct lg_mesh_match *mt)
{
	static const char *const known[] = {"name", "headers", "withoutHeaders",
					    "uri"};
	const cJSON *it;
	size_t i;

	memset(mt, 0, sizeof(*mt));
	mt->name = jdup(o, "name");
	parse_headers(jget(o, "headers"), false, mt);
	parse_headers(jget(o, "withoutHeaders"), true, mt);
	parse_strmatch(jget(o, "uri"), &mt->uri);
	if (!cJSON_IsObject(o))
		return;
	cJSON_ArrayForEach(it, o)
	{
		for (i = 0; i < LG_ARRAY_SIZE(known); i++)
			if (it->string && strcmp(it->string, known[i]) == 0)
				break;
		/* ignoreUriCase: false changes nothing; anything else the
		 * model does not evaluate. */
		if (i == LG_ARRAY_SIZE(known) &&
		    !(it->string && strcmp(it->string, "ignoreUriCase") == 0 &&
		      cJSON_IsFalse(it)))
			mt->unjudged = true;
	}
}

static void parse_dest(const struct pctx *c, const cJSON *d,
		       struct lg_mesh_dest *out)
{
	memset(out, 0, sizeof(*out));
	out->host = lg_mesh_fqdn(jstr(d, "host"), c->meta->ns);
	out->subset = jdup(d, "subset");
	out->port = (unsigned)jint(c, jget(d, "port"), "number", 0);
	out->weight = LG_MESH_UNSET;
}

static void parse_routes(const struct pctx *c, const cJSON *arr,
			 struct lg_mesh_http *h)
{
	const cJSON *it;

	if (!cJSON_IsArray(arr))
		return;
	h->routes =
	    lg_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*h->routes));
	cJSON_ArrayForEach(it, arr)
	{
		struct lg_mesh_dest *d = &h->routes[h->nroutes++];

		parse_dest(c, jget(it, "destination"), d);
		d->weight = jint(c, it, "weight", LG_MESH_UNSET);
	}
}

/* A fault percentage: `percentage` wins; else the deprecated `percent`. */
static double fault_pct(const struct pctx *c, const cJSON *o, bool *depr)
{
	if (jget(o, "percentage"))
		return jpct(c, o, "percentage", 0);
	if (jget(o, "percent")) {
		*depr = true;
		return jnum(c, o, "percent", 0);
	}
	return 0;
}

static void parse_fault(const struct pctx *c, const cJSON *o,
			struct lg_mesh_fault *f)
{
	const cJSON *delay = jget(o, "delay"), *abort_ = jget(o, "abort");

	memset(f, 0, sizeof(*f));
	if (cJSON_IsObject(delay)) {
		f->has_delay = true;
		f->delay_s = jdur(c, delay, "fixedDelay");
		f->delay_pct = fault_pct(c, delay, &f->deprecated_percent);
	}
	if (cJSON_IsObject(abort_)) {
		f->has_abort = true;
		f->abort_status = jint(c, abort_, "httpStatus", 0);
		f->abort_pct = fault_pct(c, abort_, &f->deprecated_percent);
	}
}

static void add_mirror(struct lg_mesh_http *h, const struct pctx *c,
		       const cJSON *dest, double pct, bool depr)
{
	struct lg_mesh_mirror *mr;

	h->mirrors =
	    lg_xrealloc(h->mirrors, (h->nmirrors + 1) * sizeof(*h->mirrors));
	mr = &h->mirrors[h->nmirrors++];
	parse_dest(c, dest, &mr->dest);
	mr->pct = pct;
	mr->deprecated_percent = depr;
}

static void parse_mirrors(const struct pctx *c, const cJSON *o,
			  struct lg_mesh_http *h)
{
	const cJSON *it;

	if (cJSON_IsObject(jget(o, "mirror"))) {
		if (jget(o, "mirrorPercentage"))
			add_mirror(h, c, jget(o, "mirror"),
				   jpct(c, o, "mirrorPercentage", 100), false);
		else if (jget(o, "mirrorPercent"))
			add_mirror(h, c, jget(o, "mirror"),
				   jnum(c, o, "mirrorPercent", 100), true);
		else
			add_mirror(h, c, jget(o, "mirror"), 100, false);
	}
	cJSON_ArrayForEach(it, jarr(o, "mirrors"))
	    add_mirror(h, c, jget(it, "destination"),
		       jpct(c, it, "percentage", 100), false);
}

static void parse_http(const struct pctx *c, const cJSON *o,
		       struct lg_mesh_http *h)
{
	const cJSON *it, *retries = jget(o, "retries");

	memset(h, 0, sizeof(*h));
	h->name = jdup(o, "name");
	if (cJSON_IsArray(jget(o, "match"))) {
		h->matches =
		    lg_xcalloc((size_t)cJSON_GetArraySize(jget(o, "match")) + 1,
			       sizeof(*h->matches));
		cJSON_ArrayForEach(it, jget(o, "match"))
		    parse_match(it, &h->matches[h->nmatches++]);
	}
	parse_routes(c, jget(o, "route"), h);
	h->has_fault = cJSON_IsObject(jget(o, "fault"));
	if (h->has_fault)
		parse_fault(c, jget(o, "fault"), &h->fault);
	parse_mirrors(c, o, h);
	h->timeout_s = jdur(c, o, "timeout");
	h->retry_attempts = jint(c, retries, "attempts", LG_MESH_UNSET);
	h->retry_per_try_s = jdur(c, retries, "perTryTimeout");
	h->has_redirect = jget(o, "redirect") || jget(o, "directResponse");
}

static void parse_vs(const struct pctx *c, const cJSON *spec,
		     struct lg_mesh_vs *vs)
{
	const cJSON *it;
	size_t i;

	vs->nhosts =
	    jstrv(jget(spec, "hosts"), &vs->hosts, lg_mesh_fqdn, vs->meta.ns);
	vs->ngateways = jstrv(jget(spec, "gateways"), &vs->gateways,
			      gateway_ref, vs->meta.ns);
	vs->nexport_to =
	    jstrv(jget(spec, "exportTo"), &vs->export_to, NULL, NULL);
	vs->for_mesh = vs->ngateways == 0;
	for (i = 0; i < vs->ngateways; i++)
		if (strcmp(vs->gateways[i], "mesh") == 0)
			vs->for_mesh = true;
	if (!cJSON_IsArray(jget(spec, "http")))
		return;
	vs->http =
	    lg_xcalloc((size_t)cJSON_GetArraySize(jget(spec, "http")) + 1,
		       sizeof(*vs->http));
	cJSON_ArrayForEach(it, jget(spec, "http"))
	    parse_http(c, it, &vs->http[vs->nhttp++]);
}

/* ------------------------------------------------------------------ */
/* DestinationRule.                                                     */

static void parse_policy(const struct pctx *c, const cJSON *o,
			 struct lg_mesh_policy *p)
{
	const cJSON *cp = jget(o, "connectionPool");
	const cJSON *tcp = jget(cp, "tcp"), *http = jget(cp, "http");
	const cJSON *od = jget(o, "outlierDetection");

	memset(p, 0, sizeof(*p));
	p->has_pool = cJSON_IsObject(cp);
	p->pool.max_connections = jint(c, tcp, "maxConnections", -1);
	p->pool.http1_max_pending =
	    jint(c, http, "http1MaxPendingRequests", -1);
	p->pool.http2_max_requests = jint(c, http, "http2MaxRequests", -1);
	p->pool.max_requests_per_conn =
	    jint(c, http, "maxRequestsPerConnection", -1);
	p->pool.max_retries = jint(c, http, "maxRetries", -1);
	p->has_outlier = cJSON_IsObject(od);
	p->outlier.consecutive_5xx = jint(c, od, "consecutive5xxErrors", -1);
	p->outlier.consecutive_gateway =
	    jint(c, od, "consecutiveGatewayErrors", -1);
	p->outlier.consecutive_errors = jint(c, od, "consecutiveErrors", -1);
	p->outlier.interval_s = jdur(c, od, "interval");
	p->outlier.base_ejection_s = jdur(c, od, "baseEjectionTime");
	p->outlier.max_ejection_pct = jint(c, od, "maxEjectionPercent", -1);
}

static void parse_dr(const struct pctx *c, const cJSON *spec,
		     struct lg_mesh_dr *dr)
{
	const cJSON *it, *subsets = jget(spec, "subsets");

	dr->host = lg_mesh_fqdn(jstr(spec, "host"), dr->meta.ns);
	dr->has_policy = cJSON_IsObject(jget(spec, "trafficPolicy"));
	parse_policy(c, jget(spec, "trafficPolicy"), &dr->policy);
	dr->nexport_to =
	    jstrv(jget(spec, "exportTo"), &dr->export_to, NULL, NULL);
	dr->has_workload_selector = jget(spec, "workloadSelector") != NULL;
	if (!cJSON_IsArray(subsets))
		return;
	dr->subsets = lg_xcalloc((size_t)cJSON_GetArraySize(subsets) + 1,
				 sizeof(*dr->subsets));
	cJSON_ArrayForEach(it, subsets)
	{
		struct lg_mesh_subset *s = &dr->subsets[dr->nsubsets++];

		s->name = lg_xstrdup(jstr(it, "name") ? jstr(it, "name") : "");
		jlabels(jget(it, "labels"), &s->labels);
		s->has_policy = cJSON_IsObject(jget(it, "trafficPolicy"));
		parse_policy(c, jget(it, "trafficPolicy"), &s->policy);
	}
}

/* ------------------------------------------------------------------ */
/* Gateways, HTTPRoutes, Pods.                                          */

static void parse_gateway(const struct pctx *c, const cJSON *spec,
			  struct lg_mesh_gateway *g)
{
	const cJSON *it, *servers = jget(spec, "servers");

	jlabels(jget(spec, "selector"), &g->selector);
	if (!cJSON_IsArray(servers))
		return;
	g->servers = lg_xcalloc((size_t)cJSON_GetArraySize(servers) + 1,
				sizeof(*g->servers));
	cJSON_ArrayForEach(it, servers)
	{
		struct lg_mesh_server *s = &g->servers[g->nservers++];

		s->port = (unsigned)jint(c, jget(it, "port"), "number", 0);
		s->protocol = jdup(jget(it, "port"), "protocol");
		s->nhosts = jstrv(jget(it, "hosts"), &s->hosts, NULL, NULL);
	}
}

static void parse_kgateway(const struct pctx *c, const cJSON *spec,
			   struct lg_mesh_kgateway *g)
{
	const cJSON *it, *ls = jget(spec, "listeners");

	g->class_name = jdup(spec, "gatewayClassName");
	if (!cJSON_IsArray(ls))
		return;
	g->listeners = lg_xcalloc((size_t)cJSON_GetArraySize(ls) + 1,
				  sizeof(*g->listeners));
	cJSON_ArrayForEach(it, ls)
	{
		struct lg_mesh_listener *l = &g->listeners[g->nlisteners++];
		const char *from =
		    jstr(jget(jget(it, "allowedRoutes"), "namespaces"), "from");

		l->name = jdup(it, "name");
		l->hostname = jdup(it, "hostname");
		l->port = (unsigned)jint(c, it, "port", 0);
		l->protocol = jdup(it, "protocol");
		l->from_all = from && strcmp(from, "All") == 0;
	}
}

static void parse_hrule(const struct pctx *c, const cJSON *o,
			struct lg_mesh_hrule *r)
{
	const cJSON *it;
	const cJSON *ms = jarr(o, "matches"), *bs = jarr(o, "backendRefs");

	r->paths =
	    lg_xcalloc((size_t)cJSON_GetArraySize(ms) + 1, sizeof(*r->paths));
	cJSON_ArrayForEach(it, ms)
	{
		const cJSON *p = jget(it, "path");
		struct lg_mesh_path_match *pm = &r->paths[r->npaths++];

		pm->type = lg_xstrdup(jstr(p, "type") ? jstr(p, "type")
						      : "PathPrefix");
		pm->value =
		    lg_xstrdup(jstr(p, "value") ? jstr(p, "value") : "/");
	}
	r->backends = lg_xcalloc((size_t)cJSON_GetArraySize(bs) + 1,
				 sizeof(*r->backends));
	cJSON_ArrayForEach(it, bs)
	{
		struct lg_mesh_backend *b = &r->backends[r->nbackends++];
		const char *bns = jstr(it, "namespace");

		b->host =
		    lg_mesh_fqdn(jstr(it, "name"), bns ? bns : c->meta->ns);
		b->port = (unsigned)jint(c, it, "port", 0);
		b->weight = jint(c, it, "weight", 1);
	}
}

static void parse_httproute(const struct pctx *c, const cJSON *spec,
			    struct lg_mesh_httproute *r)
{
	const cJSON *it, *ps = jarr(spec, "parentRefs");
	const cJSON *rules = jarr(spec, "rules");

	r->nhostnames =
	    jstrv(jget(spec, "hostnames"), &r->hostnames, NULL, NULL);
	r->parents =
	    lg_xcalloc((size_t)cJSON_GetArraySize(ps) + 1, sizeof(*r->parents));
	cJSON_ArrayForEach(it, ps)
	{
		struct lg_mesh_parent_ref *p = &r->parents[r->nparents++];
		const char *pns = jstr(it, "namespace");

		p->ns = lg_xstrdup(pns ? pns : r->meta.ns);
		p->name = jdup(it, "name");
		p->section = jdup(it, "sectionName");
	}
	r->rules = lg_xcalloc((size_t)cJSON_GetArraySize(rules) + 1,
			      sizeof(*r->rules));
	cJSON_ArrayForEach(it, rules)
	    parse_hrule(c, it, &r->rules[r->nrules++]);
}

/* ------------------------------------------------------------------ */
/* Dispatch.                                                            */

/* Append a zeroed element to one of the mesh's arrays; return it. */
#define MESH_PUSH(m, arr, n, a)                                                \
	((m)->arr =                                                            \
	     lg_mesh_grow((m)->arr, &(m)->a, (m)->n, sizeof(*(m)->arr)),       \
	 memset(&(m)->arr[(m)->n], 0, sizeof(*(m)->arr)), &(m)->arr[(m)->n++])

static void add_vs(struct lg_mesh *m, const cJSON *spec,
		   const struct lg_mesh_meta *meta)
{
	struct lg_mesh_vs *vs = MESH_PUSH(m, vs, nvs, avs);
	struct pctx c = {m, "VirtualService", &vs->meta};

	vs->meta = *meta;
	parse_vs(&c, spec, vs);
}

static void add_dr(struct lg_mesh *m, const cJSON *spec,
		   const struct lg_mesh_meta *meta)
{
	struct lg_mesh_dr *dr = MESH_PUSH(m, dr, ndr, adr);
	struct pctx c = {m, "DestinationRule", &dr->meta};

	dr->meta = *meta;
	parse_dr(&c, spec, dr);
}

static void add_gw(struct lg_mesh *m, const cJSON *spec,
		   const struct lg_mesh_meta *meta)
{
	struct lg_mesh_gateway *g = MESH_PUSH(m, gw, ngw, agw);
	struct pctx c = {m, "Gateway", &g->meta};

	g->meta = *meta;
	parse_gateway(&c, spec, g);
}

static void add_kgw(struct lg_mesh *m, const cJSON *spec,
		    const struct lg_mesh_meta *meta)
{
	struct lg_mesh_kgateway *g = MESH_PUSH(m, kgw, nkgw, akgw);
	struct pctx c = {m, "Gateway", &g->meta};

	g->meta = *meta;
	parse_kgateway(&c, spec, g);
}

static void add_hr(struct lg_mesh *m, const cJSON *spec,
		   const struct lg_mesh_meta *meta)
{
	struct lg_mesh_httproute *r = MESH_PUSH(m, hr, nhr, ahr);
	struct pctx c = {m, "HTTPRoute", &r->meta};

	r->meta = *meta;
	parse_httproute(&c, spec, r);
	lg_mesh_add_gamma(m, spec, meta);
}

/* Pods are read for their labels only; spec is unused. */
static void add_pod(struct lg_mesh *m, const cJSON *labels,
		    const struct lg_mesh_meta *meta)
{
	struct lg_mesh_pod *p = MESH_PUSH(m, pods, npods, apods);

	p->meta = *meta;
	jlabels(labels, &p->labels);
	m->pods_known = true;
}

/* The kinds the model reads: API group (before the '/'), kind, reader. */
static const struct kind_entry {
	const char *group; /* "" is the core group ("v1") */
	const char *kind;
	void (*add)(struct lg_mesh *m, const cJSON *spec,
		    const struct lg_mesh_meta *meta);
	bool wants_labels; /* gets metadata.labels instead of spec */
} kinds[] = {
    {"networking.istio.io", "VirtualService", add_vs, false},
    {"networking.istio.io", "DestinationRule", add_dr, false},
    {"networking.istio.io", "Gateway", add_gw, false},
    {"gateway.networking.k8s.io", "Gateway", add_kgw, false},
    {"gateway.networking.k8s.io", "HTTPRoute", add_hr, false},
    {"", "Pod", add_pod, true},
};

static const struct kind_entry *classify(const char *kind, const char *api)
{
	const char *slash = api ? strchr(api, '/') : NULL;
	size_t gl = slash ? (size_t)(slash - api) : 0;
	size_t i;

	for (i = 0; api && i < LG_ARRAY_SIZE(kinds); i++) {
		if (strcmp(kind, kinds[i].kind) != 0 ||
		    strlen(kinds[i].group) != gl)
			continue;
		if (strncmp(api, kinds[i].group, gl) == 0)
			return &kinds[i];
	}
	return NULL;
}

static void read_meta(const cJSON *obj, const char *default_ns,
		      struct lg_mesh_meta *meta)
{
	const cJSON *md = jget(obj, "metadata");
	const char *ns = jstr(md, "namespace");
	const char *ts = jstr(md, "creationTimestamp");

	meta->ns = lg_xstrdup(ns ? ns : default_ns ? default_ns : "default");
	meta->name = lg_xstrdup(jstr(md, "name"));
	meta->created = lg_xstrdup(ts ? ts : "");
}

/* kind and api come from the list when its items carry none. */
static enum lg_err add_object(struct lg_mesh *m, const cJSON *obj,
			      const char *kind, const char *api,
			      const char *default_ns, struct lg_error *err)
{
	struct lg_mesh_meta meta = {NULL, NULL, NULL};
	const struct kind_entry *k;

	if (!cJSON_IsObject(obj))
		return lg_errorf(err, LG_EPARSE, "object expected");
	if (jstr(obj, "kind"))
		kind = jstr(obj, "kind");
	if (jstr(obj, "apiVersion"))
		api = jstr(obj, "apiVersion");
	if (!kind || !jstr(jget(obj, "metadata"), "name"))
		return lg_errorf(err, LG_EPARSE,
				 "object without kind or metadata.name");
	k = classify(kind, api);
	if (!k)
		return LG_ENOTFOUND;
	read_meta(obj, default_ns, &meta);
	k->add(m,
	       k->wants_labels ? jget(jget(obj, "metadata"), "labels")
			       : jget(obj, "spec"),
	       &meta);
	return LG_OK;
}

enum lg_err lg_mesh_add_object_ns(struct lg_mesh *m, const cJSON *obj,
				  const char *default_ns, struct lg_error *err)
{
	return add_object(m, obj, NULL, NULL, default_ns, err);
}

enum lg_err lg_mesh_add_object(struct lg_mesh *m, const cJSON *obj)
{
	return add_object(m, obj, NULL, NULL, NULL, NULL);
}

enum lg_err lg_mesh_add_list(struct lg_mesh *m, const cJSON *list,
			     const char *default_ns, struct lg_error *err)
{
	const cJSON *items = cJSON_IsArray(list) ? list : jget(list, "items");
	const char *lkind = jstr(list, "kind");
	char *kind = NULL;
	const cJSON *it;
	enum lg_err rc = LG_OK;
	size_t kl = lkind ? strlen(lkind) : 0;

	if (!cJSON_IsArray(items))
		return lg_errorf(err, LG_EPARSE, "list without items");
	/* "PodList" -> "Pod": list items from the API carry no kind. */
	if (kl > 4 && strcmp(lkind + kl - 4, "List") == 0)
		kind = lg_xstrndup(lkind, kl - 4);
	if (kind && strcmp(kind, "Pod") == 0)
		m->pods_known = true;
	cJSON_ArrayForEach(it, items)
	{
		rc = add_object(m, it, kind, jstr(list, "apiVersion"),
				default_ns, err);
		if (rc == LG_ENOTFOUND)
			rc = LG_OK;
		if (rc != LG_OK)
			break;
	}
	free(kind);
	return rc;
}

void lg_mesh_set_pods_known(struct lg_mesh *m)
{
	m->pods_known = true;
}

void lg_mesh_init(struct lg_mesh *m)
{
	memset(m, 0, sizeof(*m));
}

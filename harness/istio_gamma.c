/* SPDX-License-Identifier: MIT */
/* istio_gamma.c: Gateway API HTTPRoutes bound to a Service (GAMMA), as the
 * mesh VirtualServices Istio 1.24 makes of them for sidecars. */
#include <stdlib.h>
#include <string.h>

#include "istio.h"
#include "istio_int.h"

static const char *gstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *garr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsArray(v) ? v : NULL;
}

static int gint(const cJSON *o, const char *key, int def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (int)v->valuedouble : def;
}

/* A parentRef of kind Service (group "" or absent). */
static bool is_service_ref(const cJSON *p)
{
	const char *kind = gstr(p, "kind"), *group = gstr(p, "group");

	return kind && strcmp(kind, "Service") == 0 && gstr(p, "name") &&
	       (!group || !*group || strcmp(group, "core") == 0);
}

static void strmatch_of(const cJSON *o, struct lg_mesh_strmatch *sm,
			bool *unjudged)
{
	const char *type = gstr(o, "type"), *value = gstr(o, "value");

	if (!value)
		return;
	sm->value = lg_xstrdup(value);
	if (!type || strcmp(type, "Exact") == 0)
		sm->kind = LG_MESH_MATCH_EXACT;
	else if (strcmp(type, "PathPrefix") == 0)
		sm->kind = LG_MESH_MATCH_PREFIX;
	else if (strcmp(type, "RegularExpression") == 0)
		sm->kind = LG_MESH_MATCH_REGEX;
	else
		*unjudged = true;
}

/* A path match; PathPrefix "/" (the default) matches every request. */
static void path_of(const cJSON *path, struct lg_mesh_match *mt)
{
	const char *type = gstr(path, "type"), *value = gstr(path, "value");

	if (!path || (value && strcmp(value, "/") == 0 &&
		      (!type || strcmp(type, "PathPrefix") == 0)))
		return;
	strmatch_of(path, &mt->uri, &mt->unjudged);
}

/* One HTTPRouteMatch: path, headers; anything else is not judged. */
static void match_of(const cJSON *o, struct lg_mesh_match *mt)
{
	const cJSON *hs = garr(o, "headers"), *it;

	memset(mt, 0, sizeof(*mt));
	mt->headers = lg_xcalloc((size_t)cJSON_GetArraySize(hs) + 1,
				 sizeof(*mt->headers));
	cJSON_ArrayForEach(it, hs)
	{
		struct lg_mesh_header_match *h = &mt->headers[mt->nheaders++];
		char *q;

		h->name = lg_xstrdup(gstr(it, "name") ? gstr(it, "name") : "");
		for (q = h->name; *q; q++)
			*q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
		strmatch_of(it, &h->m, &mt->unjudged);
	}
	path_of(cJSON_GetObjectItemCaseSensitive(o, "path"), mt);
	if (garr(o, "queryParams") ||
	    cJSON_GetObjectItemCaseSensitive(o, "method"))
		mt->unjudged = true;
}

static void rule_of(const cJSON *o, const char *ns, struct lg_mesh_http *h)
{
	const cJSON *ms = garr(o, "matches"), *bs = garr(o, "backendRefs");
	const cJSON *it;

	memset(h, 0, sizeof(*h));
	h->timeout_s = -1;
	h->retry_attempts = LG_MESH_UNSET;
	h->retry_per_try_s = -1;
	h->matches =
	    lg_xcalloc((size_t)cJSON_GetArraySize(ms) + 1, sizeof(*h->matches));
	cJSON_ArrayForEach(it, ms) match_of(it, &h->matches[h->nmatches++]);
	h->routes =
	    lg_xcalloc((size_t)cJSON_GetArraySize(bs) + 1, sizeof(*h->routes));
	cJSON_ArrayForEach(it, bs)
	{
		struct lg_mesh_dest *d = &h->routes[h->nroutes++];
		const char *bns = gstr(it, "namespace");

		d->host = lg_mesh_fqdn(gstr(it, "name") ? gstr(it, "name") : "",
				       bns ? bns : ns);
		d->port = (unsigned)gint(it, "port", 0);
		d->weight = gint(it, "weight", 1);
	}
}

static void meta_copy(struct lg_mesh_meta *to, const struct lg_mesh_meta *from)
{
	to->ns = lg_xstrdup(from->ns);
	to->name = lg_xstrdup(from->name);
	to->created = lg_xstrdup(from->created ? from->created : "");
}

/* The Service hosts of the parentRefs; true when the route is a producer
 * route (every parent in the route's own namespace). */
static bool parent_hosts(const cJSON *ps, const char *ns, struct lg_mesh_vs *vs)
{
	const cJSON *it;
	bool producer = true;

	vs->hosts =
	    lg_xcalloc((size_t)cJSON_GetArraySize(ps) + 1, sizeof(*vs->hosts));
	cJSON_ArrayForEach(it, ps)
	{
		const char *pns = gstr(it, "namespace");

		if (!is_service_ref(it))
			continue;
		producer &= !pns || strcmp(pns, ns) == 0;
		vs->hosts[vs->nhosts++] =
		    lg_mesh_fqdn(gstr(it, "name"), pns ? pns : ns);
	}
	return producer;
}

/*
 * Gateway API orders rules by the precedence of their matches, not as
 * written: a rule with matches beats a catch-all. A stable move of the
 * catch-alls to the end is that order for the rules students write.
 */
static void matched_first(struct lg_mesh_vs *vs)
{
	size_t i, j;

	for (i = 1; i < vs->nhttp; i++) {
		struct lg_mesh_http h = vs->http[i];

		if (h.nmatches == 0)
			continue;
		for (j = i; j > 0 && vs->http[j - 1].nmatches == 0; j--)
			vs->http[j] = vs->http[j - 1];
		vs->http[j] = h;
	}
}

void lg_mesh_add_gamma(struct lg_mesh *m, const cJSON *spec,
		       const struct lg_mesh_meta *meta)
{
	const cJSON *rules = garr(spec, "rules"), *it;
	struct lg_mesh_vs vs;

	memset(&vs, 0, sizeof(vs));
	vs.for_mesh = true;
	vs.from_httproute = true;
	if (!parent_hosts(garr(spec, "parentRefs"), meta->ns, &vs)) {
		vs.export_to = lg_xcalloc(2, sizeof(*vs.export_to));
		vs.export_to[vs.nexport_to++] = lg_xstrdup(".");
	}
	if (vs.nhosts == 0) {
		free(vs.hosts);
		free(vs.export_to);
		return;
	}
	meta_copy(&vs.meta, meta);
	vs.http =
	    lg_xcalloc((size_t)cJSON_GetArraySize(rules) + 1, sizeof(*vs.http));
	cJSON_ArrayForEach(it, rules)
	    rule_of(it, meta->ns, &vs.http[vs.nhttp++]);
	matched_first(&vs);
	m->vs = lg_mesh_grow(m->vs, &m->avs, m->nvs, sizeof(*m->vs));
	m->vs[m->nvs++] = vs;
}

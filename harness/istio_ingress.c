/* SPDX-License-Identifier: MIT */
/* istio_ingress.c: which gateway and route take a request from outside. */
#include <stdlib.h>
#include <string.h>

#include "istio.h"
#include "istio_int.h"

bool lg_mesh_server_has_host(const struct lg_mesh_server *s, const char *host)
{
	size_t i;

	for (i = 0; i < s->nhosts; i++) {
		const char *h = strchr(s->hosts[i], '/');

		h = h ? h + 1 : s->hosts[i];
		if (lg_mesh_host_matches(h, host) ||
		    lg_mesh_host_matches(host, h))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Gateway API.                                                         */

static bool listener_takes(const struct lg_mesh_listener *l, const char *host,
			   unsigned port)
{
	if (port && l->port != port)
		return false;
	return !l->hostname || lg_mesh_host_matches(l->hostname, host);
}

static bool route_binds(const struct lg_mesh_httproute *r,
			const struct lg_mesh_kgateway *g,
			const struct lg_mesh_listener *l)
{
	size_t i;

	/* allowedRoutes defaults to routes of the Gateway's namespace. */
	if (!l->from_all && strcmp(r->meta.ns, g->meta.ns) != 0)
		return false;
	for (i = 0; i < r->nparents; i++) {
		const struct lg_mesh_parent_ref *p = &r->parents[i];

		if (p->name && strcmp(p->ns, g->meta.ns) == 0 &&
		    strcmp(p->name, g->meta.name) == 0 &&
		    (!p->section || (l->name && !strcmp(p->section, l->name))))
			return true;
	}
	return false;
}

static bool route_has_host(const struct lg_mesh_httproute *r, const char *host)
{
	size_t i;

	for (i = 0; i < r->nhostnames; i++)
		if (lg_mesh_host_matches(r->hostnames[i], host))
			return true;
	return r->nhostnames == 0;
}

/* PathPrefix matches whole path elements: /static, not /staticx. */
static long prefix_score(const char *value, const char *path)
{
	size_t vl = strlen(value);

	while (vl > 1 && value[vl - 1] == '/')
		vl--;
	if (strncmp(value, path, vl) != 0)
		return -1;
	if (vl > 1 && path[vl] != '\0' && path[vl] != '/')
		return -1;
	return (long)vl + 1;
}

/*
 * How specifically a path match takes path: -1 no; Exact beats any
 * prefix, a longer prefix beats a shorter one, a regex comes last.
 */
static long path_score(const struct lg_mesh_path_match *pm, const char *path)
{
	if (strcmp(pm->type, "Exact") == 0)
		return strcmp(pm->value, path) == 0 ? 1L << 20 : -1;
	if (strcmp(pm->type, "RegularExpression") == 0)
		return lg_mesh_regex_full(pm->value, path) == 1 ? 0 : -1;
	return prefix_score(pm->value, path);
}

static long rule_score(const struct lg_mesh_hrule *r, const char *path)
{
	long best = r->npaths ? -1 : 2; /* no match: PathPrefix "/" */
	size_t i;

	for (i = 0; i < r->npaths; i++) {
		long s = path_score(&r->paths[i], path);

		if (s > best)
			best = s;
	}
	return best;
}

static void take_backend(const struct lg_mesh_hrule *r,
			 struct lg_ingress_decision *out)
{
	size_t i;
	int best = -1;

	for (i = 0; i < r->nbackends; i++) {
		if (r->backends[i].weight <= best)
			continue;
		best = r->backends[i].weight;
		out->backend_host = r->backends[i].host;
		out->backend_port = r->backends[i].port;
	}
}

/* The best rule of route r for path; better than *best -> recorded. */
static void consider_route(const struct lg_mesh_httproute *r, const char *path,
			   long *best, struct lg_ingress_decision *out)
{
	size_t i;

	for (i = 0; i < r->nrules; i++) {
		long s = rule_score(&r->rules[i], path);

		/* Ties: the oldest route wins, as the Gateway API says. */
		if (s < 0 || s < *best ||
		    (s == *best &&
		     lg_mesh_meta_cmp(&out->route->meta, &r->meta) <= 0))
			continue;
		*best = s;
		out->route = r;
		out->rule = (int)i;
	}
}

static void kgateway_route(const struct lg_mesh *m,
			   const struct lg_mesh_kgateway *g,
			   const struct lg_mesh_listener *l, const char *host,
			   const char *path, struct lg_ingress_decision *out)
{
	long best = -1;
	size_t i;

	out->kgw = g;
	out->kind = LG_INGRESS_NO_ROUTE;
	out->route = NULL;
	for (i = 0; i < m->nhr; i++)
		if (route_binds(&m->hr[i], g, l) &&
		    route_has_host(&m->hr[i], host))
			consider_route(&m->hr[i], path, &best, out);
	if (!out->route)
		return;
	out->kind = LG_INGRESS_ROUTED;
	take_backend(&out->route->rules[out->rule], out);
}

static void gateway_api(const struct lg_mesh *m, const char *host,
			unsigned port, const char *path,
			struct lg_ingress_decision *out)
{
	size_t i, j;

	for (i = 0; i < m->nkgw && out->kind != LG_INGRESS_ROUTED; i++) {
		const struct lg_mesh_kgateway *g = &m->kgw[i];

		for (j = 0; j < g->nlisteners; j++) {
			if (!listener_takes(&g->listeners[j], host, port))
				continue;
			kgateway_route(m, g, &g->listeners[j], host, path, out);
			if (out->kind == LG_INGRESS_ROUTED)
				break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Istio Gateways and their VirtualServices.                            */

static bool gateway_takes(const struct lg_mesh_gateway *g, const char *host,
			  unsigned port)
{
	size_t i;

	for (i = 0; i < g->nservers; i++)
		if ((!port || g->servers[i].port == port) &&
		    lg_mesh_server_has_host(&g->servers[i], host))
			return true;
	return false;
}

static bool vs_binds(const struct lg_mesh_vs *vs,
		     const struct lg_mesh_gateway *g, const char *host)
{
	char *id = lg_xasprintf("%s/%s", g->meta.ns, g->meta.name);
	bool bound = false, has_host = false;
	size_t i;

	for (i = 0; i < vs->ngateways; i++)
		bound = bound || strcmp(vs->gateways[i], id) == 0;
	for (i = 0; i < vs->nhosts; i++)
		has_host = has_host || lg_mesh_host_matches(vs->hosts[i], host);
	free(id);
	return bound && has_host;
}

static bool has_pod(const struct lg_mesh *m, const struct lg_mesh_gateway *g)
{
	size_t i;

	for (i = 0; i < m->npods; i++)
		if (lg_mesh_labels_match(&g->selector, &m->pods[i].labels))
			return true;
	return false;
}

/* The first rule of vs that takes path; -1 when none does. */
static int vs_rule(const struct lg_mesh_vs *vs, const char *path)
{
	struct lg_mesh_request req = {path, NULL, 0};
	bool unjudged = false;
	size_t i;

	for (i = 0; i < vs->nhttp; i++)
		if (lg_mesh_rule_matches(&vs->http[i], &req, &unjudged))
			return (int)i;
	return -1;
}

static void take_dest(const struct lg_mesh_http *h,
		      struct lg_ingress_decision *out)
{
	size_t i;
	int best = -2;

	for (i = 0; i < h->nroutes; i++) {
		if (h->routes[i].weight <= best)
			continue;
		best = h->routes[i].weight;
		out->backend_host = h->routes[i].host;
		out->backend_subset = h->routes[i].subset;
		out->backend_port = h->routes[i].port;
	}
}

static void gateway_vs_route(const struct lg_mesh *m,
			     const struct lg_mesh_gateway *g, const char *host,
			     const char *path, struct lg_ingress_decision *out)
{
	const struct lg_mesh_vs *best = NULL;
	int rule = -1;
	size_t i;

	out->gw = g;
	out->kind = LG_INGRESS_NO_ROUTE;
	out->no_gateway_pod = m->pods_known && !has_pod(m, g);
	/* Gateways merge their VirtualServices oldest first. */
	for (i = 0; i < m->nvs; i++) {
		const struct lg_mesh_vs *vs = &m->vs[i];
		int r;

		if (!vs_binds(vs, g, host) ||
		    (best && lg_mesh_meta_cmp(&best->meta, &vs->meta) < 0))
			continue;
		r = vs_rule(vs, path);
		if (r >= 0) {
			best = vs;
			rule = r;
		}
	}
	if (!best)
		return;
	out->kind = LG_INGRESS_ROUTED;
	out->vs = best;
	out->rule = rule;
	take_dest(&best->http[rule], out);
}

static void istio_api(const struct lg_mesh *m, const char *host, unsigned port,
		      const char *path, struct lg_ingress_decision *out)
{
	size_t i;

	for (i = 0; i < m->ngw && out->kind != LG_INGRESS_ROUTED; i++)
		if (gateway_takes(&m->gw[i], host, port))
			gateway_vs_route(m, &m->gw[i], host, path, out);
}

enum lg_ingress_kind lg_mesh_ingress_route(const struct lg_mesh *m,
					   const char *host, unsigned port,
					   const char *path,
					   struct lg_ingress_decision *out)
{
	struct lg_ingress_decision api;
	char *p =
	    lg_xstrndup(path ? path : "/", strcspn(path ? path : "/", "?"));

	memset(out, 0, sizeof(*out));
	out->rule = -1;
	gateway_api(m, host ? host : "", port, p, out);
	if (out->kind != LG_INGRESS_ROUTED) {
		memset(&api, 0, sizeof(api));
		api.rule = -1;
		istio_api(m, host ? host : "", port, p, &api);
		/* Keep what got furthest: routed, then a listening gateway. */
		if (api.kind > out->kind)
			*out = api;
	}
	free(p);
	return out->kind;
}

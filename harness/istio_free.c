/* SPDX-License-Identifier: MIT */
/* istio_free.c: releases the mesh model's objects. */
#include <stdlib.h>
#include <string.h>

#include "istio.h"

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_labels(struct lg_mesh_labels *l)
{
	free_strv(l->keys, l->n);
	free_strv(l->values, l->n);
}

static void free_meta(struct lg_mesh_meta *m)
{
	free(m->ns);
	free(m->name);
	free(m->created);
}

static void free_match(struct lg_mesh_match *mt)
{
	size_t i;

	for (i = 0; i < mt->nheaders; i++) {
		free(mt->headers[i].name);
		free(mt->headers[i].m.value);
	}
	free(mt->headers);
	free(mt->uri.value);
	free(mt->name);
}

static void free_dest(struct lg_mesh_dest *d)
{
	free(d->host);
	free(d->subset);
}

static void free_http(struct lg_mesh_http *h)
{
	size_t i;

	for (i = 0; i < h->nmatches; i++)
		free_match(&h->matches[i]);
	free(h->matches);
	for (i = 0; i < h->nroutes; i++)
		free_dest(&h->routes[i]);
	free(h->routes);
	for (i = 0; i < h->nmirrors; i++)
		free_dest(&h->mirrors[i].dest);
	free(h->mirrors);
	free(h->name);
}

static void free_vs(struct lg_mesh_vs *vs)
{
	size_t i;

	free_meta(&vs->meta);
	free_strv(vs->hosts, vs->nhosts);
	free_strv(vs->gateways, vs->ngateways);
	free_strv(vs->export_to, vs->nexport_to);
	for (i = 0; i < vs->nhttp; i++)
		free_http(&vs->http[i]);
	free(vs->http);
}

static void free_dr(struct lg_mesh_dr *dr)
{
	size_t i;

	free_meta(&dr->meta);
	free(dr->host);
	for (i = 0; i < dr->nsubsets; i++) {
		free(dr->subsets[i].name);
		free_labels(&dr->subsets[i].labels);
	}
	free(dr->subsets);
	free_strv(dr->export_to, dr->nexport_to);
}

static void free_gw(struct lg_mesh_gateway *g)
{
	size_t i;

	free_meta(&g->meta);
	free_labels(&g->selector);
	for (i = 0; i < g->nservers; i++) {
		free(g->servers[i].protocol);
		free_strv(g->servers[i].hosts, g->servers[i].nhosts);
	}
	free(g->servers);
}

static void free_kgw(struct lg_mesh_kgateway *g)
{
	size_t i;

	free_meta(&g->meta);
	free(g->class_name);
	for (i = 0; i < g->nlisteners; i++) {
		free(g->listeners[i].name);
		free(g->listeners[i].hostname);
		free(g->listeners[i].protocol);
	}
	free(g->listeners);
}

static void free_hrule(struct lg_mesh_hrule *r)
{
	size_t i;

	for (i = 0; i < r->npaths; i++) {
		free(r->paths[i].type);
		free(r->paths[i].value);
	}
	free(r->paths);
	for (i = 0; i < r->nbackends; i++)
		free(r->backends[i].host);
	free(r->backends);
}

static void free_hr(struct lg_mesh_httproute *r)
{
	size_t i;

	free_meta(&r->meta);
	for (i = 0; i < r->nparents; i++) {
		free(r->parents[i].ns);
		free(r->parents[i].name);
		free(r->parents[i].section);
	}
	free(r->parents);
	free_strv(r->hostnames, r->nhostnames);
	for (i = 0; i < r->nrules; i++)
		free_hrule(&r->rules[i]);
	free(r->rules);
}

static void free_objects(struct lg_mesh *m)
{
	size_t i;

	for (i = 0; i < m->nvs; i++)
		free_vs(&m->vs[i]);
	for (i = 0; i < m->ndr; i++)
		free_dr(&m->dr[i]);
	for (i = 0; i < m->ngw; i++)
		free_gw(&m->gw[i]);
	for (i = 0; i < m->nkgw; i++)
		free_kgw(&m->kgw[i]);
	for (i = 0; i < m->nhr; i++)
		free_hr(&m->hr[i]);
}

void lg_mesh_release(struct lg_mesh *m)
{
	size_t i;

	free_objects(m);
	for (i = 0; i < m->npods; i++) {
		free_meta(&m->pods[i].meta);
		free_labels(&m->pods[i].labels);
	}
	for (i = 0; i < m->nnotes; i++) {
		free(m->notes[i].kind);
		free_meta(&m->notes[i].meta);
		free(m->notes[i].message);
	}
	free(m->vs);
	free(m->dr);
	free(m->gw);
	free(m->kgw);
	free(m->hr);
	free(m->pods);
	free(m->notes);
	memset(m, 0, sizeof(*m));
}

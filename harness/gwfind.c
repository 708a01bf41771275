/* SPDX-License-Identifier: MIT */
/* gwfind.c: gateway discovery from its Service (see gwfind.h). */
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "gwfind.h"

static const cJSON *pick_port(const cJSON *svc);
static char *host_port(const char *host, long port);

void lg_gwfind_release(struct lg_gw_candidates *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->items[i].url);
		free(c->items[i].how);
	}
	free(c->items);
	c->items = NULL;
	c->n = 0;
}

void lg_gwfind_add(struct lg_gw_candidates *c, const char *url, const char *how)
{
	c->items = lg_xrealloc(c->items, (c->n + 1) * sizeof(*c->items));
	c->items[c->n].url = lg_xstrdup(url);
	c->items[c->n].how = lg_xstrdup(how);
	c->n++;
}

/* The port that carries HTTP: named "http", else 80, else not 15021. */
static const cJSON *pick_port(const cJSON *svc)
{
	const cJSON *ports = lg_expect_at(svc, "spec", "ports", NULL);
	const cJSON *p, *first = NULL, *eighty = NULL;

	if (!cJSON_IsArray(ports))
		return NULL;
	cJSON_ArrayForEach(p, ports)
	{
		const char *name = lg_expect_str(p, "name", NULL);
		const cJSON *num = lg_expect_at(p, "port", NULL);

		if (!cJSON_IsNumber(num))
			continue;
		if (name && strcmp(name, "http") == 0)
			return p;
		if (num->valueint == 80 && !eighty)
			eighty = p;
		if (num->valueint != 15021 && !first)
			first = p;
	}
	return eighty ? eighty : first;
}

/* "http://host:port", bracketing IPv6 literals. */
static char *host_port(const char *host, long port)
{
	if (strchr(host, ':'))
		return lg_xasprintf("http://[%s]:%ld", host, port);
	return lg_xasprintf("http://%s:%ld", host, port);
}

static void add_lb(struct lg_gw_candidates *out, const cJSON *svc, long port)
{
	const cJSON *ing =
	    lg_expect_at(svc, "status", "loadBalancer", "ingress", NULL);
	const cJSON *i;

	if (!cJSON_IsArray(ing))
		return;
	cJSON_ArrayForEach(i, ing)
	{
		const char *h = lg_expect_str(i, "ip", NULL);
		char *url, *how;

		if (!h)
			h = lg_expect_str(i, "hostname", NULL);
		if (!h)
			continue;
		url = host_port(h, port);
		how = lg_xasprintf("Service %s: LoadBalancer ingress %s port "
				   "%ld",
				   lg_expect_name(svc), h, port);
		lg_gwfind_add(out, url, how);
		free(url);
		free(how);
	}
}

/* A Ready node's InternalIP (its name in *node), or NULL. */
static const char *node_ip(const cJSON *nodes, const char **node)
{
	const cJSON *n, *a;

	cJSON_ArrayForEach(n, nodes)
	{
		const cJSON *addrs =
		    lg_expect_at(n, "status", "addresses", NULL);

		if (!lg_expect_condition_true(n, "Ready") ||
		    !cJSON_IsArray(addrs))
			continue;
		cJSON_ArrayForEach(a, addrs)
		{
			const char *t = lg_expect_str(a, "type", NULL);
			const char *ip = lg_expect_str(a, "address", NULL);

			if (t && ip && strcmp(t, "InternalIP") == 0) {
				*node = lg_expect_name(n);
				return ip;
			}
		}
	}
	return NULL;
}

static enum lg_err add_nodeport(struct lg_cluster *c, struct lg_result *res,
				struct lg_gw_candidates *out, const cJSON *svc,
				long nodeport, struct lg_error *err)
{
	cJSON *nodes = NULL;
	const char *node = NULL, *ip;
	char *url, *how;
	enum lg_err rc = lg_expect_list(c, res, "/api/v1/nodes", &nodes, err);

	if (rc != LG_OK)
		return rc;
	ip = node_ip(nodes, &node);
	if (ip) {
		url = host_port(ip, nodeport);
		how = lg_xasprintf("Service %s: NodePort %ld on node %s "
				   "(InternalIP %s)",
				   lg_expect_name(svc), nodeport, node, ip);
		lg_gwfind_add(out, url, how);
		free(url);
		free(how);
	}
	cJSON_Delete(nodes);
	return LG_OK;
}

enum lg_err lg_gwfind_service(struct lg_cluster *c, struct lg_result *res,
			      const cJSON *svc, struct lg_gw_candidates *out,
			      struct lg_error *err)
{
	const cJSON *port = pick_port(svc);
	const cJSON *np = lg_expect_at(port, "nodePort", NULL);
	const char *cip = lg_expect_str(svc, "spec", "clusterIP", NULL);
	long p;
	enum lg_err rc = LG_OK;

	if (!port) {
		lg_result_evidencef(res, "Service %s has no HTTP port",
				    lg_expect_name(svc));
		return LG_OK;
	}
	p = (long)lg_expect_at(port, "port", NULL)->valuedouble;
	add_lb(out, svc, p);
	if (cJSON_IsNumber(np) && np->valueint > 0)
		rc = add_nodeport(c, res, out, svc, (long)np->valuedouble, err);
	if (cip && *cip && strcmp(cip, "None") != 0) {
		char *url = host_port(cip, p);
		char *how = lg_xasprintf("Service %s: ClusterIP %s port %ld "
					 "(reachable from a node)",
					 lg_expect_name(svc), cip, p);

		lg_gwfind_add(out, url, how);
		free(url);
		free(how);
	}
	return rc;
}

const cJSON *lg_gwfind_gateway_pod(const struct lg_mesh_gateway *g,
				   const cJSON *pods)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, pods)
	{
		const cJSON *lab = lg_expect_at(p, "metadata", "labels", NULL);
		const cJSON *kv;
		bool ok = true;
		size_t i;

		if (lg_expect_pod_is_gone(p))
			continue;
		for (i = 0; ok && i < g->selector.n; i++) {
			kv = cJSON_GetObjectItemCaseSensitive(
			    lab, g->selector.keys[i]);
			ok = cJSON_IsString(kv) &&
			     !strcmp(kv->valuestring, g->selector.values[i]);
		}
		if (ok && g->selector.n)
			return p;
	}
	return NULL;
}

static enum lg_err istio_gateway_service(struct lg_cluster *c,
					 struct lg_result *res,
					 const struct lg_mesh_gateway *g,
					 const cJSON *pods, cJSON **svc,
					 struct lg_error *err)
{
	const cJSON *pod = lg_gwfind_gateway_pod(g, pods);
	const char *ns = lg_expect_str(pod, "metadata", "namespace", NULL);
	const cJSON *labels = lg_expect_at(pod, "metadata", "labels", NULL);
	cJSON *list = NULL;
	const cJSON *s;
	char *path;
	enum lg_err rc;

	if (!pod || !ns)
		return LG_OK;
	path = lg_xasprintf("/api/v1/namespaces/%s/services", ns);
	rc = lg_expect_list(c, res, path, &list, err);
	cJSON_ArrayForEach(s, list)
	{
		const cJSON *sel = lg_expect_at(s, "spec", "selector", NULL);

		if (!*svc && cJSON_GetArraySize(sel) > 0 &&
		    lg_expect_selector_matches(sel, labels))
			*svc = cJSON_Duplicate(s, true);
	}
	free(path);
	cJSON_Delete(list);
	return rc;
}

enum lg_err lg_gwfind_ingress_service(struct lg_cluster *c,
				      struct lg_result *res,
				      const struct lg_ingress_decision *d,
				      const cJSON *pods, cJSON **svc,
				      struct lg_error *err)
{
	char *path;
	enum lg_err rc;

	*svc = NULL;
	if (d->kgw) {
		path = lg_xasprintf("/api/v1/namespaces/%s/services/%s-istio",
				    d->kgw->meta.ns, d->kgw->meta.name);
		rc = lg_expect_get(c, res, path, svc, err);
		free(path);
		return rc == LG_ENOTFOUND ? LG_OK : rc;
	}
	if (d->gw)
		return istio_gateway_service(c, res, d->gw, pods, svc, err);
	return LG_OK;
}

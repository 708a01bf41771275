/* SPDX-License-Identifier: MIT */
/* steps_explain.c: what is wrong with an attempt at a lab step, in the
 * student's terms: the object, the field, its effect on the mesh, the fix. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "istio_int.h"
#include "steps.h"
#include "steps_int.h"

static const char *const bookinfo_svcs[] = {"productpage", "reviews", "ratings",
					    "details"};

static void add_cause(struct lg_steps_view *v, const char *check,
		      const char *step, char *es, char *en)
{
	struct lg_steps_cause *c;

	v->causes =
	    lg_xrealloc(v->causes, (v->ncauses + 1) * sizeof(*v->causes));
	c = &v->causes[v->ncauses++];
	c->check = check;
	c->step = step;
	c->es = es;
	c->en = en;
}

/* Attach to a placed step; an untouched group names `dflt_step`. */
static void add_at(struct lg_steps_view *v, const struct lg_steps_place *p,
		   char *es, char *en)
{
	if (p->check)
		add_cause(v, p->check, p->step, es, en);
	else
		add_cause(v, "request-routing", "all-v1", es, en);
}

void lg_steps_causes_release(struct lg_steps_view *v)
{
	size_t i;

	for (i = 0; i < v->ncauses; i++) {
		free(v->causes[i].es);
		free(v->causes[i].en);
	}
	free(v->causes);
	v->causes = NULL;
	v->ncauses = 0;
}

/* "VirtualService bookinfo/reviews" (caller frees). */
static char *obj(const struct lg_mesh_vs *vs)
{
	return lg_xasprintf("%s %s/%s",
			    vs->from_httproute ? "HTTPRoute" : "VirtualService",
			    vs->meta.ns, vs->meta.name);
}

/* The first DNS label of a host: "reviews.bookinfo.svc..." -> "reviews". */
static char *short_of(const char *host)
{
	return lg_xstrndup(host, strcspn(host, "."));
}

/* The namespace part of "svc.ns.svc.cluster.local", or NULL. */
static char *ns_of(const char *host)
{
	const char *d = strchr(host, '.');

	return d ? lg_xstrndup(d + 1, strcspn(d + 1, ".")) : NULL;
}

/* "reviews" for a host of the Bookinfo namespace, else the full host
 * (a short destination host read in another namespace). Caller frees. */
static char *svc_name(const struct lg_steps_view *v, const char *host)
{
	char *hns = ns_of(host);
	bool here = hns && strcmp(hns, v->ns) == 0;

	free(hns);
	return here ? short_of(host) : lg_xstrdup(host);
}

/* Equal, or one letter added, dropped or changed ("review"). */
static bool one_off(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = 0;

	if (la < lb)
		return one_off(b, a);
	if (la - lb > 1)
		return false;
	while (i < lb && a[i] == b[i])
		i++;
	if (la == lb)
		return i == la || strcmp(a + i + 1, b + i + 1) == 0;
	return strcmp(a + i + 1, b + i) == 0;
}

static bool names_svc(const char *host, const char *svc)
{
	char *s = short_of(host);
	bool yes = one_off(s, svc);

	free(s);
	return yes;
}

/* Does the VirtualService aim at svc: a host or a destination names it? */
static bool aims_at(const struct lg_mesh_vs *vs, const char *svc)
{
	size_t i, j;

	for (i = 0; i < vs->nhosts; i++)
		if (names_svc(vs->hosts[i], svc))
			return true;
	for (i = 0; i < vs->nhttp; i++)
		for (j = 0; j < vs->http[i].nroutes; j++)
			if (names_svc(vs->http[i].routes[j].host, svc))
				return true;
	return false;
}

/* Does any host of vs name another Bookinfo service exactly? */
static bool for_other_svc(const struct lg_mesh_vs *vs, const char *svc,
			  const char *ns)
{
	size_t i, k;

	for (i = 0; i < vs->nhosts; i++)
		for (k = 0; k < LG_ARRAY_SIZE(bookinfo_svcs); k++) {
			char *fq = lg_mesh_fqdn(bookinfo_svcs[k], ns);
			bool same = strcmp(vs->hosts[i], fq) == 0 &&
				    strcmp(bookinfo_svcs[k], svc) != 0;

			free(fq);
			if (same)
				return true;
		}
	return false;
}

/* An ingress VirtualService ("*"): it routes users, not sidecars. */
static bool has_wildcard_host(const struct lg_mesh_vs *vs)
{
	size_t i;

	for (i = 0; i < vs->nhosts; i++)
		if (vs->hosts[i][0] == '*')
			return true;
	return false;
}

/*
 * A VirtualService of another namespace for that namespace's own service
 * (a second Bookinfo, from an earlier exercise, with its own
 * DestinationRule there) is another application, not an attempt at the
 * lab's step.
 */
static bool own_app(const struct lg_steps_view *v, const struct lg_mesh_vs *vs)
{
	size_t i, j;

	for (i = 0; i < vs->nhosts; i++) {
		char *hns = ns_of(vs->hosts[i]);
		bool elsewhere = hns && strcmp(hns, v->ns) != 0 &&
				 strcmp(hns, vs->meta.ns) == 0;

		free(hns);
		for (j = 0; elsewhere && j < v->mesh.ndr; j++)
			if (strcmp(v->mesh.dr[j].meta.ns, vs->meta.ns) == 0 &&
			    strcmp(v->mesh.dr[j].host, vs->hosts[i]) == 0)
				return true;
	}
	return false;
}

const struct lg_mesh_vs *lg_steps_stray(const struct lg_steps_view *v,
					const char *svc)
{
	char *fq = lg_mesh_fqdn(svc, v->ns);
	const struct lg_mesh_vs **c = NULL, *found = NULL;
	size_t i, n = 0;

	lg_mesh_vs_for_host(&v->mesh, v->ns, fq, &c, &n);
	for (i = 0; i < v->mesh.nvs && !found; i++) {
		const struct lg_mesh_vs *vs = &v->mesh.vs[i];

		if ((n > 0 && vs == c[0]) || !aims_at(vs, svc) ||
		    for_other_svc(vs, svc, v->ns) || has_wildcard_host(vs) ||
		    own_app(v, vs))
			continue;
		found = vs;
	}
	free(c);
	free(fq);
	return found;
}

const struct lg_mesh_dr *lg_steps_stray_policy(const struct lg_steps_view *v)
{
	struct lg_mesh_merged_dr d;
	const struct lg_mesh_dr *found = NULL;
	size_t i, j;

	lg_mesh_merged_dr(&v->mesh, v->ns, "reviews", &d);
	for (i = 0; i < v->mesh.ndr && !found; i++) {
		const struct lg_mesh_dr *dr = &v->mesh.dr[i];
		bool lim = dr->policy.has_pool || dr->policy.has_outlier;

		for (j = 0; j < dr->nsubsets; j++)
			lim |= dr->subsets[j].policy.has_pool ||
			       dr->subsets[j].policy.has_outlier;
		for (j = 0; lim && j < d.ndrs; j++)
			lim = d.drs[j] != dr;
		if (lim)
			found = dr;
	}
	lg_mesh_merged_dr_release(&d);
	return found;
}

/* ------------------------------------------------------------------ */
/* Why a VirtualService aimed at a service does not apply to it.        */

static const char *first_host(const struct lg_mesh_vs *vs)
{
	return vs->nhosts ? vs->hosts[0] : "(none)";
}

/* The host of vs that names svc exactly, or NULL. */
static const char *host_named(const struct lg_mesh_vs *vs, const char *svc)
{
	size_t i;

	for (i = 0; i < vs->nhosts; i++) {
		char *s = short_of(vs->hosts[i]);
		bool same = strcmp(s, svc) == 0;

		free(s);
		if (same)
			return vs->hosts[i];
	}
	return NULL;
}

static void wrong_ns(const struct lg_steps_view *v, const struct lg_mesh_vs *vs,
		     const char *svc, const char *host, char **es, char **en)
{
	char *o = obj(vs), *hns = ns_of(host);

	*en = lg_xasprintf(
	    "%s has host '%s', which resolves to %s (the short name is read in "
	    "the object's namespace, %s): it changes nothing for %s in %s; "
	    "apply it with `-n %s`, or write the FQDN "
	    "%s.%s.svc.cluster.local",
	    o, svc, host, vs->meta.ns, svc, v->ns, v->ns, svc, v->ns);
	*es = lg_xasprintf(
	    "%s tiene el host '%s', que resuelve a %s (el nombre corto se lee "
	    "en el namespace del objeto, %s): no cambia nada para %s en %s; "
	    "aplícalo con `-n %s`, o escribe el FQDN %s.%s.svc.cluster.local",
	    o, svc, host, vs->meta.ns, svc, v->ns, v->ns, svc, v->ns);
	free(o);
	free(hns);
}

static void typo_host(const struct lg_mesh_vs *vs, const char *svc, char **es,
		      char **en)
{
	char *o = obj(vs), *s = short_of(first_host(vs));

	*en = lg_xasprintf("%s has hosts [%s] (%s), a service that does not "
			   "exist: %s is unaffected and keeps its previous "
			   "routing; write hosts: [%s]",
			   o, s, first_host(vs), svc, svc);
	*es = lg_xasprintf("%s tiene hosts [%s] (%s), un servicio que no "
			   "existe: %s no se ve afectado y sigue con su ruta "
			   "anterior; escribe hosts: [%s]",
			   o, s, first_host(vs), svc, svc);
	free(o);
	free(s);
}

static void not_applied(const struct lg_steps_view *v,
			const struct lg_mesh_vs *vs, const char *svc, char **es,
			char **en)
{
	char *o = obj(vs);
	const char *why_en, *why_es;

	if (!vs->for_mesh) {
		why_en = "lists gateways without `mesh`: sidecars ignore it; "
			 "add `mesh` to gateways or remove the field";
		why_es = "lista gateways sin `mesh`: los sidecars lo ignoran; "
			 "añade `mesh` a gateways o quita el campo";
	} else if (!lg_mesh_is_exported(vs->export_to, vs->nexport_to,
					vs->meta.ns, v->ns)) {
		why_en = vs->from_httproute
			     ? "is a consumer route of another namespace: it "
			       "applies only to clients there; create it in "
			       "the service's namespace"
			     : "has an exportTo that hides it from the "
			       "namespace of bookinfo's sidecars; remove "
			       "exportTo or add that namespace";
		why_es = vs->from_httproute
			     ? "es una ruta de consumidor de otro namespace: "
			       "solo se aplica a los clientes de allí; créala "
			       "en el namespace del servicio"
			     : "tiene un exportTo que lo oculta a los sidecars "
			       "de bookinfo; quita exportTo o añade ese "
			       "namespace";
	} else {
		why_en = "is ignored: an older VirtualService for the same "
			 "host wins (IST0109); delete one of them";
		why_es = "se ignora: gana otro VirtualService más antiguo "
			 "para el mismo host (IST0109); borra uno de los dos";
	}
	*en = lg_xasprintf("%s for %s %s", o, svc, why_en);
	*es = lg_xasprintf("%s para %s %s", o, svc, why_es);
	free(o);
}

static void stray_cause(struct lg_steps_view *v, const struct lg_mesh_vs *vs,
			const char *svc, const struct lg_steps_place *p)
{
	char *fq = lg_mesh_fqdn(svc, v->ns);
	const char *named = host_named(vs, svc);
	char *es = NULL, *en = NULL;

	if (named && strcmp(named, fq) != 0)
		wrong_ns(v, vs, svc, named, &es, &en);
	else if (!named)
		typo_host(vs, svc, &es, &en);
	else
		not_applied(v, vs, svc, &es, &en);
	add_at(v, p, es, en);
	free(fq);
}

/* ------------------------------------------------------------------ */
/* What a VirtualService that applies does wrong.                      */

static void undefined_subsets(struct lg_steps_view *v,
			      const struct lg_mesh_vs *vs,
			      const struct lg_steps_place *p)
{
	size_t i, j;

	for (i = 0; i < vs->nhttp; i++)
		for (j = 0; j < vs->http[i].nroutes; j++) {
			const struct lg_mesh_dest *d = &vs->http[i].routes[j];
			struct lg_mesh_merged_dr m;
			char *o, *svc;
			bool ok;

			if (!d->subset)
				continue;
			lg_mesh_merged_dr(&v->mesh, v->ns, d->host, &m);
			ok = lg_mesh_merged_subset(&m, d->subset) != NULL;
			lg_mesh_merged_dr_release(&m);
			if (ok)
				continue;
			o = obj(vs);
			svc = svc_name(v, d->host);
			add_at(v, p,
			       lg_xasprintf(
				   "%s envía a subset %s de %s, que ninguna "
				   "DestinationRule define (IST0101): Envoy "
				   "responde 503 NC a cada llamada a %s; "
				   "defínelo (destination-rule-all.yaml) o "
				   "envía a un subset definido",
				   o, d->subset, svc, svc),
			       lg_xasprintf(
				   "%s routes to subset %s of %s, which no "
				   "DestinationRule defines (IST0101): Envoy "
				   "answers 503 NC for every %s call; define "
				   "it (destination-rule-all.yaml) or route "
				   "to a defined subset",
				   o, d->subset, svc, svc));
			free(o);
			free(svc);
		}
}

static void header_cause(struct lg_steps_view *v, const struct lg_mesh_vs *vs,
			 const struct lg_mesh_header_match *h,
			 const struct lg_steps_place *p)
{
	char *o = obj(vs);
	const char *val = h->m.value ? h->m.value : "";

	if (strcmp(h->name, "end-user") != 0)
		add_at(v, p,
		       lg_xasprintf("%s compara la cabecera '%s', pero "
				    "productpage envía el usuario en "
				    "'end-user': las peticiones de jason no "
				    "cumplen la regla y siguen a la "
				    "siguiente; usa end-user: {exact: jason}",
				    o, h->name),
		       lg_xasprintf("%s matches header '%s', but productpage "
				    "sends the user in 'end-user': jason's "
				    "requests skip the rule and fall through "
				    "to the next; match end-user: {exact: "
				    "jason}",
				    o, h->name));
	else if (strcasecmp(val, "jason") == 0)
		add_at(v, p,
		       lg_xasprintf("%s compara end-user exact '%s': los "
				    "valores distinguen mayúsculas y "
				    "productpage envía 'jason', así que "
				    "jason no cumple la regla; escribe "
				    "exact: jason",
				    o, val),
		       lg_xasprintf("%s matches end-user exact '%s': header "
				    "values are case-sensitive and "
				    "productpage sends 'jason', so jason's "
				    "requests skip the rule; write exact: "
				    "jason",
				    o, val));
	else
		add_at(v, p,
		       lg_xasprintf("%s compara end-user con '%s', que las "
				    "peticiones de jason (end-user: jason) no "
				    "cumplen; escribe exact: jason",
				    o, val),
		       lg_xasprintf("%s matches end-user against '%s', which "
				    "jason's requests (end-user: jason) do not "
				    "carry; write exact: jason",
				    o, val));
	free(o);
}

/* A header condition on the user that jason's requests do not meet. */
static bool misses_jason(const struct lg_mesh_header_match *h)
{
	struct lg_mesh_header hdr = {"end-user", "jason"};
	struct lg_mesh_request req = {NULL, &hdr, 1};
	struct lg_mesh_http one;
	struct lg_mesh_match mt;
	bool unj = false;

	if (h->negate)
		return false;
	if (strcmp(h->name, "end-user") != 0)
		return true;
	memset(&one, 0, sizeof(one));
	memset(&mt, 0, sizeof(mt));
	mt.headers = (struct lg_mesh_header_match *)h;
	mt.nheaders = 1;
	one.matches = &mt;
	one.nmatches = 1;
	return !lg_mesh_rule_matches(&one, &req, &unj) && !unj;
}

static void header_causes(struct lg_steps_view *v, const struct lg_mesh_vs *vs,
			  const struct lg_steps_place *p)
{
	size_t i, j, k;

	for (i = 0; i < vs->nhttp; i++)
		for (j = 0; j < vs->http[i].nmatches; j++)
			for (k = 0; k < vs->http[i].matches[j].nheaders; k++)
				if (misses_jason(
					&vs->http[i].matches[j].headers[k]))
					header_cause(
					    v, vs,
					    &vs->http[i].matches[j].headers[k],
					    p);
}

/* A fault written on the reviews route: the lab's delay is on ratings. */
static void fault_on_reviews(struct lg_steps_view *v,
			     const struct lg_mesh_vs *vs)
{
	char *o = obj(vs);
	size_t i;

	for (i = 0; i < vs->nhttp && !vs->http[i].has_fault; i++)
		;
	if (i == vs->nhttp) {
		free(o);
		return;
	}
	add_cause(
	    v, "fault-injection", "delay",
	    lg_xasprintf("%s inyecta el fallo (http[%zu].fault) en las "
			 "llamadas a reviews, no a ratings: productpage "
			 "espera a reviews, no a ratings, y el efecto no es "
			 "el del paso; el retraso de 7 s va en el "
			 "VirtualService ratings "
			 "(virtual-service-ratings-test-delay.yaml)",
			 o, i),
	    lg_xasprintf("%s injects the fault (http[%zu].fault) into calls "
			 "to reviews, not ratings: productpage waits on "
			 "reviews instead, which is not the step's effect; "
			 "the 7 s delay belongs in the ratings "
			 "VirtualService (virtual-service-ratings-test-"
			 "delay.yaml)",
			 o, i));
	free(o);
}

/* A delay that hits fewer than every request: blame the percentage. */
static void delay_percentage(struct lg_steps_view *v,
			     const struct lg_mesh_vs *vs)
{
	size_t i;

	for (i = 0; i < vs->nhttp; i++) {
		const struct lg_mesh_fault *f = &vs->http[i].fault;
		char *o;

		if (!vs->http[i].has_fault || !f->has_delay ||
		    f->delay_pct >= 99.995)
			continue;
		o = obj(vs);
		if (f->delay_pct <= 0)
			add_cause(
			    v, "fault-injection", "delay",
			    lg_xasprintf("%s: http[%zu].fault.delay no tiene "
					 "percentage: Istio retrasa el 0 %% "
					 "de las peticiones, así que nada se "
					 "retrasa; añade percentage: {value: "
					 "100}",
					 o, i),
			    lg_xasprintf("%s: http[%zu].fault.delay sets no "
					 "percentage: Istio delays 0 %% of "
					 "requests, so nothing is delayed; "
					 "add percentage: {value: 100}",
					 o, i));
		else
			add_cause(
			    v, "fault-injection", "delay",
			    lg_xasprintf("%s retrasa solo el %g %% de las "
					 "peticiones (http[%zu].fault.delay."
					 "percentage.value %g): la mayoría de "
					 "las páginas de jason llegan rápido; "
					 "el paso retrasa el 100 %%",
					 o, f->delay_pct, i, f->delay_pct),
			    lg_xasprintf("%s delays only %g %% of requests "
					 "(http[%zu].fault.delay.percentage."
					 "value %g): most of jason's pages "
					 "come fast; the step delays 100 %%",
					 o, f->delay_pct, i, f->delay_pct));
		free(o);
	}
}

/* A breaker rule for reviews that sidecars in bookinfo do not use. */
static void policy_unused(struct lg_steps_view *v, const struct lg_mesh_dr *dr,
			  const char *fq)
{
	const char *o_ns = dr->meta.ns, *o = dr->meta.name;

	if (strcmp(dr->host, fq) != 0) {
		add_cause(v, "circuit-breaking", "circuit-breaker",
			  lg_xasprintf("DestinationRule %s/%s tiene el host "
				       "'%s', que resuelve a %s (el nombre "
				       "corto se lee en el namespace %s): no "
				       "limita reviews en %s; aplícala con "
				       "`-n %s` o escribe el FQDN %s",
				       o_ns, o, "reviews", dr->host, o_ns,
				       v->ns, v->ns, fq),
			  lg_xasprintf("DestinationRule %s/%s has host '%s', "
				       "which resolves to %s (the short name "
				       "is read in namespace %s): it limits "
				       "nothing for reviews in %s; apply it "
				       "with `-n %s` or write the FQDN %s",
				       o_ns, o, "reviews", dr->host, o_ns,
				       v->ns, v->ns, fq));
		return;
	}
	add_cause(v, "circuit-breaking", "circuit-breaker",
		  lg_xasprintf("DestinationRule %s/%s no se usa: Istio toma "
			       "las reglas de reviews del namespace del "
			       "cliente (%s), luego del servicio, luego "
			       "istio-system, y exportTo o workloadSelector "
			       "la excluyen o hay otras antes; créala en %s",
			       o_ns, o, v->ns, v->ns),
		  lg_xasprintf("DestinationRule %s/%s is not used: Istio takes "
			       "the rules for reviews from the client's "
			       "namespace (%s), then the service's, then "
			       "istio-system, and exportTo or a "
			       "workloadSelector leaves it out or others come "
			       "first; create it in %s",
			       o_ns, o, v->ns, v->ns));
}

static void policy_cause(struct lg_steps_view *v)
{
	const struct lg_mesh_dr *dr = lg_steps_stray_policy(v);
	char *svc, *fq;

	if (!dr || v->policy.exact)
		return;
	svc = short_of(dr->host);
	fq = lg_mesh_fqdn("reviews", v->ns);
	if (strcmp(svc, "reviews") == 0)
		policy_unused(v, dr, fq);
	else
		add_cause(
		    v, "circuit-breaking", "circuit-breaker",
		    lg_xasprintf("DestinationRule %s/%s pone el "
				 "connectionPool/outlierDetection en el host "
				 "%s (%s), no en reviews: las llamadas de "
				 "productpage a reviews no tienen límite y "
				 "nunca desbordan; escribe host: reviews",
				 dr->meta.ns, dr->meta.name, svc, dr->host),
		    lg_xasprintf("DestinationRule %s/%s sets the "
				 "connectionPool/outlierDetection on host %s "
				 "(%s), not reviews: productpage's calls to "
				 "reviews have no limit and never overflow; "
				 "write host: reviews",
				 dr->meta.ns, dr->meta.name, svc, dr->host));
	free(svc);
	free(fq);
}

/* What vs does wrong for svc; stray: it does not even apply, which is
 * the cause named first, so its subsets (resolved where it was written)
 * are not blamed too. */
static void route_causes(struct lg_steps_view *v, const char *svc,
			 const struct lg_mesh_vs *vs,
			 const struct lg_steps_place *p, bool stray)
{
	if (!vs)
		return;
	if (!stray)
		undefined_subsets(v, vs, p);
	header_causes(v, vs, p);
	if (strcmp(svc, "reviews") == 0)
		fault_on_reviews(v, vs);
	else
		delay_percentage(v, vs);
}

void lg_steps_explain_all(struct lg_steps_view *v)
{
	const struct lg_mesh_vs *rs = lg_steps_stray(v, "reviews");
	const struct lg_mesh_vs *ts = lg_steps_stray(v, "ratings");

	route_causes(v, "reviews", v->info.reviews_vs, &v->reviews, false);
	route_causes(v, "ratings", v->info.ratings_vs, &v->ratings, false);
	if (rs) {
		stray_cause(v, rs, "reviews", &v->reviews_stray);
		route_causes(v, "reviews", rs, &v->reviews_stray, true);
	}
	if (ts) {
		stray_cause(v, ts, "ratings", &v->ratings_stray);
		route_causes(v, "ratings", ts, &v->ratings_stray, true);
	}
	policy_cause(v);
}

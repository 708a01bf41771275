/* SPDX-License-Identifier: MIT */
/* istio.h: an offline model of Istio 1.24 routing over cluster objects. */
#ifndef LG_ISTIO_H
#define LG_ISTIO_H

#include <cjson/cJSON.h>

#include "lg.h"

/*
 * The mesh model answers what a sidecar would do with a request, from the
 * objects alone: VirtualServices, DestinationRules, Istio Gateways, Gateway
 * API Gateways and HTTPRoutes, and Pods (for their labels). It does no I/O:
 * the caller lists the objects and feeds every item to lg_mesh_add_object().
 *
 * Ownership: struct lg_mesh copies what it needs; the cJSON items stay the
 * caller's. Every `const` pointer a query returns (a VirtualService, a
 * subset, a fault) is borrowed from the mesh and stays valid until the mesh
 * is released or another object is added.
 *
 * Host names are kept fully qualified: a short name ("reviews") is resolved
 * in the namespace of the object that wrote it, as Istio does
 * ("reviews.bookinfo.svc.cluster.local"); a name with a dot is kept as is.
 *
 * The module prefix is lg_mesh_ (the thing modelled) while the file is
 * istio.c, because "istio" names the product and "mesh" the data structure.
 * @test tests/unit/test_istio.c
 */

/* Unset integer fields of a policy are -1; unset durations are < 0. */
#define LG_MESH_UNSET (-1)

/* Labels or a selector: n key=value pairs, owned. */
struct lg_mesh_labels {
	size_t n;
	char **keys;
	char **values;
};

/* Identity of an object; created is RFC 3339 ("" when absent). */
struct lg_mesh_meta {
	char *ns;
	char *name;
	char *created;
};

enum lg_mesh_strmatch_kind {
	LG_MESH_MATCH_NONE = 0,
	LG_MESH_MATCH_EXACT,
	LG_MESH_MATCH_PREFIX,
	LG_MESH_MATCH_REGEX,
};

struct lg_mesh_strmatch {
	enum lg_mesh_strmatch_kind kind;
	char *value;
};

/* headers: {name: {exact|prefix|regex}}; negate is withoutHeaders. */
struct lg_mesh_header_match {
	char *name; /* lower case, as Envoy compares header names */
	struct lg_mesh_strmatch m;
	bool negate;
};

/*
 * One HTTPMatchRequest: every condition must hold. Conditions the model
 * cannot judge (queryParams, method, sourceLabels, port, authority,
 * ignoreUriCase...) set `unjudged`; such a block is treated as not matching
 * and the decision says so.
 */
struct lg_mesh_match {
	char *name;
	struct lg_mesh_header_match *headers;
	size_t nheaders;
	struct lg_mesh_strmatch uri;
	bool unjudged;
};

/* A route destination; host is fully qualified; weight -1 when absent. */
struct lg_mesh_dest {
	char *host;
	char *subset;  /* NULL: every endpoint of the host */
	unsigned port; /* 0 when absent */
	int weight;
};

/*
 * HTTPFaultInjection. A percentage left out means 0 % (Istio's default:
 * "if not specified, no request will be delayed/aborted"); the deprecated
 * integer `percent` is read when `percentage` is absent.
 */
struct lg_mesh_fault {
	bool has_delay;
	double delay_s;	  /* fixedDelay in seconds */
	double delay_pct; /* 0..100 */
	bool has_abort;
	int abort_status; /* httpStatus; 0 for grpcStatus/http2Error */
	double abort_pct;
	bool deprecated_percent; /* the integer `percent` was used */
};

/* mirror {host, subset} with mirrorPercentage (absent = 100 %). */
struct lg_mesh_mirror {
	struct lg_mesh_dest dest;
	double pct;
	bool deprecated_percent; /* the value came from mirrorPercent */
};

/* One HTTPRoute rule of a VirtualService, in file order. */
struct lg_mesh_http {
	char *name;
	struct lg_mesh_match *matches; /* none: matches every request */
	size_t nmatches;
	struct lg_mesh_dest *routes;
	size_t nroutes;
	bool has_fault;
	struct lg_mesh_fault fault;
	struct lg_mesh_mirror *mirrors; /* `mirror` or `mirrors[]` */
	size_t nmirrors;
	double timeout_s;	/* < 0 when absent */
	int retry_attempts;	/* LG_MESH_UNSET when absent */
	double retry_per_try_s; /* < 0 when absent */
	bool has_redirect;	/* redirect or directResponse: no route */
};

struct lg_mesh_vs {
	struct lg_mesh_meta meta;
	char **hosts; /* fully qualified */
	size_t nhosts;
	char **gateways; /* "ns/name", or "mesh" */
	size_t ngateways;
	bool for_mesh; /* no gateways, or "mesh" among them: sidecars use it */
	char **export_to;
	size_t nexport_to;
	struct lg_mesh_http *http;
	size_t nhttp;
	/* Made from a Gateway API HTTPRoute whose parentRef is a Service
	 * (GAMMA): meta names the HTTPRoute; routes go to Services, with no
	 * subsets. */
	bool from_httproute;
};

struct lg_mesh_pool {
	int max_connections;	   /* tcp.maxConnections */
	int http1_max_pending;	   /* http.http1MaxPendingRequests */
	int http2_max_requests;	   /* http.http2MaxRequests */
	int max_requests_per_conn; /* http.maxRequestsPerConnection */
	int max_retries;	   /* http.maxRetries */
};

/*
 * outlierDetection as written. consecutive_errors is the deprecated field,
 * ignored by Istio since 1.7: it is kept only so findings can name it.
 */
struct lg_mesh_outlier {
	int consecutive_5xx;
	int consecutive_gateway;
	int consecutive_errors; /* deprecated, no effect */
	double interval_s;
	double base_ejection_s;
	int max_ejection_pct;
};

struct lg_mesh_policy {
	bool has_pool;
	struct lg_mesh_pool pool;
	bool has_outlier;
	struct lg_mesh_outlier outlier;
};

struct lg_mesh_subset {
	char *name;
	struct lg_mesh_labels labels;
	bool has_policy;
	struct lg_mesh_policy policy;
};

struct lg_mesh_dr {
	struct lg_mesh_meta meta;
	char *host; /* fully qualified */
	struct lg_mesh_subset *subsets;
	size_t nsubsets;
	bool has_policy; /* a trafficPolicy is present (even empty) */
	struct lg_mesh_policy policy;
	char **export_to;
	size_t nexport_to;
	bool has_workload_selector; /* such rules are never merged */
};

/* networking.istio.io Gateway. */
struct lg_mesh_server {
	unsigned port;
	char *protocol;
	char **hosts;
	size_t nhosts;
};

struct lg_mesh_gateway {
	struct lg_mesh_meta meta;
	struct lg_mesh_labels selector;
	struct lg_mesh_server *servers;
	size_t nservers;
};

/* gateway.networking.k8s.io Gateway. */
struct lg_mesh_listener {
	char *name;
	char *hostname; /* NULL: any */
	unsigned port;
	char *protocol;
	bool from_all; /* allowedRoutes.namespaces.from: All (default Same) */
};

struct lg_mesh_kgateway {
	struct lg_mesh_meta meta;
	char *class_name;
	struct lg_mesh_listener *listeners;
	size_t nlisteners;
};

/* gateway.networking.k8s.io HTTPRoute. */
struct lg_mesh_parent_ref {
	char *ns;
	char *name;
	char *section; /* NULL: every listener */
};

struct lg_mesh_path_match {
	char *type; /* "PathPrefix", "Exact", "RegularExpression" */
	char *value;
};

struct lg_mesh_backend {
	char *host; /* Service name resolved to a fully qualified host */
	unsigned port;
	int weight; /* default 1 */
};

struct lg_mesh_hrule {
	struct lg_mesh_path_match *paths; /* none: PathPrefix "/" */
	size_t npaths;
	struct lg_mesh_backend *backends;
	size_t nbackends;
};

struct lg_mesh_httproute {
	struct lg_mesh_meta meta;
	struct lg_mesh_parent_ref *parents;
	size_t nparents;
	char **hostnames;
	size_t nhostnames;
	struct lg_mesh_hrule *rules;
	size_t nrules;
};

struct lg_mesh_pod {
	struct lg_mesh_meta meta;
	struct lg_mesh_labels labels;
};

/*
 * Something the model could not read in an object (a malformed duration,
 * a field of the wrong type). Kept so the analysis can report it.
 */
struct lg_mesh_note {
	char *kind;
	struct lg_mesh_meta meta; /* created unused */
	char *message;
};

/*
 * struct lg_mesh: every object fed so far, in arrival order. An all-zero
 * struct (or LG_MESH_INIT) is an empty mesh. Release with lg_mesh_release().
 */
struct lg_mesh {
	struct lg_mesh_vs *vs;
	size_t nvs, avs;
	struct lg_mesh_dr *dr;
	size_t ndr, adr;
	struct lg_mesh_gateway *gw;
	size_t ngw, agw;
	struct lg_mesh_kgateway *kgw;
	size_t nkgw, akgw;
	struct lg_mesh_httproute *hr;
	size_t nhr, ahr;
	struct lg_mesh_pod *pods;
	size_t npods, apods;
	struct lg_mesh_note *notes;
	size_t nnotes, anotes;
	bool pods_known; /* the pod list is complete: selectors can be judged */
};

/* clang-format off */
#define LG_MESH_INIT { 0 }
/* clang-format on */

/* Make *m an empty mesh (the same as LG_MESH_INIT). */
void lg_mesh_init(struct lg_mesh *m);
/* Free everything the mesh owns; it is empty and usable again. */
void lg_mesh_release(struct lg_mesh *m);

/*
 * Add one Kubernetes object (an item of an API list, or a manifest
 * converted with lg_ynode_to_json). Recognised: networking.istio.io
 * VirtualService, DestinationRule and Gateway (any version),
 * gateway.networking.k8s.io Gateway and HTTPRoute, v1 Pod. obj stays the
 * caller's. An object without metadata.namespace lands in "default", as
 * `kubectl apply` would put it.
 * Returns LG_OK when the object was added, LG_ENOTFOUND when its kind is
 * not one the model uses (nothing is added), LG_EPARSE when it is not an
 * object with kind and metadata.name.
 * Fields the model cannot read are recorded as notes, not errors. Adding
 * a Pod sets pods_known (the caller feeds pods from a complete list).
 * @test tests/unit/test_istio.c
 */
enum lg_err lg_mesh_add_object(struct lg_mesh *m, const cJSON *obj);

/*
 * The same, with default_ns for an object without metadata.namespace (a
 * manifest applied with `kubectl apply -n NS`; NULL means "default") and
 * the detail of LG_EPARSE in err (may be NULL).
 */
enum lg_err lg_mesh_add_object_ns(struct lg_mesh *m, const cJSON *obj,
				  const char *default_ns, struct lg_error *err);

/*
 * Add every item of a JSON list ({"items": [...]}) or array, as
 * lg_mesh_add_object_ns(). Unknown kinds are skipped; the first malformed item
 * stops the walk with LG_EPARSE. A list of Pods also sets pods_known.
 * @test tests/unit/test_istio.c
 */
enum lg_err lg_mesh_add_list(struct lg_mesh *m, const cJSON *list,
			     const char *default_ns, struct lg_error *err);

/*
 * Declare the pod set complete (a pod list was read, maybe empty), so that
 * a gateway selector matching no pod can be reported.
 */
void lg_mesh_set_pods_known(struct lg_mesh *m);

/*
 * Parse a protobuf/Go duration as Istio accepts it ("7s", "1.5s", "100ms",
 * "3m", "1h30m", "0.5s"; units h m s ms us ns). Returns the seconds, or -1
 * when text is NULL, empty, negative or malformed.
 * @test tests/unit/test_istio.c
 */
double lg_mesh_duration(const char *text);

/*
 * The fully qualified name of host written in an object of namespace ns.
 * Returned string belongs to the caller (free()).
 * @test tests/unit/test_istio.c
 */
char *lg_mesh_fqdn(const char *host, const char *ns);

/* ------------------------------------------------------------------ */
/* Routing queries.                                                    */

/* One header of a request, as the calling sidecar sees it. */
struct lg_mesh_header {
	const char *name;
	const char *value;
};

/* A request from a sidecar in a namespace. Borrowed by the query. */
struct lg_mesh_request {
	const char *uri; /* path; NULL: unknown, uri conditions unjudged */
	const struct lg_mesh_header *headers;
	size_t nheaders;
};

/* One weighted destination of a decision; pointers borrow from the mesh. */
struct lg_route_share {
	const char *host;
	const char *subset; /* NULL: every endpoint */
	unsigned port;
	int weight;	/* as written; -1 when absent */
	double pct;	/* the share of requests, 0..100 */
	bool subset_ok; /* NULL subset, or a DestinationRule defines it */
};

enum lg_route_kind {
	LG_ROUTE_DEFAULT = 0, /* no VirtualService: all endpoints */
	LG_ROUTE_RULE,	      /* an http rule matched */
	LG_ROUTE_NO_MATCH,    /* a VirtualService, no rule matched: 404 NR */
};

/*
 * What a sidecar does with one request. shares is owned by the decision
 * (lg_route_decision_release); the rest borrows from the mesh.
 */
struct lg_route_decision {
	enum lg_route_kind kind;
	char *host;		     /* the queried host, fully qualified */
	const struct lg_mesh_vs *vs; /* NULL with LG_ROUTE_DEFAULT */
	int rule;		     /* index into vs->http, -1 if none */
	struct lg_route_share *shares;
	size_t nshares;
	const struct lg_mesh_fault *fault; /* NULL: none */
	const struct lg_mesh_mirror *mirrors;
	size_t nmirrors;
	double timeout_s; /* < 0: none */
	/* Another mesh VirtualService claims the host too (IST0109); the
	 * oldest by creationTimestamp, then name, was chosen. */
	const struct lg_mesh_vs *shadowed;
	/* A share > 0 goes to a subset no DestinationRule defines: 503 NC. */
	bool undefined_subset;
	bool unjudged; /* an earlier rule held a condition the model skipped */
};

/*
 * Route a request for host (short or fully qualified, resolved in ns)
 * from a sidecar in namespace ns. user is the end-user header productpage
 * sets for a logged-in user, NULL for anonymous; the URI is unknown.
 * Fills *out (caller releases it with lg_route_decision_release).
 * Returns LG_OK, or LG_EUSAGE when ns or host is NULL/empty.
 * @test tests/unit/test_istio.c
 */
enum lg_err lg_mesh_route(const struct lg_mesh *m, const char *ns,
			  const char *host, const char *user,
			  struct lg_route_decision *out);

/*
 * The same with an explicit request (uri and headers, borrowed; a NULL uri
 * leaves uri conditions unjudged). LG_EUSAGE also when req is NULL.
 * @test tests/unit/test_istio.c
 */
enum lg_err lg_mesh_route_req(const struct lg_mesh *m, const char *ns,
			      const char *host,
			      const struct lg_mesh_request *req,
			      struct lg_route_decision *out);

/* Free what the decision owns; it is empty again (rule -1). */
void lg_route_decision_release(struct lg_route_decision *d);

/*
 * The DestinationRules that apply to host for a client in ns, merged as
 * Istio 1.24 does: the rules of the first namespace that has any (client's,
 * then the host's, then istio-system), oldest first (creationTimestamp,
 * then name); subsets: the first definition of a name wins; trafficPolicy:
 * the oldest rule that has one. Rules with a workloadSelector are left out.
 * drs and subsets are owned by the struct (lg_mesh_merged_dr_release); the
 * pointers in them borrow from the mesh.
 */
struct lg_mesh_merged_dr {
	const struct lg_mesh_dr **drs;
	size_t ndrs;
	const struct lg_mesh_subset **subsets;
	size_t nsubsets;
	const struct lg_mesh_dr *policy_from; /* NULL: no trafficPolicy */
};

/*
 * Fill *out for host (short names resolve in ns) seen from a client in
 * ns; with no rule, ndrs and nsubsets are 0. Never fails.
 * @test tests/unit/test_istio.c
 */
void lg_mesh_merged_dr(const struct lg_mesh *m, const char *ns,
		       const char *host, struct lg_mesh_merged_dr *out);
/* Free the arrays (not the rules they point to). */
void lg_mesh_merged_dr_release(struct lg_mesh_merged_dr *d);

/* The subset `name` in a merged rule (borrowed), or NULL (also for a NULL
 * name). @test tests/unit/test_istio.c */
const struct lg_mesh_subset *
lg_mesh_merged_subset(const struct lg_mesh_merged_dr *d, const char *name);

/*
 * The policy Envoy applies to host/subset from a client in ns: the merged
 * top-level trafficPolicy, with the subset's connectionPool and
 * outlierDetection replacing the top-level ones where the subset sets them.
 * The eff_ fields are what Envoy does, defaults included: outlier detection
 * on means 5 consecutive 5xx, 10 s interval, 30 s ejection, 10 % unless
 * set (consecutiveErrors counts for nothing).
 */
struct lg_mesh_resolved_policy {
	struct lg_mesh_policy policy;
	const struct lg_mesh_dr *from; /* the rule the top-level came from */
	bool subset_found;	       /* subset NULL, or defined */
	int eff_consecutive_5xx;       /* 0 when outlier detection is off */
	double eff_interval_s;
	double eff_base_ejection_s;
	int eff_max_ejection_pct;
};

/* subset may be NULL. Nothing to release. @test tests/unit/test_istio.c */
void lg_mesh_policy_for(const struct lg_mesh *m, const char *ns,
			const char *host, const char *subset,
			struct lg_mesh_resolved_policy *out);

/*
 * The Bookinfo version (1..9; 0: none) a destination reaches, by meaning:
 * a subset by its `version` label (subset "version-v1" with version=v1 is
 * 1), an undefined subset by its name ("v4" is 4; it answers 503 NC, which
 * lg_route_share.subset_ok tells), no subset on a per-version Service
 * ("reviews-v2.bookinfo.svc.cluster.local", as the Gateway API samples
 * route) by the name's suffix. Host is fully qualified.
 * @test tests/unit/test_istio.c
 */
int lg_mesh_subset_version(const struct lg_mesh *m, const char *ns,
			   const char *host, const char *subset);

/* ------------------------------------------------------------------ */
/* The lab's reviews/ratings steps.                                    */

enum lg_reviews_stage {
	LG_STAGE_NONE = 0,    /* no VirtualService for reviews */
	LG_STAGE_ALL_V1,      /* virtual-service-all-v1 */
	LG_STAGE_TEST_V2,     /* reviews-test-v2: jason -> v2, else v1 */
	LG_STAGE_SPLIT_50_V3, /* reviews-50-v3 */
	LG_STAGE_ALL_V3,      /* reviews-v3 */
	LG_STAGE_MIRROR,      /* v1 plus a mirror */
	LG_STAGE_SPLIT_V2,    /* wrong: v1/v2 split (reviews-90-10, 80-20) */
	LG_STAGE_SPLIT_V2_V3, /* wrong: v2/v3 split (reviews-v2-v3) */
	LG_STAGE_SPLIT_V3_UNEVEN, /* wrong: v1/v3 but not 50/50 */
	LG_STAGE_JASON_V2_V3,	  /* wrong: jason -> v2, else v3 */
	LG_STAGE_OTHER,		  /* anything else; see the shares */
};

/* A static name for the stage, for evidence: "all-v1", "split-v2"...
 * @test tests/unit/test_istio.c */
const char *lg_reviews_stage_name(enum lg_reviews_stage s);

/*
 * What the reviews and ratings configuration amounts to. Percentages are
 * indexed by version: [1] v1, [2] v2, [3] v3, [0] anything else (no
 * subset, another subset, no route). Pointers borrow from the mesh.
 */
struct lg_reviews_info {
	enum lg_reviews_stage stage;
	double anon[4];
	double jason[4];
	const struct lg_mesh_vs *reviews_vs;
	bool mirror; /* anonymous requests are mirrored, whatever the stage */
	const char *mirror_subset; /* NULL: whole host */
	int mirror_version;	   /* 1..3 by the subset's labels; 0 other */
	double mirror_pct;
	bool broken;   /* a reviews share > 0 goes to an undefined subset */
	bool conflict; /* two mesh VirtualServices for reviews or ratings */
	const struct lg_mesh_vs *ratings_vs;
	bool ratings_broken; /* the same for ratings (jason or anonymous) */
	/* ratings, for jason (reviews forwards end-user) and for anonymous */
	bool delay_jason;
	double delay_s, delay_pct;
	bool delay_anon; /* the fault also hits anonymous users */
	bool abort_jason;
	int abort_status;
	double abort_pct;
	bool abort_anon;
};

/*
 * The shares by version as evidence text, language-neutral: "v1 80%,
 * v2 20%" (zero shares left out, [0] as "other", "none" when all are 0).
 * The string belongs to the caller (free()).
 * @test tests/unit/test_istio.c
 */
char *lg_reviews_shares_text(const double pct[4]);

/*
 * Classify the reviews and ratings VirtualServices a sidecar in ns (the
 * Bookinfo namespace) would apply, for anonymous users and for jason.
 * Returns out->stage. Nothing to release.
 * @test tests/unit/test_istio.c
 */
enum lg_reviews_stage lg_mesh_reviews_stage(const struct lg_mesh *m,
					    const char *ns,
					    struct lg_reviews_info *out);

/* ------------------------------------------------------------------ */
/* istioctl analyze-style findings.                                    */

enum lg_finding_level {
	LG_FINDING_ERROR = 0,
	LG_FINDING_WARNING,
	LG_FINDING_INFO,
};

/* Why a finding was made, so checks can phrase it in their language. */
enum lg_finding_cause {
	LG_CAUSE_SUBSET_NOT_FOUND = 0, /* IST0101: DRs exist, not this subset */
	LG_CAUSE_NO_DR_FOR_HOST,       /* IST0101: no DR for the host at all */
	LG_CAUSE_SUBSETS_REPLACED,     /* IST0101: a DR named like the host has
					* a policy and no subsets: it replaced
					* destination-rule-all's rule */
	LG_CAUSE_GATEWAY_NOT_FOUND,    /* IST0101: VS names a missing Gateway */
	LG_CAUSE_SELECTOR_NOT_FOUND,   /* IST0101: Gateway selector, no pod */
	LG_CAUSE_VS_CONFLICT,	       /* IST0109 */
	LG_CAUSE_DEPRECATED_CONSECUTIVE_ERRORS, /* IST0133 */
	LG_CAUSE_DEPRECATED_MIRROR_PERCENT,	/* IST0133 */
	LG_CAUSE_DEPRECATED_FAULT_PERCENT,	/* IST0133 */
	LG_CAUSE_GATEWAY_IGNORES_SUBSETS,	/* IST0140 */
	LG_CAUSE_DR_MERGED, /* LG0001 info: several DRs for one host */
	LG_CAUSE_BAD_FIELD, /* LG0002: a field the model could not read */
	LG_CAUSE_UNREACHABLE_RULE,    /* IST0130: a rule after a catch-all */
	LG_CAUSE_HOST_NOT_IN_GATEWAY, /* IST0132 */
};

/* One finding; strings owned by the finding. */
struct lg_mesh_finding {
	const char *code; /* "IST0101"...; static */
	enum lg_finding_level level;
	enum lg_finding_cause cause;
	char *kind; /* "VirtualService", "DestinationRule", "Gateway" */
	char *ns;
	char *name;
	char *subject; /* what was referenced: "reviews+v1", a selector... */
	char *message; /* English, one line, no final full stop */
};

struct lg_mesh_findings {
	struct lg_mesh_finding *v;
	size_t n, alloc;
};

/* clang-format off */
#define LG_MESH_FINDINGS_INIT { NULL, 0, 0 }
/* clang-format on */

/*
 * Append the findings for the whole mesh to *out (in a stable order:
 * VirtualServices, DestinationRules, Gateways, notes; each in arrival
 * order). The caller releases *out with lg_mesh_findings_release.
 * @test tests/unit/test_istio.c
 */
void lg_mesh_analyze(const struct lg_mesh *m, struct lg_mesh_findings *out);
/* Free every finding; *f is empty again. */
void lg_mesh_findings_release(struct lg_mesh_findings *f);

/* "Error", "Warning", "Info" (istioctl's words). */
const char *lg_finding_level_name(enum lg_finding_level l);

/* The first finding with this cause, or NULL. */
const struct lg_mesh_finding *
lg_mesh_findings_find(const struct lg_mesh_findings *f,
		      enum lg_finding_cause cause);

/* ------------------------------------------------------------------ */
/* Ingress: a request entering through a gateway.                      */

enum lg_ingress_kind {
	LG_INGRESS_NONE = 0, /* no gateway listens for this host and port */
	LG_INGRESS_NO_ROUTE, /* a gateway listens, no route takes the path */
	LG_INGRESS_ROUTED,   /* routed to a backend */
};

/*
 * Which gateway and route take a request, Gateway API first, then Istio
 * Gateways with their VirtualServices. Every pointer borrows from the mesh;
 * nothing to release.
 */
struct lg_ingress_decision {
	enum lg_ingress_kind kind;
	/* Gateway API: the Gateway and HTTPRoute (rule index) */
	const struct lg_mesh_kgateway *kgw;
	const struct lg_mesh_httproute *route;
	/* Istio API: the Gateway and VirtualService (rule index) */
	const struct lg_mesh_gateway *gw;
	const struct lg_mesh_vs *vs;
	int rule;
	/* the backend with the largest weight */
	const char *backend_host; /* fully qualified */
	const char *backend_subset;
	unsigned backend_port;
	/* An Istio Gateway whose selector matches no pod (pods_known): it
	 * is configuration only, nothing serves it. */
	bool no_gateway_pod;
};

/*
 * Route a request for Host host (no port), on gateway port `port` (0: any
 * port) and path (e.g. "/productpage"). Fills *out and returns out->kind.
 * @test tests/unit/test_istio.c
 */
enum lg_ingress_kind lg_mesh_ingress_route(const struct lg_mesh *m,
					   const char *host, unsigned port,
					   const char *path,
					   struct lg_ingress_decision *out);

#endif

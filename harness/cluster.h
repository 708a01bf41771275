/* SPDX-License-Identifier: MIT */
/* cluster.h: the Kubernetes API over HTTPS (libcurl), read-mostly. */
#ifndef LG_CLUSTER_H
#define LG_CLUSTER_H

#include <cjson/cJSON.h>

#include "kubeconfig.h"
#include "lg.h"

struct lg_cluster;

/* Limits of every request; zero fields take the defaults shown. */
struct lg_cluster_opts {
	long timeout_ms;	 /* whole request; default 10000 */
	long connect_timeout_ms; /* default 5000 */
	size_t max_body;	 /* default 32 MiB */
	long page_limit;	 /* list page size; default 500 */
	/*
	 * When set, every connection goes to connect_host:connect_port (the
	 * local end of an SSH tunnel to the server) instead of the server's
	 * address; the URL still names the server for TLS and the Host
	 * header, and is never resolved locally.
	 */
	const char *connect_host;
	int connect_port;
};

/*
 * Open a client for a resolved kubeconfig (borrowed; copied as needed).
 * Does not connect yet. Runs nothing: an exec plugin runs at the first
 * request. Thread safety: one lg_cluster may be used by several threads;
 * each request takes a handle from an internal pool, and connections are
 * reused through a shared cache.
 * @test tests/unit/test_cluster.c
 */
enum lg_err lg_cluster_open(struct lg_cluster **out,
			    const struct lg_kubeconfig *kc,
			    const struct lg_cluster_opts *opts,
			    struct lg_error *err);
void lg_cluster_free(struct lg_cluster *c);

/*
 * The transport under the client, so that unit tests can serve recorded
 * responses instead of HTTPS. request() performs one HTTP request
 * and fills body and *status; it returns LG_OK whenever an HTTP answer came,
 * whatever its status, or LG_EHTTP / LG_ETIMEOUT / LG_ETOOBIG with err set.
 */
struct lg_transport {
	enum lg_err (*request)(void *data, const char *method, const char *path,
			       const char *content_type, const char *body,
			       struct lg_buf *resp, long *status,
			       struct lg_error *err);
	void (*free)(void *data);
};

/* A client over a given transport (tests). data is taken: t->free(data)
 * runs in lg_cluster_free. server is only used in messages and reports. */
struct lg_cluster *lg_cluster_open_transport_take(const struct lg_transport *t,
						  void *data,
						  const char *server);

/*
 * The fixture transport: GET path P answers with the file
 * DIR/<P with '/' as '_', leading '_' dropped>.json (status 200), or, when
 * DIR/<same>.status exists, that status (first line) and the .json body.
 * Anything absent answers 404 with a NotFound Status. Writes answer 403.
 */
struct lg_cluster *lg_cluster_open_fixture(const char *dir);

/* The API server URL, for reports. Borrowed. */
const char *lg_cluster_server(const struct lg_cluster *c);
/* The kubeconfig's namespace. Borrowed. */
const char *lg_cluster_namespace(const struct lg_cluster *c);
/* Number of HTTP requests made so far (for bench and tests). */
unsigned long lg_cluster_requests(const struct lg_cluster *c);

/*
 * GET path (e.g. "/api/v1/namespaces/bookinfo/pods") and parse the JSON.
 * *out belongs to the caller (cJSON_Delete). A Kubernetes Status error or an
 * HTTP failure becomes a typed error with a sentence a student understands:
 * LG_ENOTFOUND, LG_EFORBIDDEN ("RBAC: user X may not list pods in
 * bookinfo"), LG_EAUTH, LG_ETIMEOUT, LG_EHTTP, LG_ESERVER, LG_EPARSE (a
 * truncated or non-JSON body), LG_ETOOBIG. Blocks up to the timeout.
 */
enum lg_err lg_cluster_get(struct lg_cluster *c, const char *path, cJSON **out,
			   struct lg_error *err);

/*
 * GET a list, following metadata.continue; *items is a JSON array of every
 * item (caller's). query may be NULL or "labelSelector=app%3Dreviews".
 */
enum lg_err lg_cluster_list(struct lg_cluster *c, const char *path,
			    const char *query, cJSON **items,
			    struct lg_error *err);

/*
 * Any request with a raw body (for the journal's writes and for proxied
 * text such as /stats/prometheus). body may be NULL. The response body goes
 * to resp (capped by max_body), the HTTP status to *status. Non-2xx statuses
 * are returned as typed errors exactly like lg_cluster_get, with the status
 * still set.
 */
enum lg_err lg_cluster_request(struct lg_cluster *c, const char *method,
			       const char *path, const char *content_type,
			       const char *body, struct lg_buf *resp,
			       long *status, struct lg_error *err);

/*
 * A streaming GET (a watch: "...?watch=1&resourceVersion=RV"): every line
 * of the body goes to on_line as it arrives (without its newline), until
 * the server ends the stream, on_line returns false, or stop (polled about
 * once a second, may be NULL) returns true. *status is the HTTP status;
 * a non-2xx answer's body is handed to on_line too (a Status object), so
 * the caller reads its reason. A line longer than the client's max_body
 * is LG_ETOOBIG. No timeout but the connect timeout: the caller asks the
 * server to end the watch (timeoutSeconds). Only over the HTTP transport:
 * LG_EUSAGE on another one (the fixture's).
 */
typedef bool (*lg_cluster_line_fn)(void *data, const char *line, size_t len);
typedef bool (*lg_cluster_stop_fn)(void *data);
enum lg_err lg_cluster_stream(struct lg_cluster *c, const char *path,
			      lg_cluster_line_fn on_line,
			      lg_cluster_stop_fn stop, void *data, long *status,
			      struct lg_error *err);

#endif

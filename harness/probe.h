/* SPDX-License-Identifier: MIT */
/* probe.h: plain HTTP requests to the mesh through its gateway (libcurl). */
#ifndef LG_PROBE_H
#define LG_PROBE_H

#include "lg.h"

/* One request to the gateway. Strings are borrowed. */
struct lg_probe_req {
	const char *method; /* NULL means GET */
	const char *url;    /* full URL: gateway base + path */
	const char *host;   /* Host header override, or NULL */
	const char *cookie; /* "session=..." or NULL */
	const char *body;   /* form body for POST, or NULL */
	const char *referer;
	long timeout_ms; /* default 15000 */
};

/* The answer. lg_probe_resp_release() frees it. */
struct lg_probe_resp {
	long status;	    /* 0 when there was no HTTP answer */
	double seconds;	    /* total time */
	struct lg_buf body; /* capped at 4 MiB */
	char *set_cookie;   /* "name=value" of the first Set-Cookie, or NULL */
	char *location;
};

void lg_probe_resp_release(struct lg_probe_resp *r);

/*
 * Send one request and wait for the answer. LG_ETIMEOUT or LG_EHTTP (with
 * the reason in err) when no HTTP answer came; any status is LG_OK.
 * @test tests/unit/test_probe.c
 */
enum lg_err lg_probe(const struct lg_probe_req *req, struct lg_probe_resp *resp,
		     struct lg_error *err);

#endif

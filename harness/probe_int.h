/* SPDX-License-Identifier: MIT */
/* probe_int.h: what lg_probe and lg_probe_many share (libcurl setup, the
 * sentence for a request that got no answer); internal to probe*.c. */
#ifndef LG_PROBE_INT_H
#define LG_PROBE_INT_H

#include <curl/curl.h>

#include "probe.h"

#define LG_PROBE_MAX_BODY ((size_t)4 << 20)
#define LG_PROBE_TIMEOUT_MS 15000L

/* Where a transfer's answer goes; toobig when the body passed the cap. */
struct lg_probe_sink {
	struct lg_probe_resp *r;
	bool toobig;
};

/* curl_global_init, once per process (thread-safe). */
void lg_probe_global_init(void);

/*
 * Set h up for req: URL, protocols, timeouts, no redirects, no .netrc,
 * callbacks filling sink->r (body capped, first Set-Cookie, Location),
 * cookie, referer, method and form body, and the error buffer ebuf
 * (CURL_ERROR_SIZE bytes). Returns the header list set on h: the caller
 * frees it with curl_slist_free_all after the transfer. Strings in req are
 * borrowed and must outlive the transfer.
 */
struct curl_slist *lg_probe_setup(CURL *h, const struct lg_probe_req *req,
				  struct lg_probe_sink *sink, char *ebuf);

/* The typed error and sentence for a transfer that ended with cc. */
enum lg_err lg_probe_reason(const struct lg_probe_req *req, CURLcode cc,
			    const char *ebuf, bool toobig,
			    struct lg_error *err);

/* A gateway URL with user:password@ would make libcurl send basic auth. */
bool lg_probe_has_userinfo(const char *url);

#endif

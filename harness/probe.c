/* SPDX-License-Identifier: MIT */
/* probe.c: one plain HTTP(S) request to the mesh's gateway over libcurl. */
#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probe_int.h"

static pthread_once_t probe_init_ctl = PTHREAD_ONCE_INIT;

static void probe_init_once(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		lg_die("cannot initialise libcurl");
}

void lg_probe_global_init(void)
{
	pthread_once(&probe_init_ctl, probe_init_once);
}

void lg_probe_resp_release(struct lg_probe_resp *r)
{
	lg_buf_release(&r->body);
	free(r->set_cookie);
	free(r->location);
	r->set_cookie = NULL;
	r->location = NULL;
	r->status = 0;
	r->seconds = 0;
}

static size_t body_write(char *p, size_t size, size_t n, void *u)
{
	struct lg_probe_sink *s = u;

	if (lg_buf_add(&s->r->body, p, size * n) != LG_OK) {
		s->toobig = true;
		return 0;
	}
	return size * n;
}

/* The value of "Name: value\r\n" if the line is that header, else NULL. */
static char *header_value(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);
	const char *v, *end = line + n;

	if (n <= k || strncasecmp(line, name, k) || line[k] != ':')
		return NULL;
	for (v = line + k + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	return lg_xstrndup(v, (size_t)(end - v));
}

/* Keep the first Set-Cookie's "name=value" and the Location. */
static size_t header_write(char *p, size_t size, size_t n, void *u)
{
	struct lg_probe_sink *s = u;
	char *v, *semi;

	if (!s->r->set_cookie &&
	    (v = header_value(p, size * n, "Set-Cookie"))) {
		semi = strchr(v, ';');
		if (semi)
			*semi = '\0';
		s->r->set_cookie = v;
	}
	if (!s->r->location && (v = header_value(p, size * n, "Location")))
		s->r->location = v;
	return size * n;
}

static struct curl_slist *probe_headers(const struct lg_probe_req *req)
{
	struct curl_slist *hd = NULL;
	char *h;

	hd = curl_slist_append(hd, "Expect:");
	if (req->host) {
		h = lg_xasprintf("Host: %s", req->host);
		hd = curl_slist_append(hd, h);
		free(h);
	}
	return hd;
}

static void probe_setup_body(CURL *h, const struct lg_probe_req *req)
{
	const char *body = req->body ? req->body : "";

	if (req->body || (req->method && !strcmp(req->method, "POST"))) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if (req->method && strcmp(req->method, "GET") &&
	    strcmp(req->method, "POST"))
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
}

struct curl_slist *lg_probe_setup(CURL *h, const struct lg_probe_req *req,
				  struct lg_probe_sink *sink, char *ebuf)
{
	long timeout =
	    req->timeout_ms > 0 ? req->timeout_ms : LG_PROBE_TIMEOUT_MS;
	struct curl_slist *hd = probe_headers(req);

	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_write);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, sink);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	if (req->cookie)
		curl_easy_setopt(h, CURLOPT_COOKIE, req->cookie);
	if (req->referer)
		curl_easy_setopt(h, CURLOPT_REFERER, req->referer);
	probe_setup_body(h, req);
	return hd;
}

enum lg_err lg_probe_reason(const struct lg_probe_req *req, CURLcode cc,
			    const char *ebuf, bool toobig, struct lg_error *err)
{
	const char *m = req->method ? req->method : "GET";

	if (cc == CURLE_OPERATION_TIMEDOUT)
		return lg_errorf(err, LG_ETIMEOUT,
				 "%s %s: no answer within %ld ms", m, req->url,
				 req->timeout_ms > 0 ? req->timeout_ms
						     : LG_PROBE_TIMEOUT_MS);
	if (toobig)
		return lg_errorf(err, LG_ETOOBIG,
				 "%s %s: the answer is larger than %zu bytes",
				 m, req->url, LG_PROBE_MAX_BODY);
	if (cc == CURLE_COULDNT_CONNECT)
		return lg_errorf(err, LG_EHTTP,
				 "%s %s: cannot connect to the gateway (%s)", m,
				 req->url, ebuf);
	if (cc == CURLE_RECV_ERROR || cc == CURLE_GOT_NOTHING ||
	    cc == CURLE_SEND_ERROR)
		return lg_errorf(err, LG_EHTTP,
				 "%s %s: the gateway closed or reset the "
				 "connection before answering",
				 m, req->url);
	return lg_errorf(err, LG_EHTTP, "%s %s: %s", m, req->url,
			 *ebuf ? ebuf : curl_easy_strerror(cc));
}

bool lg_probe_has_userinfo(const char *url)
{
	const char *p = url ? strstr(url, "://") : NULL;
	size_t auth_len;

	if (!p)
		return false;
	p += 3;
	auth_len = strcspn(p, "/?#");
	return memchr(p, '@', auth_len) != NULL;
}

enum lg_err lg_probe(const struct lg_probe_req *req, struct lg_probe_resp *resp,
		     struct lg_error *err)
{
	struct lg_probe_sink sink = {resp, false};
	char ebuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hd;
	enum lg_err rc = LG_OK;
	CURL *h;
	CURLcode cc;

	memset(resp, 0, sizeof(*resp));
	lg_buf_init(&resp->body, LG_PROBE_MAX_BODY);
	if (lg_probe_has_userinfo(req->url))
		return lg_errorf(
		    err, LG_EUSAGE,
		    "the gateway URL must not hold a user name or password");
	lg_probe_global_init();
	h = curl_easy_init();
	if (!h)
		lg_die("out of memory (curl_easy_init)");
	hd = lg_probe_setup(h, req, &sink, ebuf);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &resp->seconds);
	if (cc != CURLE_OK) {
		rc = lg_probe_reason(req, cc, ebuf, sink.toobig, err);
		resp->status = 0;
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(hd);
	return rc;
}

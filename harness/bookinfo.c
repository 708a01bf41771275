/* SPDX-License-Identifier: MIT */
/* bookinfo.c: Bookinfo pages fetched through the gateway and classified. */
/*
 * Classification uses substring markers, never an HTML parser: the page's
 * template changed between Bookinfo releases (Bootstrap glyphicons, then
 * Tailwind classes), and the markers are what both have in common with
 * what a student sees. The JSON API names the reviews pod directly.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bookinfo.h"
#include "expect.h"
#include "probe.h"
#include "probe_multi.h"

#define PAGE_PATH "/productpage"
#define API_PATH "/api/v1/products/0/reviews"
#define SERVED_BY "Reviews served by:"
#define REVIEWS_ERR1 "Sorry, product reviews are currently unavailable"
#define REVIEWS_ERR2 "Error fetching product reviews"
#define RATINGS_ERR "Ratings service is currently unavailable"
/* Batches larger than this are sent in a sliding window of this size. */
#define MAX_IN_FLIGHT 16

static bool has(const char *body, size_t len, const char *needle)
{
	return memmem(body, len, needle, strlen(needle)) != NULL;
}

/* Version from a reviews pod name: "reviews-v2-..." or "...-v2-...". */
static int version_of_pod(const char *pod)
{
	const char *p = pod;

	while ((p = strstr(p, "-v")) != NULL) {
		if (p[2] >= '1' && p[2] <= '3' && (p[3] == '-' || !p[3]))
			return p[2] - '0';
		p += 2;
	}
	return 0;
}

static bool is_pod_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.';
}

/*
 * The pod name after "Reviews served by:": skip whitespace and tags (the
 * template puts the name in its own element), then take a DNS-label-like
 * run. Empty when nothing like a name follows.
 */
/* Past whitespace and up to 16 tags; NULL at an unterminated tag. */
static const char *skip_tags(const char *p, const char *end)
{
	int guard;

	for (guard = 0; guard < 16 && p && p < end; guard++) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p >= end || *p != '<')
			break;
		p = memchr(p, '>', (size_t)(end - p));
		p = p ? p + 1 : NULL;
	}
	return p;
}

static void served_by(const char *body, size_t len, char *pod, size_t cap)
{
	const char *p = memmem(body, len, SERVED_BY, strlen(SERVED_BY));
	const char *end = body + len;
	size_t n = 0;

	pod[0] = '\0';
	if (!p)
		return;
	p = skip_tags(p + strlen(SERVED_BY), end);
	while (p && p < end && n + 1 < cap && is_pod_char(*p))
		pod[n++] = *p++;
	pod[n] = '\0';
}

/* Version when no pod name tells it: from what was drawn. */
static int version_of_view(const struct lg_bookinfo_obs *o, bool has_review)
{
	if (o->stars == LG_BOOKINFO_STARS_BLACK)
		return 2;
	if (o->stars == LG_BOOKINFO_STARS_RED)
		return 3;
	/* Only v1 shows reviews with neither stars nor a ratings error. */
	if (has_review && !o->ratings_error && !o->reviews_error)
		return 1;
	return 0;
}

static void clear_content(struct lg_bookinfo_obs *o)
{
	o->version = 0;
	o->stars = LG_BOOKINFO_STARS_NONE;
	o->is_bookinfo = false;
	o->reviews_error = false;
	o->ratings_error = false;
	o->pod[0] = '\0';
}

/* `text-red-500` alone also marks error paragraphs: only the star div's
 * `gap-x-1` form counts (or the old template's <font color>). */
static enum lg_bookinfo_stars page_stars(const char *body, size_t len)
{
	if (has(body, len, "gap-x-1 text-red-500") ||
	    has(body, len, "<font color=\"red\">"))
		return LG_BOOKINFO_STARS_RED;
	if (has(body, len, "gap-x-1 text-black-500") ||
	    has(body, len, "<font color=\"black\">"))
		return LG_BOOKINFO_STARS_BLACK;
	return LG_BOOKINFO_STARS_NONE;
}

void lg_bookinfo_classify_page(const char *body, size_t len,
			       struct lg_bookinfo_obs *out)
{
	bool review;

	clear_content(out);
	if (!body)
		return;
	out->is_bookinfo =
	    has(body, len, "Simple Bookstore App") || has(body, len, SERVED_BY);
	if (!out->is_bookinfo)
		return;
	out->reviews_error =
	    has(body, len, REVIEWS_ERR1) || has(body, len, REVIEWS_ERR2);
	out->ratings_error = has(body, len, RATINGS_ERR);
	out->stars = page_stars(body, len);
	served_by(body, len, out->pod, sizeof(out->pod));
	review = out->pod[0] || has(body, len, "Reviewer1");
	out->version = version_of_pod(out->pod);
	if (!out->version)
		out->version = version_of_view(out, review);
}

/* Stars and ratings errors from reviews[].rating. */
static void json_ratings(const cJSON *reviews, struct lg_bookinfo_obs *out)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, reviews)
	{
		const cJSON *rating =
		    cJSON_GetObjectItemCaseSensitive(r, "rating");
		const cJSON *color =
		    cJSON_GetObjectItemCaseSensitive(rating, "color");
		const cJSON *error =
		    cJSON_GetObjectItemCaseSensitive(rating, "error");

		if (cJSON_IsString(error))
			out->ratings_error = true;
		if (!cJSON_IsString(color))
			continue;
		if (strcmp(color->valuestring, "red") == 0)
			out->stars = LG_BOOKINFO_STARS_RED;
		else if (strcmp(color->valuestring, "black") == 0 &&
			 out->stars == LG_BOOKINFO_STARS_NONE)
			out->stars = LG_BOOKINFO_STARS_BLACK;
	}
}

void lg_bookinfo_classify_json(const char *body, size_t len,
			       struct lg_bookinfo_obs *out)
{
	cJSON *doc;
	const cJSON *pod, *reviews, *error;

	clear_content(out);
	if (!body)
		return;
	doc = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(doc))
		goto out;
	pod = cJSON_GetObjectItemCaseSensitive(doc, "podname");
	reviews = cJSON_GetObjectItemCaseSensitive(doc, "reviews");
	error = cJSON_GetObjectItemCaseSensitive(doc, "error");
	if (cJSON_IsString(error)) {
		out->is_bookinfo = true;
		out->reviews_error = true;
	}
	if (!cJSON_IsArray(reviews))
		goto out;
	out->is_bookinfo = true;
	if (cJSON_IsString(pod)) {
		size_t n = strlen(pod->valuestring);

		n = n < sizeof(out->pod) ? n : sizeof(out->pod) - 1;
		memcpy(out->pod, pod->valuestring, n);
		out->pod[n] = '\0';
	}
	json_ratings(reviews, out);
	out->version = version_of_pod(out->pod);
	if (!out->version)
		out->version =
		    version_of_view(out, cJSON_GetArraySize(reviews) > 0);
out:
	cJSON_Delete(doc);
}

/* Only names a form can carry without encoding. */
static bool is_plain_user(const char *user)
{
	const char *p;

	if (!user || !*user || strlen(user) > 64)
		return false;
	for (p = user; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return false;
	return true;
}

enum lg_err lg_bookinfo_login(const char *base_url, const char *user,
			      char **cookie_out, struct lg_error *err)
{
	struct lg_probe_req q = {0};
	struct lg_probe_resp r = {0};
	char *url, *body, *referer;
	enum lg_err rc;

	*cookie_out = NULL;
	if (!base_url || !is_plain_user(user))
		return lg_errorf(err, LG_EUSAGE, "cannot log in as '%s'",
				 user ? user : "(null)");
	url = lg_xasprintf("%s/login", base_url);
	body = lg_xasprintf("username=%s&passwd=x", user);
	referer = lg_xasprintf("%s" PAGE_PATH, base_url);
	q.method = "POST";
	q.url = url;
	q.body = body;
	q.referer = referer;
	rc = lg_probe(&q, &r, err);
	if (rc != LG_OK)
		goto out;
	if ((r.status == 302 || r.status == 303) && r.set_cookie &&
	    strncmp(r.set_cookie, "session=", 8) == 0)
		*cookie_out = lg_xstrdup(r.set_cookie);
	else
		rc = lg_errorf(err, LG_EHTTP,
			       "POST %s as %s: HTTP %ld%s, no session cookie",
			       url, user, r.status,
			       r.set_cookie ? " with another cookie" : "");
out:
	lg_probe_resp_release(&r);
	free(url);
	free(body);
	free(referer);
	return rc;
}

static void classify(enum lg_bookinfo_source src, const struct lg_probe_resp *r,
		     struct lg_bookinfo_obs *o)
{
	if (src == LG_BOOKINFO_API)
		lg_bookinfo_classify_json(r->body.buf, r->body.len, o);
	else
		lg_bookinfo_classify_page(r->body.buf, r->body.len, o);
	o->status = r->status;
	o->seconds = r->seconds;
}

static void set_detail(struct lg_bookinfo_obs *o, const char *why)
{
	size_t n = strlen(why);

	n = n < sizeof(o->detail) ? n : sizeof(o->detail) - 1;
	memcpy(o->detail, why, n);
	o->detail[n] = '\0';
}

enum lg_err lg_bookinfo_observe(const char *base_url, const char *cookie,
				enum lg_bookinfo_source src, long timeout_ms,
				struct lg_bookinfo_obs *out,
				struct lg_error *err)
{
	struct lg_bookinfo_ask a = {cookie, src};

	return lg_bookinfo_observe_set(base_url, &a, 1, 1, timeout_ms, out,
				       err);
}

enum lg_err lg_bookinfo_observe_many(const char *base_url, const char *cookie,
				     enum lg_bookinfo_source src,
				     long timeout_ms, size_t n,
				     struct lg_bookinfo_obs *out,
				     struct lg_error *err)
{
	struct lg_bookinfo_ask *asks;
	enum lg_err rc;
	size_t i;

	if (n == 0)
		return LG_OK;
	asks = lg_xcalloc(n, sizeof(*asks));
	for (i = 0; i < n; i++) {
		asks[i].cookie = cookie;
		asks[i].src = src;
	}
	rc =
	    lg_bookinfo_observe_set(base_url, asks, n, 0, timeout_ms, out, err);
	free(asks);
	return rc;
}

static struct lg_probe_req *make_reqs(char *const urls[2],
				      const struct lg_bookinfo_ask *asks,
				      size_t n, long timeout_ms)
{
	struct lg_probe_req *reqs = lg_xcalloc(n, sizeof(*reqs));
	size_t i;

	for (i = 0; i < n; i++) {
		reqs[i].url = urls[asks[i].src == LG_BOOKINFO_API];
		reqs[i].cookie = asks[i].cookie;
		reqs[i].timeout_ms = timeout_ms;
	}
	return reqs;
}

/*
 * With a connection pool limiting reviews (the circuit-breaker step), two
 * pages in flight at once can overflow it, as they would on a real mesh:
 * then no check may have a request in flight while another does, or one
 * check's traffic would spoil another's observation. One lock for the whole
 * process serialises them, request by request, so checks still interleave.
 */
static pthread_mutex_t serial_traffic = PTHREAD_MUTEX_INITIALIZER;

static void probe_one_at_a_time(const struct lg_probe_req *reqs, size_t n,
				struct lg_probe_resp *resps,
				struct lg_probe_outcome *oc)
{
	struct lg_error perr = {0};
	size_t i;

	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&serial_traffic);
		(void)lg_probe_many_ex(&reqs[i], 1, 1, 0, &resps[i], &oc[i],
				       NULL, &perr);
		pthread_mutex_unlock(&serial_traffic);
		lg_error_clear(&perr);
	}
}

enum lg_err lg_bookinfo_observe_set(const char *base_url,
				    const struct lg_bookinfo_ask *asks,
				    size_t n, unsigned concurrency,
				    long timeout_ms,
				    struct lg_bookinfo_obs *out,
				    struct lg_error *err)
{
	struct lg_probe_req *reqs;
	struct lg_probe_resp *resps;
	struct lg_probe_outcome *oc;
	struct lg_error perr = {0};
	char *urls[2];
	size_t i;

	if (!base_url || n > LG_PROBE_MANY_MAX)
		return lg_errorf(err, LG_EUSAGE, "bad observation request");
	if (n == 0)
		return LG_OK;
	urls[LG_BOOKINFO_PAGE] = lg_xasprintf("%s" PAGE_PATH, base_url);
	urls[LG_BOOKINFO_API] = lg_xasprintf("%s" API_PATH, base_url);
	reqs = make_reqs(urls, asks, n, timeout_ms);
	resps = lg_xcalloc(n, sizeof(*resps));
	oc = lg_xcalloc(n, sizeof(*oc));
	if (concurrency == 0 || concurrency > MAX_IN_FLIGHT)
		concurrency = n < MAX_IN_FLIGHT ? (unsigned)n : MAX_IN_FLIGHT;
	/* A request without an answer is an observation, not an error. */
	if (concurrency == 1)
		probe_one_at_a_time(reqs, n, resps, oc);
	else
		(void)lg_probe_many_ex(reqs, n, concurrency, 0, resps, oc, NULL,
				       &perr);
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		classify(asks[i].src, &resps[i], &out[i]);
		if (resps[i].status == 0)
			set_detail(&out[i], oc[i].reason[0] ? oc[i].reason
							    : "no answer");
		lg_probe_resp_release(&resps[i]);
	}
	free(reqs);
	free(resps);
	free(oc);
	free(urls[0]);
	free(urls[1]);
	return LG_OK;
}

enum lg_bookinfo_source lg_bookinfo_pick_source(const char *base_url,
						long timeout_ms)
{
	struct lg_bookinfo_obs o;
	struct lg_error err = {0};

	if (lg_bookinfo_observe(base_url, NULL, LG_BOOKINFO_API, timeout_ms, &o,
				&err) != LG_OK)
		return LG_BOOKINFO_PAGE;
	return o.status == 200 && o.is_bookinfo && o.pod[0] ? LG_BOOKINFO_API
							    : LG_BOOKINFO_PAGE;
}

static void tally_time(struct lg_bookinfo_tally *t, double seconds)
{
	if (t->n - t->no_answer == 1 || seconds < t->min_seconds)
		t->min_seconds = seconds;
	if (seconds > t->max_seconds)
		t->max_seconds = seconds;
	t->sum_seconds += seconds;
}

/* A page that shows reviews: the view a version can be read from. */
static bool is_served(const struct lg_bookinfo_obs *o)
{
	return !o->reviews_error && o->status == 200 && o->is_bookinfo;
}

void lg_bookinfo_tally_add(struct lg_bookinfo_tally *t,
			   const struct lg_bookinfo_obs *o)
{
	t->n++;
	if (o->status == 0) {
		t->no_answer++;
		return;
	}
	tally_time(t, o->seconds);
	if (o->reviews_error)
		t->reviews_error++;
	else if (!is_served(o))
		t->bad_status++;
	t->ratings_error += o->ratings_error;
	t->black += o->stars == LG_BOOKINFO_STARS_BLACK;
	t->red += o->stars == LG_BOOKINFO_STARS_RED;
	if (is_served(o))
		t->v[o->version >= 1 && o->version <= 3 ? o->version : 0]++;
}

/* " name N," for each non-zero count. */
static void add_counts(struct lg_buf *b, const struct lg_bookinfo_tally *t)
{
	const struct {
		const char *name;
		size_t n;
	} c[] = {
	    {"version unknown", t->v[0]},
	    {"reviews unavailable", t->reviews_error},
	    {"ratings unavailable", t->ratings_error},
	    {"not the page", t->bad_status},
	    {"no answer", t->no_answer},
	};
	size_t i;

	for (i = 0; i < LG_ARRAY_SIZE(c); i++)
		if (c[i].n)
			lg_buf_addf(b, " %s %zu,", c[i].name, c[i].n);
}

char *lg_bookinfo_tally_describe(const struct lg_bookinfo_tally *t)
{
	struct lg_buf b = LG_BUF_INIT;
	int i;

	lg_buf_addf(&b, "%zu request(s):", t->n);
	for (i = 1; i <= 3; i++)
		if (t->v[i])
			lg_buf_addf(&b, " reviews-v%d %zu,", i, t->v[i]);
	if (t->black || t->red)
		lg_buf_addf(&b, " black stars %zu, red stars %zu,", t->black,
			    t->red);
	add_counts(&b, t);
	if (t->n > t->no_answer)
		lg_buf_addf(&b, " %.2f-%.2f s", t->min_seconds, t->max_seconds);
	else if (b.buf[b.len - 1] == ',')
		b.buf[--b.len] = '\0';
	return lg_buf_detach(&b, NULL);
}

char *lg_bookinfo_obs_describe(const struct lg_bookinfo_obs *o)
{
	static const char *const stars[] = {"no stars", "black stars",
					    "red stars"};
	char ver[32] = "reviews version unknown";

	if (o->status == 0)
		return lg_xasprintf("no answer: %s", o->detail);
	if (!o->is_bookinfo)
		return lg_xasprintf("HTTP %ld, not Bookinfo, %.2f s", o->status,
				    o->seconds);
	if (o->reviews_error)
		return lg_xasprintf("HTTP %ld, \"" REVIEWS_ERR1 "\", %.2f s",
				    o->status, o->seconds);
	if (o->version >= 1 && o->version <= 3)
		snprintf(ver, sizeof(ver), "reviews-v%d", o->version);
	return lg_xasprintf(
	    "HTTP %ld, %s (%s%s), %.2f s", o->status, ver, stars[o->stars],
	    o->ratings_error ? ", ratings unavailable" : "", o->seconds);
}

enum lg_err lg_bookinfo_mesh_read(struct lg_cluster *c, struct lg_result *res,
				  const char *ns, struct lg_mesh *m,
				  struct lg_error *err)
{
	static const char *const kinds[] = {"virtualservices",
					    "destinationrules"};
	struct lg_error perr = {0};
	enum lg_err rc = LG_OK;
	size_t i;

	for (i = 0; rc == LG_OK && i < LG_ARRAY_SIZE(kinds); i++) {
		char *path = lg_xasprintf(
		    "/apis/networking.istio.io/v1/namespaces/%s/%s", ns,
		    kinds[i]);
		cJSON *items = NULL;
		const cJSON *it;

		rc = lg_expect_list(c, res, path, &items, err);
		/* a malformed item is the student's, not an API failure */
		cJSON_ArrayForEach(it, items)
		{
			lg_error_clear(&perr);
			if (lg_mesh_add_object_ns(m, it, ns, &perr) ==
			    LG_EPARSE)
				lg_result_evidencef(res, "%s: %s", path,
						    perr.msg);
		}
		cJSON_Delete(items);
		free(path);
	}
	return rc;
}

static bool pool_limits(const struct lg_mesh_pool *p)
{
	return p->max_connections > 0 || p->http1_max_pending > 0 ||
	       p->http2_max_requests > 0 || p->max_requests_per_conn > 0;
}

unsigned lg_bookinfo_concurrency(const struct lg_mesh *m, const char *ns)
{
	static const char *const subsets[] = {"v1", "v2", "v3"};
	struct lg_mesh_resolved_policy pol;
	size_t i;

	lg_mesh_policy_for(m, ns, "reviews", NULL, &pol);
	if (pol.policy.has_pool && pool_limits(&pol.policy.pool))
		return 1;
	for (i = 0; i < LG_ARRAY_SIZE(subsets); i++) {
		lg_mesh_policy_for(m, ns, "reviews", subsets[i], &pol);
		if (pol.policy.has_pool && pool_limits(&pol.policy.pool))
			return 1;
	}
	return 0;
}

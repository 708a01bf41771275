/* SPDX-License-Identifier: MIT */
/* watch.c: follow the collections the checks read through the API's watch
 * and tell the caller when they changed and then settled. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "watch.h"

/* The server ends a watch after this; we then watch again from the last
 * resourceVersion seen (client-go's reflector does the same). */
#define WATCH_SECONDS 60
#define ABSENT_RETRY_S 30
#define ERROR_RETRY_S 3

/* A collection: its path in every namespace, and in ns alone. */
struct wlist {
	struct lg_watch *w;
	char *all, *in_ns; /* NULL when there is no such form */
	bool ns_only;	   /* RBAC refused the cluster-wide form */
	char *rv;	   /* resourceVersion to watch from; NULL: list */
	pthread_t th;
	bool running;
};

enum { NLISTS = 7 };

struct lg_watch {
	struct lg_cluster *c;
	const volatile sig_atomic_t *stop;
	atomic_bool stopping;
	pthread_mutex_t lock;
	unsigned long changes, consumed;
	struct timespec last; /* of the latest change (monotonic) */
	char *note;
	struct wlist lists[NLISTS];
};

static bool stopped(void *data)
{
	const struct lg_watch *w = data;

	return *w->stop || atomic_load(&w->stopping);
}

static void now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

static void note_change(struct lg_watch *w)
{
	pthread_mutex_lock(&w->lock);
	w->changes++;
	now(&w->last);
	pthread_mutex_unlock(&w->lock);
}

static void note_error(struct lg_watch *w, const char *msg)
{
	pthread_mutex_lock(&w->lock);
	if (!w->note)
		w->note = lg_xstrdup(msg);
	pthread_mutex_unlock(&w->lock);
}

/* Sleep up to s seconds, waking early when stopped. */
static void pause_s(struct lg_watch *w, int s)
{
	struct timespec ts = {0, 100 * 1000000L};
	int i;

	for (i = 0; i < s * 10 && !stopped(w); i++)
		nanosleep(&ts, NULL);
}

static const char *path_of(const struct wlist *l)
{
	return l->ns_only || !l->all ? l->in_ns : l->all;
}

/* A list (one item is enough) for the collection's resourceVersion. */
static enum lg_err relist(struct wlist *l, struct lg_error *err)
{
	char *p = lg_xasprintf("%s?limit=1", path_of(l));
	cJSON *doc = NULL;
	const char *rv;
	enum lg_err rc = lg_cluster_get(l->w->c, p, &doc, err);

	if (rc == LG_EFORBIDDEN && !l->ns_only && l->all && l->in_ns) {
		l->ns_only = true;
		lg_error_clear(err);
		free(p);
		return relist(l, err);
	}
	rv = cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(doc, "metadata"), "resourceVersion"));
	if (rc == LG_OK && rv) {
		free(l->rv);
		l->rv = lg_xstrdup(rv);
	} else if (rc == LG_OK)
		rc = lg_errorf(err, LG_EPARSE,
			       "GET %s: the list has no resourceVersion", p);
	cJSON_Delete(doc);
	free(p);
	return rc;
}

/* One event: {"type": ..., "object": {...}}. A 410 Gone (the
 * resourceVersion is too old) asks for a fresh list. */
static bool on_event(void *data, const char *line, size_t len)
{
	struct wlist *l = data;
	cJSON *ev = cJSON_ParseWithLength(line, len);
	const cJSON *obj = cJSON_GetObjectItem(ev, "object");
	const char *type =
	    cJSON_GetStringValue(cJSON_GetObjectItem(ev, "type"));
	const char *rv = cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(obj, "metadata"), "resourceVersion"));
	bool go = true;

	if (!type || !strcmp(type, "ERROR")) {
		/* 410, or a Status instead of a stream: list again */
		free(l->rv);
		l->rv = NULL;
		go = false;
	} else {
		if (rv) {
			free(l->rv);
			l->rv = lg_xstrdup(rv);
		}
		if (strcmp(type, "BOOKMARK"))
			note_change(l->w);
	}
	cJSON_Delete(ev);
	return go && !stopped(l->w);
}

static bool stop_list(void *data)
{
	const struct wlist *l = data;

	return stopped(l->w);
}

static enum lg_err watch_once(struct wlist *l, struct lg_error *err)
{
	char *p = lg_xasprintf("%s?watch=1&resourceVersion=%s&"
			       "allowWatchBookmarks=true&timeoutSeconds=%d",
			       path_of(l), l->rv, WATCH_SECONDS);
	long status = 0;
	enum lg_err rc =
	    lg_cluster_stream(l->w->c, p, on_event, stop_list, l, &status, err);

	if (rc == LG_OK && (status < 200 || status >= 300)) {
		free(l->rv);
		l->rv = NULL;
		if (status != 410)
			rc = lg_errorf(err, LG_EHTTP, "GET %s: status %ld", p,
				       status);
	}
	free(p);
	return rc;
}

static long ms_since(const struct timespec *t)
{
	struct timespec n;

	now(&n);
	return (n.tv_sec - t->tv_sec) * 1000 +
	       (n.tv_nsec - t->tv_nsec) / 1000000;
}

/* Watch once; a watch that ends at once (a proxy that does not stream, a
 * Status instead of events) must not become a busy loop. */
static enum lg_err watch_paced(struct wlist *l, struct lg_error *err)
{
	struct timespec t0;
	enum lg_err rc;

	now(&t0);
	rc = watch_once(l, err);
	if (rc == LG_OK && ms_since(&t0) < 1000)
		pause_s(l->w, 1);
	return rc;
}

/* List when needed (after the first list, a relist may have missed
 * events: count it as a change), then watch. */
static void step(struct wlist *l, bool *listed)
{
	struct lg_error err = {0};
	enum lg_err rc = LG_OK;

	if (!l->rv) {
		rc = relist(l, &err);
		if (rc == LG_OK && *listed)
			note_change(l->w);
		*listed = *listed || rc == LG_OK;
	}
	if (rc == LG_OK)
		rc = watch_paced(l, &err);
	if (rc == LG_ENOTFOUND) {
		pause_s(l->w, ABSENT_RETRY_S);
	} else if (rc != LG_OK && !stopped(l->w)) {
		note_error(l->w, err.msg);
		pause_s(l->w, ERROR_RETRY_S);
	}
}

static void *list_thread(void *data)
{
	struct wlist *l = data;
	bool listed = false;

	while (!stopped(l->w))
		step(l, &listed);
	return NULL;
}

static void add_list(struct lg_watch *w, size_t i, const char *all,
		     const char *api, const char *ns, const char *res)
{
	w->lists[i].w = w;
	w->lists[i].all = all ? lg_xasprintf("%s/%s", api, res) : NULL;
	w->lists[i].in_ns =
	    ns ? lg_xasprintf("%s/namespaces/%s/%s", api, ns, res) : NULL;
}

struct lg_watch *lg_watch_start(struct lg_cluster *c, const char *ns,
				const volatile sig_atomic_t *stop)
{
	static const char istio[] = "/apis/networking.istio.io/v1";
	static const char gwapi[] = "/apis/gateway.networking.k8s.io/v1";
	struct lg_watch *w = lg_xcalloc(1, sizeof(*w));
	size_t i;

	w->c = c;
	w->stop = stop;
	pthread_mutex_init(&w->lock, NULL);
	add_list(w, 0, "", istio, ns, "virtualservices");
	add_list(w, 1, "", istio, ns, "destinationrules");
	add_list(w, 2, "", istio, ns, "gateways");
	add_list(w, 3, "", gwapi, ns, "httproutes");
	add_list(w, 4, "", gwapi, ns, "gateways");
	add_list(w, 5, NULL, "/api/v1", ns, "pods");
	add_list(w, 6, "", "/api/v1", NULL, "namespaces");
	for (i = 0; i < NLISTS; i++)
		w->lists[i].running =
		    pthread_create(&w->lists[i].th, NULL, list_thread,
				   &w->lists[i]) == 0;
	return w;
}

bool lg_watch_wait(struct lg_watch *w, long quiet_ms)
{
	struct timespec tick = {0, 50 * 1000000L};
	bool ready = false;

	while (!ready && !stopped(w)) {
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&w->lock);
		ready =
		    w->changes != w->consumed && ms_since(&w->last) >= quiet_ms;
		if (ready)
			w->consumed = w->changes;
		pthread_mutex_unlock(&w->lock);
	}
	return ready;
}

char *lg_watch_take_note(struct lg_watch *w)
{
	char *n;

	pthread_mutex_lock(&w->lock);
	n = w->note;
	w->note = NULL;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void lg_watch_free(struct lg_watch *w)
{
	size_t i;

	if (!w)
		return;
	atomic_store(&w->stopping, true);
	for (i = 0; i < NLISTS; i++) {
		if (w->lists[i].running)
			pthread_join(w->lists[i].th, NULL);
		free(w->lists[i].all);
		free(w->lists[i].in_ns);
		free(w->lists[i].rv);
	}
	pthread_mutex_destroy(&w->lock);
	free(w->note);
	free(w);
}

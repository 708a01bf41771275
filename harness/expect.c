/* SPDX-License-Identifier: MIT */
/* expect.c: Kubernetes object helpers for checks (see expect.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

static const cJSON *at_va(const cJSON *obj, va_list ap);
static bool is_native_sidecar(const cJSON *c);
static const cJSON *status_for(const cJSON *pod, const char *name);

static const cJSON *at_va(const cJSON *obj, va_list ap)
{
	const char *key;

	while (obj && (key = va_arg(ap, const char *)) != NULL) {
		if (!cJSON_IsObject(obj))
			return NULL;
		obj = cJSON_GetObjectItemCaseSensitive(obj, key);
	}
	return obj;
}

const cJSON *lg_expect_at(const cJSON *obj, ...)
{
	va_list ap;
	const cJSON *v;

	va_start(ap, obj);
	v = at_va(obj, ap);
	va_end(ap);
	return v;
}

const char *lg_expect_str(const cJSON *obj, ...)
{
	va_list ap;
	const cJSON *v;

	va_start(ap, obj);
	v = at_va(obj, ap);
	va_end(ap);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *lg_expect_name(const cJSON *obj)
{
	const char *s = lg_expect_str(obj, "metadata", "name", NULL);

	return s ? s : "";
}

const char *lg_expect_label(const cJSON *obj, const char *key)
{
	return lg_expect_str(obj, "metadata", "labels", key, NULL);
}

const char *lg_expect_annotation(const cJSON *obj, const char *key)
{
	return lg_expect_str(obj, "metadata", "annotations", key, NULL);
}

const cJSON *lg_expect_find_named(const cJSON *items, const char *name)
{
	const cJSON *it;

	if (!cJSON_IsArray(items))
		return NULL;
	cJSON_ArrayForEach(it, items)
	{
		const char *n = lg_expect_str(it, "metadata", "name", NULL);

		if (n && strcmp(n, name) == 0)
			return it;
	}
	return NULL;
}

const cJSON *lg_expect_condition(const cJSON *obj, const char *type)
{
	const cJSON *conds = lg_expect_at(obj, "status", "conditions", NULL);
	const cJSON *c;

	if (!cJSON_IsArray(conds))
		return NULL;
	cJSON_ArrayForEach(c, conds)
	{
		const char *t = lg_expect_str(c, "type", NULL);

		if (t && strcmp(t, type) == 0)
			return c;
	}
	return NULL;
}

bool lg_expect_condition_true(const cJSON *obj, const char *type)
{
	const char *s =
	    lg_expect_str(lg_expect_condition(obj, type), "status", NULL);

	return s && strcmp(s, "True") == 0;
}

static int num_at(const cJSON *obj, const char *a, const char *b)
{
	const cJSON *v = lg_expect_at(obj, a, b, NULL);

	return cJSON_IsNumber(v) ? v->valueint : 0;
}

bool lg_expect_deploy_available(const cJSON *deploy)
{
	if (lg_expect_condition(deploy, "Available"))
		return lg_expect_condition_true(deploy, "Available");
	return num_at(deploy, "status", "readyReplicas") >= 1;
}

char *lg_expect_deploy_status(const cJSON *deploy)
{
	const cJSON *c = lg_expect_condition(deploy, "Available");
	const cJSON *want = lg_expect_at(deploy, "spec", "replicas", NULL);
	int ready = num_at(deploy, "status", "readyReplicas");
	int total = cJSON_IsNumber(want) ? want->valueint : 1;
	const char *st = lg_expect_str(c, "status", NULL);
	const char *reason = lg_expect_str(c, "reason", NULL);

	if (!c)
		return lg_xasprintf("ready %d/%d", ready, total);
	return lg_xasprintf("ready %d/%d, Available=%s%s%s%s", ready, total,
			    st ? st : "?", reason ? " (" : "",
			    reason ? reason : "", reason ? ")" : "");
}

bool lg_expect_selector_matches(const cJSON *sel, const cJSON *labels)
{
	const cJSON *kv;
	int n = 0;

	if (!cJSON_IsObject(sel))
		return false;
	cJSON_ArrayForEach(kv, sel)
	{
		const cJSON *l;

		if (!cJSON_IsString(kv))
			return false;
		l = cJSON_GetObjectItemCaseSensitive(labels, kv->string);
		if (!cJSON_IsString(l) ||
		    strcmp(l->valuestring, kv->valuestring))
			return false;
		n++;
	}
	return n > 0;
}

bool lg_expect_deploy_selects(const cJSON *deploy, const cJSON *pod)
{
	return lg_expect_selector_matches(
	    lg_expect_at(deploy, "spec", "selector", "matchLabels", NULL),
	    lg_expect_at(pod, "metadata", "labels", NULL));
}

static bool is_native_sidecar(const cJSON *c)
{
	const char *rp = lg_expect_str(c, "restartPolicy", NULL);

	return rp && strcmp(rp, "Always") == 0;
}

const cJSON *lg_expect_container(const cJSON *pod, const char *name)
{
	const cJSON *cs = lg_expect_at(pod, "spec", "containers", NULL);
	const cJSON *c;

	if (cJSON_IsArray(cs))
		cJSON_ArrayForEach(c, cs)
		{
			const char *n = lg_expect_str(c, "name", NULL);

			if (n && strcmp(n, name) == 0)
				return c;
		}
	cs = lg_expect_at(pod, "spec", "initContainers", NULL);
	if (cJSON_IsArray(cs))
		cJSON_ArrayForEach(c, cs)
		{
			const char *n = lg_expect_str(c, "name", NULL);

			if (n && strcmp(n, name) == 0 && is_native_sidecar(c))
				return c;
		}
	return NULL;
}

const char *lg_expect_container_image(const cJSON *pod, const char *name)
{
	return lg_expect_str(lg_expect_container(pod, name), "image", NULL);
}

/* The containerStatuses (or initContainerStatuses) entry for name. */
static const cJSON *status_for(const cJSON *pod, const char *name)
{
	static const char *const lists[] = {"containerStatuses",
					    "initContainerStatuses"};
	const cJSON *s;
	size_t i;

	for (i = 0; i < LG_ARRAY_SIZE(lists); i++) {
		const cJSON *arr = lg_expect_at(pod, "status", lists[i], NULL);

		if (!cJSON_IsArray(arr))
			continue;
		cJSON_ArrayForEach(s, arr)
		{
			const char *n = lg_expect_str(s, "name", NULL);

			if (n && strcmp(n, name) == 0)
				return s;
		}
	}
	return NULL;
}

static void count_list(const cJSON *pod, const char *list, bool only_native,
		       int *ready, int *total)
{
	const cJSON *cs = lg_expect_at(pod, "spec", list, NULL);
	const cJSON *c;

	if (!cJSON_IsArray(cs))
		return;
	cJSON_ArrayForEach(c, cs)
	{
		const char *n = lg_expect_str(c, "name", NULL);

		if (!n || (only_native && !is_native_sidecar(c)))
			continue;
		(*total)++;
		if (cJSON_IsTrue(
			lg_expect_at(status_for(pod, n), "ready", NULL)))
			(*ready)++;
	}
}

void lg_expect_pod_ready(const cJSON *pod, int *ready, int *total)
{
	*ready = 0;
	*total = 0;
	count_list(pod, "initContainers", true, ready, total);
	count_list(pod, "containers", false, ready, total);
}

bool lg_expect_pod_is_ready(const cJSON *pod)
{
	const char *phase = lg_expect_str(pod, "status", "phase", NULL);
	int ready, total;

	lg_expect_pod_ready(pod, &ready, &total);
	return phase && strcmp(phase, "Running") == 0 && total > 0 &&
	       ready == total;
}

bool lg_expect_pod_is_gone(const cJSON *pod)
{
	const char *phase = lg_expect_str(pod, "status", "phase", NULL);

	if (lg_expect_at(pod, "metadata", "deletionTimestamp", NULL))
		return true;
	return phase && (strcmp(phase, "Succeeded") == 0 ||
			 strcmp(phase, "Failed") == 0);
}

/* "container NAME waiting: REASON (image IMG)" for the first stuck one. */
static char *container_problem(const cJSON *pod, const cJSON *st)
{
	const char *name = lg_expect_str(st, "name", NULL);
	const char *image = lg_expect_str(st, "image", NULL);
	const char *w = lg_expect_str(st, "state", "waiting", "reason", NULL);
	const char *t =
	    lg_expect_str(st, "state", "terminated", "reason", NULL);

	if (!image && name)
		image = lg_expect_str(lg_expect_container(pod, name), "image",
				      NULL);
	if (w)
		return lg_xasprintf("container %s waiting: %s (image %s)",
				    name ? name : "?", w, image ? image : "?");
	if (t)
		return lg_xasprintf("container %s terminated: %s",
				    name ? name : "?", t);
	if (!cJSON_IsTrue(lg_expect_at(st, "ready", NULL)))
		return lg_xasprintf("container %s not ready",
				    name ? name : "?");
	return NULL;
}

char *lg_expect_pod_problem(const cJSON *pod)
{
	const cJSON *arr =
	    lg_expect_at(pod, "status", "containerStatuses", NULL);
	const char *phase = lg_expect_str(pod, "status", "phase", NULL);
	const cJSON *sched = lg_expect_condition(pod, "PodScheduled");
	const char *why = lg_expect_str(sched, "reason", NULL);
	const cJSON *st;

	if (cJSON_IsArray(arr))
		cJSON_ArrayForEach(st, arr)
		{
			char *p = container_problem(pod, st);

			if (p)
				return p;
		}
	if (phase && strcmp(phase, "Running") != 0)
		return lg_xasprintf("phase %s%s%s%s", phase, why ? " (" : "",
				    why ? why : "", why ? ")" : "");
	if (!phase)
		return lg_xstrdup("no status reported");
	return NULL;
}

char *lg_expect_image_tag(const char *image)
{
	const char *end, *p, *colon = NULL;

	if (!image)
		return NULL;
	end = strchr(image, '@');
	if (!end)
		end = image + strlen(image);
	/* the last ':' after the last '/' and before any digest; a ':' before
	 * a '/' is a registry port */
	for (p = image; p < end; p++) {
		if (*p == '/')
			colon = NULL;
		else if (*p == ':')
			colon = p;
	}
	if (!colon)
		return NULL;
	return lg_xstrndup(colon + 1, (size_t)(end - colon - 1));
}

bool lg_expect_version_matches(const char *version, const char *want)
{
	size_t n;

	if (!version || !want || !*want)
		return false;
	if (version[0] == 'v' && want[0] != 'v')
		version++;
	n = strlen(want);
	if (strncmp(version, want, n) != 0)
		return false;
	/* 1.24 is 1.24, 1.24.3 or 1.24-dev, never 1.240 */
	return version[n] == '\0' || version[n] == '.' || version[n] == '-';
}

static bool is_sep(char ch)
{
	return isspace((unsigned char)ch) || ch == ',' || ch == '[' ||
	       ch == ']' || ch == '"' || ch == '\'';
}

char **lg_expect_split(const char *list, size_t *n)
{
	char **words = lg_xcalloc(1, sizeof(*words));
	const char *p = list ? list : "";

	*n = 0;
	while (*p) {
		const char *start;

		while (*p && is_sep(*p))
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && !is_sep(*p))
			p++;
		words = lg_xrealloc(words, (*n + 2) * sizeof(*words));
		words[(*n)++] = lg_xstrndup(start, (size_t)(p - start));
		words[*n] = NULL;
	}
	return words;
}

void lg_expect_split_free(char **words)
{
	size_t i;

	if (!words)
		return;
	for (i = 0; words[i]; i++)
		free(words[i]);
	free(words);
}

enum lg_err lg_expect_get(struct lg_cluster *c, struct lg_result *res,
			  const char *path, cJSON **out, struct lg_error *err)
{
	struct lg_error e = {0};
	enum lg_err rc = lg_cluster_get(c, path, out, &e);

	if (rc == LG_OK) {
		lg_result_evidencef(res, "GET %s: found", path);
		return LG_OK;
	}
	*out = NULL;
	if (rc == LG_ENOTFOUND) {
		lg_result_evidencef(res, "GET %s: not found", path);
		return rc;
	}
	lg_result_evidencef(res, "GET %s: %s", path, e.msg);
	return lg_errorf(err, rc, "%s", e.msg[0] ? e.msg : lg_strerror(rc));
}

enum lg_err lg_expect_list(struct lg_cluster *c, struct lg_result *res,
			   const char *path, cJSON **items,
			   struct lg_error *err)
{
	struct lg_error e = {0};
	enum lg_err rc = lg_cluster_list(c, path, NULL, items, &e);

	if (rc == LG_OK) {
		lg_result_evidencef(res, "GET %s: %d item(s)", path,
				    cJSON_GetArraySize(*items));
		return LG_OK;
	}
	*items = NULL;
	if (rc == LG_ENOTFOUND) {
		lg_result_evidencef(res, "GET %s: not found (no such type)",
				    path);
		*items = cJSON_CreateArray();
		return LG_OK;
	}
	lg_result_evidencef(res, "GET %s: %s", path, e.msg);
	return lg_errorf(err, rc, "%s", e.msg[0] ? e.msg : lg_strerror(rc));
}

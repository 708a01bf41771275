/* SPDX-License-Identifier: MIT */
/* prom.h: the Prometheus text exposition format, parsed and summed. */
#ifndef LG_PROM_H
#define LG_PROM_H

#include "lg.h"

/* The largest text accepted (a sidecar's merged stats are a few MiB). */
#define LG_PROM_MAX_TEXT ((size_t)32 << 20)
/* The most samples kept from one text. */
#define LG_PROM_MAX_SAMPLES ((size_t)500000)
/* The most labels on one sample. */
#define LG_PROM_MAX_LABELS 64

struct lg_prom_label {
	char *name;
	char *value; /* unescaped: \\ \" \n decoded */
};

/* One sample line: name{labels} value [timestamp]. Owned strings. */
struct lg_prom_sample {
	char *name;
	struct lg_prom_label *labels;
	size_t nlabels;
	double value; /* may be NaN or +-Inf */
	bool has_ts;
	long long ts; /* milliseconds since the epoch, when has_ts */
};

/*
 * struct lg_prom: the samples of one exposition text, in text order.
 * An all-zero struct is empty; lg_prom_release() frees everything.
 * @test tests/unit/test_prom.c
 */
struct lg_prom {
	struct lg_prom_sample *samples;
	size_t n;
	size_t lines_bad; /* sample lines that did not parse (skipped) */
	size_t first_bad; /* 1-based line number of the first, 0 if none */
};

/*
 * Parse text[0..len) (need not be NUL-terminated) into p, which must be
 * empty. only, when not NULL, keeps only samples of that metric name (the
 * others are still checked for syntax). Comments (# HELP, # TYPE, any #)
 * and blank lines are skipped; a malformed sample line is skipped and
 * counted in lines_bad, so one odd line from an exporter does not hide the
 * rest. Errors: LG_ETOOBIG when len > LG_PROM_MAX_TEXT or the kept samples
 * exceed LG_PROM_MAX_SAMPLES; LG_EPARSE when there were sample lines and
 * none parsed (an HTML error page, say). On error p is left empty.
 * Does not block; depends on no locale.
 */
enum lg_err lg_prom_parse(struct lg_prom *p, const char *text, size_t len,
			  const char *only, struct lg_error *err);

void lg_prom_release(struct lg_prom *p);

/* One label constraint: the sample must have name with exactly value
 * (a missing label counts as the empty value, as in PromQL). */
struct lg_prom_match {
	const char *name;
	const char *value;
};

/*
 * The sum of the values of metric `name` whose labels satisfy all of
 * m[0..nm). NaN values are skipped (a counter is never NaN; a NaN must not
 * poison the sum). *matched (may be NULL) receives how many samples were
 * summed, so that "0 because absent" and "0 counted" can be told apart.
 */
double lg_prom_sum(const struct lg_prom *p, const char *name,
		   const struct lg_prom_match *m, size_t nm, size_t *matched);

/* The value of label `name` of s, or NULL. Borrowed. */
const char *lg_prom_label(const struct lg_prom_sample *s, const char *name);

/*
 * The increase of a counter between two reads, as PromQL's increase()
 * sees a reset: when after < before the process restarted and counted
 * from zero, so the increase is after. NaN or negative inputs give 0.
 */
double lg_prom_increase(double before, double after);

struct lg_cluster;

/*
 * Read a sidecar's merged metrics (pilot-agent's port 15020,
 * /stats/prometheus) through the API server's pod proxy:
 * GET /api/v1/namespaces/NS/pods/POD:15020/proxy/stats/prometheus, and
 * parse them into out (empty on entry) keeping only metric `only` (NULL:
 * all). Errors: those of lg_cluster_request (LG_EFORBIDDEN when RBAC
 * denies pods/proxy, LG_ESERVER/LG_EHTTP when the pod does not answer),
 * then those of lg_prom_parse, each with the pod named in err. Blocks for
 * one API request.
 */
enum lg_err lg_prom_fetch_pod(struct lg_cluster *c, const char *ns,
			      const char *pod, const char *only,
			      struct lg_prom *out, struct lg_error *err);

#endif

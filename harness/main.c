/* SPDX-License-Identifier: MIT */
/* main.c: the labgrade command line: parse, load, grade, report, exit. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../reports/report.h"
#include "batch_cli.h"
#include "expect.h"
#include "explain.h"
#include "i18n.h"
#include "journal.h"
#include "kubeconfig.h"
#include "sanitize.h"
#include "sched.h"
#include "watch.h"

#ifndef LG_VERSION
#define LG_VERSION "0.1.0"
#endif
/* The Makefile may pass -DLG_DATADIR=\"$(DATADIR)\"; else the default
 * PREFIX's. */
#ifndef LG_DATADIR
#define LG_DATADIR "/usr/local/share/labgrade"
#endif

/* Exit statuses, as docs/design.md and labgrade.1 state them. */
enum { EXIT_PASS = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_INCOMPLETE = 3 };

struct cli {
	const char *kubeconfig, *context, *rubric, *gateway_url, *ingress_url;
	const char *junit, *markdown, *json;
	enum lg_lang lang;
	long timeout_s;
	bool no_journal;
	bool ids; /* list: only the ids, one a line (for shell completion) */
	const char *cmd;
	char **args;
	size_t nargs;
};

/* What one grading run holds; released in one place. */
struct run {
	struct lg_rubric rubric;
	struct lg_kubeconfig kc;
	struct lg_cluster *cluster;
	struct lg_sched sched;
	struct lg_state state;
	struct lg_term term;
	struct lg_result *results;
	struct lg_journal journal;
	char *journal_note; /* why the journal could not be read, or NULL */
	char **warnings;    /* about the run itself, for stderr and reports */
	size_t nwarnings;
	char *fingerprint;
	char started[32];
	double seconds;
};

static int usage(FILE *out, enum lg_lang lang, int status);

static const struct option long_opts[] = {
    {"kubeconfig", required_argument, NULL, 'k'},
    {"context", required_argument, NULL, 'c'},
    {"rubric", required_argument, NULL, 'r'},
    {"gateway-url", required_argument, NULL, 'g'},
    {"ingress-url", required_argument, NULL, 'i'},
    {"junit", required_argument, NULL, 'J'},
    {"markdown", required_argument, NULL, 'M'},
    {"json", required_argument, NULL, 'S'},
    {"lang", required_argument, NULL, 'l'},
    {"timeout", required_argument, NULL, 't'},
    {"no-journal", no_argument, NULL, 'N'},
    {"ids", no_argument, NULL, 'I'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int usage(FILE *out, enum lg_lang lang, int status)
{
	fputs(
	    LG_TRL(
		lang,
		"uso: labgrade [opciones] all | check ID... | list | "
		"watch [ID...] | explain ID | help | version\n"
		"\n"
		"  all               evalúa cada objetivo del laboratorio\n"
		"  check ID...       evalúa esos objetivos (y sus requisitos)\n"
		"  list [--ids]      lista los objetivos en el orden del "
		"laboratorio\n"
		"  watch [ID...]     evalúa de nuevo cuando cambia lo que "
		"leen\n"
		"  explain ID        qué pide el objetivo y cómo se comprueba\n"
		"\n",
		"usage: labgrade [options] all | check ID... | list | "
		"watch [ID...] | explain ID | help | version\n"
		"\n"
		"  all               grade every objective of the lab\n"
		"  check ID...       grade these objectives (and their "
		"prerequisites)\n"
		"  list [--ids]      list the objectives in lab order\n"
		"  watch [ID...]     grade again whenever what they read "
		"changes\n"
		"  explain ID        what the objective asks and how it is "
		"checked\n"
		"\n"),
	    out);
	fputs("  --kubeconfig FILE   --context NAME   --rubric FILE\n"
	      "  --gateway-url URL   --ingress-url URL   --timeout SECONDS\n"
	      "  --lang es|en\n"
	      "  --no-journal   (neither read nor write the progress "
	      "journal)\n"
	      "  --junit FILE   --markdown FILE   --json FILE   (- = stdout)\n"
	      "  -h, --help\n",
	      out);
	fputs(LG_TRL(lang,
		     "\nSalida: 0 todo aprobado, 1 algún objetivo falló, "
		     "2 invocación o fichero incorrecto, 3 evaluación "
		     "incompleta (error).\n",
		     "\nExit: 0 all passed, 1 some objective failed, 2 bad "
		     "invocation or input file, 3 grade incomplete (error).\n"),
	      out);
	return status;
}

static bool parse_timeout(const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v <= 0 || v > 3600)
		return false;
	*out = v;
	return true;
}

/*
 * --gateway-url: an http(s) URL with a host, and nothing a probe would have
 * to guess at (user info, a query, a fragment). Checked here, because a
 * bad one is a bad invocation (exit 2), not a grade that could not finish.
 */
static bool gateway_url_ok(const char *s)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *extra = NULL;
	bool ok = curl_url_set(u, CURLUPART_URL, s, 0) == CURLUE_OK &&
		  curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		  (!strcmp(scheme, "http") || !strcmp(scheme, "https")) &&
		  curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		  *host &&
		  curl_url_get(u, CURLUPART_USER, &extra, 0) != CURLUE_OK;

	curl_free(extra);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return ok;
}

/* The field a string-valued option sets, or NULL. */
static const char **str_opt(struct cli *o, int ch)
{
	switch (ch) {
	case 'k':
		return &o->kubeconfig;
	case 'c':
		return &o->context;
	case 'r':
		return &o->rubric;
	case 'g':
		return &o->gateway_url;
	case 'i':
		return &o->ingress_url;
	case 'J':
		return &o->junit;
	case 'M':
		return &o->markdown;
	case 'S':
		return &o->json;
	default:
		return NULL;
	}
}

/* --gateway-url and --ingress-url (the httpbin gateway's port-forward)
 * take the same kind of URL; false, with a message, when it is not one. */
static bool url_opt_ok(int ch, const char *arg)
{
	if ((ch != 'g' && ch != 'i') || gateway_url_ok(arg))
		return true;
	fprintf(stderr,
		"labgrade: --%s needs an http:// or https:// URL with a host, "
		"such as http://192.0.2.10:31380, not '%.200s'\n",
		ch == 'g' ? "gateway-url" : "ingress-url", arg);
	return false;
}

/* One option into cli; false (with a message) when its value is wrong. */
static bool set_opt(struct cli *o, int ch, const char *arg)
{
	const char **field = str_opt(o, ch);

	if (!url_opt_ok(ch, arg))
		return false;
	if (field) {
		*field = arg;
		return true;
	}
	switch (ch) {
	case 'N':
		o->no_journal = true;
		return true;
	case 'I':
		o->ids = true;
		return true;
	case 'l':
		if (lg_i18n_parse(arg, &o->lang))
			return true;
		fprintf(stderr,
			"labgrade: --lang must be 'es' or 'en', not "
			"'%s'\n",
			arg);
		return false;
	case 't':
		if (parse_timeout(arg, &o->timeout_s))
			return true;
		fprintf(stderr,
			"labgrade: --timeout needs seconds (1-3600), "
			"not '%s'\n",
			arg);
		return false;
	default:
		return false;
	}
}

static int count_stdout(const struct cli *o)
{
	return (o->junit && !strcmp(o->junit, "-")) +
	       (o->markdown && !strcmp(o->markdown, "-")) +
	       (o->json && !strcmp(o->json, "-"));
}

/* -1 to go on, else the exit status. */
static int parse_args(struct cli *o, int argc, char **argv)
{
	int ch;

	o->lang = lg_i18n_from_env();
	while ((ch = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (ch == 'h')
			return usage(stdout, o->lang, EXIT_PASS);
		if (ch == '?' || !set_opt(o, ch, optarg))
			return usage(stderr, o->lang, EXIT_USAGE);
	}
	if (optind >= argc) {
		fprintf(stderr, "labgrade: no command given\n");
		return usage(stderr, o->lang, EXIT_USAGE);
	}
	o->cmd = argv[optind];
	o->args = argv + optind + 1;
	o->nargs = (size_t)(argc - optind - 1);
	if (count_stdout(o) > 1) {
		fprintf(stderr, "labgrade: only one report can go to stdout "
				"('-')\n");
		return EXIT_USAGE;
	}
	return -1;
}

static void flags_text(const struct lg_check *c, struct lg_buf *b)
{
	static const struct {
		unsigned flag;
		const char *word;
	} words[] = {
	    {LG_CHECK_NEEDS_GATEWAY, "gateway"},
	    {LG_CHECK_SLOW, "slow"},
	    {LG_CHECK_DISTURBS, "disturbs-mesh"},
	    {LG_CHECK_OPTIONAL, "optional"},
	    {LG_CHECK_ALONE, "alone"},
	};
	size_t i;

	for (i = 0; c->prereqs && c->prereqs[i]; i++)
		lg_buf_addf(b, "%sneeds:%s", b->len ? " " : "", c->prereqs[i]);
	for (i = 0; i < LG_ARRAY_SIZE(words); i++)
		if (c->flags & words[i].flag)
			lg_buf_addf(b, "%s%s", b->len ? " " : "",
				    words[i].word);
}

/* Pad to a width in characters, not bytes (titles are UTF-8). */
static void put_padded(const char *s, int width)
{
	int n = 0;
	const char *p;

	for (p = s; *p; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	fputs(s, stdout);
	for (; n < width; n++)
		putchar(' ');
}

/* Lab order: by objective number, then id (the table is by id). */
static int by_lab_order(const void *a, const void *b)
{
	const struct lg_check *x = *(const struct lg_check *const *)a;
	const struct lg_check *y = *(const struct lg_check *const *)b;

	if (x->objective != y->objective)
		return x->objective < y->objective ? -1 : 1;
	return strcmp(x->id, y->id);
}

static const struct lg_check **checks_in_lab_order(void)
{
	const struct lg_check **v = lg_xcalloc(lg_nchecks, sizeof(*v));

	memcpy(v, lg_checks, lg_nchecks * sizeof(*v));
	qsort(v, lg_nchecks, sizeof(*v), by_lab_order);
	return v;
}

static int cmd_list(const struct cli *o)
{
	const struct lg_check **v = checks_in_lab_order();
	size_t i;

	for (i = 0; o->ids && i < lg_nchecks; i++)
		printf("%s\n", v[i]->id);
	if (o->ids) {
		free(v);
		return EXIT_PASS;
	}
	printf("%-20s %-4s %-40s %s\n", "ID", LG_TRL(o->lang, "OBJ", "OBJ"),
	       LG_TRL(o->lang, "TÍTULO", "TITLE"),
	       LG_TRL(o->lang, "MARCAS", "FLAGS"));
	for (i = 0; i < lg_nchecks; i++) {
		const struct lg_check *c = v[i];
		struct lg_buf f = LG_BUF_INIT;

		flags_text(c, &f);
		printf("%-20s %-4d ", c->id, c->objective);
		put_padded(LG_TRL(o->lang, c->title_es, c->title_en), 40);
		printf(" %s\n", f.len ? f.buf : "-");
		lg_buf_release(&f);
	}
	free(v);
	return EXIT_PASS;
}

/* `explain ID`: no cluster is needed, only the rubric for points. */
static int cmd_explain(const struct cli *o)
{
	struct lg_rubric r = {0};
	struct lg_error err = {0};
	const struct lg_check *c =
	    o->nargs == 1 ? lg_check_find(o->args[0]) : NULL;

	if (o->nargs != 1) {
		fprintf(stderr, "labgrade: 'explain' needs one check id (see "
				"'labgrade list')\n");
		return EXIT_USAGE;
	}
	if (!c) {
		char *msg = lg_xasprintf("no check '%s' (see 'labgrade list')",
					 o->args[0]);

		lg_print_line(stderr, "labgrade: ", msg);
		free(msg);
		return EXIT_USAGE;
	}
	if (lg_rubric_load(&r, lg_rubric_default_path(o->rubric), &err) !=
	    LG_OK) {
		lg_print_line(stderr, "labgrade: ", err.msg);
		return EXIT_USAGE;
	}
	lg_explain(stdout, c, &r, o->lang);
	lg_rubric_release(&r);
	return EXIT_PASS;
}

/* Load rubric and kubeconfig and plan; -1 to go on, else exit status. */
static int setup(struct run *r, const struct cli *o)
{
	struct lg_error err = {0};
	struct lg_kube_opts ko = {o->kubeconfig, o->context, NULL};
	struct lg_cluster_opts co = {0};
	bool all = strcmp(o->cmd, "all") == 0;

	if (lg_rubric_load(&r->rubric, lg_rubric_default_path(o->rubric),
			   &err) != LG_OK ||
	    lg_rubric_covers(&r->rubric, &err) != LG_OK)
		goto bad;
	if (lg_sched_plan(&r->sched, all ? NULL : (const char *const *)o->args,
			  all ? 0 : o->nargs, &err) != LG_OK)
		goto bad;
	if (lg_kubeconfig_load(&r->kc, &ko, &err) != LG_OK)
		goto bad;
	/* --timeout wins; else the rubric's request-timeout-ms; else the
	 * client's default */
	co.timeout_ms =
	    o->timeout_s ? o->timeout_s * 1000
			 : (long)lg_rubric_param_num(&r->rubric, NULL,
						     "request-timeout-ms", 0);
	if (lg_cluster_open(&r->cluster, &r->kc, &co, &err) != LG_OK)
		goto bad;
	return -1;
bad:
	if (err.code != LG_OK)
		lg_print_line(stderr, "labgrade: ", err.msg);
	return EXIT_USAGE;
}

/* A problem with the run itself, not with the cluster: on stderr now, and
 * in every report. */
static void warn(struct run *r, const char *fmt, ...) LG_PRINTF(2, 3);

static void warn(struct run *r, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = lg_xvasprintf(fmt, ap);
	va_end(ap);
	lg_print_line(stderr, "labgrade: warning: ", msg);
	r->warnings =
	    lg_xrealloc(r->warnings, (r->nwarnings + 1) * sizeof(*r->warnings));
	r->warnings[r->nwarnings++] = msg;
}

static const char *journal_ns(const struct run *r)
{
	return lg_rubric_param_str(&r->rubric, NULL, "bookinfo-namespace",
				   LG_JOURNAL_DEFAULT_NS);
}

/*
 * Read the progress journal once for every check. A journal that cannot be
 * read (RBAC, network) does not stop the run: the checks whose steps are
 * all in effect are graded live, and those that needed the journal become
 * errors naming the cause (see configure_sched), never lost points.
 */
static void read_journal(struct run *r, const struct cli *o, struct lg_ctx *ctx)
{
	struct lg_error err = {0};
	size_t i;

	if (o->no_journal)
		return;
	if (lg_journal_read(r->cluster, journal_ns(r), &r->journal, &err) !=
	    LG_OK) {
		lg_journal_release(&r->journal);
		r->journal_note = lg_xstrdup(err.msg);
		warn(r, "%s (a step no longer in effect cannot be graded)",
		     r->journal_note);
		return;
	}
	for (i = 0; i < r->journal.nnotes; i++)
		warn(r, "%s", r->journal.notes[i]);
	ctx->journal = &r->journal;
}

/* Concurrency and the journal's writes, for the plan just made. */
static void configure_sched(struct run *r, const struct cli *o)
{
	r->sched.threads = LG_SCHED_THREADS;
	r->sched.journal_write = !o->no_journal;
	r->sched.journal_ns = journal_ns(r);
	r->sched.journal_note = r->journal_note;
}

static void on_started(void *data, const struct lg_check *c)
{
	lg_term_started(data, c);
}

static void on_finished(void *data, const struct lg_sched_item *it)
{
	lg_term_result(data, &it->result);
}

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * API server, kube-system UID and istiod's image tag: enough to tell one
 * student's cluster from another in a report. Best effort: a failure only
 * leaves a part out.
 */
static char *fingerprint(struct run *r)
{
	struct lg_error err = {0};
	cJSON *ks = NULL, *istiod = NULL;
	const char *ns = lg_rubric_param_str(&r->rubric, NULL,
					     "istio-namespace", "istio-system");
	char *path =
	    lg_xasprintf("/apis/apps/v1/namespaces/%s/deployments/istiod", ns);
	char *tag, *fp;
	const cJSON *tmpl;

	lg_cluster_get(r->cluster, "/api/v1/namespaces/kube-system", &ks, &err);
	lg_error_clear(&err);
	lg_cluster_get(r->cluster, path, &istiod, &err);
	tmpl = lg_expect_at(istiod, "spec", "template", NULL);
	tag = lg_expect_image_tag(lg_expect_container_image(tmpl, "discovery"));
	fp = lg_xasprintf("server=%s kube-system-uid=%s istio=%s",
			  lg_cluster_server(r->cluster),
			  lg_expect_str(ks, "metadata", "uid", NULL)
			      ? lg_expect_str(ks, "metadata", "uid", NULL)
			      : "unknown",
			  tag ? tag : "unknown");
	free(tag);
	free(path);
	cJSON_Delete(ks);
	cJSON_Delete(istiod);
	return fp;
}

static void fill_report(struct run *r, const struct cli *o,
			struct lg_report *rep)
{
	size_t i;

	r->results = lg_xcalloc(r->sched.n + 1, sizeof(*r->results));
	/* shallow copies: the plan still owns every string */
	for (i = 0; i < r->sched.n; i++)
		r->results[i] = r->sched.items[i].result;
	memset(rep, 0, sizeof(*rep));
	rep->cluster_name = r->kc.context_name ? r->kc.context_name : "cluster";
	rep->server = lg_cluster_server(r->cluster);
	rep->fingerprint = r->fingerprint;
	rep->started = r->started;
	rep->seconds = r->seconds;
	rep->lang = o->lang;
	rep->results = r->results;
	rep->nresults = r->sched.n;
	rep->warnings = (const char *const *)r->warnings;
	rep->nwarnings = r->nwarnings;
}

/* The report options, in the order they are written. */
static void report_paths(const struct cli *o, const char *paths[3])
{
	paths[LG_REPORT_JUNIT] = o->junit;
	paths[LG_REPORT_MARKDOWN] = o->markdown;
	paths[LG_REPORT_JSON] = o->json;
}

/*
 * Every report path can be written, and no two reports share a file: said
 * now, before any cluster traffic, not after a whole grading run.
 */
static bool reports_writable(const struct cli *o)
{
	struct lg_error err = {0};
	const char *p[3];
	int i, j;

	report_paths(o, p);
	for (i = 0; i < 3; i++) {
		for (j = 0; p[i] && j < i; j++)
			if (p[j] && strcmp(p[i], "-") && !strcmp(p[i], p[j]))
				lg_errorf(&err, LG_EUSAGE,
					  "two reports would go to '%s'", p[i]);
		if (p[i] && err.code == LG_OK)
			lg_report_check_path(p[i], &err);
	}
	if (err.code == LG_OK)
		return true;
	lg_print_line(stderr, "labgrade: ", err.msg);
	return false;
}

static bool write_reports(const struct cli *o, const struct lg_report *rep)
{
	struct lg_error err = {0};
	const char *p[3];
	int i;

	report_paths(o, p);
	for (i = 0; i < 3; i++)
		if (p[i] && lg_report_write_file(p[i], (enum lg_report_kind)i,
						 rep, &err) != LG_OK) {
			lg_print_line(stderr, "labgrade: ", err.msg);
			return false;
		}
	return true;
}

static void stamp_now(char *out, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void run_release(struct run *r)
{
	lg_sched_release(&r->sched);
	if (r->cluster)
		lg_cluster_free(r->cluster);
	lg_kubeconfig_release(&r->kc);
	lg_rubric_release(&r->rubric);
	lg_state_release(&r->state);
	free(r->results);
	free(r->fingerprint);
	lg_journal_release(&r->journal);
	free(r->journal_note);
	while (r->nwarnings)
		free(r->warnings[--r->nwarnings]);
	free(r->warnings);
}

static int cmd_grade(const struct cli *o)
{
	struct run r = {0};
	struct lg_ctx ctx = {0};
	struct lg_sched_hooks hooks = {on_started, on_finished, &r.term};
	struct lg_report rep;
	double t0 = wall_seconds();
	int status = reports_writable(o) ? setup(&r, o) : EXIT_USAGE;

	if (status >= 0)
		goto out;
	lg_term_init(&r.term, count_stdout(o) ? stderr : stdout, o->lang);
	stamp_now(r.started, sizeof(r.started));
	ctx.cluster = r.cluster;
	ctx.rubric = &r.rubric;
	ctx.lang = o->lang;
	ctx.gateway_url = o->gateway_url;
	ctx.ingress_url = o->ingress_url;
	ctx.state = &r.state;
	read_journal(&r, o, &ctx);
	configure_sched(&r, o);
	lg_sched_run(&r.sched, &ctx, &hooks);
	if (r.sched.journal_error)
		warn(&r, "journal not updated: %s", r.sched.journal_error);
	r.fingerprint = fingerprint(&r);
	r.seconds = wall_seconds() - t0;
	fill_report(&r, o, &rep);
	lg_term_total(&r.term, &rep);
	status =
	    write_reports(o, &rep) ? lg_sched_exit_code(&r.sched) : EXIT_USAGE;
out:
	run_release(&r);
	return status;
}

/* ---- watch ----------------------------------------------------------- */

/* Set by SIGINT; a second Ctrl-C is the default action (the grade in
 * progress would otherwise be waited for). */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	signal(SIGINT, SIG_DFL);
}

/* What one grade of the watch loop leaves behind, freed before the next. */
static void round_release(struct run *r)
{
	lg_sched_release(&r->sched);
	lg_state_release(&r->state);
	lg_journal_release(&r->journal);
	memset(&r->journal, 0, sizeof(r->journal));
	free(r->journal_note);
	r->journal_note = NULL;
	while (r->nwarnings)
		free(r->warnings[--r->nwarnings]);
	free(r->results);
	r->results = NULL;
}

/* Grade the watched objectives once and draw them: on a terminal the
 * screen is redrawn, elsewhere each grade follows the last. */
static void watch_round(struct run *r, const struct cli *o, bool first)
{
	struct lg_ctx ctx = {0};
	struct lg_sched_hooks hooks = {on_started, on_finished, &r->term};
	struct lg_error err = {0};
	struct lg_report rep;
	double t0 = wall_seconds();
	char when[32];

	round_release(r);
	/* again each time: the window may have been resized */
	lg_term_init(&r->term, stdout, o->lang);
	stamp_now(when, sizeof(when));
	if (r->term.tty)
		fputs("\x1b[H\x1b[2J", r->term.out);
	else if (!first)
		fputs("\n", r->term.out);
	fprintf(r->term.out, "labgrade watch %s  (%s)\n", when,
		LG_TRL(o->lang, "Ctrl-C para salir", "Ctrl-C to leave"));
	if (lg_sched_plan(&r->sched, (const char *const *)o->args, o->nargs,
			  &err) != LG_OK)
		lg_die("%s", err.msg); /* the same plan was made at setup */
	ctx.cluster = r->cluster;
	ctx.rubric = &r->rubric;
	ctx.lang = o->lang;
	ctx.gateway_url = o->gateway_url;
	ctx.state = &r->state;
	read_journal(r, o, &ctx);
	configure_sched(r, o);
	lg_sched_run(&r->sched, &ctx, &hooks);
	r->seconds = wall_seconds() - t0;
	fill_report(r, o, &rep);
	lg_term_total(&r->term, &rep);
}

/*
 * `watch [ID...]`: grade, then grade again whenever the objects the checks
 * read change and settle (300 ms quiet). The journal is read and written
 * as by `check` (a pass seen while watching is recorded), unless
 * --no-journal. Exit 0 on Ctrl-C.
 */
static int cmd_watch(const struct cli *o)
{
	struct run r = {0};
	struct lg_watch *w = NULL;
	struct sigaction sa = {0}, old;
	sigset_t block, prev;
	char *note;
	bool first = true;
	int status;

	if (o->junit || o->markdown || o->json) {
		fprintf(stderr,
			"labgrade: 'watch' writes no reports (use 'all' "
			"or 'check' for --junit, --markdown, --json)\n");
		return EXIT_USAGE;
	}
	status = setup(&r, o);
	if (status >= 0)
		goto out;
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old);
	/* only this thread takes SIGINT: the watch threads poll the flag */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &prev);
	w = lg_watch_start(r.cluster, journal_ns(&r), &interrupted);
	pthread_sigmask(SIG_SETMASK, &prev, NULL);
	do {
		watch_round(&r, o, first);
		first = false;
		if ((note = lg_watch_take_note(w)))
			lg_print_line(stderr, "labgrade: watch: ", note);
		free(note);
	} while (!interrupted && lg_watch_wait(w, 300));
	lg_term_clear_live(&r.term);
	lg_watch_free(w);
	sigaction(SIGINT, &old, NULL);
	status = EXIT_PASS;
out:
	run_release(&r);
	return status;
}

/* `all` and `check ID...`: -1 when the arguments fit, else exit status. */
static int grade_args(const struct cli *o)
{
	if (strcmp(o->cmd, "check") == 0 && o->nargs == 0) {
		fprintf(stderr, "labgrade: 'check' needs at least one "
				"check id (see 'labgrade list')\n");
		return EXIT_USAGE;
	}
	if (strcmp(o->cmd, "all") == 0 && o->nargs > 0) {
		fprintf(stderr, "labgrade: 'all' takes no arguments\n");
		return EXIT_USAGE;
	}
	return -1;
}

/* The commands that take no cluster, or their own arguments. */
static int other_command(const struct cli *o)
{
	if (strcmp(o->cmd, "explain") == 0)
		return cmd_explain(o);
	if (strcmp(o->cmd, "watch") == 0)
		return cmd_watch(o);
	if (o->nargs > 0) {
		fprintf(stderr, "labgrade: '%s' takes no arguments\n", o->cmd);
		return EXIT_USAGE;
	}
	if (strcmp(o->cmd, "list") == 0)
		return cmd_list(o);
	if (strcmp(o->cmd, "help") == 0)
		return usage(stdout, o->lang, EXIT_PASS);
	if (strcmp(o->cmd, "version") == 0) {
		printf("labgrade %s\n", LG_VERSION);
		return EXIT_PASS;
	}
	fprintf(stderr, "labgrade: unknown command '%s'\n", o->cmd);
	return usage(stderr, o->lang, EXIT_USAGE);
}

int main(int argc, char **argv)
{
	struct cli o = {0};
	int status = lg_batch_cli(argc, argv);

	if (status >= 0)
		return status;
	status = parse_args(&o, argc, argv);
	if (status >= 0)
		return status;
	if (strcmp(o.cmd, "all") == 0 || strcmp(o.cmd, "check") == 0) {
		status = grade_args(&o);
		return status >= 0 ? status : cmd_grade(&o);
	}
	return other_command(&o);
}

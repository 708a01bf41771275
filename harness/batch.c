/* SPDX-License-Identifier: MIT */
/* batch.c: grades every student of a roster through SSH, concurrently. */
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cluster.h"
#include "expect.h"
#include "gwfind.h"
#include "i18n.h"
#include "journal.h"
#include "kubeconfig.h"
#include "ssh.h"

/* A kubeconfig is a few KiB; kubeadm's admin.conf about 6. */
#define KUBECONFIG_MAX ((size_t)1 << 20)

/* Where one student's API server is, seen from the VM. */
struct target {
	char *host;
	int port;
};

/* What one student's grading holds while it runs. */
struct student_run {
	const struct lg_batch_opts *o;
	const struct lg_roster_student *st;
	struct lg_batch_row *row;
	struct lg_ssh *ssh;
	struct lg_ssh *jump; /* the roster's jump host, or NULL */
	struct lg_kubeconfig kc;
	struct target api;
	struct lg_cluster *cluster;
	struct lg_state state;
	struct lg_journal journal;
	char *journal_note;
	char *gateway_url;
	char *hostkey;
};

struct shared {
	const struct lg_batch_opts *o;
	const struct lg_batch_hooks *hooks;
	struct lg_batch *b;
	size_t next, done;
	pthread_mutex_t lock;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void row_warn(struct lg_batch_row *row, const char *fmt, ...)
    LG_PRINTF(2, 3);

static void row_warn(struct lg_batch_row *row, const char *fmt, ...)
{
	va_list ap;

	row->warnings = lg_xrealloc(row->warnings, (row->nwarnings + 1) *
						       sizeof(*row->warnings));
	va_start(ap, fmt);
	row->warnings[row->nwarnings++] = lg_xvasprintf(fmt, ap);
	va_end(ap);
}

/* FNV-1a: stable across machines and releases, unlike a seeded hash. */
bool lg_batch_in_shard(const char *name, unsigned i, unsigned n)
{
	unsigned long h = 2166136261UL;

	if (n <= 1)
		return true;
	for (; *name; name++)
		h = ((h ^ (unsigned char)*name) * 16777619UL) & 0xffffffffUL;
	return h % n == i;
}

/* ------------------------------------------------------------------ */
/* The kubeconfig, read on the VM.                                     */

/* Load the text as a kubeconfig through a private temporary file (the
 * loader reads files), then forget the file. */
static enum lg_err load_kc_text(struct student_run *r, const struct lg_buf *t,
				struct lg_error *err)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *path = lg_xasprintf("%s/labgrade-kc-XXXXXX", dir);
	int fd = mkstemp(path);
	struct lg_kube_opts ko = {0};
	enum lg_err rc;

	if (fd < 0 || write(fd, t->buf, t->len) != (ssize_t)t->len) {
		rc = lg_errorf(err, LG_EIO, "cannot write '%s': %s", path,
			       strerror(errno));
	} else {
		ko.kubeconfig = path;
		rc = lg_kubeconfig_load(&r->kc, &ko, err);
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	free(path);
	return rc;
}

/* A file path in a kubeconfig names a file on the VM, which this side
 * cannot read; an exec plugin would run here, not there. */
static enum lg_err kc_usable(const struct student_run *r, struct lg_error *err)
{
	const struct lg_kubeconfig *kc = &r->kc;
	const char *what = kc->exec	    ? "an exec credential plugin"
			   : kc->ca_file    ? "certificate-authority"
			   : kc->cert_file  ? "client-certificate"
			   : kc->key_file   ? "client-key"
			   : kc->token_file ? "tokenFile"
			   : kc->proxy_url  ? "proxy-url"
					    : NULL;

	if (!what)
		return LG_OK;
	return lg_errorf(err, LG_ECONFIG,
			 "the kubeconfig '%s' on the VM uses %s: over SSH "
			 "only embedded data works (kubeadm's admin.conf "
			 "has it)",
			 r->st->kubeconfig, what);
}

static enum lg_err split_url(const char *url, char **host, int *port,
			     struct lg_error *err)
{
	CURLU *u = curl_url();
	char *h = NULL, *p = NULL;
	enum lg_err rc = LG_OK;

	if (curl_url_set(u, CURLUPART_URL, url, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) ||
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT))
		rc = lg_errorf(err, LG_ECONFIG, "'%s' is not a URL", url);
	else {
		/* direct-tcpip wants an address, not a bracketed one */
		size_t n = strlen(h);

		*host = h[0] == '[' ? lg_xstrndup(h + 1, n - 2) : lg_xstrdup(h);
		*port = (int)strtol(p, NULL, 10);
	}
	curl_free(h);
	curl_free(p);
	curl_url_cleanup(u);
	return rc;
}

static enum lg_err fetch_kubeconfig(struct student_run *r, struct lg_error *err)
{
	struct lg_buf t = LG_BUF_INIT;
	enum lg_err rc = lg_ssh_read_file(r->ssh, r->st->kubeconfig,
					  KUBECONFIG_MAX, &t, err);

	if (rc == LG_ENOTFOUND) {
		/* say what the file is for, not only that it is missing */
		lg_error_clear(err);
		lg_errorf(err, rc,
			  "%s:%d: no kubeconfig at '%s' on the VM (copy "
			  "/etc/kubernetes/admin.conf there, or set "
			  "'kubeconfig' in the roster)",
			  r->st->host, r->st->port, r->st->kubeconfig);
	}
	if (!rc)
		rc = load_kc_text(r, &t, err);
	lg_buf_release(&t);
	if (!rc)
		rc = kc_usable(r, err);
	if (!rc)
		rc = split_url(r->kc.server, &r->api.host, &r->api.port, err);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Connecting.                                                         */

/* Traffic for url goes through the tunnel; ctx's gateway URL says so. */
static enum lg_err forward_url(struct student_run *r, const char *url,
			       struct lg_error *err)
{
	char *host = NULL;
	int port = 0, local = 0;
	enum lg_err rc = split_url(url, &host, &port, err);

	if (!rc)
		rc = lg_ssh_forward(r->ssh, host, port, &local, err);
	if (!rc)
		r->gateway_url = lg_xasprintf("http://127.0.0.1:%d", local);
	free(host);
	return rc;
}

/* The lab's gateway Service: the Gateway API one Istio deploys for the
 * rubric's Gateway, else Istio's classic ingress gateway. NULL if none. */
static cJSON *gateway_service(struct student_run *r)
{
	const struct lg_rubric *ru = r->o->rubric;
	char *paths[2];
	cJSON *svc = NULL;
	struct lg_error err = {0};
	size_t i;

	paths[0] = lg_xasprintf(
	    "/api/v1/namespaces/%s/services/%s-istio",
	    lg_rubric_param_str(ru, NULL, "bookinfo-namespace", "bookinfo"),
	    lg_rubric_param_str(ru, NULL, "gateway-name", "bookinfo-gateway"));
	paths[1] = lg_xstrdup(
	    "/api/v1/namespaces/istio-system/services/istio-ingressgateway");
	for (i = 0; i < 2; i++) {
		if (!svc && lg_cluster_get(r->cluster, paths[i], &svc, &err))
			lg_error_clear(&err);
		free(paths[i]);
	}
	return svc;
}

/*
 * Without the roster's gateway-url: find the gateway as labgrade all would
 * (LoadBalancer address, NodePort on a node, ClusterIP), all as seen from
 * the VM, and send the traffic to the first through the tunnel. Not
 * finding one is no error here: the gateway check says what is missing.
 */
static void find_gateway(struct student_run *r)
{
	struct lg_gw_candidates cands = {0};
	struct lg_result scratch;
	struct lg_error err = {0};
	cJSON *svc = gateway_service(r);

	lg_result_init(&scratch, "gateway", "", 0);
	if (svc)
		lg_gwfind_service(r->cluster, &scratch, svc, &cands, &err);
	if (cands.n && forward_url(r, cands.items[0].url, &err) == LG_OK)
		row_warn(r->row, "gateway: %s, through the SSH tunnel",
			 cands.items[0].how);
	lg_gwfind_release(&cands);
	lg_result_release(&scratch);
	cJSON_Delete(svc);
}

static enum lg_err forward_gateway(struct student_run *r, struct lg_error *err)
{
	if (r->st->gateway_url)
		return forward_url(r, r->st->gateway_url, err);
	find_gateway(r);
	return LG_OK;
}

/* "[user@]host[:port]" into the jump's options (user defaults to the
 * student's, port to 22); the strings are allocated in *spec. */
static enum lg_err parse_jump(const char *jump, struct lg_ssh_opts *jo,
			      char **spec, struct lg_error *err)
{
	char *at, *colon, *end;
	long port = 22;

	*spec = lg_xstrdup(jump);
	at = strchr(*spec, '@');
	if (at) {
		*at = '\0';
		jo->user = *spec;
	}
	jo->host = at ? at + 1 : *spec;
	colon = strchr(jo->host, ':');
	if (colon) {
		*colon = '\0';
		port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535)
			return lg_errorf(err, LG_ECONFIG,
					 "jump host '%s': bad port", jump);
	}
	jo->port = (int)port;
	return *jo->host ? LG_OK
			 : lg_errorf(err, LG_ECONFIG, "jump host '%s': no host",
				     jump);
}

/* A session that failed through the jump host: the jump's tunnel knows
 * better than a handshake cut short. */
static void jump_cause(struct student_run *r, struct lg_error *err)
{
	char why[256];

	lg_ssh_last_error(r->jump, why, sizeof(why));
	if (!*why)
		return;
	lg_error_clear(err);
	lg_errorf(err, LG_ESSH, "through jump host '%s': %s", r->st->jump, why);
}

/* Through the jump host when there is one: its own SSH session (same
 * credentials and known_hosts), and a tunnel from it to the student's VM
 * that the student's session then connects to. */
static enum lg_err open_ssh(struct student_run *r, struct lg_ssh_opts *so,
			    struct lg_error *err)
{
	struct lg_ssh_opts jo = *so;
	char *spec = NULL;
	int local = 0;
	enum lg_err rc = LG_OK;

	if (r->st->jump) {
		rc = parse_jump(r->st->jump, &jo, &spec, err);
		if (!rc)
			rc = lg_ssh_open(&r->jump, &jo, NULL, err);
		if (!rc)
			rc = lg_ssh_start(r->jump, err);
		if (!rc)
			rc = lg_ssh_forward(r->jump, so->host, so->port, &local,
					    err);
		so->via_host = "127.0.0.1";
		so->via_port = local;
	}
	if (!rc)
		rc = lg_ssh_open(&r->ssh, so, &r->hostkey, err);
	free(spec);
	if (rc && r->jump)
		jump_cause(r, err);
	return rc;
}

static enum lg_err connect_student(struct student_run *r, struct lg_error *err)
{
	const struct lg_roster *ro = r->o->roster;
	struct lg_ssh_opts so = {r->st->host,
				 r->st->port,
				 r->st->user,
				 r->st->identity,
				 r->st->password,
				 ro->known_hosts,
				 ro->trust_new_hosts || r->o->trust_new_hosts,
				 ro->connect_ms,
				 NULL,
				 0};
	struct lg_cluster_opts co = {0};
	int local = 0;
	enum lg_err rc = open_ssh(r, &so, err);

	if (!rc)
		rc = fetch_kubeconfig(r, err);
	if (!rc)
		rc = lg_ssh_start(r->ssh, err);
	if (rc)
		return rc;
	lg_ssh_kill_after(r->ssh, ro->grade_ms);
	/* libcurl 7.88 connects even a socket it is told is connected
	 * (curl/curl#10626), so curl gets a loopback port, not a socket */
	rc = lg_ssh_forward(r->ssh, r->api.host, r->api.port, &local, err);
	if (rc)
		return rc;
	co.timeout_ms = r->o->request_timeout_ms;
	co.connect_timeout_ms = ro->connect_ms;
	co.connect_host = "127.0.0.1";
	co.connect_port = local;
	rc = lg_cluster_open(&r->cluster, &r->kc, &co, err);
	return rc ? rc : forward_gateway(r, err);
}

/* ------------------------------------------------------------------ */
/* Grading.                                                            */

static const char *journal_ns(const struct lg_batch_opts *o)
{
	return lg_rubric_param_str(o->rubric, NULL, "bookinfo-namespace",
				   LG_JOURNAL_DEFAULT_NS);
}

static void read_journal(struct student_run *r, struct lg_ctx *ctx)
{
	struct lg_error err = {0};

	if (r->o->no_journal)
		return;
	if (lg_journal_read(r->cluster, journal_ns(r->o), &r->journal, &err) !=
	    LG_OK) {
		lg_journal_release(&r->journal);
		r->journal_note = lg_xasprintf("journal not read: %s", err.msg);
		row_warn(r->row, "%s", r->journal_note);
		return;
	}
	ctx->journal = &r->journal;
}

/* Who this cluster is: enough to tell two students' clusters apart. */
static char *fingerprint(struct student_run *r)
{
	struct lg_error err = {0};
	cJSON *ks = NULL;
	const char *uid;
	char *fp;

	lg_cluster_get(r->cluster, "/api/v1/namespaces/kube-system", &ks, &err);
	uid = lg_expect_str(ks, "metadata", "uid", NULL);
	fp = lg_xasprintf("server=%s kube-system-uid=%s ssh-host-key=%s",
			  r->kc.server, uid ? uid : "unknown",
			  r->hostkey ? r->hostkey : "unknown");
	cJSON_Delete(ks);
	return fp;
}

static void grade(struct student_run *r)
{
	struct lg_ctx ctx = {0};
	struct lg_sched *s = &r->row->sched;
	char why[256];

	ctx.cluster = r->cluster;
	ctx.rubric = r->o->rubric;
	ctx.lang = r->o->lang;
	ctx.gateway_url = r->gateway_url;
	ctx.state = &r->state;
	read_journal(r, &ctx);
	s->threads = LG_SCHED_THREADS;
	s->journal_write = !r->o->no_journal;
	s->journal_ns = journal_ns(r->o);
	s->journal_note = r->journal_note;
	lg_sched_run(s, &ctx, NULL);
	if (s->journal_error)
		row_warn(r->row, "journal not updated: %s", s->journal_error);
	lg_ssh_last_error(r->ssh, why, sizeof(why));
	if (*why)
		row_warn(r->row, "ssh: %s", why);
	r->row->fingerprint = fingerprint(r);
	r->row->server = lg_xstrdup(r->kc.server);
}

/* Every planned objective becomes an ERROR that says why. */
static void fail_row(struct lg_batch_row *row, const struct lg_batch_opts *o,
		     const char *why)
{
	size_t i;

	row->error = lg_xstrdup(why);
	for (i = 0; i < row->sched.n; i++) {
		struct lg_sched_item *it = &row->sched.items[i];
		const struct lg_rubric_objective *ob =
		    lg_rubric_find(o->rubric, it->check->id);
		size_t k;

		lg_result_init(
		    &it->result, it->check->id,
		    LG_TRL(o->lang, it->check->title_es, it->check->title_en),
		    it->check->objective);
		/* as for a graded student: an objective the rubric does
		 * not grade is out of the total */
		for (k = 0; ob && ob->enabled && k < ob->npoints; k++)
			it->result.max_points += ob->points[k].points;
		it->result.verdict =
		    lg_result_errorf(&it->result, "not graded: %s", why);
	}
}

static void fill_report(struct lg_batch_row *row, const struct lg_batch_opts *o,
			double seconds)
{
	size_t i;

	row->results = lg_xcalloc(row->sched.n + 1, sizeof(*row->results));
	for (i = 0; i < row->sched.n; i++)
		row->results[i] = row->sched.items[i].result;
	row->rep.cluster_name = row->name;
	row->rep.server = row->server ? row->server : "";
	row->rep.fingerprint = row->fingerprint;
	row->rep.started = row->started;
	row->rep.seconds = seconds;
	row->rep.lang = o->lang;
	row->rep.results = row->results;
	row->rep.nresults = row->sched.n;
	row->rep.warnings = (const char *const *)row->warnings;
	row->rep.nwarnings = row->nwarnings;
	row->exit_code = row->error ? 3 : lg_sched_exit_code(&row->sched);
}

static void stamp_now(char *out, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void run_release(struct student_run *r)
{
	if (r->cluster)
		lg_cluster_free(r->cluster);
	lg_ssh_close(r->ssh);
	lg_ssh_close(r->jump); /* after: ssh's connection goes through it */
	lg_kubeconfig_release(&r->kc);
	lg_journal_release(&r->journal);
	free(r->journal_note);
	free(r->gateway_url);
	free(r->hostkey);
	free(r->api.host);
	lg_state_release(&r->state);
}

static void grade_student(const struct lg_batch_opts *o,
			  const struct lg_roster_student *st,
			  struct lg_batch_row *row)
{
	struct student_run r = {0};
	struct lg_error err = {0};
	double t0 = now_s();

	r.o = o;
	r.st = st;
	r.row = row;
	stamp_now(row->started, sizeof(row->started));
	if (lg_sched_plan(&row->sched, NULL, 0, &err) != LG_OK)
		lg_die("cannot plan the checks: %s", err.msg);
	if (connect_student(&r, &err) == LG_OK)
		grade(&r);
	else
		fail_row(row, o, err.msg);
	run_release(&r);
	fill_report(row, o, now_s() - t0);
}

/* ------------------------------------------------------------------ */
/* The class.                                                          */

static void *worker(void *arg)
{
	struct shared *sh = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&sh->lock);
		i = sh->next++;
		if (i < sh->b->n && sh->hooks && sh->hooks->started)
			sh->hooks->started(sh->hooks->data, &sh->b->rows[i]);
		pthread_mutex_unlock(&sh->lock);
		if (i >= sh->b->n)
			return NULL;
		grade_student(sh->o, sh->b->rows[i].student, &sh->b->rows[i]);
		pthread_mutex_lock(&sh->lock);
		sh->done++;
		if (sh->hooks && sh->hooks->finished)
			sh->hooks->finished(sh->hooks->data, &sh->b->rows[i],
					    sh->done, sh->b->n);
		pthread_mutex_unlock(&sh->lock);
	}
}

void lg_batch_run(struct lg_batch *b, const struct lg_batch_opts *o,
		  const struct lg_batch_hooks *hooks)
{
	struct shared sh = {o, hooks, b, 0, 0, PTHREAD_MUTEX_INITIALIZER};
	const struct lg_roster *ro = o->roster;
	pthread_t th[256];
	size_t i, nth;

	memset(b, 0, sizeof(*b));
	b->rows = lg_xcalloc(ro->n + 1, sizeof(*b->rows));
	for (i = 0; i < ro->n; i++)
		if (lg_batch_in_shard(ro->students[i].name, o->shard,
				      o->nshards)) {
			b->rows[b->n].name = lg_xstrdup(ro->students[i].name);
			b->rows[b->n].index = i;
			b->rows[b->n++].student = &ro->students[i];
		}
	nth = ro->parallel < b->n ? ro->parallel : b->n;
	if (nth > LG_ARRAY_SIZE(th))
		nth = LG_ARRAY_SIZE(th);
	for (i = 0; i < nth; i++)
		if (pthread_create(&th[i], NULL, worker, &sh))
			lg_die("cannot start a thread");
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&sh.lock);
}

int lg_batch_exit_code(const struct lg_batch *b)
{
	int code = 0;
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (b->rows[i].exit_code == 3)
			return 3;
		if (b->rows[i].exit_code)
			code = 1;
	}
	return code;
}

void lg_batch_release(struct lg_batch *b)
{
	size_t i, k;

	for (i = 0; i < b->n; i++) {
		struct lg_batch_row *row = &b->rows[i];

		lg_sched_release(&row->sched);
		free(row->results);
		free(row->name);
		free(row->error);
		free(row->server);
		free(row->fingerprint);
		for (k = 0; k < row->nwarnings; k++)
			free(row->warnings[k]);
		free(row->warnings);
	}
	free(b->rows);
	memset(b, 0, sizeof(*b));
}

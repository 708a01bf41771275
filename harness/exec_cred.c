/* SPDX-License-Identifier: MIT */
/* exec_cred.c: exec credential plugins, the only processes labgrade starts. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec_cred.h"

#define EXEC_MAX_OUT ((size_t)1 << 20)
#define EXEC_TIMEOUT_MS 30000
/* Between SIGTERM and SIGKILL to the plugin's process group. */
#define EXEC_GRACE_MS 200

extern char **environ;

struct lg_exec_cred {
	pthread_mutex_t lock;
	char **argv;	/* command, then args */
	char **env_add; /* the kubeconfig's env, then KUBERNETES_EXEC_INFO */
	char *api_version;
	long timeout_ms;
	struct lg_exec_out cached;
	bool have;
	/* A failed run, kept: the next request fails at once instead of
	 * waiting for the plugin again (a hang would cost one timeout per
	 * request). */
	struct lg_error failure;
	unsigned runs;
};

/* ------------------------------------------------------------------ */
/* Building the request.                                               */

static char *base64_encode(const char *in, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = lg_xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	const unsigned char *p = (const unsigned char *)in;
	unsigned v;
	size_t i;

	for (i = 0; i < n; i += 3) {
		v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		*o++ = tab[(v >> 18) & 63];
		*o++ = tab[(v >> 12) & 63];
		*o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* The CA as base64, from -data or from the file (client-go reads it). */
static char *ca_base64(const struct lg_kubeconfig *kc)
{
	struct lg_buf b;
	char chunk[4096], *out = NULL;
	FILE *f;
	size_t n;

	if (kc->ca_data)
		return base64_encode(kc->ca_data, kc->ca_data_len);
	if (!kc->ca_file || !(f = fopen(kc->ca_file, "rb")))
		return NULL;
	lg_buf_init(&b, EXEC_MAX_OUT);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (lg_buf_add(&b, chunk, n) != LG_OK)
			break;
	fclose(f);
	out = base64_encode(b.buf, b.len);
	lg_buf_release(&b);
	return out;
}

static void add_cluster(cJSON *spec, const struct lg_kubeconfig *kc)
{
	cJSON *c = cJSON_AddObjectToObject(spec, "cluster");
	char *ca = ca_base64(kc);

	cJSON_AddStringToObject(c, "server", kc->server);
	if (kc->tls_server_name)
		cJSON_AddStringToObject(c, "tls-server-name",
					kc->tls_server_name);
	if (kc->insecure)
		cJSON_AddBoolToObject(c, "insecure-skip-tls-verify", true);
	if (ca)
		cJSON_AddStringToObject(c, "certificate-authority-data", ca);
	if (kc->proxy_url)
		cJSON_AddStringToObject(c, "proxy-url", kc->proxy_url);
	free(ca);
}

/* KUBERNETES_EXEC_INFO=<the ExecCredential request>. */
static char *exec_info(const struct lg_kubeconfig *kc)
{
	cJSON *req = cJSON_CreateObject(), *spec;
	char *json, *out;

	cJSON_AddStringToObject(req, "kind", "ExecCredential");
	cJSON_AddStringToObject(req, "apiVersion", kc->exec->api_version);
	spec = cJSON_AddObjectToObject(req, "spec");
	cJSON_AddBoolToObject(spec, "interactive", false);
	if (kc->exec->provide_cluster_info)
		add_cluster(spec, kc);
	json = cJSON_PrintUnformatted(req);
	if (!json)
		lg_die("out of memory building ExecCredential");
	out = lg_xasprintf("KUBERNETES_EXEC_INFO=%s", json);
	cJSON_free(json);
	cJSON_Delete(req);
	return out;
}

static size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

struct lg_exec_cred *lg_exec_cred_new(const struct lg_kubeconfig *kc,
				      long timeout_ms)
{
	struct lg_exec_cred *ec = lg_xcalloc(1, sizeof(*ec));
	const struct lg_kube_exec *x = kc->exec;
	size_t i, na = strv_len(x->args), ne = strv_len(x->env);

	pthread_mutex_init(&ec->lock, NULL);
	ec->argv = lg_xcalloc(na + 2, sizeof(char *));
	ec->argv[0] = lg_xstrdup(x->command);
	for (i = 0; i < na; i++)
		ec->argv[i + 1] = lg_xstrdup(x->args[i]);
	ec->env_add = lg_xcalloc(ne + 2, sizeof(char *));
	for (i = 0; i < ne; i++)
		ec->env_add[i] = lg_xstrdup(x->env[i]);
	ec->env_add[ne] = exec_info(kc);
	ec->api_version = lg_xstrdup(x->api_version);
	ec->timeout_ms = timeout_ms > 0 ? timeout_ms : EXEC_TIMEOUT_MS;
	return ec;
}

static void free_strv(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void lg_exec_out_release(struct lg_exec_out *o)
{
	lg_secret_free(o->token);
	free(o->cert_data);
	lg_secret_free_n(o->key_data, o->key_len);
	memset(o, 0, sizeof(*o));
}

void lg_exec_cred_free(struct lg_exec_cred *ec)
{
	if (!ec)
		return;
	free_strv(ec->argv);
	free_strv(ec->env_add);
	free(ec->api_version);
	lg_exec_out_release(&ec->cached);
	lg_error_clear(&ec->failure);
	pthread_mutex_destroy(&ec->lock);
	free(ec);
}

/* ------------------------------------------------------------------ */
/* Running the plugin.                                                 */

static bool env_overridden(const char *entry, char *const *add)
{
	size_t i, n;

	for (i = 0; add[i]; i++) {
		n = (size_t)(strchr(add[i], '=') - add[i]);
		if (!strncmp(entry, add[i], n) && entry[n] == '=')
			return true;
	}
	return false;
}

/* Our environment plus the plugin's; the strings are borrowed. */
static char **plugin_env(const struct lg_exec_cred *ec)
{
	size_t ne = strv_len(environ), na = strv_len(ec->env_add), i, n = 0;
	char **env = lg_xcalloc(ne + na + 1, sizeof(char *));

	for (i = 0; i < ne; i++)
		if (!env_overridden(environ[i], ec->env_add))
			env[n++] = environ[i];
	for (i = 0; i < na; i++)
		env[n++] = ec->env_add[i];
	return env;
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

static struct timespec deadline_in(long ms)
{
	struct timespec d;

	clock_gettime(CLOCK_MONOTONIC, &d);
	d.tv_sec +=
	    ms / 1000 + (d.tv_nsec + (ms % 1000) * 1000000) / 1000000000;
	d.tv_nsec = (d.tv_nsec + (ms % 1000) * 1000000) % 1000000000;
	return d;
}

static enum lg_err too_slow(const struct lg_exec_cred *ec, const char *what,
			    struct lg_error *err)
{
	return lg_errorf(err, LG_ECRED,
			 "the credential plugin '%s' did not %s within %ld ms "
			 "(the request timeout): it was stopped",
			 ec->argv[0], what, ec->timeout_ms);
}

/* Read fd until EOF, the cap, or the deadline. */
static enum lg_err read_output(const struct lg_exec_cred *ec, int fd,
			       const struct timespec *deadline,
			       struct lg_buf *out, struct lg_error *err)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char chunk[4096];
	ssize_t n;
	enum lg_err rc;

	for (;;) {
		if (ms_left(deadline) <= 0)
			return too_slow(ec, "finish its output", err);
		if (poll(&p, 1, (int)ms_left(deadline)) < 0 && errno != EINTR)
			return lg_errorf(err, LG_ECRED, "poll: %s",
					 strerror(errno));
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n == 0)
			return LG_OK;
		if (n < 0 && errno == EINTR)
			continue;
		rc = n < 0 ? LG_EIO : lg_buf_add(out, chunk, (size_t)n);
		lg_secret_wipe(chunk, sizeof(chunk));
		if (rc != LG_OK)
			return lg_errorf(err, LG_ECRED,
					 "the credential plugin '%s' printed "
					 "more than %zu bytes",
					 ec->argv[0], EXEC_MAX_OUT);
	}
}

/* Reap pid before the deadline; false when it is still running then. */
static bool reap_by(pid_t pid, const struct timespec *deadline, int *status)
{
	const struct timespec tick = {0, 5 * 1000000};
	pid_t w;

	for (;;) {
		w = waitpid(pid, status, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			return true;
		if (ms_left(deadline) <= 0)
			return false;
		nanosleep(&tick, NULL);
	}
}

/*
 * Stop the plugin's whole process group (it leads its own), so that what
 * it started dies with it: SIGTERM, a short grace, then SIGKILL.
 */
static void kill_group(pid_t pid, bool reaped)
{
	struct timespec grace = deadline_in(EXEC_GRACE_MS);
	int status;

	kill(-pid, SIGTERM);
	if (!reaped && reap_by(pid, &grace, &status))
		reaped = true;
	kill(-pid, SIGKILL);
	if (!reaped)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
}

static enum lg_err exit_verdict(const struct lg_exec_cred *ec, int status,
				struct lg_error *err)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return LG_OK;
	if (WIFEXITED(status))
		return lg_errorf(err, LG_ECRED,
				 "the credential plugin '%s' exited with "
				 "status %d (its messages are above)",
				 ec->argv[0], WEXITSTATUS(status));
	return lg_errorf(
	    err, LG_ECRED, "the credential plugin '%s' was killed by signal %d",
	    ec->argv[0], WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/*
 * Wait for the plugin to exit, until the same deadline as its output: one
 * that closed stdout and kept running must not hang the grade. On any
 * failure its process group is stopped.
 */
static enum lg_err wait_plugin(const struct lg_exec_cred *ec, pid_t pid,
			       const struct timespec *deadline, enum lg_err rc,
			       struct lg_error *err)
{
	int status = 0;
	bool reaped = rc == LG_OK && reap_by(pid, deadline, &status);

	if (rc == LG_OK && !reaped)
		rc = too_slow(ec, "exit after closing its output", err);
	if (rc == LG_OK)
		rc = exit_verdict(ec, status, err);
	if (rc != LG_OK)
		kill_group(pid, reaped);
	return rc;
}

/* stdin from /dev/null, stdout captured, stderr passed through; the plugin
 * leads a new process group, so that a deadline can stop all of it. */
static int spawn(const struct lg_exec_cred *ec, int out_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	char **env = plugin_env(ec);
	int e;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	e = posix_spawnp(pid, ec->argv[0], &fa, &at, ec->argv, env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	return e;
}

static enum lg_err run_plugin(struct lg_exec_cred *ec, struct lg_buf *out,
			      struct lg_error *err)
{
	struct timespec deadline = deadline_in(ec->timeout_ms);
	int fds[2], e;
	pid_t pid;
	enum lg_err rc;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return lg_errorf(err, LG_ECRED, "pipe: %s", strerror(errno));
	e = spawn(ec, fds[1], &pid);
	close(fds[1]);
	ec->runs++;
	if (e != 0) {
		close(fds[0]);
		return lg_errorf(err, LG_ECRED,
				 "cannot run the credential plugin '%s': %s",
				 ec->argv[0], strerror(e));
	}
	rc = read_output(ec, fds[0], &deadline, out, err);
	close(fds[0]);
	return wait_plugin(ec, pid, &deadline, rc, err);
}

/* ------------------------------------------------------------------ */
/* Parsing the answer.                                                 */

time_t lg_exec_cred_parse_time(const char *s)
{
	struct tm tm = {0};
	int n = 0, oh, om;
	time_t t;

	if (sscanf(s, "%4d-%2d-%2d%*1[Tt]%2d:%2d:%2d%n", &tm.tm_year,
		   &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
		   &n) != 6 ||
	    n == 0)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	s += n;
	if (*s == '.')
		s += 1 + strspn(s + 1, "0123456789");
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
		return t;
	if ((*s != '+' && *s != '-') ||
	    sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || s[1 + n])
		return -1;
	return *s == '+' ? t - (oh * 3600 + om * 60)
			 : t + (oh * 3600 + om * 60);
}

static const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static enum lg_err parse_status(const cJSON *st, const char *command,
				struct lg_exec_out *out, struct lg_error *err)
{
	const char *tok = json_str(st, "token");
	const char *cert = json_str(st, "clientCertificateData");
	const char *key = json_str(st, "clientKeyData");
	const char *exp = json_str(st, "expirationTimestamp");

	if (!tok && (!cert || !key))
		return lg_errorf(
		    err, LG_ECRED,
		    "the credential plugin '%s' gave neither status.token nor "
		    "both clientCertificateData and clientKeyData",
		    command);
	if (exp && (out->expiry = lg_exec_cred_parse_time(exp)) == -1)
		return lg_errorf(err, LG_ECRED,
				 "the credential plugin '%s' gave an "
				 "expirationTimestamp that is not RFC 3339",
				 command);
	if (tok)
		out->token = lg_xstrdup(tok);
	if (cert && key) {
		out->cert_data = lg_xstrdup(cert);
		out->cert_len = strlen(cert);
		out->key_data = lg_xstrdup(key);
		out->key_len = strlen(key);
	}
	return LG_OK;
}

enum lg_err lg_exec_cred_parse(const char *json, size_t len,
			       const char *api_version, const char *command,
			       struct lg_exec_out *out, struct lg_error *err)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(root, "status");
	const char *kind = json_str(root, "kind");
	const char *api = json_str(root, "apiVersion");
	enum lg_err rc;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(root) || !kind || strcmp(kind, "ExecCredential"))
		rc = lg_errorf(err, LG_ECRED,
			       "the credential plugin '%s' printed something "
			       "that is not an ExecCredential",
			       command);
	else if (!api || strcmp(api, api_version))
		rc = lg_errorf(err, LG_ECRED,
			       "the credential plugin '%s' answered with "
			       "another apiVersion than '%s' (its output is "
			       "not repeated: it may hold a secret)",
			       command, api_version);
	else if (!cJSON_IsObject(st))
		rc = lg_errorf(err, LG_ECRED,
			       "the credential plugin '%s' gave no status",
			       command);
	else
		rc = parse_status(st, command, out, err);
	if (rc != LG_OK)
		lg_exec_out_release(out);
	cJSON_Delete(root);
	return rc;
}

/* ------------------------------------------------------------------ */

static void copy_out(struct lg_exec_out *dst, const struct lg_exec_out *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->token = src->token ? lg_xstrdup(src->token) : NULL;
	dst->cert_data = src->cert_data ? lg_xstrdup(src->cert_data) : NULL;
	dst->cert_len = src->cert_len;
	dst->key_data = src->key_data ? lg_xstrdup(src->key_data) : NULL;
	dst->key_len = src->key_len;
	dst->expiry = src->expiry;
}

static bool cache_fresh(const struct lg_exec_cred *ec)
{
	return ec->have &&
	       (!ec->cached.expiry || time(NULL) < ec->cached.expiry);
}

/* Run the plugin into the cache, or copy the failure kept from its run. */
static enum lg_err refill(struct lg_exec_cred *ec, struct lg_buf *b,
			  struct lg_error *err)
{
	enum lg_err rc;

	if (ec->failure.code != LG_OK)
		return lg_errorf(err, ec->failure.code, "%s", ec->failure.msg);
	lg_exec_out_release(&ec->cached);
	ec->have = false;
	rc = run_plugin(ec, b, &ec->failure);
	if (rc == LG_OK)
		rc = lg_exec_cred_parse(b->buf, b->len, ec->api_version,
					ec->argv[0], &ec->cached, &ec->failure);
	ec->have = rc == LG_OK;
	if (rc != LG_OK)
		lg_errorf(err, rc, "%s", ec->failure.msg);
	return rc;
}

enum lg_err lg_exec_cred_get(struct lg_exec_cred *ec, bool refresh,
			     struct lg_exec_out *out, struct lg_error *err)
{
	struct lg_buf b;
	enum lg_err rc = LG_OK;

	memset(out, 0, sizeof(*out));
	lg_buf_init(&b, EXEC_MAX_OUT);
	pthread_mutex_lock(&ec->lock);
	if (refresh || !cache_fresh(ec))
		rc = refill(ec, &b, err);
	if (rc == LG_OK)
		copy_out(out, &ec->cached);
	pthread_mutex_unlock(&ec->lock);
	lg_secret_wipe(b.buf, b.len);
	lg_buf_release(&b);
	return rc;
}

unsigned lg_exec_cred_runs(const struct lg_exec_cred *ec)
{
	return ec->runs;
}

const char *lg_exec_cred_command(const struct lg_exec_cred *ec)
{
	return ec->argv[0];
}

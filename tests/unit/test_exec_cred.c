/* SPDX-License-Identifier: MIT */
/* test_exec_cred.c: deadlines on exec credential plugins, and their group. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../harness/cluster.h"
#include "../../harness/exec_cred.h"

#define DATA "tests/data/exec"
#define V1 "client.authentication.k8s.io/v1"
/* Far below the plugins' 60 s sleeps, far above the timeouts used (long
 * enough that a loaded machine still starts the plugin's child first). */
#define BOUND_S 8.0

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A kubeconfig whose user runs DATA/script (absolute, as the loader
 * resolves it). Release with kc_release. */
static void kc_for(struct lg_kubeconfig *kc, struct lg_kube_exec *x,
		   const char *script)
{
	char cwd[4096];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	memset(kc, 0, sizeof(*kc));
	memset(x, 0, sizeof(*x));
	x->command = lg_xasprintf("%s/%s/%s", cwd, DATA, script);
	x->args = lg_xcalloc(1, sizeof(char *));
	x->env = lg_xcalloc(1, sizeof(char *));
	x->api_version = lg_xstrdup(V1);
	kc->server = lg_xstrdup("https://127.0.0.1:1");
	kc->exec = x;
}

static void kc_release(struct lg_kubeconfig *kc)
{
	free(kc->exec->command);
	free(kc->exec->args);
	free(kc->exec->env);
	free(kc->exec->api_version);
	free(kc->server);
}

/* The pid the plugin wrote, once it is there. */
static pid_t child_pid(const char *pidfile)
{
	long pid = 0;
	FILE *f = fopen(pidfile, "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	assert_true(pid > 1);
	return (pid_t)pid;
}

/* Gone, or a zombie nobody reaped yet (a container's init may not). */
static bool is_gone(pid_t pid)
{
	char path[64], state = 0;
	FILE *f;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 0;
	fclose(f);
	return state == 'Z';
}

/* The plugin's child dies with it (a signal takes a moment to land). */
static void assert_child_gone(const char *pidfile)
{
	pid_t pid = child_pid(pidfile);
	double t0 = now_s();

	while (!is_gone(pid) && now_s() - t0 < 3)
		usleep(20000);
	if (!is_gone(pid))
		kill(pid, SIGKILL); /* leave nothing behind, then fail */
	assert_true(is_gone(pid));
}

struct run {
	enum lg_err rc;
	double seconds;
	struct lg_error err;
	unsigned runs;
};

/* One lg_exec_cred_get on script with timeout_ms; the child's pid file. */
static struct run run_script(const char *script, long timeout_ms,
			     const char *pidfile)
{
	struct lg_kubeconfig kc;
	struct lg_kube_exec x;
	struct lg_exec_cred *ec;
	struct lg_exec_out out;
	struct run r = {0};
	double t0;

	setenv("LG_EXEC_PIDFILE", pidfile, 1);
	unlink(pidfile);
	kc_for(&kc, &x, script);
	ec = lg_exec_cred_new(&kc, timeout_ms);
	kc_release(&kc);
	t0 = now_s();
	r.rc = lg_exec_cred_get(ec, false, &out, &r.err);
	r.seconds = now_s() - t0;
	assert_null(out.token);
	r.runs = lg_exec_cred_runs(ec);
	lg_exec_cred_free(ec);
	return r;
}

static void test_exec__closed_stdout_then_running_is_stopped(void **state)
{
	char pidfile[] = "/tmp/lg-exec-pid-XXXXXX";
	struct run r;

	(void)state;
	close(mkstemp(pidfile));
	r = run_script("closes_stdout.sh", 1500, pidfile);
	assert_int_equal(r.rc, LG_ECRED);
	assert_non_null(strstr(r.err.msg, "closes_stdout.sh' did not exit "
					  "after closing its output within "
					  "1500 ms"));
	assert_null(strstr(r.err.msg, "SECRET"));
	assert_true(r.seconds >= 1.4); /* ms rounding */
	assert_true(r.seconds < BOUND_S);
	assert_child_gone(pidfile);
	unlink(pidfile);
}

static void test_exec__hang_costs_the_timeout_and_kills_the_group(void **s)
{
	char pidfile[] = "/tmp/lg-exec-pid-XXXXXX";
	struct run r;

	(void)s;
	close(mkstemp(pidfile));
	r = run_script("hangs.sh", 1000, pidfile);
	assert_int_equal(r.rc, LG_ECRED);
	assert_non_null(strstr(r.err.msg, "hangs.sh' did not finish its "
					  "output within 1000 ms (the request "
					  "timeout)"));
	assert_true(r.seconds >= 0.9);
	assert_true(r.seconds < BOUND_S);
	assert_child_gone(pidfile);
	unlink(pidfile);
}

static void test_exec__sigterm_ignored_then_sigkill(void **state)
{
	char pidfile[] = "/tmp/lg-exec-pid-XXXXXX";
	struct run r;

	(void)state;
	close(mkstemp(pidfile));
	r = run_script("ignores_term.sh", 1000, pidfile);
	assert_int_equal(r.rc, LG_ECRED);
	assert_non_null(strstr(r.err.msg, "did not finish its output"));
	assert_true(r.seconds < BOUND_S);
	assert_child_gone(pidfile);
	unlink(pidfile);
}

/* A failed plugin is not run again for every request of the run. */
static void test_exec__failure_is_kept(void **state)
{
	char pidfile[] = "/tmp/lg-exec-pid-XXXXXX";
	struct lg_kubeconfig kc;
	struct lg_kube_exec x;
	struct lg_exec_cred *ec;
	struct lg_exec_out out;
	struct lg_error err = {0};
	double t0;

	(void)state;
	close(mkstemp(pidfile));
	setenv("LG_EXEC_PIDFILE", pidfile, 1);
	kc_for(&kc, &x, "hangs.sh");
	ec = lg_exec_cred_new(&kc, 1000);
	kc_release(&kc);
	assert_int_equal(lg_exec_cred_get(ec, false, &out, &err), LG_ECRED);
	lg_error_clear(&err);
	t0 = now_s();
	assert_int_equal(lg_exec_cred_get(ec, true, &out, &err), LG_ECRED);
	assert_true(now_s() - t0 < 0.3);
	assert_non_null(strstr(err.msg, "did not finish its output"));
	assert_int_equal(lg_exec_cred_runs(ec), 1);
	lg_exec_cred_free(ec);
	assert_child_gone(pidfile);
	unlink(pidfile);
}

/* lg_cluster_open gives the plugin the request timeout, not 30 s. */
static void test_exec__cluster_passes_its_timeout(void **state)
{
	char pidfile[] = "/tmp/lg-exec-pid-XXXXXX";
	struct lg_kubeconfig kc;
	struct lg_kube_exec x;
	struct lg_cluster_opts co = {.timeout_ms = 1200};
	struct lg_cluster *c;
	struct lg_error err = {0};
	cJSON *j = NULL;
	double t0;

	(void)state;
	close(mkstemp(pidfile));
	setenv("LG_EXEC_PIDFILE", pidfile, 1);
	kc_for(&kc, &x, "hangs.sh");
	assert_int_equal(lg_cluster_open(&c, &kc, &co, &err), LG_OK);
	kc_release(&kc);
	t0 = now_s();
	assert_int_equal(lg_cluster_get(c, "/api", &j, &err), LG_ECRED);
	assert_true(now_s() - t0 < BOUND_S);
	assert_non_null(strstr(err.msg, "within 1200 ms"));
	assert_null(j);
	lg_cluster_free(c);
	assert_child_gone(pidfile);
	unlink(pidfile);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exec__closed_stdout_then_running_is_stopped),
	    cmocka_unit_test(
		test_exec__hang_costs_the_timeout_and_kills_the_group),
	    cmocka_unit_test(test_exec__sigterm_ignored_then_sigkill),
	    cmocka_unit_test(test_exec__failure_is_kept),
	    cmocka_unit_test(test_exec__cluster_passes_its_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

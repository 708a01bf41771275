/* SPDX-License-Identifier: MIT */
/* test_kubeconfig.c: kubeconfig resolution and exec credential plugins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../harness/exec_cred.h"
#include "../../harness/kubeconfig.h"

#define DATA "tests/data/kubeconfig"

char *kc_base64_decode(const char *in, size_t *len);

static char cwd[4096];

static int setup(void **state)
{
	(void)state;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	unsetenv("KUBECONFIG");
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	unsetenv("LG_SA_DIR");
	unsetenv("LG_EXEC_LOG");
	setenv("HOME", "/nonexistent-labgrade-home", 1);
	return 0;
}

/* The absolute path of a file under DATA, as the loader must give it. */
static char *data_path(const char *rel)
{
	return lg_xasprintf("%s/%s/%s", cwd, DATA, rel);
}

static enum lg_err load(const char *file, const char *context, const char *ns,
			struct lg_kubeconfig *kc, struct lg_error *err)
{
	struct lg_kube_opts o = {0};
	char *path = file ? lg_xasprintf("%s/%s", DATA, file) : NULL;
	enum lg_err rc;

	o.kubeconfig = path;
	o.context = context;
	o.namespace_ = ns;
	lg_error_clear(err);
	rc = lg_kubeconfig_load(kc, &o, err);
	free(path);
	return rc;
}

static void assert_path(const char *got, const char *rel)
{
	char *want = data_path(rel);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(want);
}

static void test_kubeconfig__cert_files_resolve_relative_paths(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(load("auth.yaml", NULL, NULL, &kc, &err), LG_OK);
	assert_string_equal(kc.context_name, "cert-file");
	assert_string_equal(kc.server, "https://10.0.0.1:6443");
	assert_string_equal(kc.namespace_, "default");
	assert_path(kc.ca_file, "certs/ca.crt");
	assert_path(kc.cert_file, "certs/client.crt");
	assert_string_equal(kc.key_file, "/abs/client.key");
	assert_null(kc.token);
	assert_null(kc.exec);
	assert_false(kc.insecure);
	assert_non_null(strstr(kc.source, "auth.yaml"));
	lg_kubeconfig_release(&kc);
}

static void test_kubeconfig__data_beats_file(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};
	static const char ca[] =
	    "-----BEGIN CERTIFICATE-----\nCA-DATA-PEM\n-----END "
	    "CERTIFICATE-----\n";
	static const char key[] =
	    "-----BEGIN PRIVATE KEY-----\nCLIENT-KEY-SECRET\n-----END PRIVATE "
	    "KEY-----\n";

	(void)state;
	assert_int_equal(load("auth.yaml", "cert-data", NULL, &kc, &err),
			 LG_OK);
	assert_string_equal(kc.ca_data, ca);
	assert_int_equal(kc.ca_data_len, strlen(ca));
	assert_null(kc.ca_file);
	assert_non_null(strstr(kc.cert_data, "CLIENT-CERT-PEM"));
	assert_null(kc.cert_file);
	assert_string_equal(kc.key_data, key);
	assert_null(kc.key_file);
	assert_string_equal(kc.tls_server_name, "kubernetes.default");
	assert_string_equal(kc.proxy_url, "http://proxy.example:3128");
	assert_string_equal(kc.namespace_, "bookinfo");
	lg_kubeconfig_release(&kc);
}

/* client-go keeps both: a readable tokenFile wins (re-read on every
 * request by the cluster client), token is the fallback. */
static void test_kubeconfig__token_file_kept_with_token(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(load("auth.yaml", "token", NULL, &kc, &err), LG_OK);
	assert_string_equal(kc.token, "tok-SECRET-1");
	assert_path(kc.token_file, "token.txt");
	assert_true(kc.insecure);
	assert_string_equal(kc.server, "https://[fd00::1]:6443");
	lg_kubeconfig_release(&kc);
}

/* kubectl: "client-cert-data and client-cert are both specified for ..." */
static void test_kubeconfig__file_and_data_both_refused(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};
	char *want;

	(void)state;
	assert_int_equal(load("auth.yaml", "cert-both", NULL, &kc, &err),
			 LG_ECONFIG);
	want = lg_xasprintf("%s/%s/auth.yaml:46:30: client-cert-data and "
			    "client-cert are both specified for \"cert-both\"",
			    cwd, DATA);
	if (strncmp(err.msg, want, strlen(want)))
		fail_msg("want '%s', got '%s'", want, err.msg);
	free(want);
	assert_int_equal(load("auth.yaml", "key-both", NULL, &kc, &err),
			 LG_ECONFIG);
	want = lg_xasprintf("%s/%s/auth.yaml:52:22: client-key-data and "
			    "client-key are both specified for \"key-both\"",
			    cwd, DATA);
	if (strncmp(err.msg, want, strlen(want)))
		fail_msg("want '%s', got '%s'", want, err.msg);
	free(want);
	assert_int_equal(load("auth.yaml", "ca-both", NULL, &kc, &err),
			 LG_ECONFIG);
	want = lg_xasprintf("%s/%s/auth.yaml:20:33: certificate-authority-data "
			    "and certificate-authority are both specified for "
			    "\"ca-both\"",
			    cwd, DATA);
	if (strncmp(err.msg, want, strlen(want)))
		fail_msg("want '%s', got '%s'", want, err.msg);
	free(want);
}

static void test_kubeconfig__token_file_and_namespace_flag(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(load("auth.yaml", "token-file", "other", &kc, &err),
			 LG_OK);
	assert_null(kc.token);
	assert_path(kc.token_file, "token.txt");
	assert_string_equal(kc.namespace_, "other");
	assert_string_equal(kc.user_name, "token-file");
	lg_kubeconfig_release(&kc);
}

static void test_kubeconfig__anonymous_context(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(load("auth.yaml", "anonymous", NULL, &kc, &err),
			 LG_OK);
	assert_null(kc.user_name);
	assert_null(kc.token);
	assert_null(kc.cert_file);
	lg_kubeconfig_release(&kc);
}

static void test_kubeconfig__basic_auth_refused(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(load("auth.yaml", "basic", NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "basic auth is not supported"));
	assert_non_null(strstr(err.msg, "auth.yaml:"));
	assert_null(strstr(err.msg, "hunter2"));
	assert_null(kc.server); /* released on error */
}

static void test_kubeconfig__exec_fields(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(load("exec.yaml", NULL, NULL, &kc, &err), LG_OK);
	assert_non_null(kc.exec);
	assert_path(kc.exec->command, "./exec_ok.sh");
	assert_string_equal(kc.exec->args[0], "--flag");
	assert_string_equal(kc.exec->args[1], "two words");
	assert_null(kc.exec->args[2]);
	assert_string_equal(kc.exec->env[0], "LG_TEST_ENV=from-kubeconfig");
	assert_null(kc.exec->env[1]);
	assert_string_equal(kc.exec->api_version,
			    "client.authentication.k8s.io/v1");
	assert_string_equal(kc.exec->interactive_mode, "Never");
	assert_true(kc.exec->provide_cluster_info);
	lg_kubeconfig_release(&kc);
}

static void test_kubeconfig__exec_v1_needs_interactive_mode(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(load("exec.yaml", "exec-no-mode", NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "interactiveMode"));
	assert_non_null(strstr(err.msg, "exec.yaml:"));
	assert_int_equal(load("exec.yaml", "exec-bad-version", NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "apiVersion"));
}

static void test_kubeconfig__merge_first_wins(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};
	char *list = lg_xasprintf(
	    "%s/merge_a.yaml:%s/missing.yaml:%s/merge_b.yaml:%s/merge_a.yaml",
	    DATA, DATA, DATA, DATA);
	char *a = data_path("merge_a.yaml"), *b = data_path("merge_b.yaml");
	char *src = lg_xasprintf("%s:%s", a, b);

	(void)state;
	setenv("KUBECONFIG", list, 1);
	assert_int_equal(load(NULL, NULL, NULL, &kc, &err), LG_OK);
	assert_string_equal(kc.context_name, "ctx-a"); /* a's current */
	assert_string_equal(kc.namespace_, "from-a");  /* a's ctx-a */
	assert_string_equal(kc.server, "https://a.example:6443");
	assert_string_equal(kc.source, src); /* a once, missing skipped */
	lg_kubeconfig_release(&kc);
	assert_int_equal(load(NULL, "ctx-b", NULL, &kc, &err), LG_OK);
	assert_string_equal(kc.server, "https://only-b.example:6443");
	assert_string_equal(kc.token, "tok-b");
	lg_kubeconfig_release(&kc);
	setenv("KUBECONFIG", DATA "/missing.yaml:" DATA "/missing2.yaml", 1);
	assert_int_equal(load(NULL, NULL, NULL, &kc, &err), LG_ECONFIG);
	assert_non_null(strstr(err.msg, "none of the files in KUBECONFIG"));
	unsetenv("KUBECONFIG");
	free(list);
	free(a);
	free(b);
	free(src);
}

static void test_kubeconfig__kubeconfig_flag_does_not_merge(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	setenv("KUBECONFIG", DATA "/merge_b.yaml", 1);
	assert_int_equal(load("merge_a.yaml", "ctx-b", NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "\"ctx-b\""));
	assert_non_null(strstr(err.msg, "merge_a.yaml"));
	assert_null(strstr(err.msg, "merge_b.yaml"));
	unsetenv("KUBECONFIG");
}

static void test_kubeconfig__home_default(void **state)
{
	char tmpl[] = "/tmp/lg-kc-home-XXXXXX";
	char *kube, *cfg, *target;
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	kube = lg_xasprintf("%s/.kube", tmpl);
	cfg = lg_xasprintf("%s/config", kube);
	target = data_path("merge_b.yaml");
	assert_int_equal(mkdir(kube, 0700), 0);
	assert_int_equal(symlink(target, cfg), 0);
	setenv("HOME", tmpl, 1);
	assert_int_equal(load(NULL, NULL, NULL, &kc, &err), LG_OK);
	assert_string_equal(kc.context_name, "ctx-b");
	lg_kubeconfig_release(&kc);
	setenv("HOME", "/nonexistent-labgrade-home", 1);
	unlink(cfg);
	rmdir(kube);
	rmdir(tmpl);
	free(kube);
	free(cfg);
	free(target);
}

static void test_kubeconfig__in_cluster(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(load(NULL, NULL, NULL, &kc, &err), LG_ECONFIG);
	assert_non_null(strstr(err.msg, "no kubeconfig"));
	setenv("KUBERNETES_SERVICE_HOST", "fd00::10", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	setenv("LG_SA_DIR", DATA "/sa", 1);
	assert_int_equal(load(NULL, NULL, NULL, &kc, &err), LG_OK);
	assert_string_equal(kc.server, "https://[fd00::10]:443");
	assert_path(kc.token_file, "sa/token");
	assert_path(kc.ca_file, "sa/ca.crt");
	assert_string_equal(kc.namespace_, "lab-ns");
	assert_string_equal(kc.source, "in-cluster");
	lg_kubeconfig_release(&kc);
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	assert_int_equal(load(NULL, NULL, "mine", &kc, &err), LG_OK);
	assert_string_equal(kc.server, "https://10.96.0.1:443");
	assert_string_equal(kc.namespace_, "mine");
	lg_kubeconfig_release(&kc);
	setenv("LG_SA_DIR", DATA "/no-such-dir", 1);
	assert_int_equal(load(NULL, NULL, NULL, &kc, &err), LG_EIO);
	assert_non_null(strstr(err.msg, "no-such-dir/token"));
	setup(NULL);
}

static void test_kubeconfig__no_current_context(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(load("nocurrent.yaml", NULL, NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "current-context"));
	assert_non_null(strstr(err.msg, "nocurrent.yaml"));
	assert_int_equal(load("nocurrent.yaml", "ctx", NULL, &kc, &err), LG_OK);
	lg_kubeconfig_release(&kc);
	assert_int_equal(load("nocurrent.yaml", "nope", NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "context \"nope\""));
	assert_non_null(strstr(err.msg, "nocurrent.yaml"));
}

static void test_kubeconfig__dangling_references(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(load("badrefs.yaml", NULL, NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(
	    strstr(err.msg, "badrefs.yaml:4:18: current-context is \"ghost\""));
	assert_int_equal(load("badrefs.yaml", "no-user", NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "user \"nobody\""));
	assert_non_null(strstr(err.msg, "badrefs.yaml:"));
	assert_int_equal(load("badrefs.yaml", "no-cluster", NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "cluster \"nowhere\""));
	assert_int_equal(load("badrefs.yaml", "no-server", NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "has no server"));
}

static void test_kubeconfig__ca_with_insecure_is_an_error(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(load("badrefs.yaml", "ca-insecure", NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "insecure"));
	assert_non_null(strstr(err.msg, "c-insecure-ca"));
}

/* FILE:LINE:COL with digits in both places. */
static bool has_position(const char *msg, const char *file)
{
	const char *p = strstr(msg, file);
	char *end;

	if (!p || p[strlen(file)] != ':')
		return false;
	p += strlen(file) + 1;
	if (strtoul(p, &end, 10) == 0 || *end != ':')
		return false;
	return strtoul(end + 1, &end, 10) > 0 && *end == ':';
}

static void test_kubeconfig__syntax_and_type_errors_have_positions(void **s)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)s;
	assert_int_equal(load("malformed.yaml", NULL, NULL, &kc, &err),
			 LG_EPARSE);
	assert_true(has_position(err.msg, "malformed.yaml"));
	assert_int_equal(load("badtype.yaml", NULL, NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "badtype.yaml:7:7: 'server' must be"));
	assert_int_equal(load("badbool.yaml", NULL, NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "badbool.yaml:8:31: "
					"'insecure-skip-tls-verify' must be "
					"true or false, not 'maybe'"));
}

static void test_kubeconfig__bad_key_data_not_quoted(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	assert_int_equal(load("badkey.yaml", NULL, NULL, &kc, &err),
			 LG_ECONFIG);
	assert_non_null(strstr(err.msg, "badkey.yaml:11:22: 'client-key-data' "
					"is not valid base64"));
	assert_null(strstr(err.msg, "SECRET"));
}

static void test_kubeconfig__unreadable_file(void **state)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	(void)state;
	/* a directory cannot be read as a file, even by root */
	assert_int_equal(load("sa", NULL, NULL, &kc, &err), LG_EIO);
	assert_non_null(strstr(err.msg, "kubeconfig/sa"));
	assert_int_equal(load("absent.yaml", NULL, NULL, &kc, &err), LG_EIO);
	assert_non_null(strstr(err.msg, "absent.yaml"));
}

static void test_kubeconfig__base64(void **state)
{
	size_t n;
	char *s;

	(void)state;
	s = kc_base64_decode("aGVs\nbG8=", &n);
	assert_string_equal(s, "hello");
	assert_int_equal(n, 5);
	free(s);
	assert_null(kc_base64_decode("no*pe", &n));
}

/* ------------------------------------------------------------------ */
/* Exec credential plugins.                                            */

static struct lg_exec_cred *exec_for(const char *context, long timeout_ms)
{
	struct lg_kubeconfig kc;
	struct lg_error err = {0};
	struct lg_exec_cred *ec;

	assert_int_equal(load("exec.yaml", context, NULL, &kc, &err), LG_OK);
	ec = lg_exec_cred_new(&kc, timeout_ms);
	lg_kubeconfig_release(&kc);
	return ec;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	struct lg_buf b = LG_BUF_INIT;
	char chunk[1024];
	size_t n;

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		lg_buf_add(&b, chunk, n);
	fclose(f);
	return lg_buf_detach(&b, NULL);
}

static void test_exec_cred__token_cached_and_refreshed(void **state)
{
	char log[] = "/tmp/lg-exec-log-XXXXXX";
	struct lg_exec_out out;
	struct lg_error err = {0};
	struct lg_exec_cred *ec;
	char *text;
	int fd;

	(void)state;
	fd = mkstemp(log);
	assert_true(fd >= 0);
	close(fd);
	setenv("LG_EXEC_LOG", log, 1);
	ec = exec_for("exec-ok", 0);
	assert_int_equal(lg_exec_cred_runs(ec), 0); /* nothing runs early */
	assert_int_equal(lg_exec_cred_get(ec, false, &out, &err), LG_OK);
	assert_string_equal(out.token, "exec-SECRET-token");
	assert_int_equal(out.expiry, (time_t)32472144000LL);
	lg_exec_out_release(&out);
	assert_int_equal(lg_exec_cred_get(ec, false, &out, &err), LG_OK);
	assert_string_equal(out.token, "exec-SECRET-token");
	lg_exec_out_release(&out);
	assert_int_equal(lg_exec_cred_runs(ec), 1); /* cached */
	assert_int_equal(lg_exec_cred_get(ec, true, &out, &err), LG_OK);
	lg_exec_out_release(&out);
	assert_int_equal(lg_exec_cred_runs(ec), 2); /* after a 401 */
	text = read_all(log);
	assert_non_null(strstr(text, "\"kind\":\"ExecCredential\""));
	assert_non_null(strstr(text, "\"interactive\":false"));
	assert_non_null(strstr(text, "\"server\":\"https://10.0.0.3:6443\""));
	assert_non_null(strstr(text, "\"certificate-authority-data\":"
				     "\"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"));
	free(text);
	lg_exec_cred_free(ec);
	unsetenv("LG_EXEC_LOG");
	unlink(log);
}

static void test_exec_cred__expired_is_rerun_and_no_cluster_info(void **s)
{
	char log[] = "/tmp/lg-exec-log-XXXXXX";
	struct lg_exec_out out;
	struct lg_error err = {0};
	struct lg_exec_cred *ec;
	char *text;
	int fd;

	(void)s;
	fd = mkstemp(log);
	close(fd);
	setenv("LG_EXEC_LOG", log, 1);
	ec = exec_for("exec-expired", 0);
	assert_int_equal(lg_exec_cred_get(ec, false, &out, &err), LG_OK);
	assert_null(out.token);
	assert_string_equal(out.cert_data, "CERT-PEM");
	assert_string_equal(out.key_data, "KEY-SECRET-PEM");
	assert_int_equal(out.expiry, (time_t)981169506);
	lg_exec_out_release(&out);
	assert_int_equal(lg_exec_cred_get(ec, false, &out, &err), LG_OK);
	lg_exec_out_release(&out);
	assert_int_equal(lg_exec_cred_runs(ec), 2);
	text = read_all(log);
	/* two runs, each told the request without spec.cluster */
	assert_non_null(
	    strstr(text, "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client."
			 "authentication.k8s.io/"
			 "v1beta1\",\"spec\":{\"interactive\":false}}\n{"));
	assert_null(strstr(text, "cluster"));
	free(text);
	lg_exec_cred_free(ec);
	unsetenv("LG_EXEC_LOG");
	unlink(log);
}

static void test_exec_cred__failures_never_quote_output(void **state)
{
	struct lg_exec_out out;
	struct lg_error err = {0};
	struct lg_exec_cred *ec;

	(void)state;
	ec = exec_for("exec-fail", 0);
	assert_int_equal(lg_exec_cred_get(ec, false, &out, &err), LG_ECRED);
	assert_non_null(strstr(err.msg, "exited with status 7"));
	assert_non_null(strstr(err.msg, "exec_fail.sh"));
	assert_null(strstr(err.msg, "SECRET"));
	assert_null(out.token);
	lg_exec_cred_free(ec);
	lg_error_clear(&err);
	ec = exec_for("exec-garbage", 0);
	assert_int_equal(lg_exec_cred_get(ec, false, &out, &err), LG_ECRED);
	assert_non_null(strstr(err.msg, "not an ExecCredential"));
	assert_null(strstr(err.msg, "SECRET"));
	lg_exec_cred_free(ec);
	lg_error_clear(&err);
	ec = exec_for("exec-missing", 0);
	assert_int_equal(lg_exec_cred_get(ec, false, &out, &err), LG_ECRED);
	assert_non_null(strstr(err.msg, "cannot run"));
	assert_non_null(strstr(err.msg, "no-such-plugin-labgrade"));
	lg_exec_cred_free(ec);
}

static void test_exec_cred__timeout_kills_the_plugin(void **state)
{
	struct lg_exec_out out;
	struct lg_error err = {0};
	struct lg_exec_cred *ec;
	time_t t0 = time(NULL);

	(void)state;
	ec = exec_for("exec-slow", 300);
	assert_int_equal(lg_exec_cred_get(ec, false, &out, &err), LG_ECRED);
	assert_non_null(strstr(err.msg, "did not finish"));
	assert_true(time(NULL) - t0 < 5);
	lg_exec_cred_free(ec);
}

static void test_exec_cred__parse(void **state)
{
	static const char v1[] = "client.authentication.k8s.io/v1";
	struct lg_exec_out out;
	struct lg_error err = {0};
	const char *wrong_api =
	    "{\"kind\":\"ExecCredential\",\"apiVersion\":\"x/"
	    "v1beta1\",\"status\":{\"token\":\"t-SECRET\"}}";
	const char *half_cert =
	    "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client."
	    "authentication.k8s.io/"
	    "v1\",\"status\":{\"clientCertificateData\":\"C\"}}";

	(void)state;
	assert_int_equal(lg_exec_cred_parse(wrong_api, strlen(wrong_api), v1,
					    "p", &out, &err),
			 LG_ECRED);
	assert_non_null(strstr(err.msg, "apiVersion"));
	assert_null(strstr(err.msg, "SECRET"));
	lg_error_clear(&err);
	assert_int_equal(lg_exec_cred_parse(half_cert, strlen(half_cert), v1,
					    "p", &out, &err),
			 LG_ECRED);
	assert_non_null(strstr(err.msg, "clientKeyData"));
}

static void test_exec_cred__rfc3339(void **state)
{
	(void)state;
	assert_int_equal(lg_exec_cred_parse_time("1970-01-01T00:01:00Z"), 60);
	assert_int_equal(lg_exec_cred_parse_time("1970-01-01T01:00:00+01:00"),
			 0);
	assert_int_equal(lg_exec_cred_parse_time("1970-01-01T00:00:00.5-00:30"),
			 1800);
	assert_int_equal(lg_exec_cred_parse_time("1970-01-01 00:00:00"), -1);
	assert_int_equal(lg_exec_cred_parse_time("1970-01-01T00:00:00"), -1);
	assert_int_equal(lg_exec_cred_parse_time("yesterday"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
		test_kubeconfig__cert_files_resolve_relative_paths),
	    cmocka_unit_test(test_kubeconfig__data_beats_file),
	    cmocka_unit_test(test_kubeconfig__token_file_kept_with_token),
	    cmocka_unit_test(test_kubeconfig__file_and_data_both_refused),
	    cmocka_unit_test(test_kubeconfig__token_file_and_namespace_flag),
	    cmocka_unit_test(test_kubeconfig__anonymous_context),
	    cmocka_unit_test(test_kubeconfig__basic_auth_refused),
	    cmocka_unit_test(test_kubeconfig__exec_fields),
	    cmocka_unit_test(test_kubeconfig__exec_v1_needs_interactive_mode),
	    cmocka_unit_test(test_kubeconfig__merge_first_wins),
	    cmocka_unit_test(test_kubeconfig__kubeconfig_flag_does_not_merge),
	    cmocka_unit_test(test_kubeconfig__home_default),
	    cmocka_unit_test(test_kubeconfig__in_cluster),
	    cmocka_unit_test(test_kubeconfig__no_current_context),
	    cmocka_unit_test(test_kubeconfig__dangling_references),
	    cmocka_unit_test(test_kubeconfig__ca_with_insecure_is_an_error),
	    cmocka_unit_test(
		test_kubeconfig__syntax_and_type_errors_have_positions),
	    cmocka_unit_test(test_kubeconfig__bad_key_data_not_quoted),
	    cmocka_unit_test(test_kubeconfig__unreadable_file),
	    cmocka_unit_test(test_kubeconfig__base64),
	    cmocka_unit_test(test_exec_cred__token_cached_and_refreshed),
	    cmocka_unit_test(
		test_exec_cred__expired_is_rerun_and_no_cluster_info),
	    cmocka_unit_test(test_exec_cred__failures_never_quote_output),
	    cmocka_unit_test(test_exec_cred__timeout_kills_the_plugin),
	    cmocka_unit_test(test_exec_cred__parse),
	    cmocka_unit_test(test_exec_cred__rfc3339),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

/* SPDX-License-Identifier: MIT */
/* exec_cred.h: client-go exec credential plugins, run and cached (internal). */
#ifndef LG_EXEC_CRED_H
#define LG_EXEC_CRED_H

#include <time.h>

#include "kubeconfig.h"
#include "lg.h"

struct lg_exec_cred;

/* What a plugin gave: a token, or a client certificate and key (PEM). */
struct lg_exec_out {
	char *token;
	char *cert_data;
	size_t cert_len;
	char *key_data;
	size_t key_len;
	time_t expiry; /* 0: no expirationTimestamp */
};

/* Wipe and free the fields; the struct is empty again. */
void lg_exec_out_release(struct lg_exec_out *o);

/*
 * A credential cache for kc->exec (which must be set). kc is borrowed; what
 * is needed (the plugin and, for provideClusterInfo, the cluster) is copied.
 * Nothing runs yet. Thread-safe: one cache may serve several threads.
 * @test tests/unit/test_kubeconfig.c
 */
struct lg_exec_cred *lg_exec_cred_new(const struct lg_kubeconfig *kc,
				      long timeout_ms);
void lg_exec_cred_free(struct lg_exec_cred *ec);

/*
 * Copy the current credential into *out (the caller releases it), running
 * the plugin when nothing is cached, when the cached one has expired, or
 * when refresh is true (after a 401: a plugin runs at most once more).
 * Blocks while the plugin runs: at most timeout_ms (30 s when 0), output
 * and exit alike, plus 200 ms to stop it. The plugin leads its own process
 * group; when it fails or overruns, the whole group gets SIGTERM then
 * SIGKILL, so nothing it started is left running. A failure is kept: later
 * calls fail at once with the same error (refresh or not), so a plugin
 * that hangs costs one timeout per run, not one per request.
 * Errors: LG_ECRED with a sentence naming the command, never the secret.
 */
enum lg_err lg_exec_cred_get(struct lg_exec_cred *ec, bool refresh,
			     struct lg_exec_out *out, struct lg_error *err);

/* How many times the plugin ran (tests). */
unsigned lg_exec_cred_runs(const struct lg_exec_cred *ec);

/* The command, for messages. Borrowed. */
const char *lg_exec_cred_command(const struct lg_exec_cred *ec);

/*
 * Parse a plugin's stdout (an ExecCredential of api_version) into *out.
 * LG_ECRED with a message that never quotes the output.
 */
enum lg_err lg_exec_cred_parse(const char *json, size_t len,
			       const char *api_version, const char *command,
			       struct lg_exec_out *out, struct lg_error *err);

/* RFC 3339 ("2026-11-25T16:00:00Z", fractions, +hh:mm) to time_t; -1 bad. */
time_t lg_exec_cred_parse_time(const char *s);

#endif

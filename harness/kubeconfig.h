/* SPDX-License-Identifier: MIT */
/* kubeconfig.h: which cluster to talk to and how to prove who we are. */
#ifndef LG_KUBECONFIG_H
#define LG_KUBECONFIG_H

#include "lg.h"

/* Where to look, as kubectl's flags say it. All fields may be NULL. */
struct lg_kube_opts {
	const char *kubeconfig; /* --kubeconfig: one file, no merging */
	const char *context;	/* --context */
	const char *namespace_; /* --namespace */
};

/* An exec credential plugin (client.authentication.k8s.io/v1). */
struct lg_kube_exec {
	char *command;
	char **args; /* NULL-terminated */
	char **env;  /* NULL-terminated "NAME=VALUE" */
	char *api_version;
	char *interactive_mode;
	bool provide_cluster_info;
};

/*
 * The resolved view of one context: cluster, user, namespace. Every path is
 * absolute (relative ones resolved against the kubeconfig's directory).
 * -data fields hold the decoded PEM and win over the file fields.
 * Secrets (token, key_data) must never be printed.
 * @test tests/unit/test_kubeconfig.c
 */
struct lg_kubeconfig {
	char *source; /* file(s) read, for messages; "in-cluster" otherwise */
	char *context_name;
	char *cluster_name;
	char *user_name;
	char *server;
	char *namespace_; /* "default" when unset */
	char *ca_file;
	char *ca_data;
	size_t ca_data_len;
	bool insecure;
	char *tls_server_name;
	char *proxy_url;
	char *cert_file;
	char *cert_data;
	size_t cert_data_len;
	char *key_file;
	char *key_data;
	size_t key_data_len;
	char *token;
	char *token_file;
	char *username; /* basic auth is refused, kept only to say so */
	struct lg_kube_exec *exec;
};

/*
 * Resolve the configuration as kubectl does: opts->kubeconfig, else
 * $KUBECONFIG (several files merged), else ~/.kube/config, else the
 * in-cluster service account. Errors name the file and, for content errors,
 * FILE:LINE:COL (LG_ECONFIG, LG_EPARSE, LG_EIO).
 */
enum lg_err lg_kubeconfig_load(struct lg_kubeconfig *kc,
			       const struct lg_kube_opts *opts,
			       struct lg_error *err);
void lg_kubeconfig_release(struct lg_kubeconfig *kc);

#endif

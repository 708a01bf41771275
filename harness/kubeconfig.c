/* SPDX-License-Identifier: MIT */
/* kubeconfig.c: kubectl's kubeconfig rules (files, merge, context, auth). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kubeconfig.h"
#include "yaml.h"

#define KC_MAX_FILES 64
#define SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

/* One kubeconfig file as read: its tree and its (absolute) directory. */
struct kc_file {
	char *path;
	char *dir;
	struct lg_ynode **docs;
	size_t ndocs;
	const struct lg_ynode *root; /* NULL for an empty file */
};

/* The files in precedence order: the first to define a thing wins. */
struct kc_set {
	struct kc_file files[KC_MAX_FILES];
	size_t n;
	char *names; /* "a:b:c", for messages */
};

/* A named entry found in the set, with the file it came from. */
struct kc_entry {
	const struct lg_ynode *body; /* the "context"/"cluster"/"user" map */
	const struct lg_ynode *item; /* the whole list item, for positions */
	const struct kc_file *file;
};

static void kc_set_release(struct kc_set *s);

/* ------------------------------------------------------------------ */
/* Small helpers: paths, base64, typed field access.                   */

static char *abs_path(const char *dir, const char *p)
{
	char cwd[4096];

	if (p[0] == '/')
		return lg_xstrdup(p);
	if (dir)
		return lg_xasprintf("%s/%s", dir, p);
	if (!getcwd(cwd, sizeof(cwd)))
		return lg_xstrdup(p);
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	return lg_xasprintf("%s/%s", cwd, p);
}

static char *dir_of(const char *abs)
{
	const char *slash = strrchr(abs, '/');

	if (!slash || slash == abs)
		return lg_xstrdup("/");
	return lg_xstrndup(abs, (size_t)(slash - abs));
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode standard base64 (whitespace ignored, padding optional). Returns a
 * NUL-terminated copy (the caller's) and its length, or NULL if invalid.
 */
LG_TESTABLE char *kc_base64_decode(const char *in, size_t *len);
LG_TESTABLE char *kc_base64_decode(const char *in, size_t *len)
{
	char *out = lg_xmalloc(strlen(in) * 3 / 4 + 4);
	unsigned acc = 0, bits = 0;
	size_t n = 0;
	int v;

	for (; *in && *in != '='; in++) {
		if (strchr(" \t\r\n", *in))
			continue;
		v = b64_value((unsigned char)*in);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	*len = n;
	return out;
}

static enum lg_err type_error(const struct kc_file *f, const struct lg_ynode *v,
			      const char *key, const char *want,
			      struct lg_error *err)
{
	return lg_errorf(err, LG_ECONFIG, "%s:%u:%u: '%s' must be %s, not %s",
			 f->path, v->line, v->col, key, want,
			 lg_ynode_type_name(v));
}

/* A scalar field: *out is NULL when absent or null; a map or list is an
 * error at its position. */
static enum lg_err get_str(const struct kc_file *f, const struct lg_ynode *m,
			   const char *key, const char **out,
			   struct lg_error *err)
{
	const struct lg_ynode *v = lg_ynode_get(m, key);

	*out = NULL;
	if (!v || v->type == LG_YNULL)
		return LG_OK;
	if (v->type != LG_YSCALAR)
		return type_error(f, v, key, "a value", err);
	*out = v->value[0] ? v->value : NULL;
	return LG_OK;
}

static enum lg_err get_bool(const struct kc_file *f, const struct lg_ynode *m,
			    const char *key, bool *out, struct lg_error *err)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	const struct lg_ynode *v = lg_ynode_get(m, key);
	size_t i;

	*out = false;
	if (!v || v->type == LG_YNULL)
		return LG_OK;
	for (i = 0; v->type == LG_YSCALAR && i < LG_ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v->value, yes[i])) {
			*out = true;
			return LG_OK;
		}
		if (!strcasecmp(v->value, no[i]))
			return LG_OK;
	}
	if (v->type == LG_YSCALAR) /* a flag is no secret: quote it */
		return lg_errorf(err, LG_ECONFIG,
				 "%s:%u:%u: '%s' must be true or false, not "
				 "'%.40s'",
				 f->path, v->line, v->col, key, v->value);
	return type_error(f, v, key, "true or false", err);
}

/* ------------------------------------------------------------------ */
/* Reading the files.                                                  */

static bool is_missing(const char *path)
{
	struct stat st;

	return stat(path, &st) != 0 && errno == ENOENT;
}

static enum lg_err add_file(struct kc_set *s, const char *path,
			    struct lg_error *err)
{
	struct kc_file *f;
	size_t i;
	char *abs = abs_path(NULL, path);
	enum lg_err rc;

	for (i = 0; i < s->n; i++) {
		if (!strcmp(s->files[i].path, abs)) {
			free(abs); /* KUBECONFIG lists it twice: once counts */
			return LG_OK;
		}
	}
	if (s->n == KC_MAX_FILES) {
		free(abs);
		return lg_errorf(err, LG_ECONFIG,
				 "more than %d kubeconfig files", KC_MAX_FILES);
	}
	f = &s->files[s->n++];
	f->path = abs;
	f->dir = dir_of(abs);
	rc = lg_yaml_parse_file(abs, &f->docs, &f->ndocs, err);
	if (rc != LG_OK)
		return rc;
	f->root = f->ndocs ? f->docs[0] : NULL;
	if (f->root && f->root->type == LG_YNULL)
		f->root = NULL;
	if (f->root && f->root->type != LG_YMAP)
		return lg_errorf(err, LG_ECONFIG,
				 "%s:%u:%u: a kubeconfig must be a map, not %s",
				 abs, f->root->line, f->root->col,
				 lg_ynode_type_name(f->root));
	return LG_OK;
}

/* $KUBECONFIG: ':'-separated, missing files skipped. */
static enum lg_err add_env_files(struct kc_set *s, const char *list,
				 struct lg_error *err)
{
	char *copy = lg_xstrdup(list), *p = copy, *colon;
	enum lg_err rc = LG_OK;

	while (p && rc == LG_OK) {
		colon = strchr(p, ':');
		if (colon)
			*colon = '\0';
		if (*p && !is_missing(p))
			rc = add_file(s, p, err);
		p = colon ? colon + 1 : NULL;
	}
	free(copy);
	return rc;
}

static void set_names(struct kc_set *s)
{
	struct lg_buf b = LG_BUF_INIT;
	size_t i;

	for (i = 0; i < s->n; i++)
		lg_buf_addf(&b, "%s%s", i ? ":" : "", s->files[i].path);
	s->names = lg_buf_detach(&b, NULL);
}

/* Which files to read, as kubectl decides. *none: nothing to read. */
static enum lg_err load_set(struct kc_set *s, const struct lg_kube_opts *o,
			    bool *none, struct lg_error *err)
{
	const char *env = getenv("KUBECONFIG");
	const char *home = getenv("HOME");
	char *def;
	enum lg_err rc = LG_OK;

	*none = false;
	if (o && o->kubeconfig) {
		rc = add_file(s, o->kubeconfig, err);
	} else if (env && *env) {
		rc = add_env_files(s, env, err);
	} else if (home && *home) {
		def = lg_xasprintf("%s/.kube/config", home);
		if (!is_missing(def))
			rc = add_file(s, def, err);
		free(def);
	}
	*none = rc == LG_OK && s->n == 0;
	set_names(s);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Looking up named entries across the files.                          */

/* Check one list (contexts, clusters, users) of one file for shape. */
static enum lg_err check_list(const struct kc_file *f, const char *list,
			      const char *body, struct lg_error *err)
{
	const struct lg_ynode *l = lg_ynode_get(f->root, list), *it;
	const char *name;
	size_t i;

	if (!l || l->type == LG_YNULL)
		return LG_OK;
	if (l->type != LG_YSEQ)
		return type_error(f, l, list, "a list", err);
	for (i = 0; i < l->n; i++) {
		it = l->items[i];
		if (it->type != LG_YMAP)
			return type_error(f, it, list, "a list of maps", err);
		if (get_str(f, it, "name", &name, err) != LG_OK)
			return LG_ECONFIG;
		if (!name)
			return lg_errorf(
			    err, LG_ECONFIG,
			    "%s:%u:%u: an entry of '%s' has no name", f->path,
			    it->line, it->col, list);
		if (lg_ynode_get(it, body) &&
		    lg_ynode_get(it, body)->type != LG_YMAP)
			return type_error(f, lg_ynode_get(it, body), body,
					  "a map", err);
	}
	return LG_OK;
}

static enum lg_err check_files(const struct kc_set *s, struct lg_error *err)
{
	static const char *const lists[][2] = {{"contexts", "context"},
					       {"clusters", "cluster"},
					       {"users", "user"}};
	enum lg_err rc;
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		for (j = 0; s->files[i].root && j < LG_ARRAY_SIZE(lists); j++) {
			rc = check_list(&s->files[i], lists[j][0], lists[j][1],
					err);
			if (rc != LG_OK)
				return rc;
		}
	}
	return LG_OK;
}

/* The first file's entry called name in list wins (kubectl's merge). */
static bool find_named(const struct kc_set *s, const char *list,
		       const char *body, const char *name, struct kc_entry *out)
{
	const struct lg_ynode *l, *it;
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		l = lg_ynode_get(s->files[i].root, list);
		for (j = 0; l && l->type == LG_YSEQ && j < l->n; j++) {
			it = l->items[j];
			if (!lg_ynode_str(it, "name") ||
			    strcmp(lg_ynode_str(it, "name"), name))
				continue;
			out->item = it;
			out->body = lg_ynode_get(it, body);
			out->file = &s->files[i];
			return true;
		}
	}
	return false;
}

/* current-context from the first file that sets it. */
static enum lg_err current_context(const struct kc_set *s, const char **name,
				   const struct kc_file **from,
				   const struct lg_ynode **node,
				   struct lg_error *err)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (get_str(&s->files[i], s->files[i].root, "current-context",
			    name, err) != LG_OK)
			return LG_ECONFIG;
		if (*name) {
			*from = &s->files[i];
			*node =
			    lg_ynode_get(s->files[i].root, "current-context");
			return LG_OK;
		}
	}
	return lg_errorf(
	    err, LG_ECONFIG,
	    "no context selected: %s sets no current-context; pass --context "
	    "NAME or run 'kubectl config use-context NAME'",
	    s->names);
}

/* ------------------------------------------------------------------ */
/* Resolving one context into struct lg_kubeconfig.                    */

/* A -data field (base64) or a file field (a path); -data wins. */
static enum lg_err get_pem(const struct kc_file *f, const struct lg_ynode *m,
			   const char *key, char **data, size_t *len,
			   char **file, struct lg_error *err)
{
	char *dkey = lg_xasprintf("%s-data", key);
	const char *d, *p;
	enum lg_err rc;

	rc = get_str(f, m, dkey, &d, err);
	if (rc == LG_OK)
		rc = get_str(f, m, key, &p, err);
	if (rc == LG_OK && d) {
		*data = kc_base64_decode(d, len);
		if (!*data)
			rc = lg_errorf(err, LG_ECONFIG,
				       "%s:%u:%u: '%s' is not valid base64",
				       f->path, lg_ynode_get(m, dkey)->line,
				       lg_ynode_get(m, dkey)->col, dkey);
	} else if (rc == LG_OK && p) {
		*file = abs_path(f->dir, p);
	}
	free(dkey);
	return rc;
}

/*
 * A certificate or key given both as a file and inline is a configuration
 * error in kubectl (client-go's validation.go: "client-cert-data and
 * client-cert are both specified for USER"), not a silent choice: the same
 * here, at the inline one. Pairs [from, to) of the table: the cluster's CA
 * is pair 0, the user's certificate and key pairs 1 and 2.
 */
static enum lg_err pem_conflict(const struct kc_file *f,
				const struct lg_ynode *m, const char *owner,
				size_t from, size_t to, struct lg_error *err)
{
	static const char *const pairs[][3] = {
	    {"certificate-authority", "certificate-authority-data",
	     "certificate-authority"},
	    {"client-certificate", "client-cert-data", "client-cert"},
	    {"client-key", "client-key-data", "client-key"},
	};
	const struct lg_ynode *d;
	char *dkey;
	size_t i;

	for (i = from; i < to && i < LG_ARRAY_SIZE(pairs); i++) {
		dkey = lg_xasprintf("%s-data", pairs[i][0]);
		d = lg_ynode_get(m, dkey);
		free(dkey);
		if (d && lg_ynode_get(m, pairs[i][0]))
			return lg_errorf(err, LG_ECONFIG,
					 "%s:%u:%u: %s and %s are both "
					 "specified for \"%s\" (kubectl "
					 "refuses this too: keep one)",
					 f->path, d->line, d->col, pairs[i][1],
					 pairs[i][2], owner);
	}
	return LG_OK;
}

static enum lg_err resolve_cluster(struct lg_kubeconfig *kc,
				   const struct kc_entry *e,
				   struct lg_error *err)
{
	const struct kc_file *f = e->file;
	const struct lg_ynode *m = e->body;
	const char *server, *sni, *proxy;

	server = NULL;
	if (m && get_str(f, m, "server", &server, err) != LG_OK)
		return LG_ECONFIG;
	if (!server)
		return lg_errorf(
		    err, LG_ECONFIG, "%s:%u:%u: cluster \"%s\" has no server",
		    f->path, e->item->line, e->item->col, kc->cluster_name);
	kc->server = lg_xstrdup(server);
	if (get_str(f, m, "tls-server-name", &sni, err) ||
	    get_str(f, m, "proxy-url", &proxy, err) ||
	    get_bool(f, m, "insecure-skip-tls-verify", &kc->insecure, err) ||
	    pem_conflict(f, m, kc->cluster_name, 0, 1, err) ||
	    get_pem(f, m, "certificate-authority", &kc->ca_data,
		    &kc->ca_data_len, &kc->ca_file, err))
		return LG_ECONFIG;
	kc->tls_server_name = sni ? lg_xstrdup(sni) : NULL;
	kc->proxy_url = proxy ? lg_xstrdup(proxy) : NULL;
	if (kc->insecure && (kc->ca_data || kc->ca_file))
		return lg_errorf(
		    err, LG_ECONFIG,
		    "%s:%u:%u: cluster \"%s\" sets both a "
		    "certificate-authority and insecure-skip-tls-verify; "
		    "specifying a root certificates file with the insecure "
		    "flag is not allowed",
		    f->path, e->item->line, e->item->col, kc->cluster_name);
	return LG_OK;
}

/* exec.env: a list of {name, value} maps, kept as "NAME=VALUE". */
static enum lg_err exec_env(const struct kc_file *f, const struct lg_ynode *m,
			    struct lg_kube_exec *x, struct lg_error *err)
{
	const struct lg_ynode *l = lg_ynode_get(m, "env"), *it;
	const char *name, *value;
	size_t i;

	x->env = lg_xcalloc((l && l->type == LG_YSEQ ? l->n : 0) + 1,
			    sizeof(char *));
	if (!l || l->type == LG_YNULL)
		return LG_OK;
	if (l->type != LG_YSEQ)
		return type_error(f, l, "env", "a list", err);
	for (i = 0; i < l->n; i++) {
		it = l->items[i];
		if (it->type != LG_YMAP)
			return type_error(f, it, "env", "a list of maps", err);
		if (get_str(f, it, "name", &name, err) ||
		    get_str(f, it, "value", &value, err))
			return LG_ECONFIG;
		if (!name || strchr(name, '='))
			return lg_errorf(err, LG_ECONFIG,
					 "%s:%u:%u: an exec env entry needs a "
					 "name without '='",
					 f->path, it->line, it->col);
		x->env[i] = lg_xasprintf("%s=%s", name, value ? value : "");
	}
	return LG_OK;
}

static enum lg_err exec_args(const struct kc_file *f, const struct lg_ynode *m,
			     struct lg_kube_exec *x, struct lg_error *err)
{
	const struct lg_ynode *l = lg_ynode_get(m, "args");
	size_t i;

	x->args = lg_xcalloc((l && l->type == LG_YSEQ ? l->n : 0) + 1,
			     sizeof(char *));
	if (!l || l->type == LG_YNULL)
		return LG_OK;
	if (l->type != LG_YSEQ)
		return type_error(f, l, "args", "a list", err);
	for (i = 0; i < l->n; i++) {
		if (l->items[i]->type != LG_YSCALAR)
			return type_error(f, l->items[i], "args",
					  "a list of values", err);
		x->args[i] = lg_xstrdup(l->items[i]->value);
	}
	return LG_OK;
}

static enum lg_err exec_check(const struct kc_file *f, const struct lg_ynode *m,
			      const struct lg_kube_exec *x,
			      struct lg_error *err)
{
	static const char v1[] = "client.authentication.k8s.io/v1";
	static const char v1b[] = "client.authentication.k8s.io/v1beta1";
	const char *im = x->interactive_mode;

	if (!x->command)
		return lg_errorf(err, LG_ECONFIG,
				 "%s:%u:%u: exec has no command", f->path,
				 m->line, m->col);
	if (!x->api_version ||
	    (strcmp(x->api_version, v1) && strcmp(x->api_version, v1b)))
		return lg_errorf(err, LG_ECONFIG,
				 "%s:%u:%u: exec apiVersion must be %s or %s",
				 f->path, m->line, m->col, v1, v1b);
	if (!im && !strcmp(x->api_version, v1))
		return lg_errorf(
		    err, LG_ECONFIG,
		    "%s:%u:%u: exec interactiveMode must be set with %s",
		    f->path, m->line, m->col, v1);
	if (im && strcmp(im, "Never") && strcmp(im, "IfAvailable") &&
	    strcmp(im, "Always"))
		return lg_errorf(err, LG_ECONFIG,
				 "%s:%u:%u: exec interactiveMode must be "
				 "Never, IfAvailable or Always",
				 f->path, m->line, m->col);
	return LG_OK;
}

static enum lg_err resolve_exec(struct lg_kubeconfig *kc,
				const struct kc_file *f,
				const struct lg_ynode *m, struct lg_error *err)
{
	struct lg_kube_exec *x = lg_xcalloc(1, sizeof(*x));
	const char *cmd, *api, *im;

	kc->exec = x;
	if (get_str(f, m, "command", &cmd, err) ||
	    get_str(f, m, "apiVersion", &api, err) ||
	    get_str(f, m, "interactiveMode", &im, err) ||
	    get_bool(f, m, "provideClusterInfo", &x->provide_cluster_info,
		     err) ||
	    exec_args(f, m, x, err) || exec_env(f, m, x, err))
		return LG_ECONFIG;
	/* A relative command with a slash is relative to the kubeconfig. */
	if (cmd)
		x->command =
		    strchr(cmd, '/') ? abs_path(f->dir, cmd) : lg_xstrdup(cmd);
	x->api_version = api ? lg_xstrdup(api) : NULL;
	x->interactive_mode = im ? lg_xstrdup(im) : NULL;
	return exec_check(f, m, x, err);
}

static enum lg_err user_tokens(struct lg_kubeconfig *kc,
			       const struct kc_file *f,
			       const struct lg_ynode *m, struct lg_error *err)
{
	const char *tok, *tokfile, *user, *pass;

	if (get_str(f, m, "token", &tok, err) ||
	    get_str(f, m, "tokenFile", &tokfile, err) ||
	    get_str(f, m, "username", &user, err) ||
	    get_str(f, m, "password", &pass, err))
		return LG_ECONFIG;
	/* Both are kept, as client-go does: a readable tokenFile wins and is
	 * re-read (it rotates); token is the fallback when it cannot be
	 * read (transport.NewBearerAuthWithRefreshRoundTripper). */
	if (tok)
		kc->token = lg_xstrdup(tok);
	if (tokfile)
		kc->token_file = abs_path(f->dir, tokfile);
	if (user || pass)
		kc->username = lg_xstrdup(user ? user : "");
	return LG_OK;
}

static bool has_credentials(const struct lg_kubeconfig *kc)
{
	return kc->token || kc->token_file || kc->cert_data || kc->cert_file ||
	       kc->exec;
}

static enum lg_err resolve_user(struct lg_kubeconfig *kc,
				const struct kc_entry *e, struct lg_error *err)
{
	const struct kc_file *f = e->file;
	const struct lg_ynode *m = e->body, *x;

	if (!m)
		return LG_OK;
	if (user_tokens(kc, f, m, err) ||
	    pem_conflict(f, m, kc->user_name, 1, 3, err) ||
	    get_pem(f, m, "client-certificate", &kc->cert_data,
		    &kc->cert_data_len, &kc->cert_file, err) ||
	    get_pem(f, m, "client-key", &kc->key_data, &kc->key_data_len,
		    &kc->key_file, err))
		return LG_ECONFIG;
	x = lg_ynode_get(m, "exec");
	if (x && x->type != LG_YNULL && x->type != LG_YMAP)
		return type_error(f, x, "exec", "a map", err);
	if (x && x->type == LG_YMAP && resolve_exec(kc, f, x, err))
		return LG_ECONFIG;
	if (lg_ynode_get(m, "auth-provider") && !has_credentials(kc))
		return lg_errorf(
		    err, LG_ECONFIG,
		    "%s:%u:%u: user \"%s\" uses an auth-provider, which is not "
		    "supported: use an exec plugin instead",
		    f->path, e->item->line, e->item->col, kc->user_name);
	if (kc->username && !has_credentials(kc))
		return lg_errorf(err, LG_ECONFIG,
				 "%s:%u:%u: user \"%s\" has a username and "
				 "password: basic auth is not supported, use a "
				 "client certificate or a token",
				 f->path, e->item->line, e->item->col,
				 kc->user_name);
	if (!!(kc->cert_data || kc->cert_file) !=
	    !!(kc->key_data || kc->key_file))
		return lg_errorf(err, LG_ECONFIG,
				 "%s:%u:%u: user \"%s\" needs both a "
				 "client-certificate and a client-key",
				 f->path, e->item->line, e->item->col,
				 kc->user_name);
	return LG_OK;
}

/* A context's reference to a cluster or user that must exist. */
static enum lg_err find_ref(const struct kc_set *s, const struct kc_entry *ctx,
			    const char *what, const char *name,
			    struct kc_entry *out, struct lg_error *err)
{
	char list[16];

	snprintf(list, sizeof(list), "%ss", what);
	if (find_named(s, list, what, name, out))
		return LG_OK;
	return lg_errorf(err, LG_ECONFIG,
			 "%s:%u:%u: context \"%s\" names %s \"%s\", which is "
			 "not defined in %s",
			 ctx->file->path, ctx->item->line, ctx->item->col,
			 lg_ynode_str(ctx->item, "name"), what, name, s->names);
}

static enum lg_err pick_context(const struct kc_set *s,
				const struct lg_kube_opts *o,
				struct kc_entry *ctx, struct lg_error *err)
{
	const struct kc_file *from = NULL;
	const struct lg_ynode *node = NULL;
	const char *name = o ? o->context : NULL;

	if (!name && current_context(s, &name, &from, &node, err) != LG_OK)
		return LG_ECONFIG;
	if (find_named(s, "contexts", "context", name, ctx))
		return LG_OK;
	if (!from)
		return lg_errorf(
		    err, LG_ECONFIG,
		    "context \"%s\" (--context) is not defined in %s", name,
		    s->names);
	return lg_errorf(
	    err, LG_ECONFIG,
	    "%s:%u:%u: current-context is \"%s\", which is not defined in %s",
	    from->path, node->line, node->col, name, s->names);
}

static enum lg_err resolve_context(struct lg_kubeconfig *kc,
				   const struct kc_set *s,
				   const struct lg_kube_opts *o,
				   struct lg_error *err)
{
	struct kc_entry ctx, cl, us = {0};
	const char *cluster, *user, *ns;

	if (pick_context(s, o, &ctx, err))
		return LG_ECONFIG;
	kc->context_name = lg_xstrdup(lg_ynode_str(ctx.item, "name"));
	if (get_str(ctx.file, ctx.body, "cluster", &cluster, err) ||
	    get_str(ctx.file, ctx.body, "user", &user, err) ||
	    get_str(ctx.file, ctx.body, "namespace", &ns, err))
		return LG_ECONFIG;
	if (!cluster)
		return lg_errorf(err, LG_ECONFIG,
				 "%s:%u:%u: context \"%s\" names no cluster",
				 ctx.file->path, ctx.item->line, ctx.item->col,
				 kc->context_name);
	kc->namespace_ = lg_xstrdup(ns ? ns : "default");
	kc->cluster_name = lg_xstrdup(cluster);
	if (find_ref(s, &ctx, "cluster", cluster, &cl, err) ||
	    resolve_cluster(kc, &cl, err))
		return LG_ECONFIG;
	if (!user)
		return LG_OK;
	kc->user_name = lg_xstrdup(user);
	if (find_ref(s, &ctx, "user", user, &us, err))
		return LG_ECONFIG;
	return resolve_user(kc, &us, err);
}

/* ------------------------------------------------------------------ */
/* In-cluster: the pod's service account.                              */

static const char *sa_dir(void)
{
#ifdef LG_UNIT_TESTING
	/* Only test builds may point elsewhere, so tests can exercise it. */
	const char *d = getenv("LG_SA_DIR");

	if (d && *d)
		return d;
#endif
	return SA_DIR;
}

static char *read_small(const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[256];
	size_t n;

	if (!fp)
		return NULL;
	n = fread(line, 1, sizeof(line) - 1, fp);
	fclose(fp);
	line[n] = '\0';
	while (n && strchr(" \t\r\n", line[n - 1]))
		line[--n] = '\0';
	return n ? lg_xstrdup(line) : NULL;
}

static enum lg_err in_cluster(struct lg_kubeconfig *kc, struct lg_error *err)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *env = getenv("KUBECONFIG");
	char *dir, *nsfile;

	if ((!host || !*host || !port || !*port) && env && *env)
		return lg_errorf(err, LG_ECONFIG,
				 "none of the files in KUBECONFIG exist: %s",
				 env);
	if (!host || !*host || !port || !*port)
		return lg_errorf(err, LG_ECONFIG,
				 "no kubeconfig: pass --kubeconfig FILE, set "
				 "KUBECONFIG, or create ~/.kube/config");
	dir = abs_path(NULL, sa_dir());
	kc->source = lg_xstrdup("in-cluster");
	kc->context_name = lg_xstrdup("in-cluster");
	kc->cluster_name = lg_xstrdup("in-cluster");
	kc->user_name = lg_xstrdup("service-account");
	kc->server = strchr(host, ':')
			 ? lg_xasprintf("https://[%s]:%s", host, port)
			 : lg_xasprintf("https://%s:%s", host, port);
	kc->token_file = lg_xasprintf("%s/token", dir);
	kc->ca_file = lg_xasprintf("%s/ca.crt", dir);
	nsfile = lg_xasprintf("%s/namespace", dir);
	kc->namespace_ = read_small(nsfile);
	free(nsfile);
	free(dir);
	if (!kc->namespace_)
		kc->namespace_ = lg_xstrdup("default");
	if (access(kc->token_file, R_OK) != 0)
		return lg_errorf(err, LG_EIO,
				 "in-cluster: cannot read the service account "
				 "token '%s': %s",
				 kc->token_file, strerror(errno));
	return LG_OK;
}

/* ------------------------------------------------------------------ */

static void kc_set_release(struct kc_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->files[i].path);
		free(s->files[i].dir);
		lg_ynode_free_docs(s->files[i].docs, s->files[i].ndocs);
	}
	free(s->names);
	s->n = 0;
}

static enum lg_err load_inner(struct lg_kubeconfig *kc,
			      const struct lg_kube_opts *opts,
			      struct lg_error *err)
{
	struct kc_set *s = lg_xcalloc(1, sizeof(*s));
	bool none;
	enum lg_err rc;

	rc = load_set(s, opts, &none, err);
	if (rc == LG_OK && none)
		rc = in_cluster(kc, err);
	else if (rc == LG_OK)
		rc = check_files(s, err);
	if (rc == LG_OK && !none) {
		kc->source = lg_xstrdup(s->names);
		rc = resolve_context(kc, s, opts, err);
	}
	kc_set_release(s);
	free(s);
	return rc;
}

enum lg_err lg_kubeconfig_load(struct lg_kubeconfig *kc,
			       const struct lg_kube_opts *opts,
			       struct lg_error *err)
{
	enum lg_err rc;

	memset(kc, 0, sizeof(*kc));
	rc = load_inner(kc, opts, err);
	if (rc != LG_OK) {
		lg_kubeconfig_release(kc);
		return rc;
	}
	if (opts && opts->namespace_ && *opts->namespace_) {
		free(kc->namespace_);
		kc->namespace_ = lg_xstrdup(opts->namespace_);
	}
	return LG_OK;
}

static void free_strv(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Secrets are wiped before they are freed. */
static void free_secret(char *s, size_t len)
{
	if (s)
		lg_secret_free_n(s, len ? len : strlen(s));
}

void lg_kubeconfig_release(struct lg_kubeconfig *kc)
{
	if (kc->exec) {
		free(kc->exec->command);
		free_strv(kc->exec->args);
		free_strv(kc->exec->env);
		free(kc->exec->api_version);
		free(kc->exec->interactive_mode);
		free(kc->exec);
	}
	free(kc->source);
	free(kc->context_name);
	free(kc->cluster_name);
	free(kc->user_name);
	free(kc->server);
	free(kc->namespace_);
	free(kc->ca_file);
	free(kc->ca_data);
	free(kc->tls_server_name);
	free(kc->proxy_url);
	free(kc->cert_file);
	free(kc->cert_data);
	free(kc->key_file);
	free_secret(kc->key_data, kc->key_data_len);
	free_secret(kc->token, 0);
	free(kc->token_file);
	free(kc->username);
	memset(kc, 0, sizeof(*kc));
}

/* SPDX-License-Identifier: MIT */
/* sshconf.c: reads ssh_config Host blocks and writes them as a roster. */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "roster.h"
#include "sshconf.h"

/* One "Keyword value" line, in the block (Host line) it belongs to. */
struct entry {
	char *key; /* lower case */
	char *value;
	size_t block;
	unsigned line;
};

struct block {
	char **pats;
	size_t npats;
	unsigned line;
};

struct parse {
	const char *file;
	struct lg_error *err;
	struct entry *e;
	size_t ne;
	struct block *b;
	size_t nb;
};

/* Harmless keywords that say nothing this subset needs. */
static const char *const ignored[] = {"addkeystoagent",
				      "batchmode",
				      "checkhostip",
				      "ciphers",
				      "compression",
				      "connecttimeout",
				      "controlmaster",
				      "controlpath",
				      "controlpersist",
				      "forwardagent",
				      "forwardx11",
				      "forwardx11trusted",
				      "globalknownhostsfile",
				      "hashknownhosts",
				      "hostkeyalgorithms",
				      "identitiesonly",
				      "kexalgorithms",
				      "loglevel",
				      "macs",
				      "passwordauthentication",
				      "preferredauthentications",
				      "pubkeyacceptedalgorithms",
				      "pubkeyacceptedkeytypes",
				      "requesttty",
				      "sendenv",
				      "serveralivecountmax",
				      "serveraliveinterval",
				      "setenv",
				      "tcpkeepalive",
				      "visualhostkey",
				      "addressfamily",
				      "certificatefile",
				      "usekeychain",
				      "updatehostkeys"};

/* Keywords this subset reads. */
static const char *const known[] = {"host",
				    "hostname",
				    "user",
				    "port",
				    "identityfile",
				    "proxyjump",
				    "stricthostkeychecking",
				    "userknownhostsfile"};

static bool in_list(const char *k, const char *const *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(k, l[i]))
			return true;
	return false;
}

static enum lg_err line_err(struct parse *p, unsigned line, const char *what,
			    const char *arg)
{
	return lg_errorf(p->err, LG_ECONFIG, "%s:%u: %s%s%s%s", p->file, line,
			 what, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
}

static char *skip_blanks(char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	return v;
}

/* The value after the keyword: "=" skipped, quotes removed, trailing
 * blanks cut. */
static enum lg_err take_value(struct parse *p, unsigned line, char *v,
			      char **out)
{
	size_t n;
	char *q;

	v = skip_blanks(v);
	if (*v == '=')
		v = skip_blanks(v + 1);
	n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1]))
		v[--n] = '\0';
	if (*v == '"') {
		q = strchr(v + 1, '"');
		if (!q || q[1])
			return line_err(p, line, "unbalanced quotes", NULL);
		*q = '\0';
		v++;
	}
	if (!*v)
		return line_err(p, line, "keyword has no value", NULL);
	*out = v;
	return LG_OK;
}

static void add_block(struct parse *p, char *pats, unsigned line)
{
	struct block *b;
	char *tok, *save = NULL;

	p->b = lg_xrealloc(p->b, (p->nb + 1) * sizeof(*p->b));
	b = &p->b[p->nb++];
	memset(b, 0, sizeof(*b));
	b->line = line;
	for (tok = strtok_r(pats, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		b->pats = lg_xrealloc(b->pats, (b->npats + 1) * sizeof(char *));
		b->pats[b->npats++] = lg_xstrdup(tok);
	}
}

static enum lg_err check_key(struct parse *p, unsigned line, const char *key)
{
	if (!strcmp(key, "match") || !strcmp(key, "include"))
		return line_err(p, line, "not supported here: keyword", key);
	if (!strcmp(key, "proxycommand"))
		return line_err(p, line,
				"ProxyCommand is not supported (use ProxyJump)",
				NULL);
	if (!in_list(key, known, LG_ARRAY_SIZE(known)))
		return line_err(p, line, "unknown keyword", key);
	return LG_OK;
}

static char *lower_dup(const char *s, size_t n)
{
	char *d = lg_xstrndup(s, n), *c;

	for (c = d; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return d;
}

/* One line of the file (NUL-terminated, may be changed). */
static enum lg_err parse_line(struct parse *p, char *s, unsigned line)
{
	char *key, *val = NULL;
	size_t k;
	struct entry *e;

	s = skip_blanks(s);
	if (!*s || *s == '#' || *s == '\r')
		return LG_OK;
	k = strcspn(s, " \t=");
	key = lower_dup(s, k);
	s += k;
	if (in_list(key, ignored, LG_ARRAY_SIZE(ignored))) {
		free(key);
		return LG_OK;
	}
	if (check_key(p, line, key) || take_value(p, line, s, &val)) {
		free(key);
		return LG_ECONFIG;
	}
	if (!strcmp(key, "host")) {
		add_block(p, val, line);
		free(key);
		return LG_OK;
	}
	p->e = lg_xrealloc(p->e, (p->ne + 1) * sizeof(*p->e));
	e = &p->e[p->ne++];
	e->key = key;
	e->value = lg_xstrdup(val);
	e->block = p->nb - 1;
	e->line = line;
	return LG_OK;
}

static bool block_matches(const struct block *b, const char *alias)
{
	size_t i;
	bool hit = false;

	for (i = 0; i < b->npats; i++) {
		const char *pt = b->pats[i];

		if (pt[0] == '!') {
			if (fnmatch(pt + 1, alias, 0) == 0)
				return false;
		} else if (fnmatch(pt, alias, 0) == 0) {
			hit = true;
		}
	}
	return hit;
}

static enum lg_err set_port(struct parse *p, const struct entry *e, int *port)
{
	char *end;
	long v = strtol(e->value, &end, 10);

	if (*end || v < 1 || v > 65535 || !isdigit((unsigned char)*e->value))
		return line_err(p, e->line, "bad port", e->value);
	*port = (int)v;
	return LG_OK;
}

/* The string field of h a keyword sets, or NULL. */
static char **str_field(struct lg_sshconf_host *h, const char *key)
{
	if (!strcmp(key, "hostname"))
		return &h->hostname;
	if (!strcmp(key, "user"))
		return &h->user;
	if (!strcmp(key, "identityfile"))
		return &h->identity;
	if (!strcmp(key, "proxyjump"))
		return &h->jump;
	return NULL;
}

/* One entry into h when its keyword is still unset (first value wins). */
static enum lg_err apply(struct parse *p, const struct entry *e,
			 struct lg_sshconf_host *h, bool *seen_port)
{
	char **f = str_field(h, e->key);

	if (f) {
		/* "ProxyJump none" is a value too: it stops later ones */
		if (!*f)
			*f = !strcmp(e->key, "identityfile")
				 ? lg_roster_expand_home(e->value)
				 : lg_xstrdup(e->value);
	} else if (!strcmp(e->key, "stricthostkeychecking")) {
		h->no_strict |=
		    !strcasecmp(e->value, "no") || !strcasecmp(e->value, "off");
	} else if (!strcmp(e->key, "userknownhostsfile")) {
		h->no_known |= !strcmp(e->value, "/dev/null");
	} else if (!strcmp(e->key, "port") && !*seen_port) {
		*seen_port = true;
		return set_port(p, e, &h->port);
	}
	return LG_OK;
}

static enum lg_err resolve(struct parse *p, struct lg_sshconf_host *h)
{
	size_t i;
	bool seen_port = false;

	for (i = 0; i < p->ne; i++) {
		const struct entry *e = &p->e[i];

		/* entries before the first Host apply to every host */
		if (e->block != (size_t)-1 &&
		    !block_matches(&p->b[e->block], h->alias))
			continue;
		if (apply(p, e, h, &seen_port))
			return LG_ECONFIG;
	}
	return LG_OK;
}

static bool concrete(const char *pat)
{
	return !strpbrk(pat, "*?![]");
}

static bool have_alias(const struct lg_sshconf *c, const char *a)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->hosts[i].alias, a))
			return true;
	return false;
}

static enum lg_err collect(struct parse *p, struct lg_sshconf *c)
{
	size_t i, j;

	for (i = 0; i < p->nb; i++)
		for (j = 0; j < p->b[i].npats; j++) {
			struct lg_sshconf_host *h;
			const char *a = p->b[i].pats[j];

			if (!concrete(a) || have_alias(c, a))
				continue;
			c->hosts = lg_xrealloc(c->hosts,
					       (c->n + 1) * sizeof(*c->hosts));
			h = &c->hosts[c->n++];
			memset(h, 0, sizeof(*h));
			h->alias = lg_xstrdup(a);
			h->line = p->b[i].line;
			h->file = c->file;
			if (resolve(p, h))
				return LG_ECONFIG;
		}
	return LG_OK;
}

static void parse_release(struct parse *p)
{
	size_t i, j;

	for (i = 0; i < p->ne; i++) {
		free(p->e[i].key);
		free(p->e[i].value);
	}
	for (i = 0; i < p->nb; i++) {
		for (j = 0; j < p->b[i].npats; j++)
			free(p->b[i].pats[j]);
		free(p->b[i].pats);
	}
	free(p->e);
	free(p->b);
}

/* The length of the UTF-8 sequence lead byte c starts, 0 if invalid. */
static size_t utf8_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c < 0xe0)
		return 2;
	if ((c >> 4) == 14)
		return 3;
	return (c >> 3) == 30 ? 4 : 0;
}

/* Whether s[0..n) is UTF-8 (the roster it becomes is YAML, which is). */
static bool utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;

	while (i < n) {
		len = utf8_len(s[i]);
		if (!len || i + len > n)
			return false;
		for (k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += len;
	}
	return true;
}

static enum lg_err parse_lines(struct parse *p, const char *text, size_t len)
{
	size_t pos = 0;
	unsigned line = 0;

	while (pos < len) {
		size_t end = pos;
		char *s;
		enum lg_err rc;

		while (end < len && text[end] != '\n')
			end++;
		line++;
		if (memchr(text + pos, '\0', end - pos))
			return line_err(p, line, "NUL byte in line", NULL);
		if (!utf8_ok((const unsigned char *)text + pos, end - pos))
			return line_err(p, line, "not UTF-8", NULL);
		s = lg_xstrndup(text + pos, end - pos);
		rc = parse_line(p, s, line);
		free(s);
		if (rc)
			return rc;
		pos = end + 1;
	}
	return LG_OK;
}

enum lg_err lg_sshconf_parse(struct lg_sshconf *c, const char *text, size_t len,
			     const char *file, struct lg_error *err)
{
	struct parse p = {file, err, NULL, 0, NULL, 0};
	enum lg_err rc;

	memset(c, 0, sizeof(*c));
	c->file = lg_xstrdup(file);
	rc = parse_lines(&p, text, len);
	if (!rc)
		rc = collect(&p, c);
	if (!rc && c->n == 0)
		rc = lg_errorf(err, LG_ECONFIG, "%s: no Host block", file);
	parse_release(&p);
	if (rc)
		lg_sshconf_release(c);
	return rc;
}

void lg_sshconf_release(struct lg_sshconf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->hosts[i].alias);
		free(c->hosts[i].hostname);
		free(c->hosts[i].user);
		free(c->hosts[i].identity);
		free(c->hosts[i].jump);
	}
	free(c->hosts);
	free(c->file);
	memset(c, 0, sizeof(*c));
}

/* A YAML double-quoted scalar: safe for any byte string. */
static void yaml_str(struct lg_buf *b, const char *s)
{
	lg_buf_adds(b, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			lg_buf_addf(b, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			lg_buf_addf(b, "\\x%02x", ch);
		else
			lg_buf_add(b, s, 1);
	}
	lg_buf_adds(b, "\"");
}

static void put_field(struct lg_buf *b, const char *key, const char *v)
{
	if (!v)
		return;
	lg_buf_addf(b, "    %s: ", key);
	yaml_str(b, v);
	lg_buf_adds(b, "\n");
}

static void put_host(struct lg_buf *b, const struct lg_sshconf_host *h,
		     bool *insecure)
{
	if (h->no_strict || h->no_known) {
		*insecure = true;
		lg_buf_addf(b,
			    "  # %s:%u turned host key checking off "
			    "(StrictHostKeyChecking no / UserKnownHostsFile "
			    "/dev/null);\n"
			    "  # this roster does not inherit that: keys are "
			    "checked against known-hosts.\n",
			    h->file, h->line);
	}
	lg_buf_adds(b, "  - name: ");
	yaml_str(b, h->alias);
	lg_buf_adds(b, "\n");
	put_field(b, "host", h->hostname ? h->hostname : h->alias);
	if (h->port)
		lg_buf_addf(b, "    port: %d\n", h->port);
	put_field(b, "user", h->user);
	put_field(b, "identity", h->identity);
	if (h->jump && strcasecmp(h->jump, "none"))
		put_field(b, "jump", h->jump);
}

static const struct lg_sshconf_host *find_alias(const struct lg_sshconf *cfg,
						size_t upto_cfg,
						size_t upto_host,
						const char *alias)
{
	size_t i, j;

	for (i = 0; i <= upto_cfg; i++)
		for (j = 0; j < cfg[i].n && (i < upto_cfg || j < upto_host);
		     j++)
			if (!strcmp(cfg[i].hosts[j].alias, alias))
				return &cfg[i].hosts[j];
	return NULL;
}

static enum lg_err check_host(const struct lg_sshconf *cfg, size_t i, size_t j,
			      struct lg_error *err)
{
	const struct lg_sshconf_host *h = &cfg[i].hosts[j], *prev;

	if (!lg_roster_name_ok(h->alias))
		return lg_errorf(err, LG_ECONFIG,
				 "%s:%u: host '%s' cannot name a student "
				 "(letters, digits and ._-@ only)",
				 h->file, h->line, h->alias);
	prev = find_alias(cfg, i, j, h->alias);
	if (prev)
		return lg_errorf(err, LG_ECONFIG,
				 "%s:%u: host '%s' already at %s:%u (name "
				 "each VM, e.g. vagrant ssh-config --host "
				 "NAME)",
				 h->file, h->line, h->alias, prev->file,
				 prev->line);
	return LG_OK;
}

enum lg_err lg_sshconf_to_roster(const struct lg_sshconf *cfg, size_t ncfg,
				 struct lg_buf *b, bool *insecure,
				 struct lg_error *err)
{
	size_t i, j;

	*insecure = false;
	lg_buf_adds(b, "# roster written by labgrade roster --from-ssh-config"
		       "\n# host keys are checked against known-hosts; run the"
		       " first batch with\n# --trust-new-hosts to record the "
		       "keys of new VMs.\nknown-hosts: ~/.ssh/known_hosts\n"
		       "students:\n");
	for (i = 0; i < ncfg; i++)
		for (j = 0; j < cfg[i].n; j++) {
			if (check_host(cfg, i, j, err))
				return LG_ECONFIG;
			put_host(b, &cfg[i].hosts[j], insecure);
		}
	return LG_OK;
}

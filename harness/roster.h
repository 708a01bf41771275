/* SPDX-License-Identifier: MIT */
/* roster.h: the class an instructor grades: one SSH target per student. */
#ifndef LG_ROSTER_H
#define LG_ROSTER_H

#include "lg.h"

/* The remote kubeconfig when a student names none (kubeadm's copy). */
#define LG_ROSTER_DEFAULT_KUBECONFIG "~/.kube/config"

/*
 * One student's master VM. Local paths (identity, known_hosts) have "~/"
 * expanded; kubeconfig is a path on the VM, where "~/" means the login's
 * home. At most one of identity and password is set; neither means the
 * ssh-agent. line/col: where the student's entry starts, for messages.
 */
struct lg_roster_student {
	char *name;
	char *host;
	int port;
	char *user;
	char *identity;
	char *password;
	char *kubeconfig;
	char *gateway_url; /* NULL: the checks find the gateway */
	char *jump;	   /* "[user@]host[:port]" or NULL: a bastion */
	unsigned line, col;
};

/*
 * struct lg_roster: the whole file. Timeouts in milliseconds. An all-zero
 * struct is an empty roster; lg_roster_release frees and zeroes it.
 * @test tests/unit/test_roster.c
 */
struct lg_roster {
	char *path;
	struct lg_roster_student *students;
	size_t n;
	char *known_hosts;    /* default ~/.ssh/known_hosts */
	bool trust_new_hosts; /* record unknown host keys instead of failing */
	long connect_ms;      /* TCP + SSH handshake + login; default 15 s */
	long grade_ms;	      /* one student's whole grade; default 900 s */
	unsigned parallel;    /* students at once; default 8 */
};

/*
 * Parse a roster. name is used in messages ("roster.yaml:LINE:COL: what",
 * LG_ECONFIG; YAML syntax errors LG_EPARSE). Unknown keys are errors (a
 * typo must not silently fall back to a default), and so are duplicate
 * student names, since reports are keyed by name.
 */
enum lg_err lg_roster_parse(struct lg_roster *r, const char *text, size_t len,
			    const char *name, struct lg_error *err);
enum lg_err lg_roster_load(struct lg_roster *r, const char *path,
			   struct lg_error *err);
void lg_roster_release(struct lg_roster *r);

/* A student name names the student's report file: letters, digits and
 * ._-@, at most 64, not starting with '.' or '-'. */
bool lg_roster_name_ok(const char *name);

/* "30", "30s", "5m" or "500ms" as milliseconds (1 ms to one day). */
bool lg_roster_parse_duration(const char *s, long *ms);

/* "~/x" -> "$HOME/x" (a copy); anything else copied as is. */
char *lg_roster_expand_home(const char *path);

#endif

/* SPDX-License-Identifier: MIT */
/* sshconf.h: the subset of ssh_config that `vagrant ssh-config` writes. */
#ifndef LG_SSHCONF_H
#define LG_SSHCONF_H

#include "lg.h"

/* One concrete Host of the file, with every block that matches it applied
 * the way ssh does (the first value obtained for a keyword wins). */
struct lg_sshconf_host {
	char *alias; /* the Host name */
	char *hostname;
	char *user;
	int port; /* 0: not given */
	char *identity;
	char *jump;
	bool no_strict;	  /* StrictHostKeyChecking no */
	bool no_known;	  /* UserKnownHostsFile /dev/null */
	unsigned line;	  /* of its Host line */
	const char *file; /* borrowed from the lg_sshconf */
};

/* @test tests/unit/test_sshconf.c */
struct lg_sshconf {
	char *file;
	struct lg_sshconf_host *hosts;
	size_t n;
};

/*
 * Parse an ssh_config text. Every Host pattern without wildcards or
 * negation becomes a host; wildcard blocks (`Host *`) only lend values.
 * Keywords are case-insensitive, "Key value" or "Key=value", values may be
 * double-quoted. Keywords this subset does not use but that are harmless
 * (LogLevel, IdentitiesOnly, ...) are ignored; others, Match and Include
 * are errors "FILE:LINE: what" (LG_ECONFIG), as ssh itself refuses unknown
 * keywords.
 */
enum lg_err lg_sshconf_parse(struct lg_sshconf *c, const char *text, size_t len,
			     const char *file, struct lg_error *err);
void lg_sshconf_release(struct lg_sshconf *c);

/*
 * Write a roster for these configs (ncfg of them) to b. Two hosts with the
 * same alias are an error naming both places. Hosts whose config turned off
 * host key checking get a YAML comment saying the roster does not inherit
 * that; *insecure is set when any did.
 */
enum lg_err lg_sshconf_to_roster(const struct lg_sshconf *cfg, size_t ncfg,
				 struct lg_buf *b, bool *insecure,
				 struct lg_error *err);

#endif

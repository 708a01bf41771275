/* SPDX-License-Identifier: MIT */
/* batch_cli.c: command lines of `labgrade roster`, `batch` and `merge`. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_cli.h"
#include "roster.h"
#include "sshconf.h"

enum { EXIT_PASS = 0, EXIT_USAGE = 2 };

static int roster_usage(FILE *out, int status)
{
	fputs("usage: labgrade roster --from-ssh-config FILE... [-o OUT]\n"
	      "       labgrade roster --check ROSTER\n"
	      "\n"
	      "  --from-ssh-config  write a roster for the Host blocks of "
	      "ssh_config files\n"
	      "                     (such as `vagrant ssh-config --host NAME` "
	      "output)\n"
	      "  --check            load a roster and list its students\n"
	      "  -o FILE            write there instead of stdout\n",
	      out);
	return status;
}

static enum lg_err read_file(const char *path, struct lg_buf *b,
			     struct lg_error *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;
	enum lg_err rc = LG_OK;

	if (!f)
		return lg_errorf(err, LG_EIO, "cannot read '%s': %s", path,
				 strerror(errno));
	lg_buf_init(b, (size_t)4 << 20);
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = lg_buf_add(b, chunk, n);
	if (rc)
		rc = lg_errorf(err, rc, "cannot read '%s': larger than 4 MiB",
			       path);
	fclose(f);
	return rc;
}

static void warn_insecure(const struct lg_sshconf *c, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < c[i].n; j++)
			if (c[i].hosts[j].no_strict || c[i].hosts[j].no_known)
				fprintf(stderr,
					"labgrade: warning: %s:%u: host '%s' "
					"turned host key checking off; the "
					"roster does not: record its key "
					"(ssh-keyscan, or the first batch with "
					"--trust-new-hosts)\n",
					c[i].file, c[i].hosts[j].line,
					c[i].hosts[j].alias);
}

static int write_out(const char *out, const struct lg_buf *b)
{
	FILE *f = out ? fopen(out, "w") : stdout;

	if (!f || fwrite(b->buf, 1, b->len, f) != b->len ||
	    (out && fclose(f) != 0)) {
		fprintf(stderr, "labgrade: cannot write '%s': %s\n",
			out ? out : "stdout", strerror(errno));
		return EXIT_USAGE;
	}
	return EXIT_PASS;
}

static int from_ssh_config(char **files, size_t n, const char *out)
{
	struct lg_sshconf *c = lg_xcalloc(n, sizeof(*c));
	struct lg_buf text = LG_BUF_INIT, roster = LG_BUF_INIT;
	struct lg_error err = {0};
	size_t i, done = 0;
	bool insecure;
	int status = EXIT_USAGE;

	for (i = 0; i < n; i++, done++) {
		if (read_file(files[i], &text, &err) ||
		    lg_sshconf_parse(&c[i], text.buf, text.len, files[i], &err))
			break;
		lg_buf_release(&text);
	}
	lg_buf_release(&text);
	if (done == n &&
	    lg_sshconf_to_roster(c, n, &roster, &insecure, &err) == LG_OK) {
		if (insecure)
			warn_insecure(c, n);
		status = write_out(out, &roster);
	}
	if (err.code)
		fprintf(stderr, "labgrade: %s\n", err.msg);
	for (i = 0; i < done; i++)
		lg_sshconf_release(&c[i]);
	free(c);
	lg_buf_release(&roster);
	return status;
}

static int check_roster(const char *path)
{
	struct lg_roster r;
	struct lg_error err = {0};
	size_t i;

	if (lg_roster_load(&r, path, &err)) {
		fprintf(stderr, "labgrade: %s\n", err.msg);
		return EXIT_USAGE;
	}
	for (i = 0; i < r.n; i++)
		printf("%s\t%s@%s:%d\t%s\n", r.students[i].name,
		       r.students[i].user, r.students[i].host,
		       r.students[i].port, r.students[i].kubeconfig);
	lg_roster_release(&r);
	return EXIT_PASS;
}

static int cmd_roster(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"from-ssh-config", no_argument, NULL, 'f'},
	    {"check", no_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *out = NULL;
	int ch, mode = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (ch == 'h')
			return roster_usage(stdout, EXIT_PASS);
		if (ch == 'o')
			out = optarg;
		else if (ch == 'f' || ch == 'c')
			mode = ch;
		else
			return roster_usage(stderr, EXIT_USAGE);
	}
	if (mode == 'f' && optind < argc)
		return from_ssh_config(argv + optind, (size_t)(argc - optind),
				       out);
	if (mode == 'c' && optind + 1 == argc)
		return check_roster(argv[optind]);
	return roster_usage(stderr, EXIT_USAGE);
}

int lg_batch_cli(int argc, char **argv)
{
	if (argc < 2)
		return -1;
	if (!strcmp(argv[1], "roster"))
		return cmd_roster(argc - 1, argv + 1);
	return -1;
}

/* SPDX-License-Identifier: MIT */
/* batch_cli.c: command lines of `labgrade roster`, `batch` and `merge`. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "../reports/class.h"
#include "batch.h"
#include "batch_cli.h"
#include "i18n.h"
#include "roster.h"
#include "sshconf.h"

#ifndef LG_DATADIR
#define LG_DATADIR "/usr/local/share/labgrade"
#endif

enum { EXIT_PASS = 0, EXIT_USAGE = 2 };

/* Options of `labgrade batch`. */
struct batch_cli {
	const char *roster, *rubric, *out;
	struct lg_batch_opts o;
	unsigned parallel;
	bool quiet;
};

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

static int batch_usage(FILE *out, int status)
{
	fputs("usage: labgrade batch [options] ROSTER\n"
	      "\n"
	      "  -o, --out DIR        class outputs (default labgrade-class):\n"
	      "                       class.md gradebook.csv junit.xml "
	      "class.json students/NAME.md\n"
	      "  --rubric FILE        --lang es|en   --timeout SECONDS "
	      "(per request)\n"
	      "  --shard I/N          grade only slice I (0-based) of N\n"
	      "  --parallel N         students at once (default: the "
	      "roster's, else 8)\n"
	      "  --trust-new-hosts    record unknown host keys in "
	      "known-hosts\n"
	      "  --no-journal         neither read nor write the progress "
	      "journal\n"
	      "  -q, --quiet          no live progress on stderr\n"
	      "\nExit: 0 all passed, 1 some objective failed, 2 bad "
	      "invocation or input file, 3 some student could not be "
	      "graded.\n",
	      out);
	return status;
}

static bool parse_shard(const char *s, unsigned *i, unsigned *n)
{
	char *end;
	long a = strtol(s, &end, 10), b;

	if (end == s || *end != '/')
		return false;
	s = end + 1;
	b = strtol(s, &end, 10);
	if (end == s || *end || b < 1 || b > 10000 || a < 0 || a >= b)
		return false;
	*i = (unsigned)a;
	*n = (unsigned)b;
	return true;
}

/* The options without a value. */
static bool batch_flag(struct batch_cli *c, int ch)
{
	if (ch == 'T')
		c->o.trust_new_hosts = true;
	else if (ch == 'N')
		c->o.no_journal = true;
	else if (ch == 'q')
		c->quiet = true;
	else
		return false;
	return true;
}

/* --timeout SECONDS and --parallel N. */
static bool batch_number(struct batch_cli *c, int ch, const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (end == arg || *end || v < 1 || v > 3600)
		return false;
	if (ch == 't')
		c->o.request_timeout_ms = v * 1000;
	else if (ch == 'p' && v <= 256)
		c->parallel = (unsigned)v;
	else
		return false;
	return true;
}

static bool batch_opt(struct batch_cli *c, int ch, const char *arg)
{
	switch (ch) {
	case 'o':
		c->out = arg;
		return true;
	case 'r':
		c->rubric = arg;
		return true;
	case 'l':
		return lg_i18n_parse(arg, &c->o.lang);
	case 's':
		return parse_shard(arg, &c->o.shard, &c->o.nshards);
	case 't':
	case 'p':
		return batch_number(c, ch, arg);
	default:
		return batch_flag(c, ch);
	}
}

static int parse_batch(struct batch_cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"rubric", required_argument, NULL, 'r'},
	    {"lang", required_argument, NULL, 'l'},
	    {"timeout", required_argument, NULL, 't'},
	    {"shard", required_argument, NULL, 's'},
	    {"parallel", required_argument, NULL, 'p'},
	    {"trust-new-hosts", no_argument, NULL, 'T'},
	    {"no-journal", no_argument, NULL, 'N'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	c->o.lang = lg_i18n_from_env();
	c->out = "labgrade-class";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		if (ch == 'h')
			return batch_usage(stdout, EXIT_PASS);
		if (ch == '?' || !batch_opt(c, ch, optarg)) {
			if (ch != '?')
				fprintf(stderr,
					"labgrade: bad value '%s' for an "
					"option\n",
					optarg);
			return batch_usage(stderr, EXIT_USAGE);
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "labgrade: 'batch' needs one roster file\n");
		return batch_usage(stderr, EXIT_USAGE);
	}
	c->roster = argv[optind];
	return -1;
}

/* ------------------------------------------------------------------ */
/* Live progress: a line per student as it starts and ends.            */

struct progress {
	FILE *out;
	const char *running[256]; /* names; parallel is at most 256 */
	size_t nrunning, unreachable;
};

/* "graded N/M; running: a, b, c and 4 more; F failed to connect" */
static void status_line(const struct progress *p, size_t done, size_t total)
{
	size_t i;

	fprintf(p->out,
		"labgrade: graded %zu/%zu; running:", done - p->unreachable,
		total);
	for (i = 0; i < p->nrunning && i < 5; i++)
		fprintf(p->out, "%s %s", i ? "," : "", p->running[i]);
	if (p->nrunning > 5)
		fprintf(p->out, " and %zu more", p->nrunning - 5);
	fprintf(p->out, "%s; %zu failed to connect\n",
		p->nrunning ? "" : " none", p->unreachable);
}

static void on_started(void *data, const struct lg_batch_row *row)
{
	struct progress *p = data;

	if (p->nrunning < LG_ARRAY_SIZE(p->running))
		p->running[p->nrunning++] = row->name;
}

static void forget(struct progress *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nrunning; i++)
		if (p->running[i] == name) {
			p->running[i] = p->running[--p->nrunning];
			return;
		}
}

static void on_finished(void *data, const struct lg_batch_row *row, size_t done,
			size_t total)
{
	struct progress *p = data;
	char a[32], b[32];

	forget(p, row->name);
	p->unreachable += row->error != NULL;
	if (!p->out)
		return;
	if (row->error)
		fprintf(p->out, "[%zu/%zu] %s: not graded: %s\n", done, total,
			row->name, row->error);
	else
		fprintf(p->out, "[%zu/%zu] %s: %s/%s points (%.1f s)\n", done,
			total, row->name,
			lg_report_fmt_points(a, sizeof(a),
					     lg_report_points(&row->rep)),
			lg_report_fmt_points(b, sizeof(b),
					     lg_report_max_points(&row->rep)),
			row->rep.seconds);
	status_line(p, done, total);
}

/* ------------------------------------------------------------------ */
/* Outputs.                                                            */

enum class_kind { CLASS_MD, CLASS_CSV, CLASS_JSON, CLASS_JUNIT };

static enum lg_err write_class(const char *dir, const char *file,
			       enum class_kind kind,
			       const struct lg_class_entry *e, size_t n,
			       struct lg_error *err)
{
	char *path = lg_xasprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "w");
	const struct lg_report **reps;
	enum lg_err rc;
	size_t i;

	if (!f) {
		rc = lg_errorf(err, LG_EIO, "cannot write '%s': %s", path,
			       strerror(errno));
		free(path);
		return rc;
	}
	if (kind == CLASS_MD)
		rc = lg_class_markdown(f, e, n, err);
	else if (kind == CLASS_CSV)
		rc = lg_class_csv(f, e, n, err);
	else if (kind == CLASS_JSON)
		rc = lg_class_json(f, e, n, err);
	else {
		reps = lg_xcalloc(n + 1, sizeof(*reps));
		for (i = 0; i < n; i++)
			reps[i] = e[i].rep;
		rc = lg_report_junit(f, reps, n, err);
		free(reps);
	}
	if (fclose(f) && !rc)
		rc = lg_errorf(err, LG_EIO, "cannot write '%s': %s", path,
			       strerror(errno));
	free(path);
	return rc;
}

static enum lg_err write_student(const char *dir,
				 const struct lg_class_entry *e,
				 struct lg_error *err)
{
	char *path = lg_xasprintf("%s/students/%s.md", dir, e->name);
	FILE *f = fopen(path, "w");
	enum lg_err rc;

	if (!f)
		rc = lg_errorf(err, LG_EIO, "cannot write '%s': %s", path,
			       strerror(errno));
	else {
		rc = lg_report_markdown(f, e->rep, err);
		if (fclose(f) && !rc)
			rc = lg_errorf(err, LG_EIO, "cannot write '%s'", path);
	}
	free(path);
	return rc;
}

static enum lg_err make_dirs(const char *dir, struct lg_error *err)
{
	char *sub = lg_xasprintf("%s/students", dir);
	enum lg_err rc = LG_OK;

	if ((mkdir(dir, 0777) && errno != EEXIST) ||
	    (mkdir(sub, 0777) && errno != EEXIST))
		rc = lg_errorf(err, LG_EIO, "cannot create '%s': %s", sub,
			       strerror(errno));
	free(sub);
	return rc;
}

/* Every class output into dir; the first failure is kept. */
static enum lg_err write_outputs(const char *dir,
				 const struct lg_class_entry *e, size_t n,
				 struct lg_error *err)
{
	enum lg_err rc = make_dirs(dir, err);
	size_t i;

	if (!rc)
		rc = write_class(dir, "class.md", CLASS_MD, e, n, err);
	if (!rc)
		rc = write_class(dir, "gradebook.csv", CLASS_CSV, e, n, err);
	if (!rc)
		rc = write_class(dir, "junit.xml", CLASS_JUNIT, e, n, err);
	if (!rc)
		rc = write_class(dir, "class.json", CLASS_JSON, e, n, err);
	for (i = 0; i < n && !rc; i++)
		rc = write_student(dir, &e[i], err);
	return rc;
}

static int load_inputs(struct batch_cli *c, struct lg_roster *ro,
		       struct lg_rubric *ru)
{
	struct lg_error err = {0};

	if (lg_roster_load(ro, c->roster, &err) ||
	    lg_rubric_load(ru, lg_rubric_default_path(c->rubric), &err) ||
	    lg_rubric_covers(ru, &err)) {
		fprintf(stderr, "labgrade: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (c->parallel)
		ro->parallel = c->parallel;
	c->o.roster = ro;
	c->o.rubric = ru;
	if (!c->o.request_timeout_ms)
		c->o.request_timeout_ms = (long)lg_rubric_param_num(
		    ru, NULL, "request-timeout-ms", 0);
	return -1;
}

static int finish(const struct batch_cli *c, const struct lg_batch *b)
{
	struct lg_class_entry *e = lg_xcalloc(b->n + 1, sizeof(*e));
	struct lg_error err = {0};
	size_t i;
	int status;

	for (i = 0; i < b->n; i++) {
		e[i].name = b->rows[i].name;
		e[i].error = b->rows[i].error;
		e[i].rep = &b->rows[i].rep;
		e[i].exit_code = b->rows[i].exit_code;
		e[i].index = b->rows[i].index;
	}
	if (write_outputs(c->out, e, b->n, &err)) {
		fprintf(stderr, "labgrade: %s\n", err.msg);
		status = EXIT_USAGE;
	} else {
		status = lg_batch_exit_code(b);
		if (!c->quiet)
			fprintf(stderr, "labgrade: class outputs in %s/\n",
				c->out);
	}
	free(e);
	return status;
}

static int cmd_batch(int argc, char **argv)
{
	struct batch_cli c = {0};
	struct lg_roster ro = {0};
	struct lg_rubric ru = {0};
	struct lg_batch b = {0};
	struct progress p = {0};
	struct lg_batch_hooks hooks = {on_started, on_finished, &p};
	int status = parse_batch(&c, argc, argv);

	if (status < 0)
		status = load_inputs(&c, &ro, &ru);
	if (status < 0) {
		p.out = c.quiet ? NULL : stderr;
		lg_batch_run(&b, &c.o, &hooks);
		status = finish(&c, &b);
	}
	lg_batch_release(&b);
	lg_roster_release(&ro);
	lg_rubric_release(&ru);
	return status;
}

/* ------------------------------------------------------------------ */
/* labgrade merge: the shards' class.json files into one class.        */

struct merged {
	struct lg_class_entry *e;
	struct lg_class_owned *own;
	char **names, **errors;
	const char **files;
	size_t n;
};

static void merged_release(struct merged *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		lg_class_owned_release(&m->own[i]);
		free(m->names[i]);
		free(m->errors[i]);
	}
	free(m->e);
	free(m->own);
	free(m->names);
	free(m->errors);
	free(m->files);
}

static void merged_grow(struct merged *m)
{
	m->e = lg_xrealloc(m->e, (m->n + 1) * sizeof(*m->e));
	m->own = lg_xrealloc(m->own, (m->n + 1) * sizeof(*m->own));
	m->names = lg_xrealloc(m->names, (m->n + 1) * sizeof(*m->names));
	m->errors = lg_xrealloc(m->errors, (m->n + 1) * sizeof(*m->errors));
	m->files = lg_xrealloc(m->files, (m->n + 1) * sizeof(*m->files));
	memset(&m->e[m->n], 0, sizeof(*m->e));
	memset(&m->own[m->n], 0, sizeof(*m->own));
	m->names[m->n] = m->errors[m->n] = NULL;
}

/* A student's exit code, as batch wrote it: 0, 1 or 3. */
static int exit_of(const cJSON *s)
{
	double v = cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(s, "exit_code"));

	return v == 3 ? 3 : v == 1 ? 1 : 0;
}

static enum lg_err merge_student(struct merged *m, const cJSON *s,
				 const char *file, struct lg_error *err)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(s, "name");
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(s, "error");
	size_t i, k = m->n;

	if (!cJSON_IsString(name) || !lg_roster_name_ok(name->valuestring))
		return lg_errorf(err, LG_EPARSE,
				 "%s: a student without a valid name", file);
	for (i = 0; i < m->n; i++)
		if (!strcmp(m->names[i], name->valuestring))
			return lg_errorf(err, LG_EPARSE,
					 "%s: student '%s' is also in '%s'",
					 file, name->valuestring, m->files[i]);
	merged_grow(m);
	m->n++;
	m->names[k] = lg_xstrdup(name->valuestring);
	m->errors[k] =
	    cJSON_IsString(error) ? lg_xstrdup(error->valuestring) : NULL;
	m->files[k] = file;
	m->e[k].name = m->names[k];
	m->e[k].error = m->errors[k];
	m->e[k].exit_code = exit_of(s);
	m->e[k].index = (size_t)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(s, "index"));
	return lg_class_read_report(
	    cJSON_GetObjectItemCaseSensitive(s, "report"), &m->own[k], file,
	    err);
}

static enum lg_err merge_file(struct merged *m, const char *file,
			      struct lg_error *err)
{
	struct lg_buf t = LG_BUF_INIT;
	cJSON *root = NULL, *s;
	const cJSON *arr;
	enum lg_err rc = read_file(file, &t, err);

	if (!rc) {
		root = cJSON_ParseWithLength(t.buf, t.len);
		arr = cJSON_GetObjectItemCaseSensitive(root, "students");
		if (!cJSON_IsArray(arr))
			rc = lg_errorf(err, LG_EPARSE,
				       "%s: not a class.json of labgrade "
				       "batch",
				       file);
		cJSON_ArrayForEach(s, arr) if (!rc) rc =
		    merge_student(m, s, file, err);
	}
	cJSON_Delete(root);
	lg_buf_release(&t);
	return rc;
}

static int by_index(const void *a, const void *b)
{
	const struct lg_class_entry *x = a, *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Order the merged students as the roster had them, write, and exit as
 * one batch of the whole class would. */
static int merge_finish(struct merged *m, const char *out, struct lg_error *err)
{
	size_t i;
	int status = 0;

	/* only now: own moved while it grew */
	for (i = 0; i < m->n; i++)
		m->e[i].rep = &m->own[i].rep;
	qsort(m->e, m->n, sizeof(*m->e), by_index);
	if (write_outputs(out, m->e, m->n, err))
		return EXIT_USAGE;
	for (i = 0; i < m->n; i++)
		if (m->e[i].exit_code > status)
			status = m->e[i].exit_code;
	return status;
}

static int cmd_merge(int argc, char **argv)
{
	struct merged m = {0};
	struct lg_error err = {0};
	const char *out = "labgrade-class";
	int ch, status = EXIT_USAGE, i;

	optind = 1;
	while ((ch = getopt(argc, argv, "o:")) != -1) {
		if (ch != 'o') {
			fputs("usage: labgrade merge [-o DIR] CLASS.json...\n",
			      stderr);
			return EXIT_USAGE;
		}
		out = optarg;
	}
	if (optind >= argc)
		lg_errorf(&err, LG_EUSAGE, "'merge' needs class.json files");
	for (i = optind; i < argc && !err.code; i++)
		merge_file(&m, argv[i], &err);
	if (!err.code)
		status = merge_finish(&m, out, &err);
	if (err.code)
		fprintf(stderr, "labgrade: %s\n", err.msg);
	merged_release(&m);
	return status;
}

int lg_batch_cli(int argc, char **argv)
{
	if (argc < 2)
		return -1;
	if (!strcmp(argv[1], "roster"))
		return cmd_roster(argc - 1, argv + 1);
	if (!strcmp(argv[1], "batch"))
		return cmd_batch(argc - 1, argv + 1);
	if (!strcmp(argv[1], "merge"))
		return cmd_merge(argc - 1, argv + 1);
	return -1;
}

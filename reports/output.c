/* SPDX-License-Identifier: MIT */
/* output.c: report files, checked before grading and replaced atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

/* The directory part of path ("." for a bare name). Caller frees. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return lg_xstrdup(".");
	if (slash == path)
		return lg_xstrdup("/");
	return lg_xstrndup(path, (size_t)(slash - path));
}

/*
 * A new, empty file next to path (same directory, so rename is atomic),
 * opened for writing with mode 0666 less the umask, as fopen would make
 * the report itself. *tmp is its name (caller frees). -1 with errno.
 */
static int open_tmp(const char *path, char **tmp)
{
	static unsigned counter;
	char *dir = dir_of(path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int fd = -1, tries;

	for (tries = 0; tries < 100 && fd < 0; tries++) {
		*tmp = lg_xasprintf("%s/.%s.%ld.%u.tmp", dir, base,
				    (long)getpid(), counter++);
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && errno == EEXIST)
			lg_freep(tmp);
		else if (fd < 0)
			break;
	}
	free(dir);
	return fd;
}

enum lg_err lg_report_check_path(const char *path, struct lg_error *err)
{
	struct stat st;
	char *dir, *tmp = NULL;
	int fd, e;

	if (!strcmp(path, "-"))
		return LG_OK;
	if (!*path)
		return lg_errorf(err, LG_EUSAGE, "a report path is empty");
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return lg_errorf(err, LG_EUSAGE,
				 "cannot write the report '%s': it is a "
				 "directory",
				 path);
	dir = dir_of(path);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		e = errno;
		lg_errorf(
		    err, LG_EUSAGE,
		    "cannot write the report '%s': the directory '%s' %s", path,
		    dir, e == ENOENT ? "does not exist" : "is not a directory");
		free(dir);
		return LG_EUSAGE;
	}
	free(dir);
	/* a real try: permissions, a read-only mount, a full inode table */
	fd = open_tmp(path, &tmp);
	e = errno;
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	if (fd < 0)
		return lg_errorf(err, LG_EUSAGE,
				 "cannot write the report '%s': %s", path,
				 strerror(e));
	return LG_OK;
}

static enum lg_err render(FILE *f, enum lg_report_kind kind,
			  const struct lg_report *rep, struct lg_error *err)
{
	switch (kind) {
	case LG_REPORT_JUNIT:
		return lg_report_junit(f, &rep, 1, err);
	case LG_REPORT_MARKDOWN:
		return lg_report_markdown(f, rep, err);
	default:
		return lg_report_json(f, rep, err);
	}
}

/* Write, flush and sync to the disk; errno kept for the message. */
static enum lg_err fill_tmp(int fd, enum lg_report_kind kind,
			    const struct lg_report *rep, struct lg_error *err)
{
	FILE *f = fdopen(fd, "w");
	struct lg_error local = {0};
	enum lg_err rc;

	if (!f) {
		close(fd);
		return lg_errorf(err, LG_EIO, "%s", strerror(errno));
	}
	rc = render(f, kind, rep, &local);
	if (rc == LG_OK && (fflush(f) != 0 || fsync(fd) != 0))
		rc = lg_errorf(&local, LG_EIO, "%s", strerror(errno));
	if (fclose(f) != 0 && rc == LG_OK)
		rc = lg_errorf(&local, LG_EIO, "%s", strerror(errno));
	if (rc != LG_OK)
		lg_errorf(err, rc, "%s", local.msg);
	return rc;
}

/* The directory entry of the rename, on the disk too (best effort). */
static void sync_dir(const char *path)
{
	char *dir = dir_of(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

static enum lg_err write_stdout(enum lg_report_kind kind,
				const struct lg_report *rep,
				struct lg_error *err)
{
	struct lg_error local = {0};

	if (render(stdout, kind, rep, &local) != LG_OK || fflush(stdout) != 0)
		return lg_errorf(err, LG_EIO,
				 "cannot write the report to stdout: %s",
				 local.code ? local.msg : strerror(errno));
	return LG_OK;
}

enum lg_err lg_report_write_file(const char *path, enum lg_report_kind kind,
				 const struct lg_report *rep,
				 struct lg_error *err)
{
	struct lg_error local = {0};
	char *tmp = NULL;
	int fd;
	enum lg_err rc;

	if (!strcmp(path, "-"))
		return write_stdout(kind, rep, err);
	fd = open_tmp(path, &tmp);
	if (fd < 0)
		rc = lg_errorf(&local, LG_EIO, "%s", strerror(errno));
	else
		rc = fill_tmp(fd, kind, rep, &local);
	if (rc == LG_OK && rename(tmp, path) != 0)
		rc = lg_errorf(&local, LG_EIO, "%s", strerror(errno));
	if (rc != LG_OK && tmp)
		unlink(tmp);
	else if (rc == LG_OK)
		sync_dir(path);
	free(tmp);
	if (rc != LG_OK)
		return lg_errorf(err, LG_EIO,
				 "cannot write the report '%s': %s (the file "
				 "was left as it was)",
				 path, local.msg);
	return LG_OK;
}

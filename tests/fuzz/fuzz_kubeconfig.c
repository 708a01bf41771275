/* SPDX-License-Identifier: MIT */
/* fuzz_kubeconfig.c: libFuzzer harness for kubeconfig loading from bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../harness/kubeconfig.h"
#include "../../harness/lg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * lg_kubeconfig_load() reads files only, so each input is written to one
 * private temporary file (made once per process). Loading never runs an
 * exec plugin or reads referenced files, so any input is safe.
 */
static char path[64];

static void cleanup(void)
{
	if (path[0])
		unlink(path);
}

static void make_file(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/lg-fuzz-kubeconfig-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		abort();
	}
	close(fd);
	atexit(cleanup);
	/* The context and namespace must come from the file alone. */
	unsetenv("KUBECONFIG");
}

static void write_input(const uint8_t *data, size_t size)
{
	FILE *fp = fopen(path, "wb");

	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0) {
		perror(path);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lg_kube_opts o = {0};
	struct lg_kubeconfig kc;
	struct lg_error err = {0};

	if (!path[0])
		make_file();
	write_input(data, size);
	o.kubeconfig = path;
	(void)lg_kubeconfig_load(&kc, &o, &err);
	lg_kubeconfig_release(&kc);
	/* --context names a context the file may or may not hold. */
	o.context = "kind-lab";
	o.namespace_ = "bookinfo";
	lg_error_clear(&err);
	(void)lg_kubeconfig_load(&kc, &o, &err);
	lg_kubeconfig_release(&kc);
	return 0;
}

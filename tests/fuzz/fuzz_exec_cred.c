/* SPDX-License-Identifier: MIT */
/* fuzz_exec_cred.c: libFuzzer harness for exec plugin (ExecCredential) output.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/exec_cred.h"
#include "../../harness/lg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const versions[] = {
    "client.authentication.k8s.io/v1",
    "client.authentication.k8s.io/v1beta1",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Plugin output need not be NUL-terminated: an exact-size copy. */
	char *json = lg_xmalloc(size ? size : 1);
	struct lg_exec_out out;
	struct lg_error err = {0};
	char *text;
	size_t i;

	memcpy(json, data, size);
	for (i = 0; i < 2; i++) {
		memset(&out, 0, sizeof(out));
		(void)lg_exec_cred_parse(json, size, versions[i], "plugin",
					 &out, &err);
		lg_exec_out_release(&out);
		lg_error_clear(&err);
	}
	free(json);
	text = lg_xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	(void)lg_exec_cred_parse_time(text);
	free(text);
	return 0;
}

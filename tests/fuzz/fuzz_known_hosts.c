/* SPDX-License-Identifier: MIT */
/* fuzz_known_hosts.c: libFuzzer harness for known_hosts reading (libssh2's
 * line parser as labgrade feeds it) and the host key check. */
#include <libssh2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/lg.h"
#include "../../harness/ssh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an ssh-ed25519 key blob: the string "ssh-ed25519" and 32 bytes */
	static const char blob[] = "\0\0\0\x0bssh-ed25519\0\0\0\x20"
				   "0123456789abcdef0123456789abcdef";
	char *text = lg_xmalloc(size ? size : 1);
	char fp[80];

	memcpy(text, data, size);
	(void)lg_ssh_known_check(text, size, "127.0.0.1", 2222, blob,
				 sizeof(blob) - 1, LIBSSH2_HOSTKEY_TYPE_ED25519,
				 fp, sizeof(fp));
	(void)lg_ssh_known_check(text, size, "master", 22, blob,
				 sizeof(blob) - 1, LIBSSH2_HOSTKEY_TYPE_ED25519,
				 fp, sizeof(fp));
	free(text);
	return 0;
}

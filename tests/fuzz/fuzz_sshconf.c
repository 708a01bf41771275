/* SPDX-License-Identifier: MIT */
/* fuzz_sshconf.c: libFuzzer harness for ssh_config reading, and the
 * roster written from it, which must load again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/lg.h"
#include "../../harness/roster.h"
#include "../../harness/sshconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A roster converted from an ASCII config must parse, or the instructor's
 * second command fails on our own output. (Beyond ASCII, libyaml refuses
 * some printable-looking code points, such as C1 controls, that ssh
 * would take; the parser still must not crash on them.) */
static void round_trip(const struct lg_sshconf *c, bool ascii)
{
	struct lg_buf b = LG_BUF_INIT;
	struct lg_error err = {0};
	struct lg_roster r;
	bool insecure;

	if (lg_sshconf_to_roster(c, 1, &b, &insecure, &err) == LG_OK) {
		err.code = LG_OK;
		if (lg_roster_parse(&r, b.buf, b.len, "out", &err) == LG_OK)
			lg_roster_release(&r);
		else if (ascii && !strstr(err.msg, "needs a 'user'"))
			abort(); /* only a missing User may make it invalid */
	}
	lg_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = lg_xmalloc(size ? size : 1);
	struct lg_sshconf c;
	struct lg_error err = {0};
	bool ascii = true;
	size_t i;

	for (i = 0; i < size; i++)
		ascii &= data[i] < 0x7f;
	memcpy(text, data, size);
	if (lg_sshconf_parse(&c, text, size, "fuzz", &err) == LG_OK) {
		round_trip(&c, ascii);
		lg_sshconf_release(&c);
	}
	free(text);
	return 0;
}

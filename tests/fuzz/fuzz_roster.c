/* SPDX-License-Identifier: MIT */
/* fuzz_roster.c: libFuzzer harness for roster.yaml loading. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/lg.h"
#include "../../harness/roster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy without a NUL: ASan sees any read past len. */
	char *text = lg_xmalloc(size ? size : 1);
	struct lg_roster r;
	struct lg_error err = {0};
	long ms;

	memcpy(text, data, size);
	if (lg_roster_parse(&r, text, size, "fuzz", &err) == LG_OK)
		lg_roster_release(&r);
	free(text);
	text = lg_xstrndup((const char *)data, size);
	(void)lg_roster_parse_duration(text, &ms);
	(void)lg_roster_name_ok(text);
	free(text);
	return 0;
}

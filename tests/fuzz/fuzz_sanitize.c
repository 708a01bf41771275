/* SPDX-License-Identifier: MIT */
/* fuzz_sanitize.c: libFuzzer harness checking what the sanitiser promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/lg.h"
#include "../../harness/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* C0 but LF and tab, DEL, C1 and the bidi controls the filter removes. */
static bool forbidden(uint32_t cp, bool block)
{
	if (cp == '\n' || cp == '\t')
		return !block;
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Abort (a crash libFuzzer reports) when out breaks a promise. */
static void check(const char *out, bool block)
{
	const unsigned char *p = (const unsigned char *)out;
	uint32_t cp;
	size_t n;

	for (; *p; p += n) {
		n = lg_utf8_decode(p, &cp);
		if (n == 0 || forbidden(cp, block))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = lg_xmalloc(size + 1);
	char *out;

	memcpy(text, data, size);
	text[size] = '\0';
	out = lg_sanitize_dup(text, LG_SAN_LINE);
	check(out, false);
	free(out);
	out = lg_sanitize_dup(text, LG_SAN_BLOCK);
	check(out, true);
	free(out);
	free(text);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* fuzz_prom.c: libFuzzer harness for the Prometheus text parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/lg.h"
#include "../../harness/prom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The contract says text need not be NUL-terminated: hold it to it. */
	char *text = lg_xmalloc(size ? size : 1);
	struct lg_prom p = {0};
	struct lg_error err = {0};
	struct lg_prom_match m[] = {{"response_code", "503"},
				    {"response_flags", "UO"}};
	size_t matched, i;

	memcpy(text, data, size);
	if (lg_prom_parse(&p, text, size, NULL, &err) == LG_OK) {
		(void)lg_prom_sum(&p, "istio_requests_total", m, 2, &matched);
		for (i = 0; i < p.n && i < 8; i++)
			(void)lg_prom_label(&p.samples[i], "response_code");
	}
	lg_prom_release(&p);
	lg_error_clear(&err);
	if (lg_prom_parse(&p, text, size, "istio_requests_total", &err) ==
	    LG_OK)
		(void)lg_prom_sum(&p, "istio_requests_total", NULL, 0,
				  &matched);
	lg_prom_release(&p);
	(void)lg_prom_increase(size ? (double)data[0] : 0, (double)size);
	free(text);
	return 0;
}

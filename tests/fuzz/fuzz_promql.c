/* SPDX-License-Identifier: MIT */
/* fuzz_promql.c: libFuzzer harness for Prometheus' query API answers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/lg.h"
#include "../../harness/promql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The body need not be NUL-terminated: hold the parser to it. */
	char *body = lg_xmalloc(size ? size : 1);
	char *nul = lg_xmalloc(size + 1);
	struct lg_prom p = {0};
	struct lg_error err = {0};
	struct lg_prom_match m = {"destination_service_name", "reviews"};
	size_t matched, i;
	char *esc;

	memcpy(body, data, size);
	if (lg_promql_parse(body, size, &p, &err) == LG_OK) {
		(void)lg_prom_sum(&p, "istio_requests_total", &m, 1, &matched);
		for (i = 0; i < p.n && i < 8; i++)
			(void)lg_prom_label(&p.samples[i], "reporter");
	}
	lg_prom_release(&p);
	memcpy(nul, data, size);
	nul[size] = '\0';
	esc = lg_promql_escape(nul);
	free(esc);
	free(nul);
	free(body);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* fuzz_rubric.c: libFuzzer harness for the rubric loader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/lg.h"
#include "../../harness/rubric.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read back what a check would read, from every objective. */
static void use(const struct lg_rubric *r)
{
	size_t i;

	(void)lg_rubric_param_num(r, NULL, "split-tolerance", 0.1);
	(void)lg_rubric_param_str(r, NULL, "namespace", "bookinfo");
	for (i = 0; i < r->nobjectives; i++) {
		const struct lg_rubric_objective *o = &r->objectives[i];

		(void)lg_rubric_find(r, o->id);
		(void)lg_rubric_points(o, o->npoints ? o->points[0].key : "x");
		if (o->nparams) {
			(void)lg_rubric_param_num(r, o, o->params[0].key, 1);
			(void)lg_rubric_param_str(r, o, o->params[0].key, "");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = lg_xmalloc(size + 1);
	struct lg_rubric r;
	struct lg_error err = {0};

	memcpy(text, data, size);
	text[size] = '\0';
	memset(&r, 0, sizeof(r));
	if (lg_rubric_load_string(&r, text, "fuzz.yaml", &err) == LG_OK)
		use(&r);
	lg_rubric_release(&r);
	free(text);
	return 0;
}

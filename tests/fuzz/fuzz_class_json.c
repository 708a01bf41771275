/* SPDX-License-Identifier: MIT */
/* fuzz_class_json.c: libFuzzer harness for reading a JSON report back
 * (what `labgrade merge` does with other machines' class.json), then
 * writing the class outputs from it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/lg.h"
#include "../../reports/class.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_all(const struct lg_class_entry *e)
{
	FILE *f = fopen("/dev/null", "w");
	struct lg_error err = {0};

	if (!f)
		return;
	lg_class_csv(f, e, 1, &err);
	lg_class_markdown(f, e, 1, &err);
	lg_class_json(f, e, 1, &err);
	lg_report_junit(f, &e->rep, 1, &err);
	lg_report_markdown(f, e->rep, &err);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, size);
	struct lg_class_owned own;
	struct lg_error err = {0};
	struct lg_class_entry e = {"fuzz", NULL, NULL, 0, 0};

	if (lg_class_read_report(j, &own, "fuzz", &err) == LG_OK) {
		e.rep = &own.rep;
		write_all(&e);
	}
	lg_class_owned_release(&own);
	cJSON_Delete(j);
	return 0;
}

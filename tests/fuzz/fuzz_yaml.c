/* SPDX-License-Identifier: MIT */
/* fuzz_yaml.c: libFuzzer harness for the YAML tree and its JSON view. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/lg.h"
#include "../../harness/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walk the tree the way the loaders do, so accessors meet odd shapes. */
static void walk(const struct lg_ynode *n, unsigned depth)
{
	size_t i;

	if (!n || depth > 64)
		return;
	(void)lg_ynode_type_name(n);
	(void)lg_ynode_str(n, "kind");
	(void)lg_ynode_get(n, "metadata");
	for (i = 0; i < n->n; i++)
		walk(n->items[i], depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy without a NUL: ASan sees any read past len. */
	char *text = lg_xmalloc(size ? size : 1);
	struct lg_ynode **docs = NULL;
	struct lg_error err = {0};
	size_t ndocs = 0, i;
	cJSON *j;
	char *s;

	memcpy(text, data, size);
	if (lg_yaml_parse(text, size, "fuzz", &docs, &ndocs, &err) == LG_OK) {
		for (i = 0; i < ndocs; i++) {
			walk(docs[i], 0);
			j = lg_ynode_to_json(docs[i]);
			s = cJSON_PrintUnformatted(j);
			free(s);
			cJSON_Delete(j);
		}
	}
	lg_ynode_free_docs(docs, ndocs);
	free(text);
	return 0;
}

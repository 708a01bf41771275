/* SPDX-License-Identifier: MIT */
/* fuzz_expect.c: libFuzzer harness for the K8s JSON extraction helpers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/expect.h"
#include "../../harness/lg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every helper a check uses on one object, whatever its kind. */
static void extract(const cJSON *o)
{
	int ready = 0, total = 0;

	(void)lg_expect_str(o, "metadata", "namespace", NULL);
	(void)lg_expect_at(o, "spec", "template", "metadata", NULL);
	(void)lg_expect_name(o);
	(void)lg_expect_label(o, "app");
	(void)lg_expect_annotation(o, "networking.istio.io/service-type");
	(void)lg_expect_condition_true(o, "Available");
	(void)lg_expect_deploy_available(o);
	free(lg_expect_deploy_status(o));
	(void)lg_expect_deploy_selects(o, o);
	(void)lg_expect_selector_matches(
	    lg_expect_at(o, "spec", "selector", NULL),
	    lg_expect_at(o, "metadata", "labels", NULL));
	(void)lg_expect_container_image(o, "istio-proxy");
	lg_expect_pod_ready(o, &ready, &total);
	if (ready < 0 || ready > total)
		abort(); /* "READY 2/2" can never read 3/2 */
	(void)lg_expect_pod_is_ready(o);
	(void)lg_expect_pod_is_gone(o);
	free(lg_expect_pod_problem(o));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, size);
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "items"), *it;
	char *text;

	if (j) {
		extract(j);
		(void)lg_expect_find_named(items, "productpage-v1");
		cJSON_ArrayForEach(it, items)
		{
			extract(it);
		}
	}
	cJSON_Delete(j);
	text = lg_xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	free(lg_expect_image_tag(text));
	(void)lg_expect_version_matches(text, "1.24");
	free(text);
	return 0;
}

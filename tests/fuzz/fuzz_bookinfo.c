/* SPDX-License-Identifier: MIT */
/* fuzz_bookinfo.c: libFuzzer harness for the Bookinfo page/JSON markers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/bookinfo.h"
#include "../../harness/lg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void describe(const struct lg_bookinfo_obs *o,
		     struct lg_bookinfo_tally *t)
{
	char *s = lg_bookinfo_obs_describe(o);

	free(s);
	lg_bookinfo_tally_add(t, o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Bodies need not be NUL-terminated: an exact-size copy checks it. */
	char *body = lg_xmalloc(size ? size : 1);
	struct lg_bookinfo_obs page, api;
	struct lg_bookinfo_tally t = {0};
	char *s;

	memcpy(body, data, size);
	memset(&page, 0, sizeof(page));
	memset(&api, 0, sizeof(api));
	page.status = api.status = 200;
	lg_bookinfo_classify_page(body, size, &page);
	lg_bookinfo_classify_json(body, size, &api);
	/* Every text field must stay a terminated string. */
	if (!memchr(page.pod, '\0', sizeof(page.pod)) ||
	    !memchr(api.pod, '\0', sizeof(api.pod)))
		abort();
	describe(&page, &t);
	describe(&api, &t);
	s = lg_bookinfo_tally_describe(&t);
	free(s);
	free(body);
	return 0;
}

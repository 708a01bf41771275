/* SPDX-License-Identifier: MIT */
/* fuzz_journal.c: libFuzzer harness for the progress journal's entries. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/cluster.h"
#include "../../harness/journal.h"
#include "../../harness/lg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A one-ConfigMap API server: GET serves body (404 when NULL), POST and PUT
 * store what was sent, with a resourceVersion, as a real server would.
 */
struct fake {
	char *body;
};

static void stored(struct fake *f, const char *sent)
{
	cJSON *cm = cJSON_Parse(sent), *md;

	if (!cm)
		abort(); /* labgrade must always send JSON */
	md = cJSON_GetObjectItemCaseSensitive(cm, "metadata");
	cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
	cJSON_AddStringToObject(md, "resourceVersion", "2");
	free(f->body);
	f->body = cJSON_PrintUnformatted(cm);
	cJSON_Delete(cm);
}

static enum lg_err fake_request(void *data, const char *method,
				const char *path, const char *content_type,
				const char *body, struct lg_buf *resp,
				long *status, struct lg_error *err)
{
	struct fake *f = data;

	(void)path;
	(void)content_type;
	(void)err;
	if (strcmp(method, "GET") != 0) {
		stored(f, body);
		*status = strcmp(method, "POST") == 0 ? 201 : 200;
		return lg_buf_adds(resp, f->body);
	}
	if (!f->body) {
		*status = 404;
		return lg_buf_adds(resp, "{\"kind\":\"Status\",\"code\":404,"
					 "\"reason\":\"NotFound\"}");
	}
	*status = 200;
	return lg_buf_adds(resp, f->body);
}

static void fake_free(void *data)
{
	struct fake *f = data;

	free(f->body);
	free(f);
}

static const struct lg_transport fake_transport = {
    .request = fake_request,
    .free = fake_free,
};

static struct lg_cluster *open_fake(char *body_take)
{
	struct fake *f = lg_xcalloc(1, sizeof(*f));

	f->body = body_take;
	return lg_cluster_open_transport_take(&fake_transport, f,
					      "https://fake:6443");
}

/* A ConfigMap whose entry for traffic-shifting is the input itself. */
static char *wrap(const char *value)
{
	cJSON *cm = cJSON_CreateObject(), *md, *d;
	char *s;

	md = cJSON_AddObjectToObject(cm, "metadata");
	cJSON_AddStringToObject(md, "name", LG_JOURNAL_NAME);
	cJSON_AddStringToObject(md, "resourceVersion", "1");
	d = cJSON_AddObjectToObject(cm, "data");
	cJSON_AddStringToObject(d, "gateway",
				"{\"time\":\"2026-11-25T14:02:00Z\","
				"\"points\":4,\"max_points\":4}");
	cJSON_AddStringToObject(d, "traffic-shifting", value);
	s = cJSON_PrintUnformatted(cm);
	cJSON_Delete(cm);
	return s;
}

static void read_once(char *body_take)
{
	struct lg_cluster *c = open_fake(body_take);
	struct lg_journal j = LG_JOURNAL_INIT;
	struct lg_error err = {0};

	(void)lg_journal_read(c, NULL, &j, &err);
	(void)lg_journal_find(&j, "traffic-shifting");
	lg_journal_release(&j);
	lg_cluster_free(c);
}

/* Record the input as evidence, read it back: it must be stored tamed. */
static void round_trip(const char *evidence)
{
	struct lg_cluster *c = open_fake(NULL);
	struct lg_journal j = LG_JOURNAL_INIT;
	struct lg_journal_entry e = {0};
	const struct lg_journal_entry *got;
	struct lg_error err = {0};
	size_t i;

	e.when = 1764079320;
	e.points = 3;
	e.max_points = 4;
	e.evidence = lg_xstrdup(evidence);
	if (lg_journal_record(c, NULL, "mirroring", &e, &err) != LG_OK ||
	    lg_journal_read(c, NULL, &j, &err) != LG_OK)
		abort(); /* the fake server never fails */
	got = lg_journal_find(&j, "mirroring");
	if (!got || strlen(got->evidence) > LG_JOURNAL_EVIDENCE_MAX)
		abort();
	for (i = 0; got->evidence[i]; i++)
		if ((unsigned char)got->evidence[i] < 0x20 ||
		    got->evidence[i] == 0x7f)
			abort();
	lg_journal_release(&j);
	lg_journal_entry_release(&e);
	lg_cluster_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	time_t t;

	if (size == 0)
		return 0;
	text = lg_xmalloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	(void)lg_journal_parse_time(text, &t);
	switch (data[0] % 3) {
	case 0: /* the input is the whole response body */
		read_once(lg_xstrdup(text));
		break;
	case 1: /* the input is one entry's value */
		read_once(wrap(text));
		break;
	default:
		round_trip(text);
		break;
	}
	free(text);
	return 0;
}

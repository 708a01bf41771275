/* SPDX-License-Identifier: MIT */
/* fuzz_report.c: libFuzzer harness for the escapers and the three reports. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef FUZZ_HAVE_LIBXML2
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#endif

#include "../../harness/i18n.h"
#include "../../harness/lg.h"
#include "../../harness/result.h"
#include "../../reports/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input cut at NUL bytes into this many strings ("" when short). */
#define NPARTS 8

/* The length a UTF-8 sequence starting with byte c has, 0 if c cannot start
 * one (RFC 3629: no overlong 2-byte form, nothing past U+10FFFF). */
static size_t seq_len(unsigned c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return c < 0xf5 ? 4 : 0;
}

/* The second byte's range excludes overlong forms and surrogates. */
static bool second_ok(unsigned c, unsigned s1)
{
	unsigned lo = 0x80, hi = 0xbf;

	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	return s1 >= lo && s1 <= hi;
}

/* Length of the UTF-8 sequence at s, or 0 when it is not valid UTF-8. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = seq_len(s[0]), i;

	if (len == 1)
		return 1;
	if (len == 0 || len > n || !second_ok(s[0], s[1]))
		return 0;
	for (i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/*
 * Valid UTF-8 and, when ctl, no control character but tab, LF, CR (what
 * XML 1.0 allows in text).
 */
static void assert_chars(const char *s, size_t n, bool ctl, const char *what)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, l;

	while (i < n) {
		if (ctl && u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' &&
		    u[i] != '\r') {
			fprintf(stderr, "%s: control byte 0x%02x at %zu\n",
				what, u[i], i);
			abort();
		}
		l = utf8_len(u + i, n - i);
		if (!l) {
			fprintf(stderr, "%s: bad UTF-8 at %zu\n", what, i);
			abort();
		}
		i += l;
	}
}

/* lg_escape_xml output must hold no markup: no < or >, & starts an entity. */
static void check_escape_xml(const char *in)
{
	struct lg_buf b = LG_BUF_INIT;
	const char *p;

	lg_escape_xml(&b, in);
	assert_chars(b.buf, b.len, true, "lg_escape_xml");
	if (strchr(b.buf, '<') || strchr(b.buf, '>'))
		abort();
	for (p = strchr(b.buf, '&'); p; p = strchr(p + 1, '&'))
		if (!strchr(p, ';') || strcspn(p, ";") > 8)
			abort();
	lg_buf_reset(&b);
	lg_escape_xml_attr(&b, in);
	assert_chars(b.buf, b.len, true, "lg_escape_xml_attr");
	if (strpbrk(b.buf, "<\"\t\n\r"))
		abort();
	lg_buf_release(&b);
}

static void check_escapers(const char *in)
{
	struct lg_buf b = LG_BUF_INIT;
	size_t i;

	check_escape_xml(in);
	lg_escape_md(&b, in);
	lg_buf_reset(&b);
	lg_escape_term(&b, in);
	/* The terminal view must never pass an escape sequence through. */
	for (i = 0; i < b.len; i++)
		if (b.buf[i] == '\033')
			abort();
	lg_buf_reset(&b);
	lg_escape_utf8(&b, in);
	assert_chars(b.buf, b.len, false, "lg_escape_utf8");
	lg_buf_release(&b);
}

static void fill(struct lg_result *res, const char *const *s)
{
	lg_result_init(&res[0], "gateway", s[0], 3);
	lg_result_assert(&res[0], "gateway-configured", s[1], false, 4, s[2],
			 s[3], s[4]);
	lg_result_assert(&res[0], "gateway-serves", s[5], true, 2, s[2], s[3],
			 NULL);
	lg_result_evidencef(&res[0], "GET %s", s[6]);
	lg_result_failf(&res[0], "%s", s[7]);
	lg_result_finish(&res[0]);
	lg_result_init(&res[1], "fault-injection", s[1], 5);
	lg_result_assert_journal(&res[1], "delay", s[2], 3, s[3], s[4]);
	lg_result_assert_pending(&res[1], "stage", s[5], 1, s[6]);
	lg_result_errorf(&res[1], "GET /apis: %s", s[0]);
	lg_result_init(&res[2], "mirroring", s[7], 8);
	lg_result_skipf(&res[2], "%s", s[2]);
}

static char *render(int which, const struct lg_report *rep)
{
	const struct lg_report *suites[] = {rep, rep};
	struct lg_error err = {0};
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	if (which == 0)
		(void)lg_report_json(fp, rep, &err);
	else if (which == 1)
		(void)lg_report_markdown(fp, rep, &err);
	else
		(void)lg_report_junit(fp, suites, 2, &err);
	fclose(fp);
	return out;
}

#ifdef FUZZ_HAVE_LIBXML2
static void xml_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/*
 * The JUnit report must be well-formed XML and valid against the JUnit 10
 * schema in tests/data (found from the working directory; skipped when
 * absent).
 */
static void check_junit(const char *xml)
{
	static xmlSchemaPtr schema;
	static bool tried;
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaValidCtxtPtr vc;
	xmlDocPtr doc;
	int bad = 0;

	if (!tried) {
		tried = true;
		xmlSetGenericErrorFunc(NULL, xml_quiet);
		pc = xmlSchemaNewParserCtxt("tests/data/junit-10.xsd");
		schema = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
	doc = xmlReadMemory(xml, (int)strlen(xml), "junit.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				XML_PARSE_NOWARNING);
	if (!doc) {
		fprintf(stderr, "JUnit report is not well-formed:\n%s\n", xml);
		abort();
	}
	if (schema) {
		vc = xmlSchemaNewValidCtxt(schema);
		bad = xmlSchemaValidateDoc(vc, doc);
		xmlSchemaFreeValidCtxt(vc);
	}
	xmlFreeDoc(doc);
	if (bad) {
		fprintf(stderr, "JUnit report is not schema-valid:\n%s\n", xml);
		abort();
	}
}
#else
static void check_junit(const char *xml)
{
	(void)xml;
}
#endif

static void check_reports(const char *const *s, enum lg_lang lang)
{
	struct lg_result res[3];
	const char *warn[] = {s[3], s[6]};
	struct lg_report rep = {.cluster_name = s[0],
				.server = s[4],
				.fingerprint = s[5],
				.started = s[7],
				.seconds = 1.25,
				.lang = lang,
				.results = res,
				.nresults = 3,
				.warnings = warn,
				.nwarnings = 2};
	char *out;
	cJSON *j;
	size_t i;

	fill(res, s);
	out = render(0, &rep);
	j = cJSON_Parse(out);
	if (!j) { /* hostile strings must not break the JSON report */
		fprintf(stderr, "JSON report does not parse:\n%s\n", out);
		abort();
	}
	cJSON_Delete(j);
	free(out);
	out = render(1, &rep);
	free(out);
	out = render(2, &rep);
	assert_chars(out, strlen(out), true, "JUnit report");
	check_junit(out);
	free(out);
	for (i = 0; i < 3; i++)
		lg_result_release(&res[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = lg_xmalloc(size + 1);
	const char *parts[NPARTS];
	size_t i, off = 0;

	memcpy(text, data, size);
	text[size] = '\0';
	check_escapers(text);
	for (i = 0; i < NPARTS; i++) {
		parts[i] = off <= size ? text + off : "";
		if (off <= size)
			off += strlen(text + off) + 1;
	}
	check_reports(parts, size && (data[0] & 1) ? LG_LANG_ES : LG_LANG_EN);
	free(text);
	return 0;
}

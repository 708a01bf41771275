/* SPDX-License-Identifier: MIT */
/* report.c: totals, number formats and ordering shared by the writers. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

double lg_report_points(const struct lg_report *r)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < r->nresults; i++)
		sum += lg_result_points(&r->results[i]);
	return sum;
}

double lg_report_max_points(const struct lg_report *r)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < r->nresults; i++)
		sum += lg_result_max_points(&r->results[i]);
	return sum;
}

/*
 * Integer arithmetic only: printf's %f and %g follow LC_NUMERIC, and a
 * grade must not read "7,5" in one locale and "7.5" in another.
 */
const char *lg_report_fmt_points(char *out, size_t n, double v)
{
	long long cents;
	const char *sign = "";

	if (!isfinite(v))
		v = 0;
	cents = llround(v * 100);
	if (cents < 0) {
		sign = "-";
		cents = -cents;
	}
	if (cents % 100 == 0)
		snprintf(out, n, "%s%lld", sign, cents / 100);
	else if (cents % 10 == 0)
		snprintf(out, n, "%s%lld.%lld", sign, cents / 100,
			 cents % 100 / 10);
	else
		snprintf(out, n, "%s%lld.%02lld", sign, cents / 100,
			 cents % 100);
	return out;
}

const char *lg_report_fmt_seconds(char *out, size_t n, double s)
{
	long long ms;

	if (!isfinite(s) || s < 0)
		s = 0;
	ms = llround(s * 1000);
	snprintf(out, n, "%lld.%03lld", ms / 1000, ms % 1000);
	return out;
}

const char *lg_report_verdict_word(enum lg_verdict v, enum lg_lang lang)
{
	static const char *const es[] = {"superado", "fallido", "error",
					 "omitido"};
	static const char *const en[] = {"pass", "fail", "error", "skip"};

	if ((unsigned)v >= LG_ARRAY_SIZE(en))
		return "?";
	return lang == LG_LANG_EN ? en[v] : es[v];
}

static int by_objective(const void *a, const void *b)
{
	const struct lg_result *x = *(const struct lg_result *const *)a;
	const struct lg_result *y = *(const struct lg_result *const *)b;

	if (x->objective != y->objective)
		return x->objective < y->objective ? -1 : 1;
	return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

const struct lg_result **lg_report_sorted(const struct lg_report *r)
{
	const struct lg_result **v;
	size_t i;

	v = lg_xcalloc(r->nresults + 1, sizeof(*v));
	for (i = 0; i < r->nresults; i++)
		v[i] = &r->results[i];
	if (r->nresults > 1)
		qsort(v, r->nresults, sizeof(*v), by_objective);
	return v;
}

enum lg_err lg_report_flush(FILE *out, const struct lg_buf *b,
			    struct lg_error *err)
{
	errno = 0;
	if (fwrite(b->buf, 1, b->len, out) != b->len || fflush(out) != 0 ||
	    ferror(out))
		return lg_errorf(err, LG_EIO, "%s",
				 strerror(errno ? errno : EIO));
	return LG_OK;
}

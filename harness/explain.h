/* SPDX-License-Identifier: MIT */
/* explain.h: `labgrade explain ID`, an objective told from its own data. */
#ifndef LG_EXPLAIN_H
#define LG_EXPLAIN_H

#include <stdio.h>

#include "../checks/check.h"
#include "rubric.h"

/*
 * What check c asks, what it checks and how, and the commands of its lab
 * steps, in lang, on out. Everything comes from data that already exists:
 * the rubric's title and points, the check's assertion texts, flags and
 * prerequisites, and its .steps rows (their apply texts, with {ns} as the
 * rubric's bookinfo-namespace). Text from the rubric is sanitised.
 * @test tests/unit/test_reports.c (test_reports__explain_*)
 */
void lg_explain(FILE *out, const struct lg_check *c, const struct lg_rubric *r,
		enum lg_lang lang);

#endif

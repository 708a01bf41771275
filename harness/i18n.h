/* SPDX-License-Identifier: MIT */
/* i18n.h: the report language (Spanish or English) and how it is chosen. */
#ifndef LG_I18N_H
#define LG_I18N_H

#include "../checks/check.h"

/*
 * Pick one of two string literals by the context's language. Unlike lg_tr()
 * this keeps both arms literal, so it can be a printf format and the
 * compiler still checks it (-Wformat-nonliteral).
 */
#define LG_TR(ctx, es, en) ((ctx)->lang == LG_LANG_ES ? (es) : (en))
/* The same for a bare enum lg_lang. */
#define LG_TRL(lang, es, en) ((lang) == LG_LANG_ES ? (es) : (en))

/*
 * The language the environment asks for, as gettext reads it: the first
 * non-empty of LC_ALL, LC_MESSAGES, LANG; "es" or "es_*" means Spanish,
 * anything else (or nothing) English.
 * @test tests/unit/test_checks.c
 */
enum lg_lang lg_i18n_from_env(void);

/* "es" or "en" (also "es_ES.UTF-8" style) into *lang; false otherwise. */
bool lg_i18n_parse(const char *s, enum lg_lang *lang);

/* "es" or "en". */
const char *lg_i18n_code(enum lg_lang lang);

#endif

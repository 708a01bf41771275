/* SPDX-License-Identifier: MIT */
/* i18n.c: choosing between Spanish and English (see i18n.h). */
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

const char *lg_tr(const struct lg_ctx *ctx, const char *es, const char *en)
{
	return ctx && ctx->lang == LG_LANG_ES ? es : en;
}

bool lg_i18n_parse(const char *s, enum lg_lang *lang)
{
	if (!s)
		return false;
	if (strncmp(s, "es", 2) == 0 &&
	    (s[2] == '\0' || s[2] == '_' || s[2] == '.' || s[2] == '-')) {
		*lang = LG_LANG_ES;
		return true;
	}
	if (strncmp(s, "en", 2) == 0 &&
	    (s[2] == '\0' || s[2] == '_' || s[2] == '.' || s[2] == '-')) {
		*lang = LG_LANG_EN;
		return true;
	}
	return false;
}

enum lg_lang lg_i18n_from_env(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	enum lg_lang lang = LG_LANG_EN;
	size_t i;

	for (i = 0; i < LG_ARRAY_SIZE(vars); i++) {
		const char *v = getenv(vars[i]);

		if (!v || !*v)
			continue;
		/* the first one set decides, as in gettext; C/POSIX is English
		 */
		if (!lg_i18n_parse(v, &lang))
			lang = LG_LANG_EN;
		return lang;
	}
	return lang;
}

const char *lg_i18n_code(enum lg_lang lang)
{
	return lang == LG_LANG_ES ? "es" : "en";
}

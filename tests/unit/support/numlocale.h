/* SPDX-License-Identifier: MIT */
/* numlocale.h: a decimal-comma locale for unit tests (see numlocale.c). */
#ifndef LG_TEST_NUMLOCALE_H
#define LG_TEST_NUMLOCALE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Switch LC_NUMERIC to German (decimal comma). When it is not installed,
 * build it with localedef into a temporary LOCPATH (dir, n bytes; removed by
 * locale_cleanup). False when neither works.
 */
bool comma_locale(char *dir, size_t n);
/* Back to "C"; remove the temporary locale, if any. */
void locale_cleanup(const char *dir);

#endif

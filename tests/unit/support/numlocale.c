/* SPDX-License-Identifier: MIT */
/* numlocale.c: a decimal-comma locale for the tests that prove numbers are
 * written and read with '.' whatever LC_NUMERIC says. */
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "numlocale.h"

/*
 * Switch LC_NUMERIC to German (decimal comma). When it is not installed,
 * build it with localedef into a temporary LOCPATH (dir, removed by
 * locale_cleanup). False when neither works.
 */
bool comma_locale(char *dir, size_t n)
{
	char cmd[512];
	FILE *p;

	dir[0] = '\0';
	if (!setlocale(LC_NUMERIC, "de_DE.UTF-8")) {
		snprintf(dir, n, "/tmp/lg-locale-XXXXXX");
		if (!mkdtemp(dir))
			return false;
		snprintf(cmd, sizeof(cmd),
			 "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 "
			 ">/dev/null 2>&1",
			 dir);
		p = popen(cmd, "r");
		if (!p || pclose(p) != 0)
			return false;
		setenv("LOCPATH", dir, 1);
		if (!setlocale(LC_NUMERIC, "de_DE.UTF-8"))
			return false;
	}
	return localeconv()->decimal_point[0] == ',';
}

void locale_cleanup(const char *dir)
{
	char cmd[512];
	FILE *p;

	setlocale(LC_NUMERIC, "C");
	unsetenv("LOCPATH");
	if (!dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	p = popen(cmd, "r");
	if (p)
		pclose(p);
}

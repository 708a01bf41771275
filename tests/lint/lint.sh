#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lint.sh: the `make lint` gate (docs/design.md, code conventions): clang-format, banned
# functions, function length and cyclomatic complexity. Arguments: the C
# files to check. The allowlists next to this script may only shrink: a
# file or function not listed there must pass, so new code is always clean.
#
# format-allow.txt      one path a line: files not yet clang-formatted
# complexity-allow.txt  "path function" a line: functions over the limits
#
# LINT_STRICT=1 also fails when an allowlisted item has become clean (so the
# entry must be removed); otherwise that is only reported.
set -u
here=$(dirname "$0")
max_lines=${LINT_MAX_LINES:-80}
max_ccn=${LINT_MAX_CCN:-10}
fail=0

# Listed entries, without comments and blank lines.
entries() {
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$1"
}

stale() {
	echo "lint: $1 is clean now: remove it from $2"
	[ "${LINT_STRICT:-0}" = 1 ] && fail=1
}

check_format() {
	local allow="$here/format-allow.txt" f bad=0

	command -v clang-format >/dev/null ||
		{ echo "lint: clang-format not found"; fail=1; return; }
	for f in "$@"; do
		if clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
			grep -qxF "$f" <(entries "$allow") &&
				stale "$f" "$allow"
			continue
		fi
		grep -qxF "$f" <(entries "$allow") && continue
		echo "lint: $f is not clang-formatted (clang-format -i $f)"
		bad=1
	done
	[ $bad = 0 ] || fail=1
}

# git banned.h: these have safer replacements (snprintf, lg_buf, strtol).
# An identifier that merely contains a name (lg_system, vsnprintf) is fine;
# comments are ignored.
check_banned() {
	local re='(^|[^A-Za-z0-9_])(strcpy|strcat|sprintf|strtok|atoi|gets|system)[[:space:]]*\('
	local hits

	hits=$(for f in "$@"; do
		sed -e 's|//.*||' "$f" |
			perl -0pe 's{/\*.*?\*/}{$& =~ tr/\n//cdr}gse' |
			grep -nE "$re" | sed "s|^|$f:|"
	done)
	if [ -n "$hits" ]; then
		echo "lint: banned function (use snprintf, lg_buf or strtol):"
		echo "$hits"
		fail=1
	fi
}

# pmccabe columns: modified CCN, traditional CCN, statements, first line,
# lines, "file(line): function". The traditional number counts each case.
check_size() {
	local allow="$here/complexity-allow.txt" over listed key

	command -v pmccabe >/dev/null ||
		{ echo "lint: pmccabe not found (apt-get install pmccabe)"; fail=1; return; }
	over=$(pmccabe "$@" 2>/dev/null | awk -v L="$max_lines" -v C="$max_ccn" '
		$2 > C || $5 > L {
			file = $6; sub(/\([0-9]+\):$/, "", file)
			print file, $7, "(complexity " $2 ", " $5 " lines)"
		}')
	listed=$(entries "$allow")
	while read -r file fn why; do
		[ -n "$file" ] || continue
		key="$file $fn"
		grep -qxF "$key" <<<"$listed" && continue
		echo "lint: $file: $fn() is over the limits $why:" \
			"at most $max_lines lines and complexity $max_ccn"
		fail=1
	done <<<"$over"
	# only entries of files that were checked can be judged stale
	while read -r file fn; do
		[ -n "$file" ] && printf '%s\n' "$@" | grep -qxF "$file" ||
			continue
		grep -q "^$file $fn " <<<"$over" || stale "$file $fn" "$allow"
	done <<<"$listed"
}

check_format "$@"
check_banned "$@"
check_size "$@"
if [ $fail = 0 ]; then
	echo "  LINT    ok ($# files)"
fi
exit $fail

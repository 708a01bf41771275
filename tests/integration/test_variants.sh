#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_variants.sh: grades every student variant under tests/variants/
# against labsim, set up with the real kubectl as a student would.
#
# A case is data only (tests/variants/README.md has the format): the
# scenario labsim starts from (`base`), the kubectl commands the student ran
# (`steps`) and, per check, the verdict and the words its explanation must
# hold (`expect`). Adding a case adds no code here. Cases run two at a time
# (the machines that run this have two cores); each prints one ok/not ok
# line per expectation, in case order.
. "$(dirname "$0")/lib.sh"

VARIANTS=${VARIANTS:-$SRCDIR/tests/variants}
# ONLY=GLOB runs the cases whose directory name matches (e.g. '*sidecar*').
ONLY=${ONLY:-*}
export MANIFESTS="$SRCDIR/fixtures/manifests"
SCALE=0.1
JOBS=2

# The rubric's timing windows scaled like labsim's durations (policy), as
# the other integration tests do.
R="$LIB_TMP/rubric.yaml"
python3 - "$SRCDIR/rubric.yaml" "$R" "$SCALE" <<'EOF'
import re, sys
src, dst, k = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = open(src).read()
for key in ("fault-min-seconds", "fault-max-seconds", "anonymous-max-seconds"):
    s, n = re.subn(r"(\n\s+%s: )([0-9.]+)" % key,
                   lambda m: m.group(1) + "%g" % (float(m.group(2)) * k), s)
    assert n == 1, key
open(dst, "w").write(s)
EOF

# judge CASE REPORT RC EXPECT-LINE: prints "ok|DESC" or "not ok|DESC" for
# one expectation against labgrade's JSON report.
judge() {
	python3 - "$@" <<'EOF'
import json, sys
case, report, rc, line = sys.argv[1:5]
head, *words = [w.strip() for w in line.split("|")]
cid, want = head.split()
desc = "%s: %s %s" % (case, cid, want)
if words:
    desc += " (" + ", ".join(words) + ")"
try:
    d = json.load(open(report))
    r = {x["id"]: x for x in d["results"]}[cid]
except Exception as e:
    print("not ok|%s: no result for %s in the report (labgrade exit %s: %s)"
          % (desc, cid, rc, e))
    sys.exit(0)
got = r["verdict"]
if got == "skip" and any(a.get("pending") for a in r["assertions"]):
    got = "pending"
texts = [r.get("message") or ""]
for a in r["assertions"]:
    texts += [a.get("hint") or "", a.get("observed") or ""]
texts += r.get("evidence") or []
texts += r.get("warnings") or []
text = "\n".join(texts).lower()
# "!word": no hint (of an assertion that does not hold) nor the message
# names it, e.g. a right 50/50 split must not be told to apply 50/50.
told = "\n".join([r.get("message") or ""] +
                 [a.get("hint") or "" for a in r["assertions"]
                  if not a["ok"]]).lower()
missing = [w for w in words if not w.startswith("!") and
           w.lower() not in text]
missing += [w for w in words if w.startswith("!") and
            w[1:].lower() in told]
if got == want and not missing:
    print("ok|" + desc)
else:
    why = []
    if got != want:
        why.append("verdict %s" % got)
    absent = [w for w in missing if not w.startswith("!")]
    present = [w[1:] for w in missing if w.startswith("!")]
    if absent:
        why.append("missing %s" % ", ".join(repr(w) for w in absent))
    if present:
        why.append("a hint names %s" % ", ".join(repr(w) for w in present))
    msg = r.get("message") or ""
    hints = [a["key"] + ": " + (a.get("hint") or "") for a in r["assertions"]
             if not a["ok"]]
    print("not ok|%s: %s; message: %s; hints: %s"
          % (desc, "; ".join(why), msg, " / ".join(hints) or "none"))
EOF
}

# lines FILE: the file's lines, without blank lines and # comments.
lines() { grep -v -e '^[[:space:]]*$' -e '^[[:space:]]*#' "$1" 2>/dev/null; }

# run_step DIR LINE: one kubectl command line of a case, run in the case's
# directory (so relative paths resolve there); a leading "! " means the
# command must fail (kubectl or the API refuses it).
run_step() {
	local dir=$1 line=$2 neg=0 rc
	case $line in "! "*) neg=1 line=${line#! } ;; esac
	# The line is case data written for the shell: $MANIFESTS and quotes.
	(cd "$dir" && eval "kc $line") >"$LIB_TMP/step.$BASHPID" 2>&1
	rc=$?
	if [ "$neg" = 1 ]; then [ "$rc" != 0 ]; else [ "$rc" = 0 ]; fi
}

# run_case DIR OUT: runs one case; its ok/not ok lines go to OUT.
run_case() {
	local dir=$1 out=$2 name base line ids id rc=0 n=0
	name=$(basename "$dir")
	base=$(lines "$dir/base" | head -1)
	: >"$out"
	if [ ! -d "$SCENARIOS/$base" ] || ! lines "$dir/expect" >/dev/null; then
		echo "not ok|$name: bad case (base '$base' or no expect)" >>"$out"
		return
	fi
	if ! start_labsim "$name" --time-scale "$SCALE" \
		--scenario "$SCENARIOS/$base" >"$LIB_TMP/start.$name" 2>&1; then
		echo "not ok|$name: labsim did not start: $(tail -3 "$LIB_TMP/start.$name")" >>"$out"
		return
	fi
	trap 'kill -TERM $LABSIM_PID 2>/dev/null' EXIT
	while IFS= read -r line; do
		n=$((n + 1))
		if ! run_step "$dir" "$line"; then
			echo "not ok|$name: step $n 'kubectl $line': $(tail -2 "$LIB_TMP/step.$BASHPID" | tr '\n' ' ')" >>"$out"
			rc=1
		fi
	done < <(lines "$dir/steps")
	ids=$(lines "$dir/expect" | awk '{ print $1 }' | sort -u)
	for id in $ids; do
		NO_COLOR=1 LANG=C "$LABGRADE" check "$id" --kubeconfig "$KC" \
			--rubric "$R" --no-journal --lang en \
			--json "$LIB_TMP/$name.$id.json" >/dev/null 2>&1
		echo $? >"$LIB_TMP/$name.$id.rc"
	done
	kill -TERM "$LABSIM_PID" 2>/dev/null
	wait "$LABSIM_PID" 2>/dev/null
	rc=$?
	trap - EXIT
	if [ "$rc" != 0 ] && [ "$rc" != 143 ]; then
		echo "not ok|$name: labsim exited with $rc on SIGTERM: $(tail -5 "$LIB_TMP/labsim.$name.err" | tr '\n' ' ')" >>"$out"
	fi
	while IFS= read -r line; do
		id=${line%% *}
		judge "$name" "$LIB_TMP/$name.$id.json" \
			"$(cat "$LIB_TMP/$name.$id.rc")" "$line" >>"$out"
	done < <(lines "$dir/expect")
}

cases=()
for d in "$VARIANTS"/[0-9]*/; do
	# shellcheck disable=SC2053 # ONLY is a glob on purpose
	[[ -d "$d" && $(basename "$d") == $ONLY ]] && cases+=("${d%/}")
done
check "tests/variants holds cases" test "${#cases[@]}" -gt 0

running=0
for d in "${cases[@]}"; do
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_case "$d" "$LIB_TMP/result.$(basename "$d")" &
	running=$((running + 1))
done
wait

for d in "${cases[@]}"; do
	f="$LIB_TMP/result.$(basename "$d")"
	if [ ! -s "$f" ]; then
		not_ok "$(basename "$d"): the case produced no result"
		continue
	fi
	while IFS= read -r line; do
		case $line in
		"ok|"*) ok "${line#ok|}" ;;
		*) not_ok "${line#not ok|}" ;;
		esac
	done <"$f"
done

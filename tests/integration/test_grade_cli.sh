#!/usr/bin/env bash
# test_grade_cli.sh: the command line (list, help, languages, bad input,
# exit statuses) and grading under API faults: a fault never yields a pass.
. "$(dirname "$0")/lib.sh"

# verdict_list FILE: "id=verdict ..." of a JSON report.
verdict_list() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (r["id"], r["verdict"]) for r in d["results"]))' "$1"
}

# field FILE ID KEY: a result's field.
field() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(next((r.get(sys.argv[3]) or "" for r in d["results"]
            if r["id"] == sys.argv[2]), "absent"))' "$@"
}

# --- no cluster needed ---------------------------------------------------
run_lg list
expect_eq "list: exit status" 0 "$LG_RC"
expect_contains "list: istio-install with its objective" "istio-install" "$LG_OUT"
expect_contains "list: gateway needs istio-install" "needs:istio-install" "$LG_OUT"
expect_contains "list: English titles under LANG=C" "Istio installation" "$LG_OUT"

out=$(NO_COLOR=1 "$LABGRADE" --lang es list)
expect_contains "list --lang es: Spanish titles" "Instalación de Istio" "$out"
out=$(NO_COLOR=1 LANG=es_ES.UTF-8 "$LABGRADE" list)
expect_contains "LANG=es_ES: Spanish titles" "Instalación de Istio" "$out"

run_lg --help
expect_eq "--help: exit status" 0 "$LG_RC"
expect_contains "--help: usage" "usage: labgrade" "$LG_OUT"
run_lg version
expect_eq "version: exit status" 0 "$LG_RC"
expect_contains "version: names labgrade" "labgrade " "$LG_OUT"

run_lg frobnicate
expect_eq "unknown command: exit 2" 2 "$LG_RC"
run_lg all --no-such-option
expect_eq "unknown option: exit 2" 2 "$LG_RC"
run_lg all --lang fr
expect_eq "bad --lang: exit 2" 2 "$LG_RC"
run_lg all --timeout soon
expect_eq "bad --timeout: exit 2" 2 "$LG_RC"
run_lg check
expect_eq "check without ids: exit 2" 2 "$LG_RC"
run_lg all --json - --junit -
expect_eq "two reports on stdout: exit 2" 2 "$LG_RC"

bad="$LIB_TMP/bad-rubric.yaml"
printf 'version: 1\nobjectives:\n  - id: istio-install\n    number: [\n' >"$bad"
run_lg all --rubric "$bad" --kubeconfig /nonexistent
expect_eq "bad rubric: exit 2" 2 "$LG_RC"
expect_contains "bad rubric: FILE:LINE:COL" "$bad:" "$LG_ERR"
if printf '%s' "$LG_ERR" | grep -qE "bad-rubric.yaml:[0-9]+:[0-9]+: "; then
	ok "bad rubric: message has line and column"
else
	not_ok "bad rubric: message has line and column: $LG_ERR"
fi

short="$LIB_TMP/short-rubric.yaml"
sed '/- id: gateway/,$d' "$SRCDIR/rubric.yaml" >"$short"
run_lg all --rubric "$short" --kubeconfig /nonexistent
expect_eq "rubric without an objective for a check: exit 2" 2 "$LG_RC"
expect_contains "rubric mismatch: names the check" "'gateway'" "$LG_ERR"

run_lg all --kubeconfig /nonexistent/kubeconfig
expect_eq "missing kubeconfig: exit 2" 2 "$LG_RC"

# --- report paths and --gateway-url: checked before any cluster traffic ---
# A kubeconfig whose API server refuses every connection: a run that got as
# far as grading would end in exit 3 and name 127.0.0.1:1.
dead="$LIB_TMP/dead.kubeconfig"
cat >"$dead" <<'EOF2'
apiVersion: v1
kind: Config
current-context: dead
clusters:
- name: dead
  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
users:
- name: dead
  user: {token: not-a-secret}
contexts:
- name: dead
  context: {cluster: dead, user: dead}
EOF2
run_lg all --kubeconfig "$dead" --json "$LIB_TMP/no-such-dir/r.json"
expect_eq "--json in a missing directory: exit 2" 2 "$LG_RC"
expect_contains "--json in a missing directory: the path named" \
	"cannot write the report '$LIB_TMP/no-such-dir/r.json': the directory '$LIB_TMP/no-such-dir' does not exist" "$LG_ERR"
case "$LG_ERR$LG_OUT" in
*127.0.0.1:1* | *istio-install*) not_ok "bad --json: nothing graded first: $LG_ERR" ;;
*) ok "bad --json: nothing graded first" ;;
esac
run_lg all --kubeconfig "$dead" --junit "$LIB_TMP"
expect_eq "--junit naming a directory: exit 2" 2 "$LG_RC"
expect_contains "--junit naming a directory: said" "is a directory" "$LG_ERR"
run_lg all --kubeconfig "$dead" --markdown "$LIB_TMP/same" --json "$LIB_TMP/same"
expect_eq "two reports to one file: exit 2" 2 "$LG_RC"
expect_contains "two reports to one file: named" \
	"two reports would go to '$LIB_TMP/same'" "$LG_ERR"
for url in notaurl ftp://192.0.2.1/ http:// "http://user:pw@192.0.2.1/"; do
	run_lg all --kubeconfig "$dead" --gateway-url "$url"
	expect_eq "--gateway-url $url: exit 2" 2 "$LG_RC"
	expect_contains "--gateway-url $url: says what it needs" \
		"--gateway-url needs an http:// or https:// URL" "$LG_ERR"
done

# An exec credential plugin that hangs (its child holding stdout too) costs
# the request timeout once, not 30 s per request, and leaves no process.
hang="$LIB_TMP/hang.kubeconfig"
sed -e 's#user: {token: not-a-secret}#user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: "'"$SRCDIR"'/tests/data/exec/hangs.sh", interactiveMode: Never}}#' \
	"$dead" >"$hang"
export LG_EXEC_PIDFILE="$LIB_TMP/plugin.pid"
t0=$SECONDS
run_lg all --kubeconfig "$hang" --timeout 2 --no-journal
took=$((SECONDS - t0))
unset LG_EXEC_PIDFILE
expect_eq "hanging exec plugin: exit 3" 3 "$LG_RC"
expect_contains "hanging exec plugin: named, with the timeout" \
	"hangs.sh' did not finish its output within 2000 ms" "$(tr -s '\n ' ' ' <<<"$LG_OUT")$LG_ERR"
# 8 checks x 30 s before; now one timeout (2 s) and the 0.2 s grace
if [ "$took" -lt 15 ]; then
	ok "hanging exec plugin: one timeout, not one per request (${took} s)"
else
	not_ok "hanging exec plugin: took ${took} s"
fi
child=$(cat "$LIB_TMP/plugin.pid" 2>/dev/null)
if [ -n "$child" ] && ! ps -o stat= -p "$child" 2>/dev/null | grep -qv Z; then
	ok "hanging exec plugin: its child was stopped too"
else
	not_ok "hanging exec plugin: its child '$child' still runs"
	[ -n "$child" ] && kill "$child" 2>/dev/null
fi

# --- against a cluster ----------------------------------------------------
start_labsim complete --scenario "$(scenario complete)" || exit 1
run_lg check no-such-check --kubeconfig "$KC"
expect_eq "unknown check id: exit 2" 2 "$LG_RC"
expect_contains "unknown check id: named" "'no-such-check'" "$LG_ERR"

J="$LIB_TMP/check.json"
run_lg check sidecar-injection --kubeconfig "$KC" --json "$J"
expect_eq "check sidecar-injection: exit 0" 0 "$LG_RC"
expect_eq "check sidecar-injection: its prerequisite ran too" \
	"istio-install=pass sidecar-injection=pass" "$(verdict_list "$J")"

run_lg all --kubeconfig "$KC" --json - --lang es
expect_contains "--json -: JSON on stdout" '"results"' "$LG_OUT"
expect_contains "--json -: terminal view on stderr" "istio-install" "$LG_ERR"
expect_contains "--lang es: Spanish titles" "Instalación de Istio" "$LG_OUT"

J="$LIB_TMP/gwurl.json"
run_lg check gateway --kubeconfig "$KC" --gateway-url http://127.0.0.1:1 \
	--json "$J"
expect_eq "--gateway-url refusing: exit 3 (grader-side)" 3 "$LG_RC"
expect_eq "--gateway-url refusing: gateway error" error \
	"$(field "$J" gateway verdict)"
expect_contains "--gateway-url refusing: suggests the port-forward" \
	"port-forward" "$(field "$J" gateway message)"

# A password in the server URL is never shown: reports, terminal, messages.
pw="$LIB_TMP/pw.kubeconfig"
sed 's#server: https://#server: https://alice:s3cretPW@#' "$KC" >"$pw"
run_lg check istio-install --kubeconfig "$pw" --json "$LIB_TMP/pw.json" \
	--junit "$LIB_TMP/pw.xml" --markdown "$LIB_TMP/pw.md"
expect_eq "password in the server URL: graded" 0 "$LG_RC"
check "password in the server URL: shown as ***" \
	grep -q 'https://alice:\*\*\*@127.0.0.1' "$LIB_TMP/pw.json"
if grep -q s3cretPW "$LIB_TMP/pw.json" "$LIB_TMP/pw.xml" "$LIB_TMP/pw.md" ||
	grep -q s3cretPW <<<"$LG_OUT$LG_ERR"; then
	not_ok "password in the server URL: in no report and no output"
else
	ok "password in the server URL: in no report and no output"
fi
sed 's#server: https://[^ ]*#server: https://alice:s3cretPW@127.0.0.1:1#' \
	"$KC" >"$pw"
run_lg check istio-install --kubeconfig "$pw"
expect_eq "password in an unreachable server URL: exit 3" 3 "$LG_RC"
expect_contains "password in an unreachable server URL: the server named" \
	"https://alice:***@127.0.0.1:1" "$LG_OUT$LG_ERR"
if grep -q s3cretPW <<<"$LG_OUT$LG_ERR"; then
	not_ok "password in an unreachable server URL: not in the messages"
else
	ok "password in an unreachable server URL: not in the messages"
fi

# A report that cannot be written whole (the file size limit stands in for a
# full disk): exit 2 naming the file, the old report kept, no half file.
J="$LIB_TMP/out/full.json"
mkdir -p "$LIB_TMP/out"
echo OLD >"$J"
(
	trap '' XFSZ
	ulimit -f 8
	run_lg all --kubeconfig "$KC" --json "$J" --lang en
	echo "$LG_RC" >"$LIB_TMP/full.rc"
	printf '%s' "$LG_ERR" >"$LIB_TMP/full.err"
)
expect_eq "full disk: exit 2" 2 "$(cat "$LIB_TMP/full.rc")"
expect_contains "full disk: the file named" \
	"cannot write the report '$J': File too large" "$(cat "$LIB_TMP/full.err")"
expect_eq "full disk: the old report left as it was" OLD "$(cat "$J")"
expect_eq "full disk: no temporary file left" "full.json" \
	"$(ls -A "$LIB_TMP/out" | paste -sd' ' -)"

run_lg all --kubeconfig "$KC" --context no-such-context
expect_eq "unknown --context: exit 2" 2 "$LG_RC"
expect_contains "unknown --context: named" "no-such-context" "$LG_ERR"

# --- API faults: never a pass ---------------------------------------------
start_labsim slow --scenario "$(scenario complete)" --fault-latency 3000 ||
	exit 1
J="$LIB_TMP/slow.json"
run_lg check istio-install --kubeconfig "$KC" --timeout 1 --json "$J"
expect_eq "--timeout 1 on a 3 s API: exit 3" 3 "$LG_RC"
expect_eq "--timeout 1 on a 3 s API: error" error \
	"$(field "$J" istio-install verdict)"

start_labsim f5xx --scenario "$(scenario complete)" --fault-5xx 1 || exit 1
J="$LIB_TMP/f5xx.json"
run_lg all --kubeconfig "$KC" --json "$J"
expect_eq "5xx: exit 3" 3 "$LG_RC"
# egress-gateway is optional: the default rubric never runs it
v=$(verdict_list "$J" | sed 's/egress-gateway=skip//')
expect_contains "5xx: istio-install is an error" "istio-install=error" "$v"
case " $v" in
*=pass* | *=fail* | *=skip*) not_ok "5xx: every check an error: $v" ;;
*) ok "5xx: every check an error ($v)" ;;
esac

start_labsim ftrunc --scenario "$(scenario complete)" --fault-truncate 1 ||
	exit 1
J="$LIB_TMP/ftrunc.json"
run_lg all --kubeconfig "$KC" --json "$J"
expect_eq "truncated bodies: exit 3" 3 "$LG_RC"
case "$(verdict_list "$J")" in
*=pass*) not_ok "truncated bodies: no pass: $(verdict_list "$J")" ;;
*) ok "truncated bodies: no pass" ;;
esac

start_labsim expired --scenario "$(scenario complete)" --client-cert expired ||
	exit 1
J="$LIB_TMP/expired.json"
run_lg all --kubeconfig "$KC" --json "$J"
expect_eq "expired client certificate: exit 3" 3 "$LG_RC"
expect_contains "expired client certificate: message says so" "certificate" \
	"$(field "$J" istio-install message)$LG_ERR"

start_labsim forbid --scenario "$(scenario complete)" --forbid pods:bookinfo ||
	exit 1
J="$LIB_TMP/forbid.json"
run_lg all --kubeconfig "$KC" --json "$J"
expect_eq "RBAC forbids pods: exit 3" 3 "$LG_RC"
expect_eq "RBAC forbids pods: sidecar-injection error" error \
	"$(field "$J" sidecar-injection verdict)"
expect_contains "RBAC forbids pods: message says RBAC" "RBAC" \
	"$(field "$J" sidecar-injection message)"

#!/usr/bin/env bash
# test_student_loop.sh: a student's loop: `list`, `explain`, shell
# completion, and `watch` following kubectl applies to a new verdict,
# then leaving cleanly on Ctrl-C (SIGINT; the test build has ASan, so a
# leak fails the exit status).
. "$(dirname "$0")/lib.sh"

# --- list, explain: no cluster needed --------------------------------------
run_lg list --ids
expect_eq "list --ids: exit status" 0 "$LG_RC"
expect_eq "list --ids: lab order (objective number, then id)" \
	"istio-install sidecar-injection gateway request-routing" \
	"$(printf '%s\n' "$LG_OUT" | head -4 | tr '\n' ' ' | sed 's/ $//')"
run_lg --lang es list
expect_contains "list --lang es: Spanish title" "Enrutamiento de peticiones" "$LG_OUT"

run_lg --lang en explain request-routing
expect_eq "explain: exit status" 0 "$LG_RC"
expect_contains "explain: title and objective" \
	"request-routing: Request routing (objective 4)" "$LG_OUT"
expect_contains "explain: an assertion with its rubric points" \
	"2  test-v2-live: as jason" "$LG_OUT"
expect_contains "explain: the step's command" \
	"kubectl apply -n bookinfo -f samples/bookinfo/networking/virtual-service-reviews-test-v2.yaml" "$LG_OUT"
run_lg --lang es explain request-routing
expect_contains "explain --lang es: Spanish text" "Qué se comprueba" "$LG_OUT"
run_lg explain no-such-check
expect_eq "explain of an unknown id: exit 2" 2 "$LG_RC"
expect_contains "explain of an unknown id: says which" "'no-such-check'" "$LG_ERR"
run_lg explain
expect_eq "explain without an id: exit 2" 2 "$LG_RC"

run_lg watch --json -
expect_eq "watch with a report option: exit 2" 2 "$LG_RC"
expect_contains "watch with a report option: says why" "writes no reports" "$LG_ERR"
run_lg watch no-such-check --kubeconfig /nonexistent
expect_eq "watch of an unknown id: exit 2" 2 "$LG_RC"

# --- bash completion offers the ids and the commands ------------------------
COMP="$SRCDIR/contrib/completion/labgrade.bash"
bin_dir="$LIB_TMP/bin"
mkdir -p "$bin_dir"
ln -sf "$LABGRADE" "$bin_dir/labgrade"
comp() {
	PATH="$bin_dir:$PATH" bash -c 'source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _labgrade; echo "${COMPREPLY[*]}"' \
		_ "$COMP" "$@"
}
expect_eq "bash completion: check r<TAB> -> request-routing" \
	"request-routing" "$(comp labgrade check r)"
expect_contains "bash completion: every id after check" \
	"istio-install sidecar-injection gateway" "$(comp labgrade check '')"
expect_contains "bash completion: commands" "watch" "$(comp labgrade '')"
expect_eq "bash completion: --la<TAB>" "--lang" "$(comp labgrade --la)"
expect_eq "bash completion: --lang <TAB>" "es en" "$(comp labgrade --lang '')"
if command -v zsh >/dev/null; then
	check "zsh completion parses" zsh -n "$SRCDIR/contrib/completion/_labgrade"
fi

# --- watch ------------------------------------------------------------------
NET="$SRCDIR/fixtures/manifests"
# wait_for FILE PATTERN SECONDS: until grep -E finds PATTERN in FILE.
wait_for() {
	local i
	for i in $(seq 1 $(($3 * 10))); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

if start_labsim loop --time-scale 0.1 --scenario "$(scenario complete)"; then
	OUT="$LIB_TMP/watch.out" ERR="$LIB_TMP/watch.err"
	COLUMNS=100 NO_COLOR=1 "$LABGRADE" watch request-routing \
		--kubeconfig "$KC" --lang en >"$OUT" 2>"$ERR" &
	WPID=$!
	check "watch: first grade, the steps pending" \
		wait_for "$OUT" '^pending +request-routing' 120
	expect_eq "watch: one grade before any change" 1 \
		"$(grep -c '^Total:' "$OUT")"
	kc apply -n bookinfo -f "$NET/destination-rule-all.yaml" >/dev/null
	kc apply -n bookinfo -f "$NET/virtual-service-all-v1.yaml" >/dev/null
	check "watch: all-v1 applied -> graded again, its points earned" \
		wait_for "$OUT" '^pending +request-routing +6/10' 120
	kc apply -n bookinfo -f "$NET/virtual-service-reviews-test-v2.yaml" >/dev/null
	check "watch: test-v2 applied -> pass (all-v1 from the journal)" \
		wait_for "$OUT" '^pass +request-routing +10/10' 120
	check "watch: no line wider than COLUMNS" \
		awk 'length($0) > 100 { exit 1 }' "$OUT"
	check "watch: no carriage return when not a terminal" \
		bash -c "! grep -q $'\r' '$OUT'"
	kill -INT "$WPID"
	wait "$WPID"
	expect_eq "watch: Ctrl-C leaves with status 0 (no leak under ASan)" \
		0 "$?"
	if [ -s "$ERR" ]; then
		not_ok "watch: nothing on stderr"; sed 's/^/    /' "$ERR" | head -40
	else
		ok "watch: nothing on stderr"
	fi
	run_lg check request-routing --kubeconfig "$KC" --lang en
	expect_eq "the journal watch wrote counts for check too" 0 "$LG_RC"
fi

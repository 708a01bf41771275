#!/usr/bin/env bash
# test_hostile_input.sh: kubeconfig credentials read as client-go reads them
# (a readable tokenFile wins over token and is re-read, token is the
# fallback; a certificate given as file and data is refused as kubectl
# refuses it), and hostile kubeconfig text reaches stderr harmless.
. "$(dirname "$0")/lib.sh"

start_labsim auth --auth token --scenario "$(scenario complete)" || exit 1
TOKEN=$(awk '$1 == "token:" { print $2 }' "$KC")
if [ -z "$TOKEN" ]; then
	not_ok "labsim's kubeconfig has a token"
	exit 1
fi

# kc_with FILE USER-LINES: KC with its user's fields replaced by the lines.
kc_with() {
	python3 - "$KC" "$1" "$2" <<'PY'
import sys
src, dst, user = sys.argv[1], sys.argv[2], sys.argv[3]
out, skip = [], False
for line in open(src).read().splitlines():
    if line.strip() == "user:" and line.startswith("  "):
        out.append(line)
        out.extend("    " + l for l in user.split("\n"))
        skip = True
        continue
    if skip and line.startswith("    "):
        continue
    skip = False
    out.append(line)
open(dst, "w").write("\n".join(out) + "\n")
PY
}

TF="$LIB_TMP/token-file"
printf '%s\n' "$TOKEN" >"$TF"
K="$LIB_TMP/both.kubeconfig"
kc_with "$K" "token: wrong-token
tokenFile: $TF"
run_lg check istio-install --kubeconfig "$K" --no-journal
expect_eq "token and a readable tokenFile: the file wins" 0 "$LG_RC"

kc_with "$K" "token: $TOKEN
tokenFile: $LIB_TMP/no-such-token-file"
run_lg check istio-install --kubeconfig "$K" --no-journal
expect_eq "tokenFile unreadable: token is the fallback" 0 "$LG_RC"

kc_with "$K" "token: $TOKEN
tokenFile: $TF"
printf 'rotated-away\n' >"$TF"
run_lg check istio-install --kubeconfig "$K" --no-journal
expect_eq "a readable tokenFile with another token: sent, no fallback" 3 \
	"$LG_RC"

kc_with "$K" "client-certificate: /tmp/client.crt
client-certificate-data: TFMwdExTMUNSVWRKVGlCRFJWSlU=
client-key-data: TFMwdExTMUNSVWRKVGlCRFJWSlU="
run_lg check istio-install --kubeconfig "$K" --no-journal
expect_eq "certificate as file and data: exit 2" 2 "$LG_RC"
expect_contains "certificate as file and data: kubectl's words" \
	"client-cert-data and client-cert are both specified for" "$LG_ERR"

# Hostile text in the kubeconfig: clear screen, OSC 52, CR/LF with a forged
# line, C1 CSI raw and in UTF-8, a bidi override. YAML takes controls only
# as escapes in double quotes ($HY); the command line takes them raw ($H).
H=$(printf 'x\033[2J\033]52;c;ZXZpbA==\007\r\nlabgrade: forged\302\2332J\342\200\256y')
HY='x\e[2J\e]52;c;ZXZpbA==\a\r\nlabgrade: forged\u009b2J\x9b2J\u202ey'
cat >"$LIB_TMP/hostile.kubeconfig" <<YAML
apiVersion: v1
kind: Config
current-context: "$HY"
contexts:
- name: a
  context: {cluster: a}
clusters:
- name: a
  cluster: {server: "https://127.0.0.1:1/$HY"}
YAML
sed 's/^current-context: .*/current-context: a/' \
	"$LIB_TMP/hostile.kubeconfig" >"$LIB_TMP/hostile-url.kubeconfig"
run_lg check istio-install --kubeconfig "$LIB_TMP/hostile-url.kubeconfig" \
	--no-journal
expect_contains "hostile server URL: named" "https://127.0.0.1:1/x" "$LG_ERR"
if printf '%s' "$LG_ERR" | LC_ALL=C grep -q $'\033\\|\r\\|\302\233\\|\342\200\256'; then
	not_ok "hostile server URL: stderr has a control"
else
	ok "hostile server URL: stderr has no control"
fi
for ctx in "" "--context=$H"; do
	run_lg check istio-install --kubeconfig "$LIB_TMP/hostile.kubeconfig" \
		${ctx:+"$ctx"} --no-journal
	case $LG_RC in 2 | 3) ok "hostile kubeconfig ${ctx:+(--context)}: exit $LG_RC" ;;
	*) not_ok "hostile kubeconfig ${ctx:+(--context)}: exit $LG_RC" ;;
	esac
	if printf '%s' "$LG_ERR" | LC_ALL=C grep -q $'\033\\|\r\\|\302\233\\|\342\200\256'; then
		not_ok "hostile kubeconfig ${ctx:+(--context)}: stderr has a control: $(printf '%s' "$LG_ERR" | od -c | head -5)"
	else
		ok "hostile kubeconfig ${ctx:+(--context)}: stderr has no control"
	fi
	expect_eq "hostile kubeconfig ${ctx:+(--context)}: no forged line" 0 \
		"$(printf '%s\n' "$LG_ERR" | grep -c '^labgrade: forged')"
done

#!/bin/sh
# A credential plugin: checks what it was given, counts its runs, prints a token.
[ "$1" = "--flag" ] && [ "$2" = "two words" ] || exit 3
[ "$LG_TEST_ENV" = "from-kubeconfig" ] || exit 4
[ -n "$LG_EXEC_LOG" ] && printf '%s\n' "$KUBERNETES_EXEC_INFO" >>"$LG_EXEC_LOG"
cat <<'JSON'
{"kind": "ExecCredential",
 "apiVersion": "client.authentication.k8s.io/v1",
 "status": {"token": "exec-SECRET-token", "expirationTimestamp": "2999-01-01T00:00:00Z"}}
JSON

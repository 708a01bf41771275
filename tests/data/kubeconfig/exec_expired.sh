#!/bin/sh
# A credential plugin whose token has already expired: never cached.
[ -n "$LG_EXEC_LOG" ] && printf '%s\n' "$KUBERNETES_EXEC_INFO" >>"$LG_EXEC_LOG"
cat <<'JSON'
{"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1beta1",
 "status": {"clientCertificateData": "CERT-PEM", "clientKeyData": "KEY-SECRET-PEM",
            "expirationTimestamp": "2001-02-03T04:05:06.789+01:00"}}
JSON

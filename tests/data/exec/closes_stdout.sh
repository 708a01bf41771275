#!/bin/sh
# A credential plugin that prints a valid answer, closes stdout, starts a
# child (its pid in $LG_EXEC_PIDFILE) and never exits.
cat <<'JSON'
{"kind": "ExecCredential",
 "apiVersion": "client.authentication.k8s.io/v1",
 "status": {"token": "hang-SECRET-token"}}
JSON
exec >&-
sleep 60 &
echo $! >"$LG_EXEC_PIDFILE"
wait

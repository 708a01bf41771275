#!/bin/sh
# A credential plugin that ignores SIGTERM: only SIGKILL stops it.
trap '' TERM
sleep 60 &
echo $! >"$LG_EXEC_PIDFILE"
while :; do sleep 1; done

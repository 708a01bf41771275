#!/bin/sh
# A credential plugin that hangs with stdout open, and whose child (its pid
# in $LG_EXEC_PIDFILE) holds stdout too.
sleep 60 &
echo $! >"$LG_EXEC_PIDFILE"
sleep 60

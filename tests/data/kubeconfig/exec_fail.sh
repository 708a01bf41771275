#!/bin/sh
# A credential plugin that prints a secret-looking line, then fails.
echo "fail-SECRET-stdout"
echo "exec_fail.sh: no credentials today" >&2
exit 7

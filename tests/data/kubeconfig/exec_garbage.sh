#!/bin/sh
# A credential plugin that prints something that is not an ExecCredential.
echo "garbage-SECRET-output {"

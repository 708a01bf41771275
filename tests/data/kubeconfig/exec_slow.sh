#!/bin/sh
# A credential plugin that never finishes in time.
exec sleep 30

#!/bin/sh
# The command picks the role: api | bridge | worker (production), sandbox (the demo's Google emulator and sample
# gallery). Anything else runs as given (e.g. `sh` for debugging). `exec` makes node PID 1, so it gets SIGTERM.
set -e
case "$1" in
  api | bridge | worker)
    role="$1"
    shift
    exec node "/app/dist/src/$role/main.js" "$@"
    ;;
  sandbox)
    shift
    exec node /app/dist/scripts/sandbox-services.js "$@"
    ;;
esac
exec "$@"

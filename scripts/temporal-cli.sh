#!/usr/bin/env bash
# Prints the path of a Temporal CLI, building the pinned version with `go install` when none is found.
# Order: $TEMPORAL_CLI, `temporal` on PATH, the cache outside the clone (reused by later runs and CI).
set -euo pipefail
VERSION=1.5.1
if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "$TEMPORAL_CLI" ]; then echo "$TEMPORAL_CLI"; exit 0; fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
CACHE="${CLOUD_ARCHIVE_TOOLS:-$HOME/.cache/cloud-archive}/temporal-v$VERSION"
if [ ! -x "$CACHE/temporal" ]; then
  command -v go >/dev/null 2>&1 || { echo "Temporal CLI not found and Go is not installed to build it (set TEMPORAL_CLI)" >&2; exit 1; }
  mkdir -p "$CACHE"
  # One build at a time: test runs started together on a fresh machine wait for the first one's build.
  exec 9>"$CACHE/.build-lock"
  flock 9
  if [ ! -x "$CACHE/temporal" ]; then
    echo "building Temporal CLI v$VERSION into $CACHE (a few minutes, once)..." >&2
    # v1.5.1 is the newest tag without a `replace` directive, which `go install` refuses.
    GOBIN="$CACHE" CGO_ENABLED=0 go install \
      -ldflags "-s -w -X github.com/temporalio/cli/temporalcli.Version=$VERSION" \
      "github.com/temporalio/cli/cmd/temporal@v$VERSION" >&2
  fi
fi
echo "$CACHE/temporal"

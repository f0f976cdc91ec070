#!/usr/bin/env bash
# Fetches what the deployment checks (test/deploy) need, pinned, into the cache outside the clone, and prints
# `NAME=path` lines for them. Run by .ci/run before `npm test`; the tests themselves never download anything.
#   kustomize      built with `go install` (its module has no `replace` directive)
#   k8s-openapi    Kubernetes' own OpenAPI v2 spec, from the k8s.io/kubernetes module of the pinned release
#   compose-spec   the Compose specification schema that Docker Compose embeds (compose-go module)
#   keda-crds      KEDA's CustomResourceDefinitions (the keda-temporal-scaler component, on in prod)
#   prom-op-crds   the Prometheus Operator's PodMonitor CRD (the optional prometheus-operator component)
# Usage: scripts/deploy-tools.sh [--offline]   (--offline: fail instead of fetching what is missing)
set -euo pipefail
KUSTOMIZE_VERSION=v5.8.1
KUBERNETES_VERSION=v1.35.4  # the oldest Kubernetes minor still supported upstream when this was written
COMPOSE_GO_VERSION=v2.16.2
KEDA_VERSION=v2.21.0
PROMETHEUS_OPERATOR_VERSION=v0.85.0
CACHE="${CLOUD_ARCHIVE_TOOLS:-$HOME/.cache/cloud-archive}"
OFFLINE=false
[ "${1:-}" = "--offline" ] && OFFLINE=true

need() { # need <what> <path>: true when present; else fails in offline mode, or says it will fetch
  [ -e "$2" ] && return 0
  if $OFFLINE; then echo "$1 missing at $2: run bash scripts/deploy-tools.sh" >&2; exit 1; fi
  command -v go >/dev/null 2>&1 || { echo "$1 missing and Go is not installed to fetch it" >&2; exit 1; }
  echo "fetching $1 into $CACHE (once)..." >&2
  return 1
}

# Copies one file out of a module from the Go module proxy (the module cache keeps the download).
module_file() { # module_file <module@version> <path in module> <destination>
  local dir scratch
  scratch=$(mktemp -d)  # outside any Go module, so nothing's go.mod is touched
  dir=$(cd "$scratch" && go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  rmdir "$scratch"
  [ -n "$dir" ] && [ -f "$dir/$2" ] || { echo "$2 not found in $1" >&2; exit 1; }
  mkdir -p "$(dirname "$3")"
  cp "$dir/$2" "$3.tmp" && mv "$3.tmp" "$3"
}

KUSTOMIZE="$CACHE/kustomize-$KUSTOMIZE_VERSION/kustomize"
if ! need "kustomize $KUSTOMIZE_VERSION" "$KUSTOMIZE"; then
  GOBIN="$(dirname "$KUSTOMIZE")" CGO_ENABLED=0 go install -ldflags "-s -w" "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2
fi

OPENAPI="$CACHE/kubernetes-$KUBERNETES_VERSION/swagger.json"
need "Kubernetes $KUBERNETES_VERSION OpenAPI spec" "$OPENAPI" || module_file "k8s.io/kubernetes@$KUBERNETES_VERSION" api/openapi-spec/swagger.json "$OPENAPI"

COMPOSE_SPEC="$CACHE/compose-go-$COMPOSE_GO_VERSION/compose-spec.json"
need "Compose specification schema ($COMPOSE_GO_VERSION)" "$COMPOSE_SPEC" || module_file "github.com/compose-spec/compose-go/v2@$COMPOSE_GO_VERSION" schema/compose-spec.json "$COMPOSE_SPEC"

KEDA_CRDS="$CACHE/keda-$KEDA_VERSION"
need "KEDA $KEDA_VERSION CRDs" "$KEDA_CRDS/keda.sh_scaledobjects.yaml" \
  || module_file "github.com/kedacore/keda/v2@$KEDA_VERSION" config/crd/bases/keda.sh_scaledobjects.yaml "$KEDA_CRDS/keda.sh_scaledobjects.yaml"

PROMETHEUS_OPERATOR_CRDS="$CACHE/prometheus-operator-$PROMETHEUS_OPERATOR_VERSION"
need "Prometheus Operator $PROMETHEUS_OPERATOR_VERSION PodMonitor CRD" "$PROMETHEUS_OPERATOR_CRDS/monitoring.coreos.com_podmonitors.yaml" \
  || module_file "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml "$PROMETHEUS_OPERATOR_CRDS/monitoring.coreos.com_podmonitors.yaml"

echo "KUSTOMIZE=$KUSTOMIZE"
echo "KUBERNETES_OPENAPI=$OPENAPI"
echo "KUBERNETES_VERSION=$KUBERNETES_VERSION"
echo "COMPOSE_SPEC=$COMPOSE_SPEC"
echo "KEDA_CRDS=$KEDA_CRDS"
echo "PROMETHEUS_OPERATOR_CRDS=$PROMETHEUS_OPERATOR_CRDS"

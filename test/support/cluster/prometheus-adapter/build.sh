#!/usr/bin/env bash
# Builds prometheus-adapter (sigs.k8s.io/prometheus-adapter, the custom.metrics.k8s.io server that reads
# Prometheus) from source through the Go module proxy, in its own module here: its Kubernetes libraries
# are older than the control plane's, so it cannot share ../go.mod. The binary is cached in a folder keyed
# by the version and a hash of this folder's files. Prints the binary's path on stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
export GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"

version=$(sed -nE 's/^(require)?[[:space:]]*sigs\.k8s\.io\/prometheus-adapter (v[^ ]+).*/\2/p' "$here/go.mod" | head -1)
sum=$(cat "$here/go.mod" "$here/go.sum" "$here/tools.go" "$here/build.sh" | sha256sum | cut -c1-12)
out="${MDL_CLUSTER_CACHE:-$repo/.cache/cluster}/bin/prometheus-adapter-$version.$sum"
if [[ ! -x "$out/prometheus-adapter" ]]; then
  mkdir -p "$out.tmp"
  start=$(date +%s)
  echo "building prometheus-adapter $version ..." >&2
  # nice: the build shares the machine's cores with everything else running.
  (cd "$here" && nice -n 10 go build -trimpath -ldflags "-s -w" -o "$out.tmp/prometheus-adapter" sigs.k8s.io/prometheus-adapter/cmd/adapter)
  rm -rf "$out" && mv "$out.tmp" "$out"
  echo "built prometheus-adapter in $(($(date +%s) - start)) s" >&2
fi
echo "$out/prometheus-adapter"

#!/usr/bin/env bash
# Builds the test control plane's binaries (kube: apiserver/controller-manager/scheduler, etcd, kwok,
# metrics-server) from source through the Go module proxy, into a cache folder keyed by the pinned
# versions and the sources here. Reuses Go's module and build caches, so a rebuild after a fresh clone
# on the same machine is mostly linking. Prints the binary folder on stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
export GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"

ver() { awk -v m="$1" '$1==m{print $2; exit}' "$here/go.mod"; }
k8s=$(ver k8s.io/kubernetes); etcd=$(ver go.etcd.io/etcd/server/v3); kwok=$(ver sigs.k8s.io/kwok); ms=$(ver sigs.k8s.io/metrics-server)
# Key: the versions plus a hash of everything that decides the binaries' content.
sum=$(cat "$here/go.mod" "$here/go.sum" "$here/build.sh" "$here"/cmd/*/main.go | sha256sum | cut -c1-12)
key="k8s-$k8s.etcd-$etcd.kwok-$kwok.ms-$ms.$sum"
out="${MDL_CLUSTER_CACHE:-$repo/.cache/cluster}/bin/$key"
names=(kube etcd kwok metrics-server)

missing=()
for n in "${names[@]}"; do [[ -x "$out/$n" ]] || missing+=("$n"); done
if ((${#missing[@]})); then
  mkdir -p "$out.tmp"
  major=${k8s#v}; major=${major%%.*}; minor=${k8s#v*.}; minor=${minor%%.*}
  vpkg=k8s.io/component-base/version
  ld="-s -w -X $vpkg.gitVersion=$k8s -X $vpkg.gitMajor=$major -X $vpkg.gitMinor=$minor -X $vpkg.gitTreeState=clean"
  pkgs=(); for n in "${missing[@]}"; do pkgs+=("./cmd/$n"); done
  start=$(date +%s)
  echo "building ${missing[*]} ($key) ..." >&2
  # nice: the build shares the machine's cores with everything else running.
  (cd "$here" && nice -n 10 go build -trimpath -ldflags "$ld" -o "$out.tmp/" "${pkgs[@]}")
  for n in "${missing[@]}"; do mv "$out.tmp/$n" "$out.tmp/$n.bin"; done
  mkdir -p "$out"
  for n in "${missing[@]}"; do mv "$out.tmp/$n.bin" "$out/$n"; done
  rmdir "$out.tmp"
  echo "built in $(( $(date +%s) - start ))s" >&2
fi
echo "$out"

#!/usr/bin/env bash
# Builds the test control plane's binaries (kube: apiserver/controller-manager/scheduler/kubelet, etcd,
# kwok, metrics-server) and the real node's container runtime (containerd, its runc shim, ctr, runc) from
# source through the Go module proxy, into a cache folder keyed by the pinned versions and the sources
# here. Reuses Go's module and build caches, so a rebuild after a fresh clone on the same machine is mostly
# linking. Prints the binary folder on stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
export GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"

# The node's runtime is not linked into this module (its own go.mod decides its dependencies), so its
# versions are pinned here: containerd 2.3 is in Kubernetes 1.36's support matrix, runc 1.4.3 is what
# containerd 2.3.4's CI pins.
containerd=v2.3.4 runc=v1.4.3
# Prometheus 3.16 (module versions are v0.3xx for 3.x), for its Kubernetes service discovery.
prometheus=v0.316.0

ver() { awk -v m="$1" '$1==m{print $2; exit}' "$here/go.mod"; }
k8s=$(ver k8s.io/kubernetes); etcd=$(ver go.etcd.io/etcd/server/v3); kwok=$(ver sigs.k8s.io/kwok); ms=$(ver sigs.k8s.io/metrics-server)
# Key: the versions plus a hash of everything that decides the binaries' content.
sum=$(cat "$here/go.mod" "$here/go.sum" "$here/build.sh" "$here"/cmd/*/main.go | sha256sum | cut -c1-12)
key="k8s-$k8s.etcd-$etcd.kwok-$kwok.ms-$ms.containerd-$containerd.runc-$runc.prom-$prometheus.$sum"
out="${MDL_CLUSTER_CACHE:-$repo/.cache/cluster}/bin/$key"
names=(kube etcd kwok metrics-server)
runtime=(containerd containerd-shim-runc-v2 ctr runc prometheus)

missing=()
for n in "${names[@]}"; do [[ -x "$out/$n" ]] || missing+=("$n"); done
runtime_missing=()
for n in "${runtime[@]}"; do [[ -x "$out/$n" ]] || runtime_missing+=("$n"); done
if ((${#missing[@]} + ${#runtime_missing[@]})); then
  mkdir -p "$out.tmp"
  major=${k8s#v}; major=${major%%.*}; minor=${k8s#v*.}; minor=${minor%%.*}
  vpkg=k8s.io/component-base/version
  ld="-s -w -X $vpkg.gitVersion=$k8s -X $vpkg.gitMajor=$major -X $vpkg.gitMinor=$minor -X $vpkg.gitTreeState=clean"
  pkgs=(); for n in "${missing[@]}"; do pkgs+=("./cmd/$n"); done
  start=$(date +%s)
  echo "building ${missing[*]} ${runtime_missing[*]} ($key) ..." >&2
  # nice: the build shares the machine's cores with everything else running.
  if ((${#missing[@]})); then
    (cd "$here" && nice -n 10 go build -trimpath -ldflags "$ld" -o "$out.tmp/" "${pkgs[@]}")
  fi
  if ((${#runtime_missing[@]})); then
    # `go install pkg@version` builds with that module's own go.mod; GOBIN puts the binaries in the cache.
    cdv=github.com/containerd/containerd/v2 cdld="-s -w -X github.com/containerd/containerd/v2/version.Version=${containerd#v}"
    (cd "$out.tmp" && GOFLAGS= GOBIN="$out.tmp" nice -n 10 go install -trimpath \
      -tags "no_btrfs no_devmapper no_zfs urfave_cli_no_docs" -ldflags "$cdld" \
      "$cdv/cmd/containerd@$containerd" "$cdv/cmd/ctr@$containerd")
    # The shim as containerd's Makefile builds it: static, without grpc (it speaks ttrpc).
    (cd "$out.tmp" && GOFLAGS= GOBIN="$out.tmp" nice -n 10 go install -trimpath \
      -tags "no_grpc urfave_cli_no_docs" -ldflags "$cdld" "$cdv/cmd/containerd-shim-runc-v2@$containerd")
    # runc needs cgo (libcontainer/nsenter) and links libseccomp (Debian: libseccomp-dev, pkg-config).
    (cd "$out.tmp" && GOFLAGS= GOBIN="$out.tmp" CGO_ENABLED=1 nice -n 10 go install -trimpath \
      -tags "seccomp urfave_cli_no_docs" -ldflags "-s -w -X main.version=${runc#v}" \
      "github.com/opencontainers/runc@$runc")
    # Without the builtinassets tag the web UI is left out; the HTTP API the tests use is all there.
    (cd "$out.tmp" && GOFLAGS= GOBIN="$out.tmp" nice -n 10 go install -trimpath -ldflags "-s -w" \
      "github.com/prometheus/prometheus/cmd/prometheus@$prometheus")
  fi
  built=("${missing[@]}" "${runtime_missing[@]}")
  for n in "${built[@]}"; do mv "$out.tmp/$n" "$out.tmp/$n.bin"; done
  mkdir -p "$out"
  for n in "${built[@]}"; do mv "$out.tmp/$n.bin" "$out/$n"; done
  rmdir "$out.tmp"
  echo "built in $(( $(date +%s) - start ))s" >&2
fi
echo "$out"

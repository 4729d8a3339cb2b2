#!/usr/bin/env bash
# Regenerates go.mod's replace block from the `require k8s.io/<staging> v0.0.0` lines of the pinned
# k8s.io/kubernetes go.mod: kubernetes requires its staging modules at v0.0.0, which no proxy serves.
set -euo pipefail
cd "$(dirname "$0")"
export GOTOOLCHAIN=local
k8s=$(awk '$1=="k8s.io/kubernetes"{print $2}' go.mod)
staging="v0${k8s#v1}"   # v1.36.3 -> v0.36.3
mod=$(go mod download -json "k8s.io/kubernetes@$k8s" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
{
  sed '/^replace (/,$d' go.mod
  echo "replace ("
  grep -E '^\s+k8s.io/[a-z0-9-]+ v0.0.0$' "$mod" | awk '{print $1}' | sort -u | while read -r m; do
    printf '\t%s => %s %s\n' "$m" "$m" "$staging"
  done
  echo ")"
} > go.mod.new
mv go.mod.new go.mod

#!/usr/bin/env bash
# The tests on a fresh machine, set-up included (README "Set-up"; .ci/run runs exactly this):
#  1. the Debian packages in scripts/system-packages.txt that are missing, through apt-get (as root, or sudo);
#  2. checks that Go (for the test control plane, test/support/cluster) is new enough: go.mod names it;
#  3. `npm ci` when node_modules is missing or was installed from another package-lock.json;
#  4. `npm test` (build, typecheck, unit, integration, e2e, cluster tests).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '== %s\n' "$*"; }

# 1. Debian packages.
mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' scripts/system-packages.txt)
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then as_root=(); elif command -v sudo >/dev/null; then as_root=(sudo); else
    echo "scripts/test.sh: missing Debian packages ${missing[*]}, and this is neither root nor has sudo." >&2
    echo "  Install them (apt-get install ${missing[*]}) and run this again." >&2
    exit 2
  fi
  say "apt-get install ${missing[*]} (from scripts/system-packages.txt)"
  "${as_root[@]}" apt-get update -qq >/dev/null
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages present: ${packages[*]}"
fi

# 2. Go: the cluster tests build their control plane from source with it.
[ -x /usr/local/go/bin/go ] && case ":$PATH:" in *:/usr/local/go/bin:*) ;; *) PATH="$PATH:/usr/local/go/bin" ;; esac
want_go=$(awk '$1 == "go" { print $2; exit }' test/support/cluster/go.mod)
have_go=$(go env GOVERSION 2>/dev/null | sed 's/^go//' || true)
if [ -z "$have_go" ] || [ "$(printf '%s\n%s\n' "$want_go" "$have_go" | sort -V | head -1)" != "$want_go" ]; then
  echo "scripts/test.sh: the cluster tests need Go $want_go or newer (test/support/cluster/go.mod); found: ${have_go:-none}." >&2
  echo "  Install Go $want_go+ (e.g. in /usr/local/go, which this script puts on PATH) and run this again." >&2
  exit 2
fi
say "go $have_go, node $(node --version) (npm test runs on the project's own Node, a devDependency)"

# 3. Dependencies: npm ci when node_modules is missing or stale. The lockfile's hash is kept in
#    node_modules after an install, so a changed package-lock.json (a pull, a branch switch) reinstalls.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.mdl-installed-lock
if [ -L node_modules ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  if [ -L node_modules ]; then
    say "node_modules is a link to another checkout: used as it is"
  else
    say "npm ci (node_modules $([ -d node_modules ] && echo stale || echo missing))"
    npm ci --no-audit --no-fund
    echo "$lock_hash" > "$stamp"
  fi
else
  say "node_modules is up to date with package-lock.json"
fi

# 4. The tests.
say "npm test"
exec npm test

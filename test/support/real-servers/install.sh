#!/usr/bin/env bash
# Installs the real third-party model servers the real-server tests start (issue 17):
#   MLServer + mlserver-sklearn (KServe v2) and llama-cpp-python's OpenAI-compatible server (+ gguf, to write
#   the tiny model the tests build themselves). One Python venv under .cache/real-servers, keyed by the pinned
#   versions: a second run with the same pins returns at once; changing a pin rebuilds.
# Usage: test/support/real-servers/install.sh   (prints the venv's python path on the last line)
set -euo pipefail
cd "$(dirname "$0")/../../.."

# The pins. The key below is derived from them, so editing one is enough to force a fresh venv.
PYTHON="${MDL_REAL_SERVERS_PYTHON:-python3}"
PKGS=(
  "mlserver==1.7.1"
  "mlserver-sklearn==1.7.1"
  # MLServer 1.7.1's inference workers call asyncio.get_event_loop() at start, which uvloop 0.22+ refuses.
  "uvloop==0.21.0"
  "scikit-learn"
  "joblib"
  "llama-cpp-python[server]==0.3.36"
  "gguf"
  "numpy"
)
# CPU-only, portable, no tests/examples/tools and no multimodal library (LLAVA_BUILD: mtmd, a third of the
# compile): the server only needs libllama and ggml. -j2: this builds on small CI boxes.
export CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_BLAS=OFF \
-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF -DLLAVA_BUILD=OFF"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
export MAKEFLAGS="${MAKEFLAGS:--j2}"

ROOT=.cache/real-servers
PYVER="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
KEY="$(printf '%s\n' "py$PYVER" "${PKGS[@]}" "$CMAKE_ARGS" | sha256sum | cut -c1-12)"
VENV="$ROOT/venv-$KEY"
mkdir -p "$ROOT"

# One installer at a time (parallel test runs share the cache).
exec 9>"$ROOT/.lock"
flock 9

if [ -f "$VENV/.installed" ]; then
  echo "$PWD/$VENV/bin/python"
  exit 0
fi

start=$(date +%s)
rm -rf "$VENV"
echo "== real servers: creating $VENV (python $PYVER; keyed by pins $KEY)" >&2
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip wheel setuptools >&2
nice "$VENV/bin/python" -m pip install -q "${PKGS[@]}" >&2
# Smoke: both servers import, the model writer imports.
"$VENV/bin/python" -c 'import mlserver, mlserver_sklearn, llama_cpp, llama_cpp.server, gguf, sklearn, joblib' >&2
printf '%s\n' "${PKGS[@]}" > "$VENV/.installed"
echo "== real servers: installed in $(( $(date +%s) - start ))s" >&2
# Older venvs (other pins) are dead weight.
for old in "$ROOT"/venv-*; do [ "$old" = "$VENV" ] || rm -rf "$old"; done
echo "$PWD/$VENV/bin/python"

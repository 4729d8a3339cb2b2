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
  "scikit-learn"
  "joblib"
  "llama-cpp-python[server]==0.3.36"
  "gguf"
  "numpy"
)
# CPU-only, portable, no tests/examples/tools: the server only needs libllama. -j2: this builds on small CI boxes.
export CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_BLAS=OFF \
-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF"
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

# llama.cpp's own C++ server (llama-server: parallel slots, Prometheus /metrics), built from the llama.cpp
# sources vendored in the pinned llama-cpp-python sdist, so both llama.cpp servers come from one pin.
build_llama_server() {
  local ver="${LLAMA_PIN#*==}" out="$VENV/llama-server"
  [ -x "$out/bin/llama-server" ] && return 0
  local t0; t0=$(date +%s)
  echo "== real servers: building llama-server from llama-cpp-python $ver's llama.cpp" >&2
  local src="$ROOT/src-llama-cpp-python-$ver"
  rm -rf "$src" && mkdir -p "$src"
  "$VENV/bin/python" -m pip download -q --no-deps --no-binary :all: "llama-cpp-python==$ver" -d "$src" >&2
  tar -xzf "$src"/llama_cpp_python-*.tar.gz -C "$src" --strip-components=1
  # shellcheck disable=SC2086 # CMAKE_ARGS is a list of -D flags
  nice cmake -S "$src/vendor/llama.cpp" -B "$src/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    $CMAKE_ARGS -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF >&2
  nice cmake --build "$src/build" --target llama-server -j "$CMAKE_BUILD_PARALLEL_LEVEL" >&2
  mkdir -p "$out/bin" && cp "$src/build/bin/llama-server" "$out/bin/"
  rm -rf "$src"
  echo "== real servers: llama-server built in $(( $(date +%s) - t0 ))s" >&2
}
LLAMA_PIN="$(printf '%s\n' "${PKGS[@]}" | grep '^llama-cpp-python' | sed 's/\[server\]//')"

if [ -f "$VENV/.installed" ]; then
  build_llama_server
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
build_llama_server
echo "== real servers: installed in $(( $(date +%s) - start ))s" >&2
# Older venvs (other pins) are dead weight.
for old in "$ROOT"/venv-*; do [ "$old" = "$VENV" ] || rm -rf "$old"; done
echo "$PWD/$VENV/bin/python"

#!/usr/bin/env bash
# Builds the uWebSockets anchor (EchoFanout.cpp) for bench/WsServer.LoadTest's --uws. uWebSockets and uSockets are
# not part of this repository: unpack them beside it (UWS_SRC, by default ../uws-src next to the repository, with
# uWebSockets/ and uSockets/ in it), for example from git clones of github.com/uNetworking/uWebSockets and of the
# uSockets commit its submodule names. Needs g++ (C++20), make and zlib's headers (Debian: g++ make zlib1g-dev).
# Writes the binary to UWS_OUT (default ../uws-build/uws-echo-fanout beside the repository) and prints its path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
src=${UWS_SRC:-$repo/../uws-src}
out=${UWS_OUT:-$repo/../uws-build/uws-echo-fanout}
for dir in "$src/uWebSockets/src" "$src/uSockets/src"; do
    [[ -d $dir ]] || { echo "build.sh: $dir is missing: unpack uWebSockets and uSockets into $src (see the top of this script)" >&2; exit 1; }
done
for tool in gcc g++; do command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing: apt-get install g++ make zlib1g-dev" >&2; exit 1; }; done
[[ -e /usr/include/zlib.h ]] || { echo "build.sh: zlib.h is missing: apt-get install zlib1g-dev" >&2; exit 1; }

objects=$(mktemp -d)
trap 'rm -rf "$objects"' EXIT
# As uWebSockets' own build: -O3, LTO, native code, no TLS.
flags=(-O3 -flto=auto -march=native -DLIBUS_NO_SSL)
for c in "$src"/uSockets/src/*.c "$src"/uSockets/src/eventing/*.c "$src"/uSockets/src/crypto/*.c; do
    gcc "${flags[@]}" -I"$src/uSockets/src" -c "$c" -o "$objects/$(basename "${c%.c}").o"
done
mkdir -p "$(dirname "$out")"
g++ "${flags[@]}" -std=c++20 -I"$src/uWebSockets/src" -I"$src/uSockets/src" "$here/EchoFanout.cpp" "$objects"/*.o -lz -pthread -o "$out"
echo "$out"

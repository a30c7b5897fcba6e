#!/usr/bin/env bash
# Runs every test. Checks first that the .NET 10 SDK is installed (it cannot install it). Installs whatever
# else the build and the interop and Redis tests need and the machine lacks: Debian's python3,
# python3-websockets, nodejs, npm, chromium, redis-server, redis-tools and openssl (as root, with apt-get,
# without recommended packages and without starting a system Redis), and the Node ws client (npm ci); not
# root, it names the packages in one line and stops. Prints the totals from the test results as one line:
# "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Nothing installs the SDK here (it is not a Debian package): say where it comes from, then stop.
sdks=$(dotnet --list-sdks 2>/dev/null || true)
if ! grep -q '^10\.' <<<"$sdks"; then
    echo "test.sh: the .NET 10 SDK is needed (dotnet --list-sdks shows no 10.x): install it from https://dotnet.microsoft.com/download/dotnet/10.0" >&2
    exit 1
fi

missing=()
command -v python3 >/dev/null || missing+=(python3)
/usr/bin/python3 -c 'import websockets' 2>/dev/null || missing+=(python3-websockets)
command -v node >/dev/null || missing+=(nodejs)
# NodeSource's nodejs bundles npm (and conflicts with Debian's); Debian's nodejs does not.
command -v npm >/dev/null || missing+=(npm)
command -v chromium >/dev/null || missing+=(chromium)
[[ -x /usr/bin/redis-server ]] || missing+=(redis-server)
[[ -x /usr/bin/redis-cli ]] || missing+=(redis-tools)
command -v openssl >/dev/null || missing+=(openssl)
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "test.sh: the tests need ${missing[*]}: run as root, or apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # The tests start their own redis-servers: keep the package from starting a system one.
    policy=/usr/sbin/policy-rc.d ours=
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && ours=1 && trap 'rm -f "$policy"' EXIT
    fi
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    [[ -z $ours ]] || { rm -f "$policy"; trap - EXIT; }
fi
[[ -d tests/interop-node/node_modules/ws ]] || npm ci --prefix tests/interop-node --no-audit --no-fund

rm -rf TestResults
set +e
dotnet test WsServer.slnx -c Release --logger trx --results-directory TestResults "$@"
status=$?
# The server suite twice more (the tests' servers read these variables): with every connection run on
# its epoll loop's thread, as wsserver runs its built-in handlers (ServerOptions.InlineIo), and on .NET's
# socket engine, as on platforms without the epoll transport (ServerOptions.EpollTransport = false).
for variant in WSTEST_INLINE_IO=1 WSTEST_TRANSPORT=sockets; do
    env "$variant" dotnet test tests/WsServer.Tests -c Release --no-build --logger trx \
        --results-directory "TestResults/${variant%%=*}" "$@"
    again=$?
    ((status == 0)) && status=$again
done
# And the RFC 6455 and RFC 7692 conformance, interop, echo, close, topic and streaming tests once more through ASP.NET
# Core: Kestrel accepts and upgrades, WsServer.AspNetCore hands each stream to the same server (WSTEST_HOST).
# Left out: what belongs to WsServer's own listener (its TLS, PROXY headers, raw HTTP parsing, worker slots).
suites=(Conformance Interop EchoTests CloseTests PubSub SendFromAnywhereTests Streaming)
filter=$(printf '|FullyQualifiedName~WsServer.Tests.%s' "${suites[@]}")
WSTEST_HOST=aspnetcore dotnet test tests/WsServer.Tests -c Release --no-build --logger trx \
    --results-directory TestResults/WSTEST_HOST --filter "(${filter:1})&FullyQualifiedName!~PythonTlsTests" "$@"
again=$?
((status == 0)) && status=$again
set -e

# The totals, from the TRX files rather than dotnet test's summary; a run that failed without a failed
# test (a project that did not build, a crashed test host) counts as one failure.
STATUS=$status python3 - <<'PY'
import glob, os
import xml.etree.ElementTree as ET

passed = failed = 0
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
files = glob.glob("TestResults/**/*.trx", recursive=True)
for path in files:
    counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
if not files:
    failed = 1
    print("no TRX results were written")
elif failed == 0 and os.environ["STATUS"] != "0":
    failed = 1
    print(f"dotnet test exited {os.environ['STATUS']} with no failed test: a build error or a crashed test host")
print(f"{passed} passed, {failed} failed")
PY
exit $status

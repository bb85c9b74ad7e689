#!/usr/bin/env bash
# Real-client Socket.IO protocol tests for Huddle: socket.io-client (Node) and
# python-socketio (Python), each over websocket-only and polling-only.
#
# Env:
#   HUDDLE_BIN   server binary (default: <repo>/target/debug/huddle); it is not built here
#   E2E_VENV     Python venv dir (default: <repo>/target/e2e-venv)
#   E2E_SUITES   which suites to run: "node python" (default), or one of them
#   E2E_WAIT_MS  per-wait timeout in the tests (default 10000)
#   E2E_SERVER_LOG=1  echo the server's output while the tests run
# Exits nonzero if installing or any test fails.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
export HUDDLE_BIN="${HUDDLE_BIN:-$REPO/target/debug/huddle}"
VENV="${E2E_VENV:-$REPO/target/e2e-venv}"
SUITES="${E2E_SUITES:-node python}"

if [[ ! -x "$HUDDLE_BIN" ]]; then
  echo "e2e-protocol: HUDDLE_BIN is not an executable: $HUDDLE_BIN (build it first, e.g. cargo build)" >&2
  exit 2
fi
if ! "$HUDDLE_BIN" serve --help >/dev/null 2>&1; then
  echo "e2e-protocol: '$HUDDLE_BIN serve --help' failed; is this the huddle server binary?" >&2
  exit 2
fi

status=0
results=()

for suite in $SUITES; do
  case "$suite" in
    node)
      echo "== e2e-protocol: node (socket.io-client) =="
      if (cd "$HERE/node" && npm ci --no-audit --no-fund --loglevel=error); then
        if (cd "$HERE/node" && npm test); then
          results+=("node=PASS")
        else
          results+=("node=FAIL"); status=1
        fi
      else
        echo "e2e-protocol: npm ci failed" >&2
        results+=("node=INSTALL-FAIL"); status=1
      fi
      ;;
    python)
      echo "== e2e-protocol: python (python-socketio) =="
      if { [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"; } &&
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/python/requirements.txt"; then
        if (cd "$HERE/python" && "$VENV/bin/python" -m pytest -p no:cacheprovider); then
          results+=("python=PASS")
        else
          results+=("python=FAIL"); status=1
        fi
      else
        echo "e2e-protocol: creating the venv or installing requirements failed" >&2
        results+=("python=INSTALL-FAIL"); status=1
      fi
      ;;
    *)
      echo "e2e-protocol: unknown suite '$suite'" >&2
      results+=("$suite=UNKNOWN"); status=1
      ;;
  esac
done

echo "e2e-protocol: ${results[*]}"
exit "$status"

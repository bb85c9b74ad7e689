#!/usr/bin/env bash
# Real-client Socket.IO protocol tests for Huddle: socket.io-client (Node) and
# python-socketio (Python), each over websocket-only and polling-only.
#
# The suites start their own servers, so they run side by side; each one's output is kept
# and printed, whole, when it finishes. With one suite (E2E_SUITES=node or python) or
# E2E_SERIAL=1, the output streams as the tests run.
#
# Env:
#   HUDDLE_BIN   server binary (default: <repo>/target/debug/huddle); it is not built here
#   E2E_VENV     Python venv dir (default: <repo>/target/e2e-venv)
#   E2E_SUITES   which suites to run: "node python" (default), or one of them
#   E2E_SERIAL=1 run the suites one after the other, streaming their output
#   E2E_SUITE_TIMEOUT_SECS  each suite's test run is killed after this long (default 1500)
#   E2E_WAIT_MS  how long a test waits for anything that must happen (default 20000)
#   E2E_SERVER_LOG=1  echo the servers' output while the tests run
# Exits nonzero if installing or any test fails (or a suite times out).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
export HUDDLE_BIN="${HUDDLE_BIN:-$REPO/target/debug/huddle}"
VENV="${E2E_VENV:-$REPO/target/e2e-venv}"
SUITES="${E2E_SUITES:-node python}"
SUITE_TIMEOUT="${E2E_SUITE_TIMEOUT_SECS:-1500}"

if [[ ! -x "$HUDDLE_BIN" ]]; then
  echo "e2e-protocol: HUDDLE_BIN is not an executable: $HUDDLE_BIN (build it first, e.g. cargo build)" >&2
  exit 2
fi
if ! "$HUDDLE_BIN" serve --help >/dev/null 2>&1; then
  echo "e2e-protocol: '$HUDDLE_BIN serve --help' failed; is this the huddle server binary?" >&2
  exit 2
fi

# One suite: installs its client, runs its tests under `timeout`. Exit status: 0 pass,
# 1 test failure, 3 install failure, 4 timed out, 5 unknown suite.
run_suite() {
  local suite="$1" rc
  case "$suite" in
    node)
      echo "== e2e-protocol: node (socket.io-client) =="
      (cd "$HERE/node" && npm ci --no-audit --no-fund --loglevel=error) || {
        echo "e2e-protocol: npm ci failed" >&2
        return 3
      }
      (cd "$HERE/node" && timeout -k 30 "$SUITE_TIMEOUT" npm test)
      rc=$?
      ;;
    python)
      echo "== e2e-protocol: python (python-socketio) =="
      { [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"; } &&
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/python/requirements.txt" || {
        echo "e2e-protocol: creating the venv or installing requirements failed" >&2
        return 3
      }
      (cd "$HERE/python" && timeout -k 30 "$SUITE_TIMEOUT" "$VENV/bin/python" -m pytest -p no:cacheprovider)
      rc=$?
      ;;
    *)
      echo "e2e-protocol: unknown suite '$suite'" >&2
      return 5
      ;;
  esac
  if [[ $rc -eq 124 || $rc -eq 137 ]]; then
    echo "e2e-protocol: $suite timed out after ${SUITE_TIMEOUT}s" >&2
    return 4
  fi
  [[ $rc -eq 0 ]] || return 1
}

verdict() {
  case "$1" in
    0) echo PASS ;; 1) echo FAIL ;; 3) echo INSTALL-FAIL ;; 4) echo TIMEOUT ;; 5) echo UNKNOWN ;; *) echo "FAIL($1)" ;;
  esac
}

status=0
results=()
started=$SECONDS
read -r -a suites <<<"$SUITES"

if [[ ${#suites[@]} -le 1 || "${E2E_SERIAL:-0}" == 1 ]]; then
  for suite in "${suites[@]}"; do
    t0=$SECONDS
    run_suite "$suite"
    rc=$?
    results+=("$suite=$(verdict $rc) ($((SECONDS - t0))s)")
    [[ $rc -eq 0 ]] || status=1
  done
else
  outdir="$(mktemp -d "${TMPDIR:-/tmp}/e2e-protocol.XXXXXX")"
  trap 'rm -rf "$outdir"' EXIT
  declare -A pid_of=()
  for suite in "${suites[@]}"; do
    run_suite "$suite" >"$outdir/$suite.log" 2>&1 &
    pid_of[$suite]=$!
    echo "e2e-protocol: $suite started (pid $!); its output follows when it finishes"
  done
  # Print each suite's output as soon as it finishes, in the order they finish.
  remaining=("${suites[@]}")
  while [[ ${#remaining[@]} -gt 0 ]]; do
    done_pid=
    wait -n -p done_pid "${pid_of[@]}"
    rc=$?
    if [[ -z "$done_pid" ]]; then
      echo "e2e-protocol: lost track of the suites (${remaining[*]}); see $outdir" >&2
      trap - EXIT
      status=1
      break
    fi
    for i in "${!remaining[@]}"; do
      suite="${remaining[$i]}"
      if [[ "${pid_of[$suite]}" == "${done_pid:-}" ]]; then
        echo
        echo "######## e2e-protocol: $suite finished after $((SECONDS - started))s: $(verdict $rc) ########"
        cat "$outdir/$suite.log"
        results+=("$suite=$(verdict $rc) ($((SECONDS - started))s)")
        [[ $rc -eq 0 ]] || status=1
        unset 'remaining[i]'
        unset 'pid_of[$suite]'
      fi
    done
  done
fi

echo "e2e-protocol: ${results[*]} in $((SECONDS - started))s"
exit "$status"

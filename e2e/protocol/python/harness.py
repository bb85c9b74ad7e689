"""Harness for the Huddle protocol tests with the real python-socketio client.

Starts a real `huddle serve` process, talks REST with requests, creates users
with the CLI, and wraps socketio.Client with a thread-safe event recorder.
Servers get a clean environment and lifted per-user budgets (see `Server`);
conftest.py prints the log tail of every running server when a test fails.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

import engineio.payload
import requests
import socketio

REPO_ROOT = Path(__file__).resolve().parents[3]
HUDDLE_BIN = os.environ.get("HUDDLE_BIN") or str(REPO_ROOT / "target" / "debug" / "huddle")
# The one wait budget: how long any wait for something that must happen may take.
WAIT_S = float(os.environ.get("E2E_WAIT_MS", "20000")) / 1000.0
TRANSPORTS = ["websocket", "polling"]
NS = "/portal"
MEMBER_KINDS = {"member_added", "member_removed"}

# python-engineio's client refuses a polling response holding more than 16
# packets ("Unexpected packet from server, aborting", a known client limit:
# miguelgrinberg/python-engineio#142). Servers batch every queued packet into
# one polling response, so a resume replay of 20 events trips it. Raise the
# limit so the tests judge the server contract, not this client default; set
# E2E_PY_MAX_DECODE_PACKETS=16 to see what a default Python client would get.
engineio.payload.Payload.max_decode_packets = int(os.environ.get("E2E_PY_MAX_DECODE_PACKETS", "1024"))

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_LISTEN = re.compile(r"listening on http://(\S+)")

# Per-user budgets a server gets unless a test asks for the production defaults
# (`limits="default"`): test traffic (setup, several sockets of one user) never races them.
# The limiter itself is tested on servers started with `limits="default"`.
LIFTED_LIMITS = {
    "HUDDLE_REALTIME__EVENTS_PER_SECOND": "10000",
    "HUDDLE_REALTIME__EVENTS_PER_MINUTE": "1000000",
    "HUDDLE_REALTIME__READS_PER_SECOND": "10000",
    "HUDDLE_REALTIME__READS_PER_MINUTE": "1000000",
}

# Variables a server inherits from this process; nothing else (no DATABASE_URL, REDIS_URL, HUDDLE_*).
BASIC_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")

# Servers started and not stopped yet (conftest.py prints their log tails when a test fails).
LIVE_SERVERS: list["Server"] = []


def rand(n: int = 4) -> str:
    return secrets.token_hex(n)


class Server:
    """A running `huddle serve --listen 127.0.0.1:0` with a fresh data dir and a clean
    environment (nothing inherited but PATH, HOME, locale, TZ and TMPDIR). The per-user send and
    read budgets are lifted (`LIFTED_LIMITS`) unless `limits` is "default"; `env` adds or
    overrides variables (e.g. `HUDDLE_REALTIME__REPLAY_LIMIT`)."""

    def __init__(self, env: dict[str, str] | None = None, limits: str = "lifted") -> None:
        if not os.path.exists(HUDDLE_BIN):
            raise RuntimeError(f"HUDDLE_BIN not found: {HUDDLE_BIN}")
        if limits not in ("lifted", "default"):
            raise ValueError(f"limits: 'lifted' or 'default', not {limits!r}")
        self.data_dir = tempfile.mkdtemp(prefix="huddle-e2e-py-")
        self.admin_password = "pw-" + rand(12)
        self.label = " ".join([f"{k}={v}" for k, v in (env or {}).items()] + (["limits=default"] if limits == "default" else []))
        self.env = {k: os.environ[k] for k in BASIC_ENV if k in os.environ}
        self.env.update(
            RUST_LOG="info",
            # No huddle.toml from the working directory: a file that does not exist is skipped.
            HUDDLE_CONFIG=os.path.join(self.data_dir, "no-huddle.toml"),
            **(LIFTED_LIMITS if limits == "lifted" else {}),
            HUDDLE_ADMIN_PASSWORD=self.admin_password,
        )
        self.env.update(env or {})
        self.log: deque[str] = deque(maxlen=2000)
        self.base = "(not listening yet)"
        self.proc = subprocess.Popen(
            [HUDDLE_BIN, "serve", "--listen", "127.0.0.1:0", "--data-dir", self.data_dir],
            env=self.env,
            cwd=self.data_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        found = threading.Event()
        self._addr: str | None = None

        def pump(stream, tag):
            for raw in stream:  # keep draining for the whole run
                line = raw.rstrip("\n")
                self.log.append(f"[{tag}] {line}")
                if os.environ.get("E2E_SERVER_LOG"):
                    print(f"[huddle {tag}] {line}", flush=True)
                if tag == "stdout" and self._addr is None:
                    m = _LISTEN.search(_ANSI.sub("", line))
                    if m:
                        self._addr = m.group(1)
                        found.set()
            found.set()  # EOF: unblock the waiter

        self._threads = [
            threading.Thread(target=pump, args=(self.proc.stdout, "stdout"), daemon=True),
            threading.Thread(target=pump, args=(self.proc.stderr, "stderr"), daemon=True),
        ]
        for t in self._threads:
            t.start()
        start_wait = max(WAIT_S, 30)  # start-up hashes the admin password: slow in a debug build
        found.wait(start_wait)
        if self._addr is None:
            self.stop()
            raise RuntimeError(
                f"server did not print 'listening on http://...' within {start_wait} s "
                f"(exit code {self.proc.returncode}):\n" + "\n".join(self.log)
            )
        self.base = f"http://{self._addr}"
        LIVE_SERVERS.append(self)

    def tail(self, n: int = 80) -> str:
        """The last `n` lines the server printed."""
        return "\n".join(list(self.log)[-n:])

    def stop(self) -> None:
        if self in LIVE_SERVERS:
            LIVE_SERVERS.remove(self)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # ---- CLI -------------------------------------------------------------
    def user_add(self, username: str, password: str) -> None:
        r = subprocess.run(
            [HUDDLE_BIN, "user", "add", username, "--password", password, "--data-dir", self.data_dir],
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert r.returncode == 0, f"huddle user add {username} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"

    def agent_add(self, name: str, role: str, password: str) -> None:
        """Creates an agent account (role: orchestrator, design, code, qa or data); it logs in like a person."""
        r = subprocess.run(
            [HUDDLE_BIN, "agent", "add", name, "--role", role, "--password", password, "--data-dir", self.data_dir],
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert r.returncode == 0, f"huddle agent add {name} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"

    # ---- REST ------------------------------------------------------------
    def rest(self, method: str, path: str, token: str | None = None, body=None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # Password hashing can be slow in a debug build: allow REST calls 30 s.
        return requests.request(method, self.base + path, headers=headers, json=body, timeout=max(WAIT_S, 30))

    def expect(self, status: int, method: str, path: str, token=None, body=None):
        r = self.rest(method, path, token, body)
        assert r.status_code == status, f"{method} {path}: expected {status}, got {r.status_code}: {r.text}"
        return r.json() if r.content else None

    def login(self, username: str, password: str) -> dict:
        return self.expect(200, "POST", "/auth/login", body={"username": username, "password": password})

    def admin_token(self) -> str:
        """The admin's access token, reused until half its lifetime passed."""
        cached = getattr(self, "_admin", None)
        if cached is None or time.monotonic() - cached[1] > cached[2] / 2:
            j = self.login("admin", self.admin_password)
            cached = (j["access_token"], time.monotonic(), float(j.get("expires_in") or 60))
            self._admin = cached
        return cached[0]

    def create_project(self, token: str, name: str) -> None:
        self.expect(201, "POST", "/api/projects", token, {"name": name, "description": "e2e protocol test"})

    def add_member(self, token: str, project: str, username: str, role: str) -> None:
        self.expect(201, "POST", f"/api/projects/{project}/members", token, {"username": username, "role": role})

    def remove_member(self, token: str, project: str, username: str) -> None:
        self.expect(204, "DELETE", f"/api/projects/{project}/members/{username}", token)

    def events(self, token: str, project: str, after_seq: int = 0) -> tuple[list[dict], int]:
        out: list[dict] = []
        after = after_seq
        last_seq = None
        for _ in range(100):
            j = self.expect(200, "GET", f"/api/projects/{project}/events?after_seq={after}&limit=100", token)
            out.extend(j["events"])
            last_seq = j["last_seq"]
            if not j["has_more"] or not j["events"]:
                break
            after = j["events"][-1]["seq"]
        return out, last_seq


def _in_order(eio) -> None:
    """Two changes to one python-engineio client (4.x, pinned in requirements.txt), so that the
    tests judge the server rather than these client quirks:

    - It hands every received message to a new thread, so handlers (and so the recorder) can see
      messages out of the order they arrived in, and a barrier's marker before what came ahead of
      it. Dispatch them in the reader's thread instead, in arrival order. A DISCONNECT packet
      stays on a thread of its own: its handler joins the reader.
    - disconnect() loses its CLOSE packet when the writer is in the middle of a POST (say, the
      PONG to the ping the server sends as a connection opens): the writer sees the state change
      before it takes CLOSE from its queue, and the reader then waits for the server to end the
      pending long-poll by itself (after `connect_timeout_secs`, 10 s, for a refused namespace).
      Let the writer send what is queued first.
    """
    trigger = eio._trigger_event
    disconnect = eio.disconnect

    def trigger_in_order(event, *args, **kwargs):
        if event == "message" and kwargs.get("run_async") and not (isinstance(args[0], str) and args[0][:1] == "1"):
            kwargs["run_async"] = False
        return trigger(event, *args, **kwargs)

    def disconnect_after_writes(abort=False, reason=None):
        if eio.state == "connected" and not abort and getattr(eio, "queue", None) is not None:
            q = eio.queue
            with q.all_tasks_done:
                q.all_tasks_done.wait_for(lambda: q.unfinished_tasks == 0, timeout=eio.request_timeout)
        return disconnect(abort=abort, reason=reason)

    eio._trigger_event = trigger_in_order
    eio.disconnect = disconnect_after_writes


class Portal:
    """A real socketio.Client on /portal (or namespace `ns`) restricted to one transport."""

    def __init__(self, server: Server, transport: str, auth=None, on_connect=None, ns: str = NS) -> None:
        self.ns = ns
        self.server = server
        self.transport = transport
        self.auth = auth
        self.events: list[tuple[str, tuple]] = []
        self.cond = threading.Condition()
        self.sio = socketio.Client(reconnection=False, handle_sigint=False)
        _in_order(self.sio.eio)

        @self.sio.on("*", namespace=ns)
        def _any(event, *args):
            self.push(event, args)

        @self.sio.on("connect", namespace=ns)
        def _connect():
            self.push("$connect", ())
            if on_connect is not None:
                on_connect(self)

        @self.sio.on("connect_error", namespace=ns)
        def _connect_error(data=None, *rest):
            self.push("$connect_error", (data,))

        @self.sio.on("disconnect", namespace=ns)
        def _disconnect(*args):
            self.push("$disconnect", args)

    def push(self, name: str, args: tuple) -> None:
        with self.cond:
            self.events.append((name, args))
            self.cond.notify_all()

    def connect(self) -> None:
        """Connects; raises socketio.exceptions.ConnectionError on refusal."""
        self.sio.connect(
            self.server.base,
            auth=self.auth,
            transports=[self.transport],
            namespaces=[self.ns],
            socketio_path="socket.io",
            wait_timeout=WAIT_S,
        )

    def emit(self, event: str, data, callback=None) -> None:
        self.sio.emit(event, data, namespace=self.ns, callback=callback)

    def emit_with_ack(self, event: str, data):
        box: list = []
        done = threading.Event()

        def cb(*args):
            box.append(args[0] if args else None)
            done.set()

        self.emit(event, data, cb)
        assert done.wait(WAIT_S), f"no ack for {event} {data} within {WAIT_S} s"
        return box[0]

    def wait_until(self, pred, what: str, timeout: float = WAIT_S):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                v = pred(self.events)
                if v:
                    return v
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = repr([(n, a) for n, a in self.events])[:4000]
                    raise AssertionError(f"timeout after {timeout} s waiting for {what}; received: {seen}")
                self.cond.wait(left)

    def wait_for(self, name: str, pred=lambda *a: True, what: str | None = None, timeout: float = WAIT_S):
        return self.wait_until(
            lambda evs: next((a for n, a in evs if n == name and pred(*a)), None),
            what or f"event {name!r}",
            timeout,
        )

    def named(self, name: str) -> list[tuple]:
        with self.cond:
            return [a for n, a in self.events if n == name]

    def snapshot(self) -> list[tuple[str, tuple]]:
        with self.cond:
            return list(self.events)

    def project_events(self, project: str) -> list[tuple[str, dict]]:
        """(event name, payload) of member_added/member_removed for one project."""
        with self.cond:
            return [
                (n, a[0])
                for n, a in self.events
                if n in MEMBER_KINDS and a and isinstance(a[0], dict) and a[0].get("project_name") == project
            ]

    def close(self) -> None:
        """Disconnects, waiting at most the wait budget: python-socketio's disconnect() joins its
        read loop, which over polling waits for the pending long-poll to come back."""

        def run():
            try:
                self.sio.disconnect()
            except Exception:  # noqa: BLE001 - best effort during teardown
                pass

        t = threading.Thread(target=run, daemon=True)
        t.start()
        t.join(WAIT_S)


class ChatSocket(Portal):
    """A real socketio.Client on the chat namespace /chat/<project>."""

    def __init__(self, server: Server, transport: str, project: str, auth=None, on_connect=None) -> None:
        super().__init__(server, transport, auth, on_connect, ns=f"/chat/{project}")
        self.project = project

"""Real python-socketio client protocol tests for the Huddle /portal namespace.

Every socket test runs once per transport (websocket-only, polling-only).
"""

from __future__ import annotations

import base64
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import socketio

from harness import TRANSPORTS, WAIT_S, Portal, rand


# ---------------------------------------------------------------- helpers
def fresh_project(server, prefix):
    token = server.admin_token()
    project = f"{prefix}-{rand()}"
    server.create_project(token, project)  # admin owns it: its admin member
    return token, project


def new_user(server, prefix):
    username = f"{prefix}{rand()}"
    password = "pw-" + rand(8)
    server.user_add(username, password)
    token = server.login(username, password)["access_token"]
    return username, token


def churn(server, token, project, username, n):
    """Alternately add and remove `username`: n events."""
    for i in range(n):
        if i % 2 == 0:
            server.add_member(token, project, username, "contributor")
        else:
            server.remove_member(token, project, username)


def joined_portal(server, transport, token, project, since_seq=None):
    p = Portal(server, transport, {"token": token})
    p.connect()
    payload = {"project_name": project}
    if since_seq is not None:
        payload["since_seq"] = since_seq
    p.emit("join_project", payload)
    (joined,) = p.wait_for("joined_project", lambda d: d.get("project_name") == project)
    return p, joined


def reached(portal, project, seq):
    return lambda evs: any(pl["seq"] >= seq for _, pl in portal.project_events(project))


def marker_event(portal, server, token, project, username, last_seq):
    """The barrier on /portal: one more project event (`username`, not a member now, is added),
    which `portal` must receive as seq `last_seq + 1`. Delivery to a socket is in seq order, so
    what it received before that is all it will ever receive of the events up to `last_seq`.
    Returns the project events received before the marker."""
    server.add_member(token, project, username, "contributor")
    portal.wait_until(
        lambda evs: any(pl["seq"] == last_seq + 1 for _, pl in portal.project_events(project)),
        f"the marker event (seq {last_seq + 1})",
    )
    evs = portal.project_events(project)
    i = next(i for i, (_, pl) in enumerate(evs) if pl["seq"] == last_seq + 1)
    assert evs[i][0] == "member_added", evs[i]
    return evs[:i]


def assert_event_payload(name, p, project):
    assert isinstance(p, dict), f"{name} payload must be an object: {p!r}"
    assert isinstance(p.get("seq"), int), f"{name}.seq must be an integer: {p}"
    assert p.get("project_name") == project, p
    assert p.get("kind") == name, f"{name}.kind must equal the event name: {p}"
    assert p.get("actor") is not None, f"{name}.actor missing: {p}"
    assert p.get("timestamp") is not None, f"{name}.timestamp missing: {p}"
    assert isinstance(p.get("username"), str), f"{name}.username missing: {p}"
    if name == "member_added":
        assert isinstance(p.get("role"), str), f"member_added.role missing: {p}"


def connect_error_message(data):
    return data.get("message") if isinstance(data, dict) else data


# ---------------------------------------------------------------- REST sanity
def test_rest_login_contract(server):
    j = server.login("admin", server.admin_password)
    assert isinstance(j["access_token"], str) and isinstance(j["refresh_token"], str)
    assert j["token_type"] == "Bearer"
    assert isinstance(j["expires_in"], int) and j["expires_in"] > 0
    assert j["user"]["username"] == "admin" and j["user"]["is_admin"] is True
    r = server.rest("POST", "/auth/login", body={"username": "admin", "password": "wrong"})
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "invalid_credentials", r.text


# ---------------------------------------------------------------- socket tests
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_1_bad_or_missing_token_is_refused(server, transport):
    access = server.admin_token()
    parts = access.split(".")
    forged_sig = base64.urlsafe_b64encode(b"forged-signature-" + rand(8).encode()).rstrip(b"=").decode()
    forged = f"{parts[0]}.{parts[1]}.{forged_sig}" if len(parts) == 3 else access + "x"
    cases = {
        "garbage token": {"token": "not-a-real-token"},
        "forged signature": {"token": forged},
        "empty auth object": {},
        "no auth at all": None,
    }
    for label, auth in cases.items():
        p = Portal(server, transport, auth)
        try:
            with pytest.raises(socketio.exceptions.ConnectionError):
                p.connect()
            (data,) = p.wait_for("$connect_error", what=f"connect_error ({label})")
            assert connect_error_message(data) == "Authentication failed", f"{label}: {data!r}"
            assert not p.named("$connect"), f"{label}: must not connect"
        finally:
            p.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_2_join_gets_joined_project(server, transport):
    token, project = fresh_project(server, "join")
    p = Portal(server, transport, {"token": token})
    try:
        p.connect()
        ack = p.emit_with_ack("join_project", {"project_name": project})
        assert isinstance(ack, dict) and ack.get("ok") is True, f"ack: {ack!r}"
        assert ack.get("project_name") == project, ack
        (j,) = p.wait_for("joined_project", lambda d: d.get("project_name") == project)
        assert j["project_name"] == project
        assert isinstance(j.get("last_seq"), int) and not isinstance(j["last_seq"], bool), j
        assert j["last_seq"] >= 1, j
        for key in ("current_state", "active_users", "last_activity"):
            assert key in j, f"{key} missing: {j}"
        assert ack.get("last_seq") == j["last_seq"]
        _, last = server.events(token, project)
        assert j["last_seq"] == last
    finally:
        p.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_3_resume_replays_exactly_the_missed_events(server, transport):
    n = 20
    token, project = fresh_project(server, "resume")
    user, _ = new_user(server, "rs")
    first, joined = joined_portal(server, transport, token, project)
    since = joined["last_seq"]
    assert isinstance(since, int) and since >= 1
    first.close()

    churn(server, token, project, user, n)
    missed, last = server.events(token, project, since)
    assert len(missed) == n and last == since + n

    p = Portal(server, transport, {"token": token})
    try:
        p.connect()
        p.emit("join_project", {"project_name": project, "since_seq": since})
        p.wait_until(reached(p, project, last), f"replayed events up to seq {last}")
        # Duplicates, if any, would arrive before a marker event made after the replay (n is
        # even: the user is not a member now).
        replay = marker_event(p, server, token, project, user, last)
        evs = p.snapshot()
        names = [name for name, _ in evs]
        assert "joined_project" in names
        joined_idx = names.index("joined_project")
        assert evs[joined_idx][1][0]["last_seq"] == last
        first_replay = next(i for i, (nm, _) in enumerate(evs) if nm in ("member_added", "member_removed"))
        assert joined_idx < first_replay, "joined_project must precede the replay"
        for name, pl in replay:
            assert_event_payload(name, pl, project)
        assert [pl["seq"] for _, pl in replay] == [e["seq"] for e in missed]
        assert [pl["seq"] for _, pl in replay] == list(range(since + 1, last + 1))
        assert [name for name, _ in replay] == [e["kind"] for e in missed]
        assert all(pl["username"] == user for _, pl in replay)
        assert not p.named("resync_required")
    finally:
        p.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_4_live_events_are_contiguous(server, transport):
    n = 10
    token, project = fresh_project(server, "live")
    user, _ = new_user(server, "lv")
    p, joined = joined_portal(server, transport, token, project)
    try:
        start = joined["last_seq"]
        churn(server, token, project, user, n)
        rest_events, last = server.events(token, project, start)
        assert last == start + n
        p.wait_until(reached(p, project, last), f"live events up to seq {last}")
        live = marker_event(p, server, token, project, user, last)  # n is even
        for name, pl in live:
            assert_event_payload(name, pl, project)
        assert [pl["seq"] for _, pl in live] == list(range(start + 1, last + 1))
        assert [name for name, _ in live] == [e["kind"] for e in rest_events]
    finally:
        p.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_5_non_member_gets_error_and_no_events(server, transport):
    token, project = fresh_project(server, "priv")
    _, outsider_token = new_user(server, "nm")
    p = Portal(server, transport, {"token": outsider_token})
    sentinel = None
    try:
        p.connect()
        ack = p.emit_with_ack("join_project", {"project_name": project, "since_seq": 0})
        assert isinstance(ack, dict) and ack.get("ok") is False, f"ack: {ack!r}"
        assert ack["error"]["code"] == "forbidden", ack
        assert isinstance(ack["error"].get("message"), str)
        (err,) = p.wait_for("error", lambda d: isinstance(d, dict) and d.get("code") == "forbidden")
        assert err.get("event") == "join_project", err
        assert isinstance(err.get("message"), str)

        ack2 = p.emit_with_ack("join_project", {"project_name": f"nope-{rand()}"})
        assert isinstance(ack2, dict) and ack2.get("ok") is False, f"ack: {ack2!r}"
        assert ack2["error"]["code"] == "not_found", ack2
        (err2,) = p.wait_for("error", lambda d: isinstance(d, dict) and d.get("code") == "not_found")
        assert err2.get("event") == "join_project", err2

        # A member socket proves the events below were broadcast before we check.
        sentinel, _ = joined_portal(server, transport, token, project)
        other, _ = new_user(server, "nx")
        churn(server, token, project, other, 4)
        _, last = server.events(token, project)
        sentinel.wait_until(reached(sentinel, project, last), "sentinel receives the live events")
        # The dispatcher hands an event to every socket of the room before the next one, so by now
        # anything leaked to `p` is queued on its connection, ahead of the ack of a request made
        # now (leaving a project it never joined: a no-op).
        left = p.emit_with_ack("leave_project", {"project_name": project})
        assert isinstance(left, dict) and left.get("ok") is True, f"leave_project: {left!r}"
        leaked = [(n, a) for n, a in p.snapshot() if n not in ("$connect", "error")]
        assert leaked == [], "non-member must receive nothing but the errors"
        assert len(p.named("error")) == 2
    finally:
        p.close()
        if sentinel is not None:
            sentinel.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_6_presence_user_joined_and_left(server, transport):
    token, project = fresh_project(server, "pres")
    b_name, b_token = new_user(server, "pb")
    server.add_member(token, project, b_name, "contributor")
    a, _ = joined_portal(server, transport, token, project)
    b = None
    try:
        b, _ = joined_portal(server, transport, b_token, project)
        (uj,) = a.wait_for("user_joined", lambda d: d.get("username") == b_name, f"user_joined for {b_name}")
        assert uj.get("project_name") == project, uj
        assert uj.get("active_users") == 2, f"active_users: {uj}"
        assert uj.get("user_id") is not None and uj.get("timestamp") is not None, uj

        b.emit("leave_project", {"project_name": project})
        (ul,) = a.wait_for("user_left", lambda d: d.get("username") == b_name, f"user_left for {b_name}")
        assert ul.get("project_name") == project, ul
        assert ul.get("active_users") == 1, f"active_users: {ul}"
        assert ul.get("user_id") == uj.get("user_id")
    finally:
        a.close()
        if b is not None:
            b.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_7_join_in_connect_handler_never_lost(server, transport):
    count = 30
    token, project = fresh_project(server, "race")
    _, last = server.events(token, project)

    def on_connect(portal):
        # Emitted from inside the connect handler, as early as a client can.
        portal.emit("join_project", {"project_name": project}, lambda *a: portal.push("$ack", a))

    portals = [Portal(server, transport, {"token": token}, on_connect=on_connect) for _ in range(count)]
    failures = []
    lock = threading.Lock()

    def run(i):
        p = portals[i]
        try:
            p.connect()
            p.wait_until(
                lambda evs: any(n == "$ack" for n, _ in evs)
                and any(n == "joined_project" and a and a[0].get("project_name") == project for n, a in evs),
                f"connection #{i}: ack + joined_project",
            )
            (ack,) = p.named("$ack")[0]
            (joined,) = p.named("joined_project")[0]
            if not (isinstance(ack, dict) and ack.get("ok") is True and ack.get("project_name") == project):
                raise AssertionError(f"bad ack {ack!r}")
            if joined.get("last_seq") != last:
                raise AssertionError(f"last_seq {joined.get('last_seq')} != {last}")
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            with lock:
                failures.append(f"#{i}: {e}")

    try:
        with ThreadPoolExecutor(max_workers=10) as pool:
            list(pool.map(run, range(count)))
        assert failures == [], f"{len(failures)}/{count} connections failed"
    finally:
        for p in portals:
            p.close()


def test_wait_budget_is_sane():
    # Guards against a misconfigured E2E_WAIT_MS making every wait instant.
    assert WAIT_S >= 1

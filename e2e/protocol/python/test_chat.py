"""Real python-socketio client protocol tests for the Huddle chat namespace
`/chat/<project>` (contract: docs/chat-api.md).

Every socket test runs once per transport (websocket-only, polling-only).
"""

from __future__ import annotations

import re
import threading
import time

import pytest
import socketio

from harness import TRANSPORTS, WAIT_S, ChatSocket, Server, rand

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"]
EVENT_FIELDS = ("seq", "kind", "actor", "timestamp")


# ---------------------------------------------------------------- fixtures and helpers
class People:
    """Users created once per module (CLI and password hashing are slow in debug builds)."""

    def __init__(self, server, keys=("bob", "viewer", "outsider")):
        self.server = server
        self.users = {"admin": {"username": "admin", "password": server.admin_password}}
        for key in keys:
            username = f"{key}{rand(3)}"
            password = "pw-" + rand(8)
            server.user_add(username, password)
            self.users[key] = {"username": username, "password": password}

    def name(self, key):
        return self.users[key]["username"]

    def token(self, key):
        u = self.users[key]
        if "token" not in u or time.monotonic() - u["at"] > u["ttl"] / 2:
            j = self.server.login(u["username"], u["password"])
            u.update(token=j["access_token"], at=time.monotonic(), ttl=float(j.get("expires_in") or 60))
        return u["token"]


@pytest.fixture(scope="module")
def people(server):
    return People(server)


def fresh_project(server, people, prefix, members=None):
    members = {"bob": "contributor"} if members is None else members
    token = people.token("admin")
    project = f"{prefix}-{rand()}"
    server.create_project(token, project)  # admin owns it: its admin member
    for key, role in members.items():
        server.add_member(token, project, people.name(key), role)
    return project


class Chat:
    """A connected chat socket with its chat_ready. Requests are not paced: the harness's servers
    lift the per-user budgets (they count per user and project, over all of a user's sockets), and
    the rate-limit tests run on servers with the production limits."""

    def __init__(self, server, people, transport, key, project, extra_auth=None):
        self.key = key
        self.project = project
        self.sock = ChatSocket(server, transport, project, {"token": people.token(key), **(extra_auth or {})})
        self.sock.connect()
        (self.ready,) = self.sock.wait_for("chat_ready", what=f"chat_ready for {key}")

    def req(self, event, payload):
        return self.sock.emit_with_ack(event, payload)

    def send(self, content, **extra):
        ack = self.req("send_message", {"content": content, **extra})
        assert isinstance(ack, dict) and ack.get("ok") is True, f"send_message {content[:80]!r}: {ack!r}"
        assert isinstance(ack["message"].get("message_id"), str), ack
        return ack["message"]

    def mark(self):
        return len(self.sock.snapshot())

    def got(self, name, start=0, end=None):
        """Payloads of event `name` received so far (between index marks `start` and `end`)."""
        return [a[0] if a else None for n, a in self.sock.snapshot()[start:end] if n == name]

    def up_to(self, message):
        """The index mark of the message_received of `message` (a barrier's marker): the events
        before it are all this socket will ever get of what happened before the marker was sent."""
        for i, (n, a) in enumerate(self.sock.snapshot()):
            if n == "message_received" and a and isinstance(a[0], dict) and a[0].get("message_id") == message["message_id"]:
                return i
        raise AssertionError(f"{self.key} has not received {message['message_id']}")

    def after(self, start, end=None):
        """(event, message_id) received since `start` (up to mark `end`), without presence
        (connects of other sockets)."""
        return [
            (n, a[0].get("message_id") if a and isinstance(a[0], dict) else None)
            for n, a in self.sock.snapshot()[start:end]
            if n != "presence"
        ]

    def wait_message(self, message_id, name="message_received"):
        (p,) = self.sock.wait_for(
            name, lambda d=None, *r: isinstance(d, dict) and d.get("message_id") == message_id, f"{name} {message_id} on {self.key}"
        )
        return p

    def wait_count(self, name, n, pred=lambda p: True):
        def enough(evs):
            hits = [a[0] for nm, a in evs if nm == name and a and pred(a[0])]
            return hits if len(hits) >= n else None

        return self.sock.wait_until(enough, f"{n} x {name} on {self.key}")

    def close(self):
        self.sock.close()


@pytest.fixture
def chats(server, people):
    opened: list[Chat] = []

    def open_chat(transport, key, project, extra_auth=None):
        c = Chat(server, people, transport, key, project, extra_auth)
        opened.append(c)
        return c

    yield open_chat
    for c in opened:
        c.close()


def barrier(sender, chats, channel="general"):
    """The barrier: `sender` posts a marker message (in `channel`) and each of `chats` waits for it.
    Delivery to a socket is in `seq` order, so whatever a socket received before the marker is all
    it will ever receive of what happened before the marker was sent: assert on `chat.up_to(marker)`
    instead of sleeping and hoping that nothing more arrives. Returns the marker message."""
    marker = sender.send(f"barrier {rand(4)}", **({} if channel == "general" else {"channel": channel}))
    for chat in chats:
        chat.wait_message(marker["message_id"])
    return marker


def refused(ack, code, what):
    assert isinstance(ack, dict) and ack.get("ok") is False, f"{what}: must be refused: {ack!r}"
    assert ack["error"].get("code") == code, f"{what}: {ack!r}"
    assert isinstance(ack["error"].get("message"), str), f"{what}: {ack!r}"


def assert_logged(p, name, project):
    assert isinstance(p.get("seq"), int) and not isinstance(p["seq"], bool), f"{name}.seq: {p}"
    assert p.get("kind") == name, f"{name}.kind: {p}"
    assert p.get("project_name") == project, f"{name}.project_name: {p}"
    assert p.get("actor") is not None and p.get("timestamp") is not None, f"{name} actor/timestamp: {p}"


def assert_message(m, project, author, content, channel="general", type_="message"):
    assert isinstance(m.get("message_id"), str), m
    assert m.get("project_name") == project, m
    assert m.get("channel") == channel, m
    assert m.get("author_type") == "user", m
    assert m.get("author_name") == author, m
    assert m.get("content") == content, m
    assert isinstance(m.get("content_html"), str), m
    assert m.get("type") == type_, m
    assert m.get("deleted") is False, m
    assert m.get("reactions") == [] and m.get("attachments") == [], m


def assert_safe_html(html, what):
    """Markup a browser would execute must not survive: no script tag, no javascript: URL, no on* attribute."""
    assert isinstance(html, str), what
    assert "<script" not in html.lower(), f"{what}: {html!r}"
    assert "javascript:" not in html.lower(), f"{what}: {html!r}"
    for tag in re.findall(r"<[^>]*>", html):
        assert "onerror" not in tag.lower(), f"{what}: onerror attribute in {tag} of {html!r}"
        assert not re.search(r"\son\w+\s*=", tag, re.I), f"{what}: event-handler attribute in {tag}"


def omit(d, keys):
    return {k: v for k, v in d.items() if k not in keys}


def general(ready):
    return next(c for c in ready["channels"] if c["name"] == "general")


# ---------------------------------------------------------------- tests
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_1_bad_token_and_non_member_are_refused(server, people, transport):
    project = fresh_project(server, people, "auth")
    cases = [
        ("garbage token", project, {"token": "not-a-real-token"}, "Authentication failed"),
        ("no token", project, {}, "Authentication failed"),
        ("non-member", project, {"token": people.token("outsider")}, "Forbidden"),
        ("unknown project", f"nope-{rand()}", {"token": people.token("admin")}, "Forbidden"),
    ]
    for label, p, auth, message in cases:
        s = ChatSocket(server, transport, p, auth)
        try:
            with pytest.raises(socketio.exceptions.ConnectionError):
                s.connect()
            (data,) = s.wait_for("$connect_error", what=f"connect_error ({label})")
            got = data.get("message") if isinstance(data, dict) else data
            assert got == message, f"{label}: {data!r}"
            # connect() raised after closing the connection and joining its reader: whatever the
            # server sent this namespace has been recorded, no waiting needed.
            assert [n for n, _ in s.snapshot() if not n.startswith("$")] == [], f"{label}: nothing may be delivered"
        finally:
            s.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_2_chat_ready_lists_default_channels(server, people, chats, transport):
    project = fresh_project(server, people, "ready")
    a = chats(transport, "admin", project)
    r = a.ready
    assert r["project_name"] == project, r
    assert r["role"] == "admin", r
    assert r["me"]["username"] == "admin" and isinstance(r["me"]["user_id"], str), r
    assert "admin" in r["online"], r
    _, last = server.events(people.token("admin"), project)
    assert r["last_seq"] == last
    assert sorted((c["name"], c["type"]) for c in r["channels"]) == [
        ("agents", "agent"),
        ("errors", "error"),
        ("general", "general"),
        ("workflow", "workflow"),
    ], r["channels"]
    for c in r["channels"]:
        assert isinstance(c["channel_id"], str) and c["archived"] is False, c
        assert c["unread_count"] == 0 and c["mention_count"] == 0, c


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_3_two_users_in_order_and_html_sanitised(server, people, chats, transport):
    project = fresh_project(server, people, "two")
    a = chats(transport, "admin", project)
    b = chats(transport, "bob", project)
    bob = people.name("bob")
    start = a.ready["last_seq"]
    assert b.ready["last_seq"] == start
    plan = [
        (a, "admin", f"hello from admin {rand(3)}"),
        (b, bob, f"hello from bob {rand(3)}"),
        (a, "admin", XSS[0]),
        (b, bob, XSS[1]),
        (a, "admin", XSS[2]),
        (b, bob, "**bold** and `code`"),
    ]
    acked = []
    for chat, author, content in plan:
        m = chat.send(content)
        assert_message(m, project, author, content)
        acked.append(m)
    ids = [m["message_id"] for m in acked]
    assert len(set(ids)) == len(ids)
    marker = barrier(b, (a, b))
    for chat in (a, b):
        got = [p for p in chat.got("message_received", 0, chat.up_to(marker)) if p.get("project_name") == project]
        assert [p["message_id"] for p in got] == ids, f"{chat.key}: every message once, in send order"
        assert [p["seq"] for p in got] == list(range(start + 1, start + 1 + len(ids))), f"{chat.key}: seqs"
        for p, m, (_, author, _) in zip(got, acked, plan):
            assert_logged(p, "message_received", project)
            assert p["actor"] == author, p
            # `timestamp` is the event's (the log entry's) time, which replaces the message's own.
            assert omit(p, EVENT_FIELDS) == omit(m, ("timestamp",)), f"{chat.key}: message_received carries the acked message"
    for m in acked[2:5]:
        assert_safe_html(m["content_html"], f"content {m['content']!r}")
    assert "<strong>bold</strong>" in acked[5]["content_html"], acked[5]
    assert "<code>code</code>" in acked[5]["content_html"], acked[5]
    events, _ = server.events(people.token("admin"), project, start)
    assert [(e["seq"], e["kind"], e["payload"].get("message_id")) for e in events] == [
        (start + 1 + i, "message_received", mid) for i, mid in enumerate([*ids, marker["message_id"]])
    ]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_4_idempotent_send(server, people, chats, transport):
    project = fresh_project(server, people, "idem")
    a = chats(transport, "admin", project)
    b = chats(transport, "bob", project)
    client_id = f"cid-{rand(6)}"
    first = a.send(f"once {rand(3)}", client_id=client_id)
    assert first["client_id"] == client_id, first
    retry = a.send(first["content"], client_id=client_id)
    assert retry["message_id"] == first["message_id"], "the retry returns the original message"
    assert retry == first
    bobs = b.send(f"bob {rand(3)}", client_id=client_id)
    assert bobs["message_id"] != first["message_id"], "client_id is per author"
    marker = barrier(b, (a, b))
    for chat in (a, b):
        got = [p for p in chat.got("message_received", 0, chat.up_to(marker)) if p.get("project_name") == project]
        assert [p["message_id"] for p in got] == [first["message_id"], bobs["message_id"]], (
            f"{chat.key}: the retry broadcast nothing"
        )
    events, _ = server.events(people.token("admin"), project, a.ready["last_seq"])
    assert [(e["kind"], e["payload"].get("message_id")) for e in events] == [
        ("message_received", first["message_id"]),
        ("message_received", bobs["message_id"]),
        ("message_received", marker["message_id"]),
    ]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_5_resume_with_since_seq(server, people, chats, transport):
    n = 15
    project = fresh_project(server, people, "resume")
    a = chats(transport, "admin", project)
    b = chats(transport, "bob", project)
    warm = a.send(f"before {rand(3)}")
    since = b.wait_message(warm["message_id"])["seq"]
    b.close()
    sent = [a.send(f"missed {i} {rand(2)}") for i in range(n)]
    missed, last = server.events(people.token("bob"), project, since)
    assert [(e["seq"], e["kind"], e["payload"].get("message_id")) for e in missed] == [
        (since + 1 + i, "message_received", m["message_id"]) for i, m in enumerate(sent)
    ], "REST shows the N messages right after since_seq"
    assert last == since + n

    b2 = chats(transport, "bob", project, {"since_seq": since})
    assert b2.ready["last_seq"] == last
    b2.sock.wait_until(
        lambda evs: any(nm == "message_received" and a_ and a_[0].get("seq", 0) >= last for nm, a_ in evs),
        f"replay up to seq {last}",
    )
    # Duplicates, if any, would arrive before a marker sent after the replay.
    marker = barrier(a, (b2,))
    up_to = b2.up_to(marker)
    evs = b2.sock.snapshot()
    assert evs[up_to][1][0]["seq"] == last + 1, "the marker is the next event after the replay"
    names = [nm for nm, _ in evs]
    assert names.index("chat_ready") < names.index("message_received"), "chat_ready precedes the replay"
    logged = [a_[0] for _, a_ in evs[:up_to] if a_ and isinstance(a_[0], dict) and isinstance(a_[0].get("seq"), int)]
    assert [(p["seq"], p["kind"], p.get("message_id")) for p in logged] == [
        (e["seq"], e["kind"], e["payload"]["message_id"]) for e in missed
    ], "exactly the missed events, in order, nothing duplicated or missing"
    assert [p["content"] for p in logged] == [m["content"] for m in sent]
    assert not b2.got("resync_required")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_6_viewer_reads_but_cannot_send(server, people, chats, transport):
    project = fresh_project(server, people, "view", {"bob": "contributor", "viewer": "viewer"})
    a = chats(transport, "admin", project)
    v = chats(transport, "viewer", project)
    assert v.ready["role"] == "viewer", v.ready
    m = a.send(f"for everyone {rand(3)}")
    v.wait_message(m["message_id"])
    a.wait_message(m["message_id"])  # the sender's own copy, before a_mark below
    hist = v.req("request_message_history", {"channel": "general"})
    assert hist.get("ok") is True, hist
    assert [x["message_id"] for x in hist["messages"]] == [m["message_id"]], hist

    a_mark = a.mark()
    content = f"viewer tries {rand(3)}"
    refused(v.req("send_message", {"content": content}), "forbidden", "viewer send_message")
    refused(v.req("add_reaction", {"message_id": m["message_id"], "emoji": "👍"}), "forbidden", "viewer add_reaction")
    # The barrier: what the refused requests could have broadcast comes before the sentinel.
    sentinel = barrier(a, (a, v))
    assert a.after(a_mark, a.up_to(sentinel) + 1) == [("message_received", sentinel["message_id"])], (
        "the refused requests broadcast nothing"
    )
    events, _ = server.events(people.token("admin"), project)
    assert not any(e["payload"].get("content") == content for e in events)
    assert not any(e["kind"] == "reaction_updated" for e in events)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_7a_edit_author_only(server, people, chats, transport):
    project = fresh_project(server, people, "edit")
    a = chats(transport, "admin", project)
    b = chats(transport, "bob", project)
    m = a.send("first *draft*")
    ack = a.req("edit_message", {"message_id": m["message_id"], "content": "final **text**"})
    assert ack.get("ok") is True, ack
    em = ack["message"]
    assert em["message_id"] == m["message_id"] and em["content"] == "final **text**", em
    assert "<strong>text</strong>" in em["content_html"], em
    assert em["edited_at"], em
    upd = b.wait_message(m["message_id"], "message_updated")
    assert_logged(upd, "message_updated", project)
    assert upd["content"] == "final **text**" and upd["content_html"] == em["content_html"], upd
    a.wait_message(m["message_id"], "message_updated")

    a_mark, b_mark = a.mark(), b.mark()
    refused(b.req("edit_message", {"message_id": m["message_id"], "content": "hijacked"}), "forbidden", "bob edits admin's")
    bm = b.send("bob wrote this")
    a.wait_message(bm["message_id"])
    refused(a.req("edit_message", {"message_id": bm["message_id"], "content": "admin rewrites"}), "forbidden", "admin edits bob's")
    sentinel = barrier(a, (a, b))
    assert b.got("message_updated", b_mark, b.up_to(sentinel)) == [], "refused edits broadcast nothing"
    assert a.got("message_updated", a_mark, a.up_to(sentinel)) == [], "refused edits broadcast nothing"
    hist = b.req("request_message_history", {"channel": "general"})
    assert hist.get("ok") is True, hist
    by_id = {x["message_id"]: x for x in hist["messages"]}
    assert by_id[m["message_id"]]["content"] == "final **text**"
    assert by_id[bm["message_id"]]["content"] == "bob wrote this"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_7b_delete_leaves_tombstone(server, people, chats, transport):
    project = fresh_project(server, people, "del")
    a = chats(transport, "admin", project)
    b = chats(transport, "bob", project)
    before = a.send("before")
    m = a.send("to be deleted")
    after = a.send("after")
    b.wait_message(after["message_id"])
    r = b.req("add_reaction", {"message_id": m["message_id"], "emoji": "👍"})
    assert r.get("ok") is True, r
    refused(b.req("delete_message", {"message_id": m["message_id"]}), "forbidden", "bob deletes admin's message")
    ack = a.req("delete_message", {"message_id": m["message_id"]})
    assert ack.get("ok") is True, ack
    for t in (ack["message"], b.wait_message(m["message_id"], "message_deleted")):
        assert t["message_id"] == m["message_id"], t
        assert t["deleted"] is True and t["content"] == "" and t["content_html"] == "", t
        assert t["reactions"] == [], t
    assert_logged(b.got("message_deleted")[0], "message_deleted", project)
    hist = b.req("request_message_history", {"channel": "general"})
    assert hist.get("ok") is True, hist
    assert [(x["message_id"], x["deleted"], x["content"]) for x in hist["messages"]] == [
        (after["message_id"], False, "after"),
        (m["message_id"], True, ""),
        (before["message_id"], False, "before"),
    ], "the tombstone keeps its place in history"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_7c_reactions(server, people, chats, transport):
    project = fresh_project(server, people, "react")
    a = chats(transport, "admin", project)
    b = chats(transport, "bob", project)
    bob = people.name("bob")
    m = a.send("react to me")
    mid = m["message_id"]
    b.wait_message(mid)
    r1 = b.req("add_reaction", {"message_id": mid, "emoji": "👍"})
    assert r1.get("ok") is True and r1["reactions"] == [{"emoji": "👍", "count": 1, "users": [bob]}], r1
    r2 = b.req("add_reaction", {"message_id": mid, "emoji": "👍"})
    assert r2.get("ok") is True and r2["reactions"] == [{"emoji": "👍", "count": 1, "users": [bob]}], (
        f"a second add by the same user counts once: {r2}"
    )
    r3 = a.req("add_reaction", {"message_id": mid, "emoji": "👍"})
    assert r3.get("ok") is True and len(r3["reactions"]) == 1 and r3["reactions"][0]["count"] == 2, r3
    assert sorted(r3["reactions"][0]["users"]) == sorted([bob, "admin"]), r3
    ups = a.wait_count("reaction_updated", 1, lambda p: p.get("message_id") == mid and (p.get("reactions") or [{}])[0].get("count") == 2)
    assert_logged(ups[-1], "reaction_updated", project)
    assert ups[-1]["channel"] == "general" and ups[-1]["thread_id"] is None, ups[-1]
    r4 = b.req("remove_reaction", {"message_id": mid, "emoji": "👍"})
    assert r4.get("ok") is True and r4["reactions"] == [{"emoji": "👍", "count": 1, "users": ["admin"]}], r4
    r5 = a.req("remove_reaction", {"message_id": mid, "emoji": "👍"})
    assert r5.get("ok") is True and r5["reactions"] == [], r5
    b.wait_count("reaction_updated", 1, lambda p: p.get("message_id") == mid and p.get("reactions") == [])
    counts = [[x["count"] for x in p["reactions"]] for p in b.got("reaction_updated") if p["message_id"] == mid]
    assert counts in ([[1], [2], [1], []], [[1], [1], [2], [1], []]), f"reaction_updated sequence: {counts}"
    hist = a.req("request_message_history", {"channel": "general"})
    assert hist["messages"][0]["reactions"] == []


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_7d_thread_replies(server, people, chats, transport):
    project = fresh_project(server, people, "thread")
    a = chats(transport, "admin", project)
    b = chats(transport, "bob", project)
    bob = people.name("bob")
    root = a.send("thread root")
    rid = root["message_id"]
    b.wait_message(rid)
    r1 = b.send("first reply", thread_id=rid)
    assert r1["thread_id"] == rid and r1["type"] == "thread_reply", r1
    (tc,) = a.sock.wait_for("thread_created")
    assert_logged(tc, "thread_created", project)
    assert (tc["thread_id"], tc["parent_message_id"], tc["channel"], tc["created_by"]) == (rid, rid, "general", bob), tc
    a.wait_count("thread_updated", 1)
    r2 = a.send("second reply", thread_id=rid)
    ups = a.wait_count("thread_updated", 2)
    assert [(p["thread_id"], p["channel"], p["message_count"]) for p in ups] == [(rid, "general", 1), (rid, "general", 2)], ups
    assert_logged(ups[1], "thread_updated", project)
    assert sorted(ups[1]["participants"]) == sorted([bob, "admin"]), ups[1]
    assert ups[1]["last_message_at"], ups[1]
    b.wait_count("thread_updated", 2)
    for bad in (r1["message_id"], f"no-such-{rand()}"):
        refused(a.req("send_message", {"content": "nested", "thread_id": bad}), "invalid_thread", f"thread_id {bad}")
    page = a.req("request_message_history", {"channel": "general"})
    assert [x["message_id"] for x in page["messages"]] == [rid], "replies are not in the channel page"
    assert page["messages"][0]["thread"]["reply_count"] == 2, page["messages"][0]
    tp = a.req("request_message_history", {"channel": "general", "thread_id": rid})
    assert tp.get("ok") is True and tp["thread_id"] == rid, tp
    assert [x["message_id"] for x in tp["messages"]] == [r2["message_id"], r1["message_id"]], "thread page, newest first"
    assert tp["has_more"] is False
    # Neither the second reply nor the refused ones made another thread_created: they would
    # arrive before a marker sent after them.
    marker = barrier(a, (a, b))
    for chat in (a, b):
        assert len(chat.got("thread_created", 0, chat.up_to(marker))) == 1, f"{chat.key}: thread_created exactly once"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_7e_history_pagination(server, people, chats, transport):
    n = 25
    project = fresh_project(server, people, "hist")
    a = chats(transport, "admin", project)
    b = chats(transport, "bob", project)
    sent = [a.send(f"page message {i}")["message_id"] for i in range(n)]
    pages = []
    before = None
    for _ in range(5):
        req = {"channel": "general", "limit": 10}
        if before:
            req["before"] = before
        p = b.req("request_message_history", req)
        assert p.get("ok") is True and p["channel"] == "general", p
        pages.append(p)
        if not p["has_more"]:
            break
        before = p["messages"][-1]["message_id"]
    assert [(len(p["messages"]), p["has_more"]) for p in pages] == [(10, True), (10, True), (5, False)]
    ids = [m["message_id"] for p in pages for m in p["messages"]]
    assert len(set(ids)) == len(ids), "no duplicates across pages"
    assert ids == list(reversed(sent)), "all messages, newest first"
    hist = b.wait_count("message_history", len(pages))
    assert [[m["message_id"] for m in h["messages"]] for h in hist] == [
        [m["message_id"] for m in p["messages"]] for p in pages
    ], "each page is also emitted as message_history"
    for limit in (0, 101):
        bad = b.req("request_message_history", {"channel": "general", "limit": limit})
        assert bad.get("ok") is False and isinstance(bad["error"].get("code"), str), f"limit {limit}: {bad}"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_7f_mark_read(server, people, chats, transport):
    project = fresh_project(server, people, "read")
    a = chats(transport, "admin", project)
    bob = people.name("bob")
    m1 = a.send("one")
    m2 = a.send("two")
    m3 = a.send(f"three for @{bob}")
    assert m3["mentions"] == [bob], m3
    b = chats(transport, "bob", project)
    g = general(b.ready)
    assert (g["unread_count"], g["mention_count"]) == (3, 1), f"bob's chat_ready: {g}"
    ack2 = b.req("mark_read", {"channel": "general", "message_id": m2["message_id"]})
    assert ack2.get("ok") is True and (ack2["channel"], ack2["unread_count"], ack2["mention_count"]) == ("general", 1, 1), ack2
    ack3 = b.req("mark_read", {"channel": "general", "message_id": m3["message_id"]})
    assert ack3.get("ok") is True and (ack3["unread_count"], ack3["mention_count"]) == (0, 0), ack3
    ack1 = b.req("mark_read", {"channel": "general", "message_id": m1["message_id"]})
    assert ack1.get("ok") is True and ack1["unread_count"] == 0, f"read marks never move back: {ack1}"
    b.close()
    b2 = chats(transport, "bob", project)
    g2 = general(b2.ready)
    assert (g2["unread_count"], g2["mention_count"]) == (0, 0), f"new chat_ready after mark_read: {g2}"
    refused(
        b2.req("mark_read", {"channel": "general", "message_id": f"no-such-{rand()}"}),
        "not_found",
        "mark_read of an unknown message",
    )


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_8_bad_input(server, people, chats, transport):
    project = fresh_project(server, people, "bad")
    a = chats(transport, "admin", project)
    b = chats(transport, "bob", project)
    b_mark = b.mark()
    cases = [
        ("2001 characters", {"content": "x" * 2001}, "invalid_message"),
        ("empty content", {"content": ""}, "invalid_message"),
        ("whitespace only", {"content": "  \n\t "}, "invalid_message"),
        ("unknown channel", {"content": "hi", "channel": f"nope-{rand(3)}"}, "not_found"),
        ("a string instead of an object", "just a string", None),
        ("content is a number", {"content": 42}, None),
    ]
    for label, payload, code in cases:
        ack = a.req("send_message", payload)
        assert isinstance(ack, dict) and ack.get("ok") is False, f"{label}: {ack!r}"
        assert isinstance(ack["error"].get("code"), str) and isinstance(ack["error"].get("message"), str), f"{label}: {ack}"
        if code:
            assert ack["error"]["code"] == code, f"{label}: {ack}"
        else:
            assert ack["error"]["code"] != "internal", f"{label}: {ack}"
    # Without an ack the refusal arrives as an `error` event.
    err_mark = a.mark()
    a.sock.emit("send_message", {"content": ""})
    err = a.sock.wait_until(
        lambda evs: next((x[0] for n, x in evs[err_mark:] if n == "error"), None),
        "error event for a refused send without ack",
    )
    assert (err.get("code"), err.get("event"), type(err.get("message"))) == ("invalid_message", "send_message", str), err
    assert a.sock.sio.connected, "still connected after bad input"
    sentinel = a.send(f"still works {rand(3)}")
    # 2000 characters (4000 bytes) is allowed. Sent after every refusal, it is also the barrier:
    # anything the refused requests broadcast would reach b before it.
    biggest = a.send("é" * 2000)
    b.wait_message(biggest["message_id"])
    assert b.after(b_mark, b.up_to(biggest) + 1) == [
        ("message_received", sentinel["message_id"]),
        ("message_received", biggest["message_id"]),
    ], "the refused requests reached nobody"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_10_commands(server, people, chats, transport):
    project = fresh_project(server, people, "cmd")
    a = chats(transport, "admin", project)
    b = chats(transport, "bob", project)
    help_ = a.send("/help")
    assert help_["type"] == "command", help_
    seen = b.wait_message(help_["message_id"])
    assert seen["type"] == "command", seen
    hr = b.wait_message(help_["message_id"], "command_result")
    assert_logged(hr, "command_result", project)
    assert (hr["success"], hr["command"], hr["channel"]) == (True, "/help", "general"), hr
    assert hr.get("result") is not None, hr
    assert isinstance(hr["execution_time"], (int, float)), hr
    assert hr["seq"] > seen["seq"], "command_result follows the command message"
    nope = b.send("/nope")
    assert nope["type"] == "command", nope
    nr = a.wait_message(nope["message_id"], "command_result")
    assert_logged(nr, "command_result", project)
    assert nr["success"] is False, nr
    assert nr["error"] == "Unknown command: /nope", nr
    assert nr["hint"] == "Type /help for available commands.", nr
    b.wait_message(nope["message_id"], "command_result")
    marker = barrier(b, (a, b))
    for chat in (a, b):
        assert [(p["message_id"], p["success"]) for p in chat.got("command_result", 0, chat.up_to(marker))] == [
            (help_["message_id"], True),
            (nope["message_id"], False),
        ], f"{chat.key}: one command_result per command"


# ---------------------------------------------------------------- rate limits
# Budgets count per user and project over all of a user's sockets (docs/chat-api.md); every test
# has a fresh project, so it starts with full budgets.
@pytest.fixture(scope="module")
def per_second():
    """A server with the production limits: 10 events/s, 100/min."""
    srv = Server(limits="default")
    try:
        yield srv, People(srv, keys=("bob",))
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def per_minute():
    """A server with 10 events per minute; its per-second budget is out of reach."""
    srv = Server(
        env={"HUDDLE_REALTIME__EVENTS_PER_MINUTE": "10", "HUDDLE_REALTIME__EVENTS_PER_SECOND": "1000"},
        limits="default",
    )
    try:
        yield srv, People(srv, keys=("bob",))
    finally:
        srv.stop()


def burst(chat, n, label):
    """`n` send_message requests emitted at once from `chat` (no pacing); their acks, in emit order."""
    acks: list = [None] * n
    done = threading.Semaphore(0)

    def cb_for(i):
        def cb(*args):
            acks[i] = args[0] if args else None
            done.release()

        return cb

    for i in range(n):
        chat.sock.emit("send_message", {"content": f"{label} {i}"}, cb_for(i))
    for i in range(n):
        assert done.acquire(timeout=WAIT_S), f"only {i} of {n} acks arrived: {acks}"
    return acks


def is_ok(ack):
    return isinstance(ack, dict) and ack.get("ok") is True


def outcomes(acks):
    """What each ack said, for failure messages: "ok" or the error code."""
    return ["ok" if is_ok(x) else (x.get("error", {}).get("code") if isinstance(x, dict) else x) for x in acks]


def send_retrying_once(chat, content):
    """Sends `content`; when refused with rate_limited, waits the ack's retry_after and sends once
    more. Returns (first ack, last ack)."""
    first = chat.req("send_message", {"content": content})
    if is_ok(first) or not isinstance(first, dict) or first.get("error", {}).get("code") != "rate_limited":
        return first, first
    retry_after = first["error"].get("retry_after")
    assert isinstance(retry_after, (int, float)), f"retry_after in the ack: {first}"
    time.sleep(retry_after)
    return first, chat.req("send_message", {"content": content})


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_9a_rate_limit_per_second(per_second, transport):
    """Sends at once: at least 10/s accepted, the rest rate_limited (ack and event, retry_after
    <= 1 s); a send honouring retry_after gets through."""
    srv, ppl = per_second
    project = fresh_project(srv, ppl, "rate")
    a = Chat(srv, ppl, transport, "admin", project)
    b = Chat(srv, ppl, transport, "bob", project)
    try:
        a_mark = a.mark()
        # How many of 15 fit depends on timing (python-socketio emits from its own thread, over
        # polling in more than one request, and a slow server may admit them over more than a
        # second): the exact count is checked against a minute budget in 9b. Bursts repeat (at most
        # 3, within 100/min) until the limiter answers.
        acks = burst(a, 15, "burst 0")
        assert sum(map(is_ok, acks)) >= 10, f"a fresh budget takes 10 at once: {outcomes(acks)}"
        for rnd in (1, 2):
            if not all(map(is_ok, acks)):
                break
            acks += burst(a, 15, f"burst {rnd}")
        ok = [x for x in acks if is_ok(x)]
        refused_ = [x for x in acks if not is_ok(x)]
        assert refused_, f"the per-second budget never answered {len(acks)} sends at once: {outcomes(acks)}"
        for r in refused_:
            assert r["error"]["code"] == "rate_limited", f"refused acks: {outcomes(acks)}; {r}"
            assert 0 < r["error"]["retry_after"] <= 1, f"ack retry_after in (0, 1] s: {r}"
        # The server emits rate_limited before the refusing ack: with every ack in, every event is.
        limited = a.got("rate_limited", a_mark)
        assert len(limited) == len(refused_), f"one rate_limited event per refusal: {limited}"
        for p in limited:
            assert p["event"] == "send_message", p
            assert isinstance(p["retry_after"], (int, float)) and 0 < p["retry_after"] <= 1, p
        assert a.sock.sio.connected
        first, ack = send_retrying_once(a, "after the limit")
        assert is_ok(ack), f"sent again after retry_after: first {first}, then {ack}"
        # It is also the barrier: b has everything broadcast before it.
        b.wait_message(ack["message"]["message_id"])
        assert sorted(p["message_id"] for p in b.got("message_received", 0, b.up_to(ack["message"]))) == sorted(
            x["message"]["message_id"] for x in ok
        ), "only the accepted messages are broadcast"
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chat_9b_rate_limit_per_minute(per_minute, transport):
    """15 sends at once against 10 per minute: exactly 10 accepted, 5 rate_limited until the
    minute is over."""
    srv, ppl = per_minute
    project = fresh_project(srv, ppl, "rate")
    a = Chat(srv, ppl, transport, "admin", project)
    b = Chat(srv, ppl, transport, "bob", project)
    try:
        a_mark = a.mark()
        acks = burst(a, 15, "minute")
        ok = [x for x in acks if is_ok(x)]
        assert len(ok) == 10, f"10 events per minute: {outcomes(acks)}"
        for r in (x for x in acks if not is_ok(x)):
            assert r["error"]["code"] == "rate_limited", f"refused acks: {outcomes(acks)}; {r}"
            # The minute budget answers: its wait runs until the first send is a minute old.
            assert 1 < r["error"]["retry_after"] <= 60, f"ack retry_after in (1, 60] s: {r}"
        limited = a.got("rate_limited", a_mark)  # each emitted before its refusing ack
        assert len(limited) == 5, f"one rate_limited event per refusal: {limited}"
        for p in limited:
            assert p["event"] == "send_message" and 1 < p["retry_after"] <= 60, p
        # b's budget is its own: its marker is the barrier behind a's accepted messages.
        marker = barrier(b, (b,))
        assert sorted(p["message_id"] for p in b.got("message_received", 0, b.up_to(marker))) == sorted(
            x["message"]["message_id"] for x in ok
        ), "only the accepted messages are broadcast"
        refused(a.req("send_message", {"content": "still over"}), "rate_limited", "the 16th send within the minute")
    finally:
        a.close()
        b.close()

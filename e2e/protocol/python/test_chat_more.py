"""More real python-socketio client tests of the Huddle chat namespace `/chat/<project>`
(contract: docs/chat-api.md): attachments, search, presence, resync after a long gap and the
per-user connection cap. Every socket test runs once per transport (websocket-only,
polling-only).
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit, parse_qsl

import pytest
import requests
import socketio

from harness import TRANSPORTS, WAIT_S, Server, rand
from test_chat import Chat, People, barrier, chats, fresh_project, people, refused  # noqa: F401 (fixtures)


# ---------------------------------------------------------------- PNG, uploads, downloads
def make_png(width: int, height: int) -> bytes:
    """A valid 8-bit RGB PNG of width x height (a gradient)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(
        b"\x00" + b"".join(bytes(((x * 4) & 255, (y * 5) & 255, 128)) for x in range(width)) for y in range(height)
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def upload(server, token, project, files):
    """POST /api/projects/<p>/attachments with `file` fields [(file_name, bytes, content_type)]."""
    return requests.post(
        f"{server.base}/api/projects/{project}/attachments",
        headers={"Authorization": f"Bearer {token}"},
        files=[("file", f) for f in files],
        timeout=max(WAIT_S, 30),
    )


def download(server, url, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(urljoin(server.base + "/", url), headers=headers, timeout=WAIT_S)


def with_token(url, token):
    parts = urlsplit(url)
    query = parse_qsl(parts.query) + [("token", token)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def wait_after(chat, start, name, pred, what):
    """Payload of the first event `name` after index `start` matching `pred`."""

    def find(evs):
        for n, a in evs[start:]:
            if n == name and a and pred(a[0]):
                return a
        return None

    (p,) = chat.sock.wait_until(find, f"{what} on {chat.key}")
    return p


# ---------------------------------------------------------------- attachments
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_more_attachments(server, people, chats, transport):
    project = fresh_project(server, people, "att")
    a = chats(transport, "admin", project)
    b = chats(transport, "bob", project)
    admin_tok, bob_tok = people.token("admin"), people.token("bob")
    png = make_png(64, 48)
    text = f"notes {rand()}\nsecond line é\n"
    txt = text.encode()
    r = upload(server, admin_tok, project, [("chart.png", png, "image/png"), ("notes.txt", txt, "text/plain")])
    assert r.status_code == 201, r.text
    atts = r.json()["attachments"]
    assert len(atts) == 2, r.text
    img, doc = atts
    assert (img["file_name"], img["content_type"], img["size"], img["width"], img["height"]) == (
        "chart.png",
        "image/png",
        len(png),
        64,
        48,
    ), img
    assert isinstance(img["url"], str) and isinstance(img["thumbnail_url"], str), img
    assert doc["file_name"] == "notes.txt" and doc["content_type"].startswith("text/plain"), doc
    assert doc["size"] == len(txt) and isinstance(doc["url"], str), doc
    assert doc.get("thumbnail_url") is None and doc.get("width") is None, doc

    # Before it is posted only the uploader can download it.
    assert download(server, img["url"], admin_tok).status_code == 200, "the uploader downloads before posting"
    early = download(server, img["url"], bob_tok)
    assert early.status_code in (403, 404), f"another member before posting: {early.status_code}"

    m = a.send("", attachments=[img["attachment_id"], doc["attachment_id"]])
    assert m["content"] == "", m
    seen = b.wait_message(m["message_id"])
    assert [x["attachment_id"] for x in seen["attachments"]] == [img["attachment_id"], doc["attachment_id"]], seen
    s_img, s_doc = seen["attachments"]
    assert (s_img["url"], s_img["thumbnail_url"], s_img["width"], s_img["height"], s_img["content_type"]) == (
        img["url"],
        img["thumbnail_url"],
        64,
        48,
        "image/png",
    ), s_img
    assert s_doc["url"] == doc["url"] and s_doc.get("thumbnail_url") is None, s_doc

    # The other member downloads with a bearer token and with ?token=.
    g1 = download(server, s_img["url"], bob_tok)
    assert g1.status_code == 200 and g1.headers["content-type"] == "image/png", (g1.status_code, g1.headers)
    assert g1.content == png
    g2 = download(server, with_token(s_img["url"], bob_tok))
    assert g2.status_code == 200 and g2.headers["content-type"] == "image/png", (g2.status_code, g2.headers)
    assert g2.content == png
    th = download(server, with_token(s_img["thumbnail_url"], bob_tok))
    assert th.status_code == 200 and th.headers["content-type"] == "image/png", (th.status_code, th.headers)
    assert th.content[:8] == png[:8], "the thumbnail is a PNG"
    gt = download(server, s_doc["url"], bob_tok)
    assert gt.status_code == 200, gt.status_code
    assert gt.headers["content-type"].startswith("text/plain"), gt.headers
    assert "sandbox" in gt.headers.get("content-security-policy", ""), gt.headers
    assert gt.headers.get("content-disposition", "").startswith("attachment"), gt.headers
    assert gt.content.decode() == text

    # A non-member is refused with either form of token; no token is not allowed.
    out_tok = people.token("outsider")
    assert download(server, s_img["url"], out_tok).status_code == 403, "non-member, Bearer"
    assert download(server, with_token(s_img["url"], out_tok)).status_code == 403, "non-member, ?token="
    assert download(server, s_img["url"]).status_code == 401, "no token"

    # One upload, one message.
    refused(
        a.req("send_message", {"content": "again", "attachments": [img["attachment_id"]]}),
        "invalid_attachment",
        "reusing a posted attachment",
    )
    # HTML is not an allowed type.
    h = upload(server, admin_tok, project, [("page.html", b"<p>hi</p>", "text/html")])
    assert h.status_code == 400, h.text
    assert h.json()["error"]["code"] == "invalid_attachment", h.text
    # Another member's upload cannot be attached by the admin, but by its uploader.
    bu = upload(server, bob_tok, project, [("bob.txt", b"from bob\n", "text/plain")])
    assert bu.status_code == 201, bu.text
    bob_id = bu.json()["attachments"][0]["attachment_id"]
    refused(
        a.req("send_message", {"content": "not mine", "attachments": [bob_id]}),
        "invalid_attachment",
        "attaching another member's upload",
    )
    mine = b.send("mine", attachments=[bob_id])
    assert [x["attachment_id"] for x in mine["attachments"]] == [bob_id], mine
    # A 1x1 PNG is a valid image too.
    t = upload(server, admin_tok, project, [("dot.png", PNG_1X1, "image/png")])
    assert t.status_code == 201, t.text
    assert (t.json()["attachments"][0]["width"], t.json()["attachments"][0]["height"]) == (1, 1), t.text


# ---------------------------------------------------------------- search
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_more_search(server, people, chats, transport):
    project = fresh_project(server, people, "srch")
    a = chats(transport, "admin", project)
    b = chats(transport, "bob", project)
    bob = people.name("bob")
    ch = a.req("create_channel", {"name": "side"})
    assert isinstance(ch, dict) and ch.get("ok") is True, ch
    strong = a.send("walrus walrus walrus walrus")
    weak = a.send("a long sentence that mentions the walrus only once among many other words here")
    bobs = b.send("bob thinks about the walrus too")
    side = a.send("walrus in the side channel", channel="side")
    tagged = a.send("look at <b>quokka</b> now")
    gone = a.send("ephemeral pangolin message")
    b.wait_message(gone["message_id"])

    def via_socket(q):
        ack = b.req("search_messages", q)
        assert isinstance(ack, dict) and ack.get("ok") is True, f"search_messages {q}: {ack!r}"
        assert isinstance(ack["results"], list), ack
        return ack

    def via_rest(q):
        r = server.rest("GET", f"/api/projects/{project}/search?{urlencode(q)}", people.token("bob"))
        assert r.status_code == 200, f"REST search {q}: {r.status_code} {r.text}"
        return r.json()

    def ids(res):
        return [x["message"]["message_id"] for x in res["results"]]

    s = via_socket({"q": "walrus"})
    r = via_rest({"q": "walrus"})
    assert s["query"] == "walrus" and r["query"] == "walrus", (s["query"], r["query"])
    assert sorted(ids(s)) == sorted(m["message_id"] for m in (strong, weak, bobs, side)), "every walrus message"
    # "newest first" (docs/chat-api.md) is checked last, so that the other checks run either way.
    ranked = [x["message"]["content"] for x in s["results"]]
    assert ids(r) == ids(s), "REST and socket give the same results in the same order"
    assert [x["snippet_html"] for x in r["results"]] == [x["snippet_html"] for x in s["results"]], "same snippets"
    for hit in s["results"]:
        assert re.search(r"<mark>walrus</mark>", hit["snippet_html"], re.I), hit["snippet_html"]

    # Markup in the content is escaped in the snippet; only <mark> is markup.
    q1 = via_socket({"q": "quokka"})
    assert ids(q1) == [tagged["message_id"]], q1
    snip = q1["results"][0]["snippet_html"]
    assert re.search(r"<mark>quokka</mark>", snip, re.I), snip
    assert "<b>" not in snip and "</b>" not in snip, f"raw <b> in snippet: {snip}"
    assert "&lt;b&gt;" in snip, f"escaped <b> expected in snippet: {snip}"
    assert [t for t in re.findall(r"<[^>]*>", snip) if not re.fullmatch(r"</?mark>", t, re.I)] == [], snip
    assert ids(via_rest({"q": "quokka"})) == [tagged["message_id"]]
    assert ids(via_socket({"q": "quok"})) == [tagged["message_id"]], "prefix of the last word"

    # Filters narrow the results.
    assert ids(via_socket({"q": "walrus", "channel": "side"})) == [side["message_id"]], "channel filter"
    assert ids(via_rest({"q": "walrus", "channel": "side"})) == [side["message_id"]], "REST channel filter"
    assert ids(via_socket({"q": "walrus", "author": bob})) == [bobs["message_id"]], "author filter"
    assert ids(via_rest({"q": "walrus", "author": bob})) == [bobs["message_id"]], "REST author filter"
    assert sorted(ids(via_socket({"q": "walrus", "channel": "general", "author": "admin"}))) == sorted(
        [strong["message_id"], weak["message_id"]]
    ), "channel and author together"

    # Deleted messages are not found.
    assert ids(via_socket({"q": "pangolin"})) == [gone["message_id"]], "found before the delete"
    d = a.req("delete_message", {"message_id": gone["message_id"]})
    assert isinstance(d, dict) and d.get("ok") is True, d
    assert ids(via_socket({"q": "pangolin"})) == [], "socket: deleted message not found"
    assert ids(via_rest({"q": "pangolin"})) == [], "REST: deleted message not found"

    # Bad queries and non-members.
    refused(b.req("search_messages", {"q": ""}), "invalid_query", "empty q")
    e = server.rest("GET", f"/api/projects/{project}/search?q=", people.token("admin"))
    assert e.status_code == 400 and e.json()["error"]["code"] == "invalid_query", (e.status_code, e.text)
    o = server.rest("GET", f"/api/projects/{project}/search?q=walrus", people.token("outsider"))
    assert o.status_code == 403, f"non-member REST search: {o.status_code} {o.text}"

    assert ranked == [side["content"], bobs["content"], weak["content"], strong["content"]], (
        f"newest first; got {ranked}"
    )


# ---------------------------------------------------------------- presence
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_more_presence(server, people, chats, transport):
    project = fresh_project(server, people, "pres")
    bob = people.name("bob")
    a = chats(transport, "admin", project)
    start = a.mark()
    b = chats(transport, "bob", project)
    joined = wait_after(a, start, "presence", lambda p: bob in p.get("online", []), "presence with bob online")
    assert joined["project_name"] == project, joined
    assert sorted(joined["online"]) == sorted(["admin", bob]), joined

    start = a.mark()
    assert b.req("set_presence", {"status": "idle"}) == {"ok": True, "status": "idle"}
    p_idle = wait_after(a, start, "presence", lambda p: True, "presence after set_presence idle")
    assert p_idle["project_name"] == project, p_idle
    assert p_idle["online"] == ["admin"], f"bob is no longer online: {p_idle}"
    assert p_idle.get("idle") == [bob], f"bob is idle: {p_idle}"
    # A new chat_ready lists bob as idle too.
    a2 = chats(transport, "admin", project)
    assert (a2.ready["online"], a2.ready["idle"]) == (["admin"], [bob]), a2.ready
    a2.close()

    start = a.mark()
    assert b.req("set_presence", {"status": "online"}) == {"ok": True, "status": "online"}
    p_on = wait_after(a, start, "presence", lambda p: bob in p.get("online", []), "presence with bob online again")
    assert sorted(p_on["online"]) == sorted(["admin", bob]) and p_on.get("idle") == [], p_on

    refused(b.req("set_presence", {"status": "away"}), "invalid_payload", 'status "away"')
    refused(b.req("set_presence", {}), "invalid_payload", "no status")

    start = a.mark()
    b.close()
    left = wait_after(a, start, "presence", lambda p: bob not in p.get("online", []), "presence without bob")
    assert left["project_name"] == project and left["online"] == ["admin"], left
    assert bob not in left.get("idle", []), left


# ---------------------------------------------------------------- connection cap
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_more_connection_cap(server, people, chats, transport):
    # Its own user, so that sockets of other tests cannot count against the cap.
    key = f"cap-{transport}"
    username, password = f"capper{rand(3)}", "pw-" + rand(8)
    server.user_add(username, password)
    people.users[key] = {"username": username, "password": password}
    project = fresh_project(server, people, "cap", {key: "contributor"})
    opened = [chats(transport, key, project) for _ in range(6)]
    first = opened[0]
    (reason,) = first.sock.wait_for("$disconnect", what="disconnect of the oldest connection")
    # The server's namespace DISCONNECT packet: socket.io-client calls it "io server disconnect",
    # python-socketio "server disconnect" (not "transport close" / "transport error").
    assert reason == socketio.Client.reason.SERVER_DISCONNECT == "server disconnect", f"reason: {reason!r}"
    # The oldest is closed before the sixth gets chat_ready; a request of each other one, answered
    # on its own connection, comes after any close the server sent it.
    for i, c in enumerate(opened[1:], start=2):
        h = c.req("request_message_history", {"channel": "general", "limit": 1})
        assert isinstance(h, dict) and h.get("ok") is True, f"connection {i}: {h}"
    for i, c in enumerate(opened[1:], start=2):
        assert c.sock.sio.connected, f"connection {i} stays connected"
        assert c.got("$disconnect") == [], f"connection {i} got no disconnect"
        assert c.got("connection_closed") == [], f"connection {i} got no connection_closed"


# ---------------------------------------------------------------- resync (replay_limit 5)
@pytest.fixture(scope="module")
def small():
    srv = Server(env={"HUDDLE_REALTIME__REPLAY_LIMIT": "5"})
    try:
        yield srv, People(srv, keys=("bob",))
    finally:
        srv.stop()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_more_resync_required_past_replay_limit(small, transport):
    srv, ppl = small
    project = fresh_project(srv, ppl, "resync")
    opened = []

    def open_chat(key, extra=None):
        c = Chat(srv, ppl, transport, key, project, extra)
        opened.append(c)
        return c

    try:
        a = open_chat("admin")
        b = open_chat("bob")
        warm = a.send(f"warm {rand(3)}")
        since = b.wait_message(warm["message_id"])["seq"]

        def miss_and_return(n):
            nonlocal b
            b.close()
            sent = [a.send(f"gap {n} #{i} {rand(2)}") for i in range(n)]
            a.wait_message(sent[-1]["message_id"])
            b = open_chat("bob", {"since_seq": since})
            return sent

        # 10 behind, limit 5: resync_required instead of a replay.
        sent10 = miss_and_return(10)
        last10 = since + 10
        assert b.ready["last_seq"] == last10, b.ready["last_seq"]
        (rr,) = b.sock.wait_for("resync_required", what="resync_required")
        assert rr == {"project_name": project, "last_seq": last10}, rr
        names = [n for n, _ in b.sock.snapshot()]
        assert names.index("chat_ready") < names.index("resync_required"), names
        # Live delivery continues after resync_required; the live message is also the barrier
        # behind anything replayed.
        live = a.send("live after resync")
        assert b.wait_message(live["message_id"])["seq"] == last10 + 1, "live delivery continues"
        sent_ids = {m["message_id"] for m in sent10}
        before_live = b.got("message_received", 0, b.up_to(live))
        assert [p["seq"] for p in before_live if p["message_id"] in sent_ids] == [], "none of the 10 missed messages is replayed"
        assert before_live == [], "nothing is replayed"
        assert len(b.got("resync_required", 0, b.up_to(live))) == 1
        since = last10 + 1

        # 3 and exactly replay_limit (5) behind: replayed in order, no resync_required.
        for n in (3, 5):
            sent = miss_and_return(n)
            b.sock.wait_until(
                lambda evs: any(nm == "message_received" and a_ and a_[0].get("seq") == since + n for nm, a_ in evs),
                f"replay of {n} up to seq {since + n}",
            )
            # Duplicates, if any, would arrive before a marker sent after the replay.
            marker = barrier(a, (b,))
            up_to = b.up_to(marker)
            assert [(p["seq"], p["message_id"]) for p in b.got("message_received", 0, up_to)] == [
                (since + 1 + i, m["message_id"]) for i, m in enumerate(sent)
            ], f"{n} missed: exactly those replayed, in order"
            assert b.sock.snapshot()[up_to][1][0]["seq"] == since + n + 1, "the marker follows the replay"
            assert b.got("resync_required", 0, up_to) == [], f"{n} missed (limit 5): no resync_required"
            names = [nm for nm, _ in b.sock.snapshot()]
            assert names.index("chat_ready") < names.index("message_received"), "chat_ready precedes the replay"
            since += n + 1  # the marker
    finally:
        for c in opened:
            c.close()

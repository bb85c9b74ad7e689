"""Real python-socketio client tests of agents and direct messages on the chat namespace
`/chat/<project>`: a person opens a direct message `dm:{agent}:{user}` with an agent (an account
made with `huddle agent add`), the two talk, and a third member of the project sees nothing of it,
live or in the REST event log. Every socket test runs once per transport (websocket-only,
polling-only).
"""

from __future__ import annotations

import json

import pytest

from harness import TRANSPORTS, rand
from test_chat import chats, fresh_project, people, refused  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def team(server, people):
    """alice and carol (people) and one agent per transport, added to `people` under those keys."""
    for key in ("alice", "carol"):
        username, password = f"{key}{rand(3)}", "pw-" + rand(8)
        server.user_add(username, password)
        people.users[key] = {"username": username, "password": password}
    for transport in TRANSPORTS:
        key = f"code-{transport}"
        username, password = f"code{rand(3)}", "pw-" + rand(8)
        server.agent_add(username, "code", password)
        people.users[key] = {"username": username, "password": password}
    return people


def wait_after(chat, start, name, pred, what):
    """Payload of the first event `name` after index `start` matching `pred`."""

    def find(evs):
        for n, a in evs[start:]:
            if n == name and a and isinstance(a[0], dict) and pred(a[0]):
                return a
        return None

    (p,) = chat.sock.wait_until(find, f"{what} on {chat.key}")
    return p


def leaks(events, needles):
    """The events (name, JSON) that mention any of `needles`."""
    out = []
    for name, args in events:
        text = json.dumps(args, ensure_ascii=False)
        if any(n in text for n in needles):
            out.append(f"{name} {text[:300]}")
    return out


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_direct_message_reaches_only_its_two_participants(server, team, chats, transport):
    agent_key = f"code-{transport}"
    project = fresh_project(
        server, team, "dm", {"alice": "contributor", "carol": "contributor", agent_key: "contributor"}
    )
    agent, alice = team.name(agent_key), team.name("alice")
    dm_name = f"dm:{agent}:{alice}"

    # carol, the third member, is connected the whole time.
    c = chats(transport, "carol", project)
    g = chats(transport, agent_key, project)
    a = chats(transport, "alice", project)
    for chat in (c, g, a):
        assert [x["name"] for x in chat.ready["channels"] if x["name"].startswith("dm:")] == [], chat.ready

    # The person opens the DM; the agent is told with channel_created.
    g_start, a_start = g.mark(), a.mark()
    ack = a.req("open_direct_message", {"agent": agent})
    assert isinstance(ack, dict) and ack.get("ok") is True, f"open_direct_message: {ack!r}"
    dm = ack["channel"]
    assert (dm["name"], dm["type"], dm["direct"]) == (dm_name, "agent", {"agent": agent, "user": alice}), dm
    created = wait_after(g, g_start, "channel_created", lambda p: p.get("name") == dm_name, "channel_created")
    assert created["channel_id"] == dm["channel_id"] and created["direct"] == dm["direct"], created
    wait_after(a, a_start, "channel_created", lambda p: p.get("name") == dm_name, "channel_created")
    # Opening again, from the other side, gives the same channel.
    again = g.req("open_direct_message", {"user": alice})
    assert isinstance(again, dict) and again.get("ok") is True, again
    assert again["channel"]["channel_id"] == dm["channel_id"], again

    # The person writes; the agent gets it live and replies as an agent.
    secret = f"quasar{rand(4)}"
    m1 = a.send(f"hello {secret} from alice", channel=dm_name)
    assert (m1["channel"], m1["author_type"], m1["author_name"]) == (dm_name, "user", alice), m1
    seen = g.wait_message(m1["message_id"])
    assert (seen["channel"], seen["content"], seen["author_type"]) == (dm_name, m1["content"], "user"), seen
    r1 = g.send(f"reply {secret} from the agent", channel=dm_name)
    assert (r1["channel"], r1["author_type"], r1["author_name"]) == (dm_name, "agent", agent), r1
    back = a.wait_message(r1["message_id"])
    assert (back["channel"], back["author_type"], back["author_name"]) == (dm_name, "agent", agent), back

    # A reaction and a typing indicator in the DM, seen by the other participant.
    start = g.mark()
    react = a.req("add_reaction", {"message_id": r1["message_id"], "emoji": "👍"})
    assert isinstance(react, dict) and react.get("ok") is True, react
    wait_after(g, start, "reaction_updated", lambda p: p.get("message_id") == r1["message_id"], "reaction_updated")
    typing = a.req("typing_start", {"channel": dm_name})
    assert isinstance(typing, dict) and typing.get("ok") is True, typing
    wait_after(g, start, "typing_start", lambda p: p.get("channel") == dm_name, "typing_start in the DM")

    # A public marker: once carol has it, she would have had anything sent before it.
    marker = a.send(f"marker {rand(4)}")
    c.wait_message(marker["message_id"])
    needles = [dm_name, secret, dm["channel_id"], m1["message_id"], r1["message_id"]]
    assert leaks(g.sock.snapshot(), needles), "the leak check sees the DM in what the agent received"
    assert leaks(c.sock.snapshot(), needles) == [], "carol received nothing about the DM live"
    assert c.got("channel_created") == [], "carol: no channel_created"

    # The REST event log: carol sees the marker and nothing of the DM; alice sees her DM.
    events, _ = server.events(team.token("carol"), project)
    assert any(e.get("payload", {}).get("message_id") == marker["message_id"] for e in events), "marker in carol's log"
    assert [(e["seq"], e["kind"]) for e in events if leaks([(e["kind"], (e,))], needles)] == [], (
        "carol's events page holds nothing of the DM"
    )
    own, _ = server.events(team.token("alice"), project)
    own_ids = {e.get("payload", {}).get("message_id") for e in own}
    assert {m1["message_id"], r1["message_id"]} <= own_ids, "alice's events page has the DM messages"

    # carol cannot write into it.
    refused(c.req("send_message", {"channel": dm_name, "content": "let me in"}), "not_found", "carol send_message")

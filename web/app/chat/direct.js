// Direct messages: a private channel between one human and one agent of a
// project, named "dm:<agent>:<user>" and carrying `direct: {agent, user}`.
// Helpers to tell them apart from channels, name the other side, and list
// the people (or agents) one can write to.

export const isDirect = (c) => Boolean(c && c.direct);

export const directName = (agent, user) => `dm:${agent}:${user}`;

/** `{agent, user}` of a channel object, or parsed from a "dm:<agent>:<user>" name. */
export function directOf(channelOrName) {
  if (channelOrName && typeof channelOrName === 'object') return channelOrName.direct || null;
  const m = /^dm:([^:]+):(.+)$/.exec(channelOrName || '');
  return m ? { agent: m[1], user: m[2] } : null;
}

/** The other participant, seen from `me` (a username). */
export function peerOf(direct, me) {
  return direct.agent === me ? direct.user : direct.agent;
}

/** "@code" for a direct message, "#general" for a channel. */
export function channelLabel(channelOrName, me) {
  const d = directOf(channelOrName);
  if (d) return `@${peerOf(d, me)}`;
  return `#${typeof channelOrName === 'object' ? channelOrName.name : channelOrName}`;
}

/** "online" | "idle" | "offline" from the chat presence lists. */
export function statusOf(name, online, idle) {
  if ((online || []).includes(name)) return 'online';
  if ((idle || []).includes(name)) return 'idle';
  return 'offline';
}

const byName = (a, b) => a.username.localeCompare(b.username);

/**
 * Whom `me` can write to: the project's agents for a human, the project's
 * humans (not itself) for an agent. Sorted by name.
 */
export function directPeers(members, me, meIsAgent) {
  return (members || [])
    .filter((m) => m.username !== me && (meIsAgent ? m.kind !== 'agent' : m.kind === 'agent'))
    .sort(byName);
}

/** The role shown next to a peer: the agent's role, or a human's project role. */
export const peerRole = (m) => (m ? (m.kind === 'agent' ? m.agent_role : m.role) || '' : '');

/** The open_direct_message request for a peer. */
export const openRequest = (peer, meIsAgent) => (meIsAgent ? { user: peer } : { agent: peer });

/** The name of the direct message between `me` and `peer`. */
export const directWith = (peer, me, meIsAgent) => (meIsAgent ? directName(me, peer) : directName(peer, me));

/**
 * The other side of a direct message `me` takes part in, when `me` can write
 * to them (a member of the right kind); otherwise null.
 */
export function ownPeer(direct, me, members, meIsAgent) {
  if (!direct || (meIsAgent ? direct.agent : direct.user) !== me) return null;
  const peer = meIsAgent ? direct.user : direct.agent;
  return directPeers(members, me, meIsAgent).some((m) => m.username === peer) ? peer : null;
}

/** The existing direct message between `me` and `peer`, if any. */
export function findDirect(channels, peer, me, meIsAgent) {
  const agent = meIsAgent ? me : peer;
  const user = meIsAgent ? peer : me;
  return channels.find((c) => c.direct && c.direct.agent === agent && c.direct.user === user) || null;
}

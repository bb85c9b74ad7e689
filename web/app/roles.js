// Project roles and what each one may do in the UI. The server checks every
// request; these only decide what to offer.
export const ROLES = ['viewer', 'contributor', 'maintainer', 'admin'];
const RANK = { viewer: 1, contributor: 2, maintainer: 3, admin: 4 };

export const atLeast = (role, min) => (RANK[role] || 0) >= RANK[min];

/** May add, change and remove members, and create or change channels. */
export const canManage = (role, isAdmin) => Boolean(isAdmin) || atLeast(role, 'maintainer');

/** The roles this person may hand out: "admin" only for project or server admins. */
export const grantableRoles = (role, isAdmin) => (isAdmin || role === 'admin' ? ROLES : ROLES.slice(0, 3));

/**
 * The signed-in person's role in the open project: the chat's (kept live by
 * member events), else their row in the member list, else the project's.
 */
export function myRole(chat, members, username, summary) {
  if (chat && chat.state.ready) return chat.state.role || null;
  const row = (members || []).find((m) => m.username === username);
  if (row) return row.role;
  return (summary && summary.role) || null;
}

/** "person", "code agent", "agent". */
export function kindLabel(u) {
  if (!u || u.kind !== 'agent') return 'person';
  return u.agent_role ? `${u.agent_role} agent` : 'agent';
}

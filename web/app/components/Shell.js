// The signed-in frame: top bar, project rail, channel sidebar, main pane,
// right sidebar. Owns the socket connection and the project list.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, expireSession } from '../api.js';
import { createConnection } from '../socket.js';
import { useRoute, openChannel } from '../router.js';
import { ACTIVITY, useProjectFeed } from '../feed.js';
import { useChat } from '../chat/useChat.js';
import { openRequest } from '../chat/direct.js';
import { TopBar } from './TopBar.js';
import { ProjectRail } from './ProjectRail.js';
import { ChannelSidebar } from './ChannelSidebar.js';
import { MainPane } from './MainPane.js';
import { RightSidebar } from './RightSidebar.js';
import { ChannelSwitcher } from './ChannelSwitcher.js';
import { SkipLink } from './SkipLink.js';
import { ShortcutSheet } from './ShortcutSheet.js';
import { CONNECTION_TEXT } from './ConnectionBadge.js';
import { DialogHost } from './DialogHost.js';
import { closeDialog } from '../dialogs.js';
import { myRole } from '../roles.js';

function chatPresence(chat) {
  if (!chat || !chat.state.ready) return null;
  const { online, idle } = chat.state;
  return { count: online.length, names: online, idle };
}

export function Shell({ me, onLogout, announce }) {
  const conn = useMemo(() => createConnection({ onAuthFailed: expireSession, events: ACTIVITY }), []);
  const [connState, setConnState] = useState(conn.state);
  const [projects, setProjects] = useState(null);
  const [listError, setListError] = useState('');
  const [navOpen, setNavOpen] = useState(false);
  const [creating, setCreating] = useState(false);
  const route = useRoute();
  const selected = route.project;
  const feed = useProjectFeed(conn, selected, announce);
  // An unknown project (or one that is not ours) opens no chat.
  const chat = useChat(feed.missing ? null : selected, { announce });
  const [switcher, setSwitcher] = useState(false);
  const isAdmin = Boolean(me.user && me.user.is_admin);

  useEffect(() => {
    let lost = false;
    const off = conn.onState((s) => {
      setConnState(s);
      // Say so only when it matters: the connection went, or came back.
      if (s === 'reconnecting' || s === 'offline') { lost = true; announce(CONNECTION_TEXT[s]); }
      else if (lost) { lost = false; announce('Connected again'); }
    });
    conn.connect();
    return () => { off(); conn.close(); };
  }, [conn]);

  const loadProjects = useCallback(() => api.projects()
    .then((r) => { setProjects(r.projects || []); setListError(''); })
    .catch((e) => setListError(e.message)), []);

  useEffect(() => { loadProjects(); }, []);
  // Added to a project, or removed from one: the rail and the list follow at once.
  useEffect(() => conn.onMessage((event) => {
    if (event === 'added_to_project' || event === 'removed_from_project') loadProjects();
  }), [conn]);
  useEffect(() => { setNavOpen(false); setCreating(false); closeDialog(); }, [selected]);
  useEffect(() => { setNavOpen(false); setSwitcher(false); }, [route.channel]);
  useEffect(() => {
    const onKey = (e) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k' && chat) {
        e.preventDefault();
        setSwitcher((v) => !v);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [chat]);
  useEffect(() => {
    if (!navOpen) return undefined;
    const onKey = (e) => { if (e.key === 'Escape') setNavOpen(false); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navOpen]);

  const onCreated = useCallback(async (project) => {
    setCreating(false);
    await loadProjects();
    announce(`Project ${project.name} created`);
    openChannel(project.name, 'general');
  }, [loadProjects]);

  const current = projects && projects.find((p) => p.name === selected);
  const chatMe = (chat && chat.state.me) || me.user;
  const myName = chatMe.username;
  const meIsAgent = chatMe.kind === 'agent';
  const role = myRole(chat, feed.members, me.user.username, current);
  const missing = feed.missing ? selected : null;

  // data-connection: the live connection's state ("realtime" | "polling" | "reconnecting" |
  // "offline", see socket.js), which the badge shows only when it matters; tests wait on it.
  return html`
    <div class=${`shell${navOpen ? ' nav-open' : ''}`} data-connection=${connState}>
      <${SkipLink} inChat=${Boolean(chat && route.channel)} />
      <${TopBar} user=${me.user} connState=${connState}
        navOpen=${navOpen} onToggleNav=${() => setNavOpen(!navOpen)} onLogout=${onLogout} />
      <${ProjectRail} projects=${projects || []} selected=${selected} isAdmin=${isAdmin}
        onNew=${() => { setCreating(true); setNavOpen(false); }}
        onSelect=${() => { setCreating(false); setNavOpen(false); }} />
      <${ChannelSidebar} project=${missing ? null : current || (selected ? { name: selected } : null)} chat=${chat}
        channel=${route.channel} members=${feed.members} me=${me.user} role=${role} />
      <${MainPane} me=${me} projects=${projects} listError=${listError} selected=${selected}
        summary=${current} feed=${feed} isAdmin=${isAdmin} creating=${creating}
        onCreate=${() => setCreating(true)} onCancelCreate=${() => setCreating(false)}
        onCreated=${onCreated} route=${route} chat=${chat} announce=${announce} missing=${missing} role=${role} />
      <${RightSidebar} selected=${missing ? null : selected} presence=${chatPresence(chat) || feed.presence}
        chat=${chat} channel=${route.channel}
        members=${feed.members} connState=${connState} />
      ${switcher && chat && html`<${ChannelSwitcher} channels=${chat.state.channels} members=${feed.members}
        me=${myName} meIsAgent=${meIsAgent}
        onClose=${() => setSwitcher(false)}
        onOpenDirect=${(peer) => chat.actions.openDirect(openRequest(peer, meIsAgent))}
        onPick=${(name) => { setSwitcher(false); openChannel(selected, name); }} />`}
      <${ShortcutSheet} />
      <${DialogHost} me=${me} project=${missing ? null : selected} chat=${chat} feed=${feed} role=${role} />
      ${navOpen && html`<button class="scrim" type="button" aria-label="Close menu"
        onClick=${() => setNavOpen(false)}></button>`}
    </div>`;
}

// The signed-in frame: top bar, project rail, channel sidebar, main pane,
// right sidebar. Owns the socket connection and the project list.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, expireSession } from '../api.js';
import { createConnection } from '../socket.js';
import { useRoute, openProject, openChannel } from '../router.js';
import { useProjectFeed } from '../feed.js';
import { useChat } from '../chat/useChat.js';
import { openRequest } from '../chat/direct.js';
import { TopBar } from './TopBar.js';
import { ProjectRail } from './ProjectRail.js';
import { ChannelSidebar } from './ChannelSidebar.js';
import { MainPane } from './MainPane.js';
import { RightSidebar } from './RightSidebar.js';
import { ChannelSwitcher } from './ChannelSwitcher.js';

const BADGE_TEXT = {
  realtime: 'Real-time', polling: 'Polling', reconnecting: 'Reconnecting…', offline: 'Offline',
};

function chatPresence(chat) {
  if (!chat || !chat.state.ready) return null;
  const { online, idle } = chat.state;
  return { count: online.length, names: online, idle };
}

export function Shell({ me, onLogout, announce }) {
  const conn = useMemo(() => createConnection({ onAuthFailed: expireSession }), []);
  const [connState, setConnState] = useState(conn.state);
  const [projects, setProjects] = useState(null);
  const [listError, setListError] = useState('');
  const [navOpen, setNavOpen] = useState(false);
  const [creating, setCreating] = useState(false);
  const route = useRoute();
  const selected = route.project;
  const feed = useProjectFeed(conn, selected, announce);
  const chat = useChat(selected, { announce });
  const [switcher, setSwitcher] = useState(false);
  const isAdmin = Boolean(me.user && me.user.is_admin);

  useEffect(() => {
    const off = conn.onState((s) => {
      setConnState(s);
      announce(`Connection: ${BADGE_TEXT[s]}`);
    });
    conn.connect();
    return () => { off(); conn.close(); };
  }, [conn]);

  const loadProjects = useCallback(() => api.projects()
    .then((r) => { setProjects(r.projects || []); setListError(''); })
    .catch((e) => setListError(e.message)), []);

  useEffect(() => { loadProjects(); }, []);
  useEffect(() => { setNavOpen(false); setCreating(false); }, [selected]);
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
    openProject(project.name);
  }, [loadProjects]);

  const current = projects && projects.find((p) => p.name === selected);
  const chatMe = (chat && chat.state.me) || me.user;
  const myName = chatMe.username;
  const meIsAgent = chatMe.kind === 'agent';

  return html`
    <div class=${`shell${navOpen ? ' nav-open' : ''}`}>
      <${TopBar} user=${me.user} connState=${connState} badgeText=${BADGE_TEXT[connState]}
        navOpen=${navOpen} onToggleNav=${() => setNavOpen(!navOpen)} onLogout=${onLogout} />
      <${ProjectRail} projects=${projects || []} selected=${selected} isAdmin=${isAdmin}
        onNew=${() => { setCreating(true); setNavOpen(false); }}
        onSelect=${() => { setCreating(false); setNavOpen(false); }} />
      <${ChannelSidebar} project=${current || (selected ? { name: selected } : null)} chat=${chat}
        channel=${route.channel} members=${feed.members} me=${me.user} />
      <${MainPane} me=${me} projects=${projects} listError=${listError} selected=${selected}
        summary=${current} feed=${feed} isAdmin=${isAdmin} creating=${creating}
        onCreate=${() => setCreating(true)} onCancelCreate=${() => setCreating(false)}
        onCreated=${onCreated} route=${route} chat=${chat} announce=${announce} />
      <${RightSidebar} selected=${selected} presence=${chatPresence(chat) || feed.presence}
        members=${feed.members} connState=${connState} />
      ${switcher && chat && html`<${ChannelSwitcher} channels=${chat.state.channels} members=${feed.members}
        me=${myName} meIsAgent=${meIsAgent}
        onClose=${() => setSwitcher(false)}
        onOpenDirect=${(peer) => chat.actions.openDirect(openRequest(peer, meIsAgent))}
        onPick=${(name) => { setSwitcher(false); openChannel(selected, name); }} />`}
      ${navOpen && html`<button class="scrim" type="button" aria-label="Close menu"
        onClick=${() => setNavOpen(false)}></button>`}
    </div>`;
}

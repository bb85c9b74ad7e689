// Tiny hash router: "#/p/<project>" selects a project (overview),
// "#/p/<project>/c/<channel>" opens a channel and ".../m/<id>" a message in it.
import { useEffect, useState } from 'preact/hooks';

const enc = encodeURIComponent;
const dec = (s) => (s === undefined ? null : decodeURIComponent(s));

export function parseRoute(hash = window.location.hash) {
  const m = /^#\/p\/([^/]+)(?:\/c\/([^/]+)(?:\/m\/([^/]+))?)?\/?$/.exec(hash);
  if (!m) return { project: null, channel: null, messageId: null };
  return { project: dec(m[1]), channel: dec(m[2]), messageId: dec(m[3]) };
}

export function channelHash(project, channel, messageId) {
  let h = `#/p/${enc(project)}/c/${enc(channel)}`;
  if (messageId) h += `/m/${enc(messageId)}`;
  return h;
}

export function openProject(name) {
  window.location.hash = name ? `#/p/${enc(name)}` : '#/';
}

export function openChannel(project, channel, messageId) {
  window.location.hash = channelHash(project, channel, messageId);
}

/** Absolute link to a message, for "Copy link". */
export function messageLink(project, channel, messageId) {
  const { origin, pathname } = window.location;
  return `${origin}${pathname}${channelHash(project, channel, messageId)}`;
}

function sameRoute(a, b) {
  return a.project === b.project && a.channel === b.channel && a.messageId === b.messageId;
}

export function useRoute() {
  const [route, setRoute] = useState(parseRoute);
  useEffect(() => {
    const onChange = () => setRoute((prev) => {
      const next = parseRoute();
      return sameRoute(prev, next) ? prev : next;
    });
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function useSelectedProject() {
  return useRoute().project;
}

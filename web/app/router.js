// Tiny hash router: "#/p/<project>" selects a project, anything else none.
import { useEffect, useState } from 'preact/hooks';

function parse() {
  const m = /^#\/p\/([^/]+)$/.exec(window.location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

export function openProject(name) {
  window.location.hash = name ? `#/p/${encodeURIComponent(name)}` : '#/';
}

export function useSelectedProject() {
  const [name, setName] = useState(parse);
  useEffect(() => {
    const onChange = () => setName(parse());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return name;
}

// Project and channel names: 1–64 of a-z 0-9 - _, starting with a letter or
// digit. What a person types ("Release Notes") becomes "release-notes".
export const NAME_MAX = 64;

export function slugify(text) {
  return (text || '')
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, NAME_MAX)
    .replace(/-+$/, '');
}

export const validName = (name) => /^[a-z0-9][a-z0-9_-]{0,63}$/.test(name);

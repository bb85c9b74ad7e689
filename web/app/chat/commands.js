// Slash commands offered by the composer's autocomplete. Static for now; the
// server answers `/help` with the authoritative list.
export const COMMANDS = [
  { name: '/help', usage: '/help [command]', description: 'List the available commands, or explain one' },
];

export function matchCommands(text) {
  const word = text.split(/\s/, 1)[0].toLowerCase();
  return COMMANDS.filter((c) => c.name.startsWith(word));
}

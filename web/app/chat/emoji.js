// A fixed set of common emoji for reactions and the composer.
export const EMOJI = [
  ['👍', 'thumbs up'], ['👎', 'thumbs down'], ['❤️', 'heart'], ['😂', 'joy'],
  ['😄', 'smile'], ['😊', 'blush'], ['😉', 'wink'], ['😍', 'heart eyes'],
  ['🤔', 'thinking'], ['😮', 'surprised'], ['😢', 'cry'], ['😡', 'angry'],
  ['🙏', 'thanks'], ['👏', 'clap'], ['🙌', 'raised hands'], ['👀', 'eyes'],
  ['🎉', 'tada'], ['🚀', 'rocket'], ['🔥', 'fire'], ['✨', 'sparkles'],
  ['✅', 'check'], ['❌', 'cross'], ['⚠️', 'warning'], ['❓', 'question'],
  ['💯', 'hundred'], ['💡', 'idea'], ['🐛', 'bug'], ['🛠️', 'tools'],
  ['📌', 'pin'], ['📝', 'memo'], ['⏳', 'hourglass'], ['🔒', 'lock'],
  ['👋', 'wave'], ['🤝', 'handshake'], ['💪', 'muscle'], ['🙂', 'slight smile'],
  ['😅', 'sweat smile'], ['🤯', 'mind blown'], ['🥳', 'party'], ['☕', 'coffee'],
];

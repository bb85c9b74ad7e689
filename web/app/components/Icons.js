// One set of inline SVG stroke icons (24×24 grid, 2 px round strokes, in the
// style of Feather/Lucide), drawn here so no emoji or symbol font is needed.
// Decorative: the button or link that holds one carries the accessible name
// (aria-label) and a tooltip (title).
import { html } from '../html.js';

const svg = (paths, size = 16) => html`<svg class="icon" viewBox="0 0 24 24" width=${size} height=${size}
  aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2"
  stroke-linecap="round" stroke-linejoin="round">${paths.map((d) => html`<path d=${d} />`)}</svg>`;
const icon = (...paths) => ({ size } = {}) => svg(paths, size);
const circle = (cx, cy, r) => `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0z`;

export const PaperclipIcon = icon('M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.3 3.3 0 0 1 4.7 4.7l-8.6 8.6a1.7 1.7 0 0 1-2.4-2.4l7.9-7.9');
export const SearchIcon = icon(circle(10.5, 10.5, 7.5), 'M16 16l5 5');
export const FileIcon = icon('M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z', 'M14 3v5h5');
export const ReplyIcon = icon('M9 14L4 9l5-5', 'M20 20v-7a4 4 0 0 0-4-4H4');
export const SmileIcon = icon(circle(12, 12, 10), 'M8 14s1.5 2 4 2 4-2 4-2', 'M9 9h.01', 'M15 9h.01');
export const ThreadIcon = icon('M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z', 'M8 8h8', 'M8 12h5');
export const EditIcon = icon('M17 3a2.8 2.8 0 1 1 4 4L7.5 20.5 2 22l1.5-5.5z', 'M15 5l4 4');
export const TrashIcon = icon('M3 6h18', 'M19 6v14a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V6', 'M8 6V4a2 2 0 0 1 2-2h4a2 2 0 0 1 2 2v2', 'M10 11v6', 'M14 11v6');
export const LinkIcon = icon('M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7', 'M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7');
export const PinIcon = icon('M12 17v5', 'M9 10.8a2 2 0 0 1-1.1 1.8l-1.8.9A2 2 0 0 0 5 15.2V17h14v-1.8a2 2 0 0 0-1.1-1.8l-1.8-.9a2 2 0 0 1-1.1-1.8V7a1 1 0 0 1 1-1 2 2 0 0 0 0-4H8a2 2 0 0 0 0 4 1 1 0 0 1 1 1z');
export const HashIcon = icon('M4 9h16', 'M4 15h16', 'M10 3L8 21', 'M16 3l-2 18');
export const WorkflowIcon = icon('M6 3v12', circle(18, 6, 3), circle(6, 18, 3), 'M18 9a9 9 0 0 1-9 9');
export const BotIcon = icon('M12 8V4H8', 'M6 8h12a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2z', 'M2 14h2', 'M20 14h2', 'M15 13v2', 'M9 13v2');
export const AlertIcon = icon('M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z', 'M12 9v4', 'M12 17h.01');
export const InfoIcon = icon(circle(12, 12, 10), 'M12 16v-4', 'M12 8h.01');
export const GearIcon = icon(circle(12, 12, 3), 'M12 2v3', 'M12 19v3', 'M4.9 4.9l2.1 2.1', 'M17 17l2.1 2.1', 'M2 12h3', 'M19 12h3', 'M4.9 19.1L7 17', 'M17 7l2.1-2.1');
export const CloseIcon = icon('M18 6L6 18', 'M6 6l12 12');
export const UsersIcon = icon('M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2', circle(9, 7, 4), 'M23 21v-2a4 4 0 0 0-3-3.9', 'M16 3.1a4 4 0 0 1 0 7.8');
export const EyeIcon = icon('M1 12s4-8 11-8 11 8 11 8-4 8-11 8-11-8-11-8z', circle(12, 12, 3));
export const SendIcon = icon('M22 2L11 13', 'M22 2l-7 20-4-9-9-4z');
export const KeyboardIcon = icon('M4 6h16a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z', 'M6 10h.01', 'M10 10h.01', 'M14 10h.01', 'M18 10h.01', 'M8 14h8');
export const ArrowUpIcon = icon('M12 19V5', 'M5 12l7-7 7 7');
export const CheckIcon = icon('M20 6L9 17l-5-5');

/** The icon of a channel type (general, workflow, agent, error). */
export const ChannelTypeIcon = ({ type }) => {
  const Icon = { workflow: WorkflowIcon, agent: BotIcon, error: AlertIcon }[type] || HashIcon;
  return html`<${Icon} />`;
};
export const PlusIcon = icon('M12 5v14', 'M5 12h14');
export const ChevronDownIcon = icon('M6 9l6 6 6-6');
export const MenuIcon = icon('M3 6h18', 'M3 12h18', 'M3 18h18');

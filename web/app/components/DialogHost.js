// Renders the dialog opened through dialogs.js with what it needs from the
// shell: the signed-in person, the open project, its chat and members, and
// the person's live role there.
import { html } from '../html.js';
import { closeDialog, useOpenDialog } from '../dialogs.js';
import { ProfileDialog } from './ProfileDialog.js';
import { PasswordDialog } from './PasswordDialog.js';
import { MembersDialog } from './MembersDialog.js';
import { ChannelSettingsDialog, CreateChannelDialog } from './ChannelDialog.js';

export function DialogHost({ me, project, chat, feed, role }) {
  const open = useOpenDialog();
  if (!open) return null;
  const { kind, props } = open;
  const isAdmin = Boolean(me.user && me.user.is_admin);
  switch (kind) {
    case 'profile': return html`<${ProfileDialog} onClose=${closeDialog} />`;
    case 'password': return html`<${PasswordDialog} onClose=${closeDialog} />`;
    case 'members':
      if (!project) return null;
      return html`<${MembersDialog} project=${project} members=${feed.members} me=${me.user.username}
        role=${role} isAdmin=${isAdmin} onChanged=${feed.reloadMembers} onClose=${closeDialog} />`;
    case 'create-channel':
      if (!project) return null;
      return html`<${CreateChannelDialog} project=${project} chat=${chat} onClose=${closeDialog} />`;
    case 'channel-settings':
      if (!project) return null;
      return html`<${ChannelSettingsDialog} key=${props.channel} project=${project} chat=${chat}
        channel=${props.channel} onClose=${closeDialog} />`;
    default: return null;
  }
}

// Whether a unit-file verb runs against a live manager, as systemctl decides
// between its bus path and its client-side ("offline") path: the wording of
// errors differs, and only the bus path reloads the manager afterwards.

import { connectControl, type ControlClient } from '../../control/client.js';
import { controlSocketPath } from '../../control/paths.js';

/** A connection to the running manager, or undefined when there is none (image build, chroot). */
export async function connectIfRunning(): Promise<ControlClient | undefined> {
  try {
    return await connectControl(controlSocketPath(), undefined, { blocking: true });
  } catch {
    return undefined;
  }
}

/** daemon-reload on `d` (or on a new connection), then hang up; nothing when no manager runs. */
export async function reloadManager(d?: ControlClient): Promise<void> {
  const client = d ?? (await connectIfRunning());
  if (client === undefined) return;
  try {
    await client.daemonReload();
  } finally {
    client.close();
  }
}

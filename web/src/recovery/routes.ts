// The recovery pages as the wizard's router sees them: which screen each view is, and where a history entry
// may lead (once the code is verified, the identification and the code cannot be shown again).
import type { App, RecoveryView } from '../app.ts';
import type { Screen } from '../ui.ts';
import { recoveryState } from './state.ts';
import {
  newPasswordView,
  recoveryCodeView,
  recoveryContactView,
  recoveryDoneView,
  recoveryExpiredView,
  recoveryIdentifyView,
  recoveryStartView,
} from './views.ts';

export const RECOVERY_HASH = '#/recuperar';

const BEFORE_CODE: readonly RecoveryView[] = [
  'recovery',
  'recovery-card',
  'recovery-company',
  'recovery-virtual-key',
  'recovery-contact',
  'recovery-otp',
];

/** What a history entry may show now, from what this tab holds (pure, so a test can read it). */
export function recoveryReachable(
  view: RecoveryView,
  held: { saved: boolean; verified: boolean; done: boolean },
): RecoveryView {
  if (!held.saved) {
    const open = BEFORE_CODE.slice(0, 4).includes(view) || view === 'recovery-expired';
    // After the change, Back from the final screen stays on it; a new recovery may still be started.
    if (held.done && !open) return 'recovery-done';
    return open ? view : 'recovery';
  }
  if (held.verified) return BEFORE_CODE.includes(view) ? 'recovery-password' : view;
  if (view === 'recovery-password' || view === 'recovery-done') return 'recovery-contact';
  return view;
}

export const reachableNow = (view: RecoveryView): RecoveryView =>
  recoveryReachable(view, {
    saved: recoveryState.get() !== undefined,
    verified: recoveryState.verified(),
    done: recoveryState.done() !== undefined,
  });

export function recoveryScreen(app: App, view: RecoveryView, notice?: string): Screen {
  switch (view) {
    case 'recovery':
      return recoveryStartView(app, notice);
    case 'recovery-card':
      return recoveryIdentifyView(app, 'card');
    case 'recovery-company':
      return recoveryIdentifyView(app, 'company');
    case 'recovery-virtual-key':
      return recoveryIdentifyView(app, 'virtual-key');
    case 'recovery-contact':
      return recoveryContactView(app, notice);
    case 'recovery-otp':
      return recoveryCodeView(app, notice);
    case 'recovery-password':
      return newPasswordView(app, notice);
    case 'recovery-done':
      return recoveryDoneView(app, notice);
    case 'recovery-expired':
      return recoveryExpiredView(app, notice);
  }
}

// The scheduled hold sweep (every 5 minutes, EventBridge): applies each held token reset whose hold ended
// (rule 54), so a customer who never signs in again still gets the change, exactly once.
import { keyed } from '../keys.ts';
import { sweepHeldResets } from '../recovery/hold.ts';
import { clock, logger, random } from '../runtime.ts';
import { access, accounts } from '../storage.ts';

export async function handler(): Promise<{ applied: number }> {
  const applied = await sweepHeldResets({
    clock,
    random,
    keyed: await keyed(),
    events: logger,
    access: access(),
    accounts: accounts(),
  });
  return { applied };
}

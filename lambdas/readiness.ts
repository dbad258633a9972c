// What the deploy hook's smoke call exercises before a new version takes traffic (lib/deploy-hook.ts): each
// composition root that opens a dependency adds one harmless read, so a missing grant, a wrong table name or
// an unreachable endpoint fails the deployment instead of the first customers.
const checks: (() => Promise<unknown>)[] = [];

export function addReadinessCheck(check: () => Promise<unknown>): void {
  checks.push(check);
}

/** Runs every check; resolves to how many ran, rejects with the first failure. */
export async function checkReadiness(): Promise<number> {
  await Promise.all(checks.map((check) => check()));
  return checks.length;
}

// `npm run start:explore`: the local stack with limits relaxed for a developer who clicks through the
// wizard by hand. The production defaults (lambdas/config.ts) lock a PIN for a day and allow 5 SMS an hour;
// exploring trips them within minutes. Each value here is still a limit, so every screen and error stays
// reachable: three wrong PINs still lock, for a minute.

/** Variables of lambdas/config.ts and the relaxed values `--explore` gives them (an explicit env wins). */
export const relaxedLimits: Readonly<Record<string, string>> = {
  IDENTIFY_MAX_PER_IP_PER_MINUTE: '100',
  SIGN_IN_MAX_PER_IP_PER_MINUTE: '200',
  PIN_LOCK_SECONDS: '60',
  PASSWORD_LOCK_SECONDS: '60',
  OTP_MAX_SENDS: '20',
  OTP_RESEND_COOLDOWN_SECONDS: '5',
  OTP_MAX_SENDS_PER_PHONE_PER_HOUR: '100',
  OTP_MAX_FAILURES_PER_CUSTOMER: '100',
  TOKEN_MAX_FAILURES_PER_USER: '100',
  USERNAME_MAX_TRIES: '100',
  SESSION_IDLE_SECONDS: '1800',
  SESSION_MAX_SECONDS: '3600',
  SIGNED_IN_IDLE_SECONDS: '1800',
};

/**
 * Sets the relaxed limits in `env` where the caller did not set a value, and returns the lines the start
 * banner prints about the limits in force.
 */
export function applyLimitProfile(env: NodeJS.ProcessEnv, explore: boolean): string[] {
  if (!explore) {
    return [
      'Limits: production defaults (`npm run start:explore` relaxes them for clicking through by hand)',
    ];
  }
  const applied = Object.entries(relaxedLimits).map(([name, value]) => {
    env[name] ??= value;
    return `${name}=${env[name]}`;
  });
  const lines: string[] = ['Limits: RELAXED for local exploration, never for a deployed stack:'];
  for (let i = 0; i < applied.length; i += 3) lines.push(`  ${applied.slice(i, i + 3).join('  ')}`);
  return lines;
}

// `npm run start:explore`: the local stack with limits relaxed for a developer who clicks through the
// wizard by hand. The production defaults (lambdas/config.ts) lock a PIN for a day and allow 5 SMS an hour;
// exploring trips them within minutes. Each value here is still a limit, so every screen and error stays
// reachable: three wrong PINs still lock, for a minute.
import { configVariables } from '../../lambdas/config.ts';

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
  // A held token reset (rule 54) applies after two minutes instead of twelve hours.
  TOKEN_RESET_HOLD_SECONDS: '120',
};

/** The limits of lambdas/config.ts: its lifetimes and waits (`…_SECONDS`) and its counts (`…MAX_…`). */
export const limitVariables: readonly string[] = configVariables.filter((name) =>
  /_SECONDS$|(^|_)MAX_/.test(name),
);

/** `NAME=value` of every limit `env` sets, three to a line. */
function limitsSet(env: NodeJS.ProcessEnv): string[] {
  const set = limitVariables.filter((name) => env[name] !== undefined).map((name) => `${name}=${env[name]}`);
  const lines: string[] = [];
  for (let i = 0; i < set.length; i += 3) lines.push(`  ${set.slice(i, i + 3).join('  ')}`);
  return lines;
}

/**
 * Sets the relaxed limits in `env` where the caller did not set a value, and returns the lines the start
 * banner prints about the limits in force: every limit the environment overrides is named, so a stack
 * started with `OTP_TTL_SECONDS=20` never claims to run the production defaults.
 */
export function applyLimitProfile(env: NodeJS.ProcessEnv, explore: boolean): string[] {
  if (!explore) {
    const set = limitsSet(env);
    if (set.length === 0) {
      return [
        'Limits: production defaults (`npm run start:explore` relaxes them for clicking through by hand)',
      ];
    }
    return ['Limits: production defaults, except these set in the environment:', ...set];
  }
  for (const [name, value] of Object.entries(relaxedLimits)) env[name] ??= value;
  return ['Limits: RELAXED for local exploration, never for a deployed stack:', ...limitsSet(env)];
}

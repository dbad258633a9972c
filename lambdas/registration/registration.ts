// The registration: the server-side state of one customer's pass through the wizard.
import { sessionExpiresAt } from '../rules/session-expiry.ts';
import type { Step } from './steps.ts';

export type CredentialType = 'card' | 'company' | 'virtual-key';
export type SecondFactorChoice = 'digital-token' | 'later';

export interface ChallengeAnswer {
  questionId: string;
  /** argon2id of the normalised answer; the answer itself is never stored. */
  answerHash: string;
}

export interface Registration {
  registrationId: string;
  customerId: string;
  credentialType: CredentialType;
  /** SHA-256 of the current bearer token. */
  tokenHash: string;
  step: Step;
  status: 'open' | 'completed' | 'cancelled';
  /** Bumped by every step: each step is one conditional write on it. */
  version: number;
  createdAt: number;
  lastSeenAt: number;
  /** Masked phone and email on file, shown on the contact screens. */
  contact: { phone: string; email: string };
  /** The customer's cédula and RUCs (identifiers, not secrets): no username or password may contain them. */
  identityNumbers: string[];
  username?: string;
  passwordHash?: string;
  imageId?: string;
  homePhone?: string;
  workPhone?: string;
  answers?: ChallengeAnswer[];
  terms?: { version: string; acceptedAt: number };
  secondFactor?: { hasSmartDevice: boolean; choice: SecondFactorChoice };
}

/** Idle and absolute expiry, whichever comes first (SECURITY.md rule 23). */
export const expiresAt = sessionExpiresAt;

export function isAlive(
  registration: Registration,
  now: number,
  session: { idleSeconds: number; maxSeconds: number },
): boolean {
  return registration.status === 'open' && now < expiresAt(registration, session);
}

export const usernameKey = (username: string): string => username.toLowerCase();

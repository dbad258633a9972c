// The recovery pages' own rules, without a browser: which screen a history entry may show, which screen each
// step of the API is, and the Spanish texts of the recovery's errors.
import { describe, expect, it } from 'vitest';
import { rateLimitText, recoveryProblemText } from '../../web/src/messages.ts';
import { recoveryReachable } from '../../web/src/recovery/routes.ts';
import { RECOVERY_STEP_VIEW } from '../../web/src/recovery/views.ts';

describe('where a history entry of the recovery may lead', () => {
  const none = { saved: false, verified: false, done: false };
  const started = { saved: true, verified: false, done: false };
  const verified = { saved: true, verified: true, done: false };
  const done = { saved: false, verified: false, done: true };

  it('without a recovery: the choice and the identifications only', () => {
    expect(recoveryReachable('recovery-card', none)).toBe('recovery-card');
    expect(recoveryReachable('recovery', none)).toBe('recovery');
    expect(recoveryReachable('recovery-otp', none)).toBe('recovery');
    expect(recoveryReachable('recovery-password', none)).toBe('recovery');
    expect(recoveryReachable('recovery-done', none)).toBe('recovery');
    expect(recoveryReachable('recovery-expired', none)).toBe('recovery-expired');
  });

  it('before the code: the new password is not open yet', () => {
    expect(recoveryReachable('recovery-otp', started)).toBe('recovery-otp');
    expect(recoveryReachable('recovery-company', started)).toBe('recovery-company');
    expect(recoveryReachable('recovery-password', started)).toBe('recovery-contact');
    expect(recoveryReachable('recovery-done', started)).toBe('recovery-contact');
  });

  it('once the code is verified, never back to the code or the identification', () => {
    for (const view of ['recovery', 'recovery-card', 'recovery-contact', 'recovery-otp'] as const)
      expect(recoveryReachable(view, verified)).toBe('recovery-password');
    expect(recoveryReachable('recovery-password', verified)).toBe('recovery-password');
  });

  it('after the change, the final screen stays (a reload, Back), and a new recovery can start', () => {
    expect(recoveryReachable('recovery-done', done)).toBe('recovery-done');
    expect(recoveryReachable('recovery-password', done)).toBe('recovery-done');
    expect(recoveryReachable('recovery-otp', done)).toBe('recovery-done');
    expect(recoveryReachable('recovery-card', done)).toBe('recovery-card');
  });

  it('has a screen for every step of the API', () => {
    expect(RECOVERY_STEP_VIEW).toEqual({
      'verify-contact': 'recovery-contact',
      'enter-otp': 'recovery-otp',
      'new-password': 'recovery-password',
      // A held token reset (rule 54) ends on the final screen too, which then says when it applies.
      'on-hold': 'recovery-done',
      completed: 'recovery-done',
    });
  });
});

describe('recovery errors in Spanish', () => {
  it('offers the registration to a customer without a user: the API detail, or the same advice without it', () => {
    const detail = 'Aún no tienes un usuario de Produbanco en línea. Regístrate primero con tu tarjeta.';
    expect(recoveryProblemText({ status: 409, code: 'not_registered', detail })).toBe(detail);
    expect(recoveryProblemText({ status: 409, code: 'not_registered' })).toBe(
      'Aún no tienes un usuario de Produbanco en línea. Regístrate primero.',
    );
  });

  it('names the recovery limits and when to try again', () => {
    const limited = (reason: string, retryAfter?: number) =>
      recoveryProblemText({ status: 429, code: 'rate_limited', reason, retryAfter });
    expect(limited('recoveries_per_customer', 7200)).toBe(
      'Ya recuperaste tu acceso el máximo de veces permitido en un día. Podrás hacerlo de nuevo en 2 horas, o acércate a cualquier agencia Produbanco.',
    );
    expect(limited('per_address', 45)).toBe(
      'Hubo demasiados intentos desde tu conexión. Inténtalo de nuevo en 45 segundos.',
    );
    expect(limited('sends_per_registration')).toMatch(/para esta recuperación/);
    // The code's own limits keep the registration's words.
    for (const reason of ['resend_cooldown', 'sends_per_phone'])
      expect(limited(reason, 30)).toBe(
        rateLimitText({ status: 429, code: 'rate_limited', reason, retryAfter: 30 }),
      );
  });

  it('says how long a locked key waits, and that an expired recovery starts over', () => {
    expect(recoveryProblemText({ status: 423, code: 'credential_locked', retryAfter: 86_400 })).toMatch(
      /bloqueamos esta clave .* en 24 horas\./,
    );
    expect(recoveryProblemText({ status: 401, code: 'session_invalid' })).toMatch(/empieza de nuevo\.$/);
    // Anything else as in the registration.
    expect(recoveryProblemText({ status: 0, code: 'network_error' })).toMatch(/Revisa tu conexión/);
  });
});

// Screens 2-3 of the guide: the masked contact data, «Generar clave temporal», and the SMS code on the virtual keyboard
// with its countdown. Resending follows what the API allows (`resendAvailableAt`, `sendsLeft`).
import { ApiError, api, type Contact, type OtpSent, serverNow } from '../api.ts';
import type { App } from '../app.ts';
import { type Child, h } from '../dom.ts';
import { createKeypad } from '../keypad.ts';
import { localSmsLink } from '../local.ts';
import { sendsLeftText, waitText } from '../messages.ts';
import { actions, button, Errors, formatSeconds, groupField, onSubmit, type Screen, screen } from '../ui.ts';

/**
 * What the contact and code screens need from the journey that shows them (the registration, or the recovery
 * of access): its session's contact data and last code, the two calls, where each button leads, its error
 * policy, and how its texts name it.
 */
export interface CodeJourney {
  contact(): Contact | undefined;
  otp(): OtpSent | undefined;
  keepOtp(otp: OtpSent | undefined): void;
  send(): Promise<OtpSent>;
  /** Verifies the code and moves on; throws the API's refusal. */
  verify(code: string): Promise<void>;
  /** From the contact screen back to the identification. */
  back(): void;
  toCode(): void;
  toContact(): void;
  /** Closes this session and starts over. */
  restart(): void;
  /** The session closed while the code had expired. */
  expired(notice: string): void;
  fail(err: unknown, errors: Errors): void;
  onLeave(fn: () => void): void;
  /** "este registro" / "el registro", "esta recuperación" / "la recuperación". */
  words: { this: string; the: string };
}

export function registrationCodeJourney(app: App): CodeJourney {
  return {
    contact: () => app.saved?.contact,
    otp: () => app.saved?.otp,
    keepOtp: (otp) => app.update({ otp }),
    send: () => api.sendOtp(app.session()),
    verify: async (code) => {
      const verified = await api.verifyOtp(app.session(), code);
      app.update({ token: verified.token, otp: undefined, verified: true });
      app.go(verified.step);
    },
    // Back to the identification, what was typed kept; the registration stays open (a new step 1 closes it).
    back: () => app.go(app.draft?.kind ?? 'start'),
    toCode: () => app.go('enter-otp'),
    toContact: () => app.go('verify-contact'),
    restart: () => void app.restart(),
    expired: (notice) => app.go('expired', notice),
    fail: (err, errors) => app.fail(err, errors),
    onLeave: (fn) => app.onLeave(fn),
    words: { this: 'este registro', the: 'el registro' },
  };
}

export function verifyContactView(app: App, notice?: string): Screen {
  return contactScreen(registrationCodeJourney(app), {
    title: 'Verificación de datos de contacto',
    submit: 'Generar clave temporal',
    notice,
    intro: h(
      'p',
      {},
      'Si el número que se presenta no es el que utilizas regularmente, acércate a la Caja de Servicios de cualquier agencia a nivel nacional para realizar el cambio.',
    ),
    hint: '* Si no aparece un correo electrónico, acércate a la caja de servicios de cualquier agencia. Si está incorrecto, continúa: al final del proceso te indicamos cómo actualizarlo.',
  });
}

/** The masked phone and email on file and the button that sends the SMS code. */
export function contactScreen(
  journey: CodeJourney,
  opts: { title: string; submit: string; notice?: string; intro: Child; hint: string },
): Screen {
  const errors = new Errors();
  const contact = journey.contact();
  const back = button('Regresar', 'secondary');
  back.addEventListener('click', () => journey.back());
  const submit = button(opts.submit, 'primary', 'submit');
  const form = h('form', { novalidate: true }, errors.alert, actions(back, submit));
  const otp = journey.otp();
  if (otp && Date.parse(otp.expiresAt) > serverNow()) {
    const have = button('Ya tengo una clave: ingresarla', 'link');
    have.addEventListener('click', () => journey.toCode());
    form.append(h('p', {}, have));
  }

  onSubmit(form, submit, async () => {
    errors.clear();
    try {
      journey.keepOtp(await journey.send());
      journey.toCode();
    } catch (err) {
      journey.fail(err, errors);
    }
  });

  return screen({
    title: opts.title,
    notice: opts.notice,
    body: [
      opts.intro,
      h(
        'dl',
        { class: 'summary' },
        h(
          'div',
          {},
          h('dt', {}, 'Teléfono celular:'),
          h('dd', { 'data-contact': 'phone' }, contact?.phone ?? '—'),
        ),
        h(
          'div',
          {},
          h('dt', {}, 'Correo electrónico:'),
          h('dd', { 'data-contact': 'email' }, contact?.email || 'No registrado'),
        ),
      ),
      h('p', { class: 'hint' }, opts.hint),
      form,
    ],
  });
}

export function enterOtpView(app: App, notice?: string): Screen {
  return codeScreen(registrationCodeJourney(app), notice);
}

/** The SMS code on the keypad, its countdown, and «Reenviar clave» as the API allows it. */
export function codeScreen(journey: CodeJourney, notice?: string): Screen {
  const errors = new Errors();
  const { words } = journey;
  const keypad = createKeypad({
    name: 'otp',
    length: 6,
    legend: 'Clave temporal',
    hint: 'Los 6 dígitos del mensaje. Ingrésalos con el teclado virtual; los números cambian de lugar cada vez.',
  });
  errors.add(
    'code',
    groupField(keypad.root, () => keypad.root.querySelector('.key'), keypad.error),
  );

  const timer = h('p', { class: 'timer', role: 'timer', 'aria-atomic': 'true' });
  // The timer itself is silent (role=timer); only the milestones are announced.
  const announcer = h('p', { class: 'sr-only', 'aria-live': 'polite' });
  const resend = button('Reenviar clave', 'secondary');
  const resendInfo = h('p', { class: 'hint', id: 'resend-info' });
  resend.setAttribute('aria-describedby', resendInfo.id);
  const restart = button('Empezar de nuevo', 'link');
  restart.hidden = true;
  restart.addEventListener('click', () => journey.restart());

  let otp: OtpSent | undefined = journey.otp();
  let announcedMinute = false;
  let announcedExpired = false;
  let resendWasOpen = false;
  // The code lives as long as the session's idle timeout (5 minutes each): once it expired, the session may
  // have closed too, so starting again is offered beside «Reenviar clave».
  let codeExpired = false;

  const tick = (): void => {
    const now = serverNow();
    if (otp) {
      const left = (Date.parse(otp.expiresAt) - now) / 1000;
      if (left > 0) {
        timer.textContent = `Tiempo restante: ${formatSeconds(left)}`;
        timer.classList.remove('expired');
        if (left <= 60 && !announcedMinute && left > 55) {
          announcedMinute = true;
          announcer.textContent = 'Queda un minuto para que la clave venza.';
        }
      } else {
        codeExpired = true;
        timer.textContent = 'La clave temporal venció. Solicita una nueva.';
        timer.classList.add('expired');
        if (!announcedExpired) {
          announcedExpired = true;
          announcer.textContent = 'La clave temporal venció. Solicita una nueva con «Reenviar clave».';
        }
      }
    }
    const sendsLeft = otp?.sendsLeft ?? 1;
    const wait = otp ? Math.max(0, (Date.parse(otp.resendAvailableAt) - now) / 1000) : 0;
    const open = sendsLeft > 0 && wait <= 0;
    resend.disabled = !open;
    restart.hidden = sendsLeft > 0 && !codeExpired;
    if (sendsLeft <= 0) {
      resendInfo.textContent = `Ya solicitaste el máximo de claves para ${words.this}. Si no la recibiste, empieza de nuevo.`;
    } else if (!open) {
      resendInfo.textContent = `Podrás pedir una nueva clave en ${formatSeconds(wait)}.`;
    } else if (codeExpired) {
      resendInfo.textContent = `Pide una nueva clave (${sendsLeftText(sendsLeft)}). Si ${words.the} ya se cerró por inactividad, empieza de nuevo.`;
    } else {
      resendInfo.textContent = `¿No te llegó el mensaje? Puedes pedir una nueva clave (${sendsLeftText(sendsLeft)}).`;
      if (!resendWasOpen && otp) announcer.textContent = 'Ya puedes pedir una nueva clave.';
    }
    resendWasOpen = open;
  };
  const interval = setInterval(tick, 1000);
  journey.onLeave(() => clearInterval(interval));

  resend.addEventListener('click', async () => {
    errors.clear();
    try {
      otp = await journey.send();
      journey.keepOtp(otp);
      announcedMinute = false;
      announcedExpired = false;
      resendWasOpen = false;
      codeExpired = false;
      keypad.reset();
      tick();
      announcer.textContent = 'Te enviamos una nueva clave. La anterior ya no es válida.';
      keypad.focus();
    } catch (err) {
      const p = err instanceof ApiError ? err.problem : undefined;
      if (p?.code === 'session_invalid' && codeExpired) {
        journey.expired(
          `La clave temporal venció y, por tu seguridad, ${words.the} también se cerró tras unos minutos sin actividad. Empieza de nuevo: solo toma un momento.`,
        );
        return;
      }
      if (p?.code === 'rate_limited' && otp) {
        // The button follows the limit the API reports: no more codes at all, or none until Retry-After.
        otp =
          p.reason === 'sends_per_registration'
            ? { ...otp, sendsLeft: 0 }
            : {
                ...otp,
                resendAvailableAt: new Date(serverNow() + (p.retryAfter ?? 30) * 1000).toISOString(),
              };
        tick();
      }
      journey.fail(err, errors);
    }
  });

  const back = button('Regresar', 'secondary');
  back.addEventListener('click', () => journey.toContact());
  const submit = button('Aceptar', 'primary', 'submit');
  const form = h(
    'form',
    { novalidate: true },
    errors.alert,
    timer,
    announcer,
    keypad.root,
    h('div', { class: 'resend' }, resend, resendInfo, restart),
    actions(back, submit),
  );

  onSubmit(form, submit, async () => {
    const code = keypad.value();
    if (code.length !== 6) {
      errors.show([{ field: 'code', message: 'Ingresa los 6 dígitos de la clave con el teclado virtual.' }]);
      return;
    }
    keypad.reset();
    try {
      await journey.verify(code);
    } catch (err) {
      const p = err instanceof ApiError ? err.problem : undefined;
      if (p?.code === 'otp_invalid') {
        const left = p.attemptsLeft;
        const more =
          left === undefined
            ? ''
            : left === 0
              ? ' Agotaste los intentos con esta clave: pide una nueva.'
              : ` Te ${left === 1 ? 'queda 1 intento' : `quedan ${left} intentos`}.`;
        errors.show(
          [{ field: 'code', message: 'Vuelve a ingresar la clave.' }],
          `La clave ingresada no es correcta.${more}`,
        );
      } else if (p?.code === 'otp_expired') {
        if (otp) otp = { ...otp, expiresAt: new Date(serverNow()).toISOString() };
        announcedExpired = true;
        tick();
        errors.screen('La clave temporal venció. Pide una nueva con «Reenviar clave» e ingrésala.');
      } else if (p?.code === 'otp_locked') {
        errors.screen('Agotaste los intentos con esta clave. Pide una nueva con «Reenviar clave».');
      } else {
        journey.fail(err, errors);
      }
    }
  });

  tick();
  const phone = journey.contact()?.phone;
  const ttl = otp ? Math.round((Date.parse(otp.expiresAt) - serverNow()) / 1000) : 300;
  return screen({
    title: 'Clave de seguridad temporal',
    notice,
    body: [
      h(
        'p',
        {},
        `Enviamos la clave de seguridad temporal por mensaje a tu número celular registrado${phone ? ` (${phone})` : ''}. Estará vigente por ${waitText(Math.max(ttl, 1))}.`,
      ),
      form,
      localSmsLink(),
    ],
  });
}

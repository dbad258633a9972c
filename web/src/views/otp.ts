// Screens 2-3 of the guide: the masked contact data, "Generar OTP", and the SMS code on the virtual keyboard
// with its countdown. Resending follows what the API allows (`resendAvailableAt`, `sendsLeft`).
import { ApiError, api, type OtpSent, serverNow } from '../api.ts';
import type { App } from '../app.ts';
import { h } from '../dom.ts';
import { createKeypad } from '../keypad.ts';
import { sendsLeftText, waitText } from '../messages.ts';
import { actions, button, Errors, formatSeconds, groupField, onSubmit, type Screen, screen } from '../ui.ts';

export function verifyContactView(app: App, notice?: string): Screen {
  const errors = new Errors();
  const contact = app.saved?.contact;
  // Back to the identification, what was typed kept; the registration stays open (a new step 1 closes it).
  const back = button('Regresar', 'secondary');
  back.addEventListener('click', () => app.go(app.draft?.kind ?? 'start'));
  const submit = button('Generar OTP', 'primary', 'submit');
  const form = h('form', { novalidate: true }, errors.alert, actions(back, submit));
  const otp = app.saved?.otp;
  if (otp && Date.parse(otp.expiresAt) > serverNow()) {
    const have = button('Ya tengo una clave: ingresarla', 'link');
    have.addEventListener('click', () => app.go('enter-otp'));
    form.append(h('p', {}, have));
  }

  onSubmit(form, submit, async () => {
    errors.clear();
    try {
      const sent = await api.sendOtp(app.session());
      app.update({ otp: sent });
      app.go('enter-otp');
    } catch (err) {
      app.fail(err, errors);
    }
  });

  return screen({
    title: 'Verificación de datos de contacto',
    notice,
    body: [
      h(
        'p',
        {},
        'Si el número que se presenta no es el que utilizas regularmente, acércate a la Caja de Servicios de cualquier agencia a nivel nacional para realizar el cambio.',
      ),
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
      h(
        'p',
        { class: 'hint' },
        '* Si no aparece un correo electrónico, acércate a la caja de servicios de cualquier agencia. Si está incorrecto, continúa: al final del proceso te indicamos cómo actualizarlo.',
      ),
      form,
    ],
  });
}

export function enterOtpView(app: App, notice?: string): Screen {
  const errors = new Errors();
  const keypad = createKeypad({
    name: 'otp',
    length: 6,
    legend: 'Clave temporal (OTP)',
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
  restart.addEventListener('click', () => void app.restart());

  let otp: OtpSent | undefined = app.saved?.otp;
  let announcedMinute = false;
  let announcedExpired = false;
  let resendWasOpen = false;
  // The code lives as long as the registration's idle timeout (5 minutes each): once it expired, the
  // registration may have closed too, so starting again is offered beside «Reenviar clave».
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
      resendInfo.textContent =
        'Ya solicitaste el máximo de claves para este registro. Si no la recibiste, empieza de nuevo.';
    } else if (!open) {
      resendInfo.textContent = `Podrás pedir una nueva clave en ${formatSeconds(wait)}.`;
    } else if (codeExpired) {
      resendInfo.textContent = `Pide una nueva clave (${sendsLeftText(sendsLeft)}). Si el registro ya se cerró por inactividad, empieza de nuevo.`;
    } else {
      resendInfo.textContent = `¿No te llegó el mensaje? Puedes pedir una nueva clave (${sendsLeftText(sendsLeft)}).`;
      if (!resendWasOpen && otp) announcer.textContent = 'Ya puedes pedir una nueva clave.';
    }
    resendWasOpen = open;
  };
  const interval = setInterval(tick, 1000);
  app.onLeave(() => clearInterval(interval));

  resend.addEventListener('click', async () => {
    errors.clear();
    try {
      otp = await api.sendOtp(app.session());
      app.update({ otp });
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
        app.go(
          'expired',
          'La clave temporal venció y, por tu seguridad, el registro también se cerró tras unos minutos sin actividad. Empieza de nuevo: solo toma un momento.',
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
      app.fail(err, errors);
    }
  });

  const back = button('Regresar', 'secondary');
  back.addEventListener('click', () => app.go('verify-contact'));
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
      const verified = await api.verifyOtp(app.session(), code);
      app.update({ token: verified.token, otp: undefined, verified: true });
      app.go(verified.step);
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
        app.fail(err, errors);
      }
    }
  });

  tick();
  const phone = app.saved?.contact?.phone;
  const ttl = otp ? Math.round((Date.parse(otp.expiresAt) - serverNow()) / 1000) : 300;
  return screen({
    title: 'Clave de seguridad temporal',
    notice,
    body: [
      h(
        'p',
        {},
        `Enviamos la clave de seguridad temporal (OTP) por mensaje a tu número celular registrado${phone ? ` (${phone})` : ''}. Estará vigente por ${waitText(Math.max(ttl, 1))}.`,
      ),
      form,
    ],
  });
}

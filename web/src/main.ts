// Entry point of the registration wizard: keeps the registration in sessionStorage, resumes it after a reload
// (GET /v1/registrations/{id}) and shows the screen for the step the API says comes next.
import { ApiError, api, type Completed, type Session, type Started } from './api.ts';
import { type App, isRecoveryView, isSignInView, type Saved, type View } from './app.ts';
import { problemText, signInProblemText } from './messages.ts';
import { recoveryApi } from './recovery/api.ts';
import { RECOVERY_HASH, reachableNow, recoveryScreen } from './recovery/routes.ts';
import { recoveryState } from './recovery/state.ts';
import { RECOVERY_STEP_VIEW } from './recovery/views.ts';
import { reportToken, reportView } from './report.ts';
import { SIGN_IN_HASH, signInEntry, signInScreen } from './sign-in/routes.ts';
import { signInState } from './sign-in/state.ts';
import type { Errors, Screen } from './ui.ts';
import {
  completedView,
  expiredView,
  finishView,
  messageView,
  secondFactorChoiceView,
  secondFactorView,
} from './views/finish.ts';
import { enterOtpView, verifyContactView } from './views/otp.ts';
import { contactView, imageView, passwordView, usernameView } from './views/profile.ts';
import { questionsView } from './views/questions.ts';
import { identifyView, startView } from './views/start.ts';

const STORAGE_KEY = 'produbanco.registro';
const DONE_KEY = 'produbanco.registro.finalizado';

function load<T>(key: string): T | null {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

const root = document.getElementById('app') as HTMLElement;
let leaving: (() => void)[] = [];
let rendering = 0;

function mount(s: Screen): void {
  root.replaceChildren(s.root);
  document.title = s.title;
  root.removeAttribute('aria-busy');
  s.heading.focus();
  window.scrollTo(0, 0);
}

const siteTitle = document.querySelector('.site-title');
const registrationTitle = siteTitle?.textContent ?? '';

/**
 * Each screen is a browser history entry, so Back and Forward move one screen inside the wizard. `push` adds
 * an entry (a step forward or "Regresar"), `replace` rewrites the current one (a redirect, a resume), `none`
 * is a move the browser already made (popstate). The sign-in pages live at `#/ingresar` (a static host serves
 * it without rewrites); the wizard at `/`.
 */
type HistoryMode = 'push' | 'replace' | 'none';

function record(view: View, mode: HistoryMode): void {
  const signIn = isSignInView(view);
  const recovery = isRecoveryView(view);
  if (siteTitle) siteTitle.textContent = signIn || recovery ? 'Produbanco en línea' : registrationTitle;
  const address = signIn ? SIGN_IN_HASH : recovery ? RECOVERY_HASH : location.pathname + location.search;
  // Each entry remembers the screen of the entry before it (`from`), so «Regresar» can be the browser's Back.
  const current = history.state as { wizard?: View; from?: View } | null;
  if (mode === 'push' && current?.wizard !== view)
    history.pushState({ wizard: view, from: current?.wizard }, '', address);
  else if (mode !== 'none') history.replaceState({ wizard: view, from: current?.from }, '', address);
}

const IDENTIFICATION: readonly View[] = ['start', 'card', 'company', 'virtual-key'];
const BEFORE_CODE: readonly View[] = ['verify-contact', 'enter-otp'];

/** Where a history entry may lead now: the API decides what is open, the page only avoids dead ends. */
function reachable(view: View): View {
  // The sign-in pages keep their own state and answer for it (a dead sign-in returns to "Usuario").
  if (isSignInView(view)) return view;
  if (isRecoveryView(view)) return reachableNow(view);
  const done = load<Completed>(DONE_KEY) !== null;
  if (!app.saved) {
    if (done) return 'completed';
    return IDENTIFICATION.includes(view) || view === 'expired' ? view : 'start';
  }
  // A verified code cannot be entered again, and a new step 1 would close this registration.
  if (app.saved.verified && (BEFORE_CODE.includes(view) || IDENTIFICATION.includes(view))) {
    return 'choose-username';
  }
  if (view === 'completed' || view === 'expired')
    return app.saved.verified ? 'choose-username' : 'verify-contact';
  return view;
}

window.addEventListener('popstate', (event) => {
  // A fragment navigation (a link to #/ingresar or #/recuperar) carries no state of ours: `hashchange` routes
  // it when the fragment changed, and the same fragment again keeps the screen it is on.
  if (!event.state?.wizard) return;
  const wanted = event.state.wizard as View;
  const view = reachable(wanted);
  void render(view, undefined, view === wanted ? 'none' : 'replace');
});

async function render(view: View, notice?: string, mode: HistoryMode = 'push'): Promise<void> {
  for (const fn of leaving) fn();
  leaving = [];
  record(view, view === 'expired' ? 'replace' : mode);
  const ticket = ++rendering;
  root.setAttribute('aria-busy', 'true');
  try {
    const s = await build(view, notice);
    // A later navigation wins over a screen still loading its data.
    if (ticket === rendering) mount(s);
  } catch (err) {
    if (ticket !== rendering) return;
    const p = err instanceof ApiError ? err.problem : undefined;
    if (p?.code === 'session_invalid' && isSignInView(view)) {
      signInState.clear();
      return render('sign-in', signInProblemText(p));
    }
    if (p?.code === 'session_invalid' && isRecoveryView(view)) {
      recoveryState.set(undefined);
      return render('recovery-expired');
    }
    if (p?.code === 'session_invalid') return render('expired');
    const recoveryStep = p?.currentStep as keyof typeof RECOVERY_STEP_VIEW | undefined;
    if (p?.code === 'step_out_of_order' && isRecoveryView(view) && recoveryStep) {
      const next = RECOVERY_STEP_VIEW[recoveryStep];
      if (next && next !== view)
        return render(next, 'Continuamos en el paso en el que te quedaste.', 'replace');
    }
    if (p?.code === 'step_out_of_order' && p.currentStep && p.currentStep !== view && !isRecoveryView(view)) {
      return render(p.currentStep, 'Continuamos en el paso en el que te quedaste.', 'replace');
    }
    mount(expiredLike(p ? problemText(p) : 'Ocurrió un error inesperado.'));
  }
}

/** A screen that failed to load: say why and offer to try again. */
function expiredLike(message: string): Screen {
  return messageView({
    title: 'No pudimos continuar',
    text: message,
    action: 'Reintentar',
    run: () => void resume(),
  });
}

function build(view: View, notice?: string): Screen | Promise<Screen> {
  switch (view) {
    case 'start':
      return startView(app, notice);
    case 'card':
    case 'company':
    case 'virtual-key':
      return identifyView(app, view);
    case 'verify-contact':
      return verifyContactView(app, notice);
    case 'enter-otp':
      return enterOtpView(app, notice);
    case 'choose-username':
      return usernameView(app, notice);
    case 'create-password':
      return passwordView(app, notice);
    case 'choose-image':
      return imageView(app, notice);
    case 'update-contact':
      return contactView(app, notice);
    case 'challenge-questions':
      return questionsView(app, notice);
    case 'second-factor':
      return secondFactorView(app, notice);
    case 'second-factor-choice':
      return secondFactorChoiceView(app, notice);
    case 'finish':
      return finishView(app, notice);
    case 'completed':
      return completedView(app, app.completed ?? load<Completed>(DONE_KEY) ?? undefined);
    case 'expired':
      forget();
      return expiredView(app, notice);
    default:
      return isRecoveryView(view) ? recoveryScreen(app, view, notice) : signInScreen(app, view, notice);
  }
}

function persist(): void {
  if (app.saved) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(app.saved));
  else sessionStorage.removeItem(STORAGE_KEY);
}

function forget(): void {
  app.saved = null;
  app.cedula = undefined;
  persist();
}

const app: App = {
  saved: load<Saved>(STORAGE_KEY),
  session(): Session {
    if (!app.saved) throw new ApiError({ status: 401, code: 'session_invalid' });
    return app.saved;
  },
  begin(started: Started) {
    sessionStorage.removeItem(DONE_KEY);
    app.completed = undefined;
    app.saved = { id: started.registrationId, token: started.token, contact: started.contact };
    persist();
  },
  update(patch) {
    if (!app.saved) return;
    app.saved = { ...app.saved, ...patch };
    persist();
  },
  back(view) {
    // When the entry before this one is that screen, «Regresar» is the browser's own Back (popstate shows it):
    // history keeps one entry per screen in order, and the browser's Back then goes to the screen before it,
    // not to the one «Regresar» left (issue 23 item 6).
    if ((history.state as { from?: View } | null)?.from === view) history.back();
    else void render(view);
  },
  go(view, notice) {
    if (view === 'completed' && app.completed) {
      // The token is dead now; keep only what the final screen shows, in case of a reload.
      sessionStorage.setItem(DONE_KEY, JSON.stringify(app.completed));
      forget();
    }
    void render(view, notice);
  },
  async restart() {
    const saved = app.saved;
    forget();
    sessionStorage.removeItem(DONE_KEY);
    app.completed = undefined;
    // Frees the username reservation at once; if this fails the registration simply expires.
    app.draft = undefined;
    if (saved) await api.cancel(saved).catch(() => undefined);
    void render('start');
  },
  fail(err: unknown, errors: Errors) {
    if (!(err instanceof ApiError)) {
      errors.screen('Ocurrió un error inesperado. Inténtalo de nuevo.');
      return;
    }
    const p = err.problem;
    if (p.code === 'session_invalid') {
      app.go('expired');
    } else if (p.code === 'step_out_of_order' && p.currentStep) {
      app.go(p.currentStep, 'Continuamos en el paso en el que te quedaste.');
    } else if (p.code === 'validation_failed') {
      errors.fromApi(p.errors, p.detail);
    } else {
      errors.screen(problemText(p));
    }
  },
  signIn(notice) {
    forget();
    sessionStorage.removeItem(DONE_KEY);
    app.completed = undefined;
    void render('sign-in', notice);
  },
  recover(notice) {
    void resumeRecovery('push', notice);
  },
  onLeave(fn) {
    leaving.push(fn);
  },
};

/** The recovery this tab holds, at the step the API reports; a new one when there is none. */
async function resumeRecovery(mode: HistoryMode, notice?: string): Promise<void> {
  const saved = recoveryState.get();
  if (!saved) return render(recoveryState.done() ? 'recovery-done' : 'recovery', notice, mode);
  root.setAttribute('aria-busy', 'true');
  try {
    const current = await recoveryApi.get(saved);
    recoveryState.update({
      contact: current.contact,
      ...(current.username ? { username: current.username, secondFactor: current.secondFactor } : {}),
    });
    if (current.step === 'completed') {
      // The answer of R4 was lost (a reload mid-call): the password did change.
      const was = saved.secondFactor;
      recoveryState.finish({
        username: current.username ?? saved.username ?? '',
        secondFactor: current.secondFactor ?? was ?? 'later',
        digitalToken: was === 'active' && current.secondFactor !== 'active' ? 'reset' : 'keep',
      });
    }
    await render(RECOVERY_STEP_VIEW[current.step], notice ?? 'Continuamos donde lo dejaste.', mode);
  } catch (err) {
    const p = err instanceof ApiError ? err.problem : undefined;
    if (p?.code === 'session_invalid') {
      recoveryState.set(undefined);
      return render('recovery-expired', undefined, mode);
    }
    mount(expiredLike(p ? problemText(p) : 'Ocurrió un error inesperado.'));
  }
}

async function resume(): Promise<void> {
  const report = reportToken(location.hash);
  if (report !== undefined) {
    if (siteTitle) siteTitle.textContent = 'Produbanco en línea';
    return mount(reportView(report, mount));
  }
  if (location.hash === SIGN_IN_HASH) return render(signInEntry(history.state?.wizard), undefined, 'replace');
  if (location.hash === RECOVERY_HASH) return resumeRecovery('replace');
  if (load<Completed>(DONE_KEY) && !app.saved) return render('completed', undefined, 'replace');
  if (!app.saved) return render('start', undefined, 'replace');
  root.setAttribute('aria-busy', 'true');
  try {
    const current = await api.get(app.saved);
    app.update({ contact: current.contact });
    if (!BEFORE_CODE.includes(current.step)) app.update({ verified: true });
    await render(current.step, 'Continuamos tu registro donde lo dejaste.', 'replace');
  } catch (err) {
    const p = err instanceof ApiError ? err.problem : undefined;
    if (p?.code === 'session_invalid') {
      forget();
      return render(
        'expired',
        'Tu registro anterior ya no está activo: por tu seguridad se cierra tras unos minutos sin actividad. Para continuar, empieza de nuevo.',
      );
    }
    mount(expiredLike(p ? problemText(p) : 'Ocurrió un error inesperado.'));
  }
}

// Typing or following `#/ingresar` or `#/recuperar` (or leaving them) while the page is open.
window.addEventListener('hashchange', () => void resume());
void resume();

// `npm run sam:events`: one sample API Gateway REST proxy event (payload 1.0) per route of lambdas/routes.ts,
// written to events/<handler>.json for `sam local invoke -e`, built by the local gateway itself
// (bin/local/gateway.ts); the bodies are those of the README's curl walk-through, with the demo customer
// Tomás Mateos at step 1. The authenticated events carry a registration id and token no stack has issued:
// on a fresh stack they answer 401, as the same call over HTTP would (docs/SAM-LOCAL.md shows how to put a
// live id and token in).

import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CLIENT_IP_HEADER } from '../lambdas/http/client-address.ts';
import { type Route, routes } from '../lambdas/routes.ts';
import { projectRoot } from '../lib/service-function.ts';
import { createGateway } from './local/gateway.ts';

export const eventsDir = join(projectRoot, 'events');
/** Placeholders an operator replaces with a live registration's id and token. */
export const sampleRegistrationId = '00000000-0000-4000-8000-000000000000';
export const sampleToken = 'REPLACE-with-the-token-of-the-previous-step-000';
/** The client address CloudFront's function writes into x-viewer-ip (the functions key their limits on it). */
const sampleClientAddress = '198.51.100.7';
/** `sam local start-api` listens there (samconfig.toml), beside `npm start` on 3000. */
const samplePort = '127.0.0.1:3001';

const password = 'Una clave larga y mía 2026';
const sampleBodies: Record<string, unknown> = {
  'start-registration': {
    type: 'card',
    cardNumber: '4111111111111111',
    expiryMonth: 12,
    expiryYear: 2030,
    pin: '1234',
  },
  'verify-otp': { code: '123456' },
  'choose-username': { username: 'tomas.mateos', confirmation: 'tomas.mateos' },
  'create-password': { password, confirmation: password },
  'choose-security-image': { imageId: 'colibri' },
  'update-contact': { homePhone: '022345678', workPhone: '0991112233' },
  'answer-challenge-questions': {
    answers: [
      { questionId: 'q-first-job', answer: 'Heladería' },
      { questionId: 'q-first-pet', answer: 'Firulais' },
      { questionId: 'q-mother-birth-city', answer: 'Cuenca' },
    ],
    acceptTerms: true,
    termsVersion: '2026-11',
  },
  'choose-second-factor': { hasSmartDevice: true, choice: 'digital-token' },
  'start-sign-in': { username: 'tomas.mateos' },
  'sign-in-password': { password },
  'sign-in-digital-token': { code: '123456' },
  'verify-token-activation-code': { code: '123456' },
  'confirm-token-activation': { code: '123456' },
  'start-recovery': {
    type: 'card',
    cardNumber: '4111111111111111',
    expiryMonth: 12,
    expiryYear: 2030,
    pin: '1234',
  },
  'verify-recovery-otp': { code: '123456' },
  'reset-password': { password, confirmation: password, digitalToken: 'keep' },
  'change-password': {
    currentPassword: password,
    password: `${password} nueva`,
    confirmation: `${password} nueva`,
  },
  'report-security': { token: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
};

/** The request path of a route, with the sample id in its path parameters. */
const pathOf = (route: Route): string => route.path.replace('{id}', sampleRegistrationId);

function send(port: number, route: Route): Promise<void> {
  const body = route.body ? sampleBodies[route.handler] : undefined;
  if (route.body && body === undefined)
    return Promise.reject(new Error(`No sample body for ${route.handler}`));
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'User-Agent': 'sam-local-sample',
    ...(route.body ? { 'Content-Type': 'application/json' } : {}),
    ...(route.auth ? { Authorization: `Bearer ${sampleToken}` } : {}),
  };
  return new Promise((done, fail) => {
    const req = request(
      { host: '127.0.0.1', port, method: route.method, path: pathOf(route), headers, agent: false },
      (res) => res.resume().on('end', () => done()),
    );
    req.on('error', fail);
    req.end(text);
  });
}

/**
 * The events the local gateway builds for the sample requests: the requests are sent to it for real and
 * the events captured, so a sample cannot drift from what the gateway (and API Gateway) hands a function.
 * Per-request values (request id, time, ports) are pinned so the files are stable.
 */
export async function sampleEvents(): Promise<Map<string, APIGatewayProxyEvent>> {
  const captured = new Map<string, APIGatewayProxyEvent>();
  const gateway = createGateway({
    localJson: {},
    routes: routes.map((route) => ({
      route,
      handler: async (event) => {
        captured.set(route.handler, event);
        return { statusCode: 204, body: '' };
      },
    })),
  });
  await new Promise<void>((done) => gateway.listen(0, '127.0.0.1', () => done()));
  try {
    const { port } = gateway.address() as AddressInfo;
    for (const route of routes) await send(port, route);
  } finally {
    await new Promise((done) => gateway.close(done));
  }
  for (const [handler, event] of captured) {
    const host = Object.keys(event.headers).find((name) => name.toLowerCase() === 'host');
    if (host) {
      event.headers[host] = samplePort;
      event.multiValueHeaders[host] = [samplePort];
    }
    // The gateway sets the client address from its TCP peer; a documentation address stands in for it.
    const viewer = Object.keys(event.headers).find((name) => name.toLowerCase() === CLIENT_IP_HEADER);
    if (viewer) {
      event.headers[viewer] = sampleClientAddress;
      event.multiValueHeaders[viewer] = [sampleClientAddress];
    }
    event.requestContext.requestId = `sample-${handler}`;
    event.requestContext.requestTimeEpoch = Date.UTC(2026, 10, 28, 12, 0, 0);
  }
  return captured;
}

export const eventFileOf = (handler: string): string => join(eventsDir, `${handler}.json`);

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  mkdirSync(eventsDir, { recursive: true });
  const events = await sampleEvents();
  for (const [handler, event] of events) {
    writeFileSync(eventFileOf(handler), `${JSON.stringify(event, null, 2)}\n`);
  }
  process.stdout.write(`Wrote ${events.size} events to ${eventsDir}\n`);
}

// `npm run bench:enumeration`: does step 1 take the same time for an unknown card as for a known card with a
// wrong PIN (SECURITY.md rule 2)? Starts the local stack on 127.0.0.1 (own DynamoDB Local, limits raised so
// that no call is refused), warms up, then sends the failure kinds interleaved in random order, one at a time,
// and prints the median and p90 of each with their ratio. Bounded: BENCH_CALLS per kind (default 200) and
// BENCH_MAX_SECONDS overall (default 240). Exits 1 when a median is more than BENCH_MAX_RATIO (1.2) off.
import { performance } from 'node:perf_hooks';
import { startBenchStack } from '../test/support/bench-stack.ts';
import { generateCustomers, writeCustomerFile } from '../test/support/customers.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const MAX_MS = Number(process.env.BENCH_MAX_SECONDS ?? 240) * 1000;
/** Medians further apart than this (either way) are a timing oracle: the run exits 1. */
const MAX_RATIO = Number(process.env.BENCH_MAX_RATIO ?? 1.2);

const known = generateCustomers(4, 1);
/** Luhn-valid cards in the same range that are not in the directory: a fresh one per call. */
const unknownCards = generateCustomers(CALLS + WARMUP + 10, 500_000).map((c) => c.card);

type Kind = 'unknown card' | 'wrong PIN' | 'wrong expiry';
const kinds: Kind[] = ['unknown card', 'wrong PIN', 'wrong expiry'];

const body = (kind: Kind, i: number): object => {
  const card = known[i % known.length]?.card as (typeof known)[0]['card'];
  if (kind === 'unknown card') return unknownCards[i] as object;
  if (kind === 'wrong PIN') return { ...card, pin: '0000' };
  return { ...card, expiryMonth: card.expiryMonth === 1 ? 2 : 1 };
};

const quantile = (sorted: number[], q: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
};

const shuffle = <T>(items: T[]): T[] => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
};

const stack = await startBenchStack({
  SEED_FILE: writeCustomerFile(known),
  // A sliding window keeps one slot per allowed call in one item (limit-store.ts): enough for this run's
  // calls from 127.0.0.1, far from DynamoDB's 400 KB item size.
  IDENTIFY_MAX_PER_IP_PER_MINUTE: '500',
  PIN_MAX_ATTEMPTS: '500',
});
const started = Date.now();
let failed = false;
try {
  const url = `${stack.baseUrl}/v1/registrations`;
  const once = async (kind: Kind, i: number) => {
    const t0 = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body(kind, i)),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    const code = (JSON.parse(text) as { code?: string }).code;
    if (res.status !== 401 || code !== 'invalid_credentials')
      throw new Error(`${kind}: expected 401 invalid_credentials, got ${res.status} ${text}`);
    return ms;
  };

  process.stdout.write(`Warm-up: ${WARMUP} calls of each kind...\n`);
  for (let i = 0; i < WARMUP; i++) for (const kind of kinds) await once(kind, CALLS + i);

  const plan = shuffle(kinds.flatMap((kind) => Array.from({ length: CALLS }, (_, i) => ({ kind, i }))));
  const times: Record<Kind, number[]> = { 'unknown card': [], 'wrong PIN': [], 'wrong expiry': [] };
  process.stdout.write(`Measuring: ${plan.length} calls, interleaved at random, one at a time...\n`);
  for (const { kind, i } of plan) {
    if (Date.now() - started > MAX_MS) {
      process.stdout.write(`Time limit reached after ${Object.values(times).flat().length} calls.\n`);
      break;
    }
    times[kind].push(await once(kind, i));
  }

  const stats = Object.fromEntries(
    kinds.map((kind) => {
      const sorted = [...times[kind]].sort((x, y) => x - y);
      const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
      return [kind, { n: sorted.length, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), mean }];
    }),
  ) as Record<Kind, { n: number; p50: number; p90: number; mean: number }>;
  const ms = (x: number) => `${x.toFixed(1)} ms`.padStart(10);
  const lines = [
    '',
    'Step 1 failure timing (POST /v1/registrations, 401 invalid_credentials), 127.0.0.1',
    `${'kind'.padEnd(14)}${'calls'.padStart(7)}${'median'.padStart(10)}${'p90'.padStart(10)}${'mean'.padStart(10)}`,
    ...kinds.map(
      (k) =>
        `${k.padEnd(14)}${String(stats[k].n).padStart(7)}${ms(stats[k].p50)}${ms(stats[k].p90)}${ms(stats[k].mean)}`,
    ),
    '',
    `median ratio unknown card / wrong PIN: ${(stats['unknown card'].p50 / stats['wrong PIN'].p50).toFixed(3)}`,
    `p90 ratio    unknown card / wrong PIN: ${(stats['unknown card'].p90 / stats['wrong PIN'].p90).toFixed(3)}`,
    `median ratio wrong expiry / wrong PIN: ${(stats['wrong expiry'].p50 / stats['wrong PIN'].p50).toFixed(3)}`,
    `total ${((Date.now() - started) / 1000).toFixed(1)} s`,
  ];
  const ratios = kinds.map((k) => stats[k].p50 / stats['wrong PIN'].p50);
  const equal = ratios.every((r) => r <= MAX_RATIO && r >= 1 / MAX_RATIO);
  lines.push(
    equal
      ? `PASS: every median within x${MAX_RATIO} of the wrong-PIN median`
      : `FAIL: a failure kind's median is off by more than x${MAX_RATIO}: step 1 timing tells which cards exist`,
    '',
  );
  process.stdout.write(lines.join('\n'));
  failed = !equal;
} catch (error) {
  failed = true;
  process.stderr.write(`bench failed: ${(error as Error).message}\n`);
} finally {
  await stack.stop();
}
process.exit(failed ? 1 : 0);

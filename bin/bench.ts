// `npm run bench`: bundle sizes, cold starts against a floor bundle, warm latency of each wizard step against
// its bare DynamoDB calls, argon2id cost, throughput against the hashing ceiling, and DynamoDB units per
// registration, each goal marked MET or NOT MET. Bounded in time and aimed at 127.0.0.1 only; not in npm test.
import { cpus, loadavg } from 'node:os';
import { createDocumentClient } from '../lambdas/adapters/dynamodb/client.ts';
import { parseConfig } from '../lambdas/config.ts';
import { defaultMemoryMiB, hashingMemoryMiB } from '../lib/service-function.ts';
import { generateCustomers } from '../test/support/customers.ts';
import { bareSteps, readTemplates } from './bench/bare.ts';
import { type BuiltBundle, buildBundles, contributions, findings, removeBundles } from './bench/bundles.ts';
import { measureColdStarts } from './bench/cold-start.ts';
import { cognitoPerThousand, costPerThousand, type FunctionRun, PRICES } from './bench/cost.ts';
import { calibrate, hasherFor, hashingCeiling, msPerHash } from './bench/hashing.ts';
import { measureObservability } from './bench/observability.ts';
import { fixed, kib, median, percentile, sum, table, verdict } from './bench/stats.ts';
import {
  type Around,
  CONSUMER,
  childCpuSeconds,
  deliverPending,
  register,
  signIn,
  startStack,
  untimed,
  WIZARD_STEPS,
} from './bench/wizard.ts';

const settings = {
  coldRounds: Number(process.env.BENCH_COLD_ROUNDS ?? 21),
  warmUp: 3,
  registrations: Number(process.env.BENCH_REGISTRATIONS ?? 100),
  parallel: 20,
  throughputSeconds: Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 30),
  hashSamples: 15,
  calibrationSamples: 5,
  observabilityRounds: Number(process.env.BENCH_OBSERVABILITY_ROUNDS ?? 31),
};

/**
 * `npm run bench -- --only observability` runs that section alone; `--only cold-start` the bundles and cold
 * starts (sections 1 and 2) with their goal.
 */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && only !== 'observability' && only !== 'cold-start')
  throw new Error(`--only knows two sections: observability, cold-start`);

/** Seconds of a parallel run left out before counting, so the figure is the steady state. */
const RAMP_UP_SECONDS = 5;

const out = (text = '') => process.stdout.write(`${text}\n`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const began = performance.now();
const elapsed = () => `${((performance.now() - began) / 1000).toFixed(0)} s`;
const goals: { goal: string; met: boolean; figure: string }[] = [];

out('Self-registration benchmark (127.0.0.1 only)');
out(
  `  machine   ${cpus().length} x ${cpus()[0]?.model.trim()}, Node ${process.version}, ${process.platform}/${process.arch}`,
);
out(`  load avg  ${load()} (1, 5, 15 min) at start`);

if (only === 'observability') {
  out('\nObservability at cold start (bin/bench/observability.ts)');
  await measureObservability(settings.observabilityRounds, out);
  out(`\n(took ${elapsed()}, load avg ${load()} at the end)`);
  process.exit(0);
}

// 1. Bundles -------------------------------------------------------------------------------------------------
const { dir, bundles, floor } = await buildBundles();
const floorSizes = contributions(floor);
const beyondFloor = (bundle: BuiltBundle) =>
  [...contributions(bundle)]
    .map(([owner, bytes]) => [owner, bytes - (floorSizes.get(owner) ?? 0)] as const)
    .filter(([, extra]) => extra > 1024)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([owner, extra]) => `${owner.replace(/^@aws-sdk\//, '')} ${(extra / 1024).toFixed(1)}`)
    .join(', ');
out('\n1. Bundles (esbuild as lib/service-function.ts: ESM, minified, external source map, SDK bundled)');
out(
  table(
    ['function', 'minified', 'gzip', 'map', 'KiB beyond the floor bundle'],
    [floor, ...bundles].map((b) => [
      b.name,
      kib(b.bytes),
      kib(b.gzipBytes),
      kib(b.mapBytes),
      b === floor ? '-' : beyondFloor(b),
    ]),
  ),
);
const found = bundles.flatMap(findings);
if (found.length === 0) out('No function carries a client or native module its route needs do not grant.');
for (const f of found) out(`  ${f.fn} carries ${f.what} (${kib(f.bytes)}): ${f.chain.join(' -> ')}`);

// 2. Cold start ----------------------------------------------------------------------------------------------
out(
  `\n2. Cold start: median import of the bundle in ${settings.coldRounds} fresh Node processes each [${elapsed()}]`,
);
const colds = await measureColdStarts(dir, [floor, ...bundles], settings.coldRounds);
removeBundles(dir);
const floorCold = colds[0] as (typeof colds)[number];
out(
  table(
    ['function', 'wall ms', 'x floor', 'cpu ms', 'x floor'],
    colds.map((c) => [
      c.name,
      fixed(c.medianMs),
      fixed(c.medianMs / floorCold.medianMs, 2),
      fixed(c.medianCpuMs),
      fixed(c.medianCpuMs / floorCold.medianCpuMs, 2),
    ]),
  ),
);
const worstCold = colds.slice(1).reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
goals.push({
  goal: 'cold start: every function within 1.3x of the floor',
  met: colds.slice(1).every((c) => c.medianMs <= 1.3 * floorCold.medianMs),
  figure: `worst ${worstCold.name} ${fixed(worstCold.medianMs / floorCold.medianMs, 2)}x`,
});

if (only === 'cold-start') {
  out(`\nGoals (run took ${elapsed()}, load avg ${load()} at the end)`);
  out(
    table(
      ['goal', 'figure', 'verdict'],
      goals.map((g) => [g.goal, g.figure, verdict(g.met)]),
    ),
  );
  process.exit(0);
}

// 3. Hashing -------------------------------------------------------------------------------------------------
const argon2 = parseConfig({}).argon2;
const hasher = hasherFor(argon2.memoryKiB, argon2.timeCost);
out(`\n3. argon2id [${elapsed()}]`);
const perHash = await msPerHash(hasher, settings.hashSamples);
out(
  `  in use: m=${argon2.memoryKiB} KiB (${argon2.memoryKiB / 1024} MiB), t=${argon2.timeCost}, p=1 (lambdas/config.ts defaults): ${fixed(perHash)} ms per hash on one core here`,
);
const calibration = await calibrate(settings.calibrationSamples);
out('  calibration, ms per hash on one core here (Lambda below 1,769 MB: multiply by 1769 / memory MB):');
out(
  table(
    ['memory', 't=2', 't=3', 't=4'],
    [...new Set(calibration.map((r) => r.memoryMiB))].map((m) => [
      `${m} MiB`,
      ...calibration.filter((r) => r.memoryMiB === m).map((r) => fixed(r.ms)),
    ]),
  ),
);

// 4. The stack -----------------------------------------------------------------------------------------------
// The hashing ceiling is measured just before and just after the parallel run, so that load from elsewhere on
// the machine weighs on both figures alike.
const CEILING_SECONDS = Math.min(10, settings.throughputSeconds);
const ceilings = [await hashingCeiling(hasher, settings.parallel, CEILING_SECONDS, 2)];
// Each customer registers once; the parallel run gets room for 10 registrations a second.
const customerCount = settings.warmUp + settings.registrations + (settings.throughputSeconds + 10) * 10;
out(`\n   starting the local stack in process with ${customerCount} generated customers [${elapsed()}]`);
const customers = generateCustomers(customerCount);
const stack = await startStack(customers);
let next = 0;
const takeCustomer = () => {
  const customer = customers[next++];
  if (!customer) throw new Error('out of generated customers');
  return customer;
};

const latency = new Map<string, number[]>();
const cpu = new Map<string, number[]>();
const push = (map: Map<string, number[]>, key: string, value: number) =>
  map.set(key, [...(map.get(key) ?? []), value]);
const timed: Around = async (step, call) => {
  stack.meter.begin(step);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    return await call();
  } finally {
    push(latency, step, performance.now() - started);
    const used = process.cpuUsage(cpuBefore);
    push(cpu, step, (used.user + used.system) / 1000);
    stack.meter.end();
  }
};

let completed = 0;
let throughput = 0;
const parallelCpu = { node: 0, dynamodb: 0, wall: 0 };
// A failed run must not leave DynamoDB Local behind.
const stopOnSignal = () => void stack.stop().finally(() => process.exit(130));
process.once('SIGINT', stopOnSignal);
try {
  const bareClient = createDocumentClient({ endpoint: stack.dynamodbEndpoint });
  stack.meter.attach(bareClient, 'benchConsumedCapacity');
  let bare: Record<string, () => Promise<void>> | undefined;
  for (let i = 0; i < settings.warmUp; i++) {
    const id = await register(stack, takeCustomer(), untimed);
    await deliverPending(stack, untimed);
    bare ??= bareSteps(bareClient, stack.tables, await readTemplates(stack.db, stack.tables, id));
  }
  const bareRuns = bare as Record<string, () => Promise<void>>;
  for (const run of Object.values(bareRuns)) await run();
  latency.clear();
  cpu.clear();
  stack.meter.usage.clear();
  stack.logs.bytes.clear();

  out(
    `   ${settings.registrations} registrations one after another, each followed by its bare calls [${elapsed()}]`,
  );
  for (let i = 0; i < settings.registrations; i++) {
    const customer = takeCustomer();
    await register(stack, customer, timed);
    await deliverPending(stack, timed);
    await signIn(stack, customer, timed);
    for (const { step } of WIZARD_STEPS)
      await timed(`bare:${step}`, () => (bareRuns[step] as () => Promise<void>)());
  }

  out(
    `   ${settings.parallel} registrations in parallel: ${RAMP_UP_SECONDS} s ramp-up, then ${settings.throughputSeconds} s counted [${elapsed()}]`,
  );
  // Steady state only: completions in the window after a ramp-up; registrations still running at its end
  // finish but do not count.
  const started = performance.now();
  const windowStarts = started + RAMP_UP_SECONDS * 1000;
  const windowEnds = windowStarts + settings.throughputSeconds * 1000;
  let nodeBefore = process.cpuUsage();
  let dynamodbBefore = childCpuSeconds();
  const startTimer = setTimeout(() => {
    nodeBefore = process.cpuUsage();
    dynamodbBefore = childCpuSeconds();
  }, RAMP_UP_SECONDS * 1000);
  let nodeUsed = process.cpuUsage(nodeBefore);
  let dynamodbUsed = 0;
  const endTimer = setTimeout(
    () => {
      nodeUsed = process.cpuUsage(nodeBefore);
      dynamodbUsed = childCpuSeconds() - dynamodbBefore;
    },
    (RAMP_UP_SECONDS + settings.throughputSeconds) * 1000,
  );
  await Promise.all(
    Array.from({ length: settings.parallel }, async () => {
      while (performance.now() < windowEnds && next < customers.length) {
        await register(stack, takeCustomer(), untimed);
        const now = performance.now();
        if (now >= windowStarts && now < windowEnds) completed += 1;
      }
    }),
  );
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  parallelCpu.wall = settings.throughputSeconds;
  throughput = completed / settings.throughputSeconds;
  parallelCpu.node = (nodeUsed.user + nodeUsed.system) / 1e6;
  parallelCpu.dynamodb = dynamodbUsed;
} finally {
  process.removeListener('SIGINT', stopOnSignal);
  await stack.stop();
}
ceilings.push(await hashingCeiling(hasher, settings.parallel, CEILING_SECONDS, 2));
const ceilingRate = sum(ceilings.map((c) => c.rate)) / ceilings.length;
const hashCpuEach = sum(ceilings.map((c) => c.cpuSecondsEach)) / ceilings.length;
const wizardCpuEach = (parallelCpu.node + parallelCpu.dynamodb) / completed;

// 5. Warm latency ----------------------------------------------------------------------------------------------
out(
  `\n4. Warm latency through the local gateway against DynamoDB Local, ${settings.registrations} registrations`,
);
const p = (key: string, q: number) => percentile(latency.get(key) ?? [], q);
out(
  table(
    ['step', 'hashes', 'p50 ms', 'p99 ms', 'bare p50', 'bare p99', 'p50 ratio', 'DynamoDB calls of the step'],
    WIZARD_STEPS.map(({ step, hashes }) => [
      step,
      String(hashes),
      fixed(p(step, 50)),
      fixed(p(step, 99)),
      fixed(p(`bare:${step}`, 50)),
      fixed(p(`bare:${step}`, 99)),
      fixed(p(step, 50) / p(`bare:${step}`, 50), 2),
      stack.meter.usage.get(step)?.ops.join(' ') ?? '',
    ]),
  ),
);
const nonHashing = WIZARD_STEPS.filter((s) => s.hashes === 0);
const worstWarm = nonHashing.reduce((a, b) =>
  p(b.step, 50) / p(`bare:${b.step}`, 50) > p(a.step, 50) / p(`bare:${a.step}`, 50) ? b : a,
);
goals.push({
  goal: 'warm: p50 within 2x of the bare calls for every step that does not hash',
  met: nonHashing.every((s) => p(s.step, 50) <= 2 * p(`bare:${s.step}`, 50)),
  figure: `worst ${worstWarm.step} ${fixed(p(worstWarm.step, 50) / p(`bare:${worstWarm.step}`, 50), 2)}x`,
});

out(
  `\n   sign-in (S1, S2) of the same ${settings.registrations} customers, against the argon2id verify floor`,
);
out(
  table(
    ['route', 'p50 ms', 'p99 ms', 'argon2 ms', 'p50 - argon2'],
    [
      ['start-sign-in (S1)', fixed(p('start-sign-in', 50)), fixed(p('start-sign-in', 99)), '-', '-'],
      [
        'sign-in-password (S2)',
        fixed(p('sign-in-password', 50)),
        fixed(p('sign-in-password', 99)),
        fixed(perHash),
        fixed(p('sign-in-password', 50) - perHash),
      ],
    ],
  ),
);

// 6. Throughput ------------------------------------------------------------------------------------------------
out(`\n5. Throughput with ${settings.parallel} in parallel`);
out(
  `  complete registrations: ${completed} in the ${fixed(parallelCpu.wall, 0)} s window = ${fixed(throughput, 2)} per second`,
);
out(
  `  CPU used meanwhile: this process (client, gateway, handlers, SDK, argon2) ${fixed(parallelCpu.node, 1)} s, DynamoDB Local ${fixed(parallelCpu.dynamodb, 1)} s, of ${fixed(parallelCpu.wall * cpus().length, 1)} s on ${cpus().length} cores`,
);
out(
  `  hashing ceiling: ${fixed(ceilingRate, 2)} registrations per second (5 argon2 operations each, ${settings.parallel} in parallel, nothing else; ${ceilings.map((c) => fixed(c.rate, 2)).join(' before, ')} after)`,
);
out(`  ratio: ${fixed((100 * throughput) / ceilingRate, 0)}% of the ceiling`);
out(
  `  CPU per registration: ${fixed(1000 * wizardCpuEach, 0)} ms for the whole registration (DynamoDB Local included) against ${fixed(1000 * hashCpuEach, 0)} ms of argon2 alone = ${fixed((100 * hashCpuEach) / wizardCpuEach, 0)}% (the ratio on a machine with nothing else running)`,
);
goals.push({
  goal: 'throughput: at least 60% of the hashing ceiling',
  met: throughput >= 0.6 * ceilingRate,
  figure: `${fixed((100 * throughput) / ceilingRate, 0)}%`,
});

// 7. Units -----------------------------------------------------------------------------------------------------
const n = settings.registrations;
const unitSteps = [...WIZARD_STEPS.map((s) => s.step), CONSUMER];
const usage = (step: string) => stack.meter.usage.get(step);
out(
  `\n6. DynamoDB capacity units per completed registration (ReturnConsumedCapacity TOTAL, ${n} registrations)`,
);
out(
  table(
    ['step', 'write (AWS)', 'read', 'write (Local says)', 'failed calls', 'bare write', 'bare read'],
    unitSteps.map((step) => [
      step === CONSUMER ? `${step} (stream)` : step,
      fixed((usage(step)?.write ?? 0) / n, 2),
      fixed((usage(step)?.read ?? 0) / n, 2),
      fixed((usage(step)?.localWrite ?? 0) / n, 2),
      String(usage(step)?.failed ?? 0),
      step === CONSUMER ? '-' : fixed((usage(`bare:${step}`)?.write ?? 0) / n, 2),
      step === CONSUMER ? '-' : fixed((usage(`bare:${step}`)?.read ?? 0) / n, 2),
    ]),
  ),
);
const writes = sum(unitSteps.map((s) => usage(s)?.write ?? 0)) / n;
const reads = sum(unitSteps.map((s) => usage(s)?.read ?? 0)) / n;
const wizardWrites = writes - (usage(CONSUMER)?.write ?? 0) / n;
const wizardReads = reads - (usage(CONSUMER)?.read ?? 0) / n;
out(
  '  write (AWS): transactions at 2 units per item and KB, as AWS bills them; DynamoDB Local reports 4 units per table a transaction touches.',
);
out(
  `  total: ${fixed(writes, 2)} write, ${fixed(reads, 2)} read (wizard alone: ${fixed(wizardWrites, 2)} write, ${fixed(wizardReads, 2)} read)`,
);
goals.push({
  goal: 'units: at most 16 write units per registration',
  met: writes <= 16,
  figure: fixed(writes, 2),
});
goals.push({
  goal: 'units: at most 10 read units per registration',
  met: reads <= 10,
  figure: fixed(reads, 2),
});

// 8. Cost ------------------------------------------------------------------------------------------------------
const hashingSteps = new Set<string>(WIZARD_STEPS.filter((s) => s.hashes > 0).map((s) => s.step));
const functions: FunctionRun[] = unitSteps.map((step) => ({
  name: step,
  memoryMb: hashingSteps.has(step) ? hashingMemoryMiB : defaultMemoryMiB,
  latencyMs: p(step, 50),
  cpuMs: median(cpu.get(step) ?? []),
}));
const logBytes = sum(unitSteps.map((s) => stack.logs.bytes.get(s) ?? 0)) / n;
const cost = costPerThousand({
  writeUnits: writes,
  readUnits: reads,
  functions,
  apiRequests: WIZARD_STEPS.length,
  handlerLogBytes: logBytes,
  smsPerRegistration: 1,
  emailsPerRegistration: 1,
});
out(`\n7. Cost per 1,000 completed registrations on AWS us-east-1 (prices in bin/bench/cost.ts)`);
out(`  handler log bytes per registration: ${fixed(logBytes, 0)}`);
const money = (usd: number) => `$${usd.toFixed(4)}`;
const infra = sum(cost.infrastructure.map((l) => l.usd));
out(
  table(
    ['item', 'quantity', 'USD'],
    [
      ...cost.infrastructure.map((l) => [l.item, l.quantity, money(l.usd)]),
      ['infrastructure total', '', money(infra)],
      ...cost.messaging.map((l) => [l.item, l.quantity, money(l.usd)]),
      ['total with messaging', '', money(infra + sum(cost.messaging.map((l) => l.usd)))],
      ...cognitoPerThousand().map((l) => [`${l.item} (same volume)`, l.quantity, money(l.usd)]),
    ],
  ),
);
out(`  SMS price used: $${PRICES.smsEcuador.usd} per SMS to Ecuador, an estimate to check.`);

// 9. Observability at cold start -----------------------------------------------------------------------------
if (settings.observabilityRounds > 0) {
  out(`\n8. Observability at cold start (Powertools Tracer, Logger, Metrics, source maps) [${elapsed()}]`);
  await measureObservability(settings.observabilityRounds, out);
}

// Goals --------------------------------------------------------------------------------------------------------
out(`\nGoals (run took ${elapsed()}, load avg ${load()} at the end)`);
out(
  table(
    ['goal', 'figure', 'verdict'],
    goals.map((g) => [g.goal, g.figure, verdict(g.met)]),
  ),
);

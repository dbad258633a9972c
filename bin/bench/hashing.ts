// argon2id on this machine through the service's own hasher (lambdas/adapters/argon2.ts): time per hash,
// a calibration table of memory against time cost, and the registrations per second hashing alone allows.
import { randomBytes } from 'node:crypto';
import { argon2Hasher } from '../../lambdas/adapters/argon2.ts';
import type { Hasher } from '../../lambdas/ports/system.ts';
import { median } from './stats.ts';

const pepper = randomBytes(48);

export const hasherFor = (memoryKiB: number, timeCost: number): Hasher =>
  argon2Hasher(pepper, { memoryKiB, timeCost });

/** Milliseconds per hash, one at a time (one core). */
export async function msPerHash(hasher: Hasher, count: number): Promise<number> {
  await hasher.hash('warm-up');
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await hasher.hash(`una respuesta ${i}`);
    samples.push(performance.now() - started);
  }
  return median(samples);
}

export const CALIBRATION_MEMORY_MIB = [19, 32, 46, 64] as const;
export const CALIBRATION_TIME_COST = [2, 3, 4] as const;

export async function calibrate(
  count: number,
): Promise<{ memoryMiB: number; timeCost: number; ms: number }[]> {
  const rows: { memoryMiB: number; timeCost: number; ms: number }[] = [];
  for (const memoryMiB of CALIBRATION_MEMORY_MIB) {
    for (const timeCost of CALIBRATION_TIME_COST) {
      rows.push({ memoryMiB, timeCost, ms: await msPerHash(hasherFor(memoryMiB * 1024, timeCost), count) });
    }
  }
  return rows;
}

/**
 * The argon2 work of one registration, shaped as the handlers do it: the PIN verification of step 1, the
 * password, then the three answers at once (Promise.all in the use case). `workers` of these run side by side
 * until the deadline; the result is registrations per second if nothing else ran.
 */
export async function hashingCeiling(
  hasher: Hasher,
  workers: number,
  seconds: number,
  rampUpSeconds: number,
): Promise<{ rate: number; cpuSecondsEach: number }> {
  const pinHash = await hasher.hash('2580');
  let done = 0;
  const windowStarts = performance.now() + rampUpSeconds * 1000;
  const windowEnds = windowStarts + seconds * 1000;
  let cpuBefore = process.cpuUsage();
  let cpuUsed = process.cpuUsage(cpuBefore);
  const startTimer = setTimeout(() => {
    cpuBefore = process.cpuUsage();
  }, rampUpSeconds * 1000);
  const endTimer = setTimeout(
    () => {
      cpuUsed = process.cpuUsage(cpuBefore);
    },
    (rampUpSeconds + seconds) * 1000,
  );
  const worker = async () => {
    while (performance.now() < windowEnds) {
      await hasher.verify(pinHash, '2580');
      await hasher.hash('Una clave larga de prueba 2026!');
      await Promise.all(['tomas', 'firulais', 'cuenca'].map((answer) => hasher.hash(answer)));
      const now = performance.now();
      if (now >= windowStarts && now < windowEnds) done += 1;
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  return { rate: done / seconds, cpuSecondsEach: (cpuUsed.user + cpuUsed.system) / 1e6 / done };
}

// What every function shares, created once per cold start: configuration, logger, clock and randomness.
// Storage (storage.ts) and keys (keys.ts) are separate modules so a function bundles only what it uses.
import { jsonLogger } from './adapters/event-log.ts';
import { cryptoRandom, systemClock } from './adapters/primitives.ts';
import { parseConfig } from './config.ts';

export const config = parseConfig(process.env);
// Per-function metrics (the 5xx count CodeDeploy rolls back on) carry the function's name as their dimension.
export const logger = jsonLogger(
  config.logLevel,
  undefined,
  {},
  {
    namespace: config.metricsNamespace,
    dimensions: { FunctionName: config.functionName ?? 'local' },
  },
);
export const clock = systemClock;
export const random = cryptoRandom;

/** A value made on first use and kept for the life of the process. */
export const once = <T>(create: () => T): (() => T) => {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: create() };
    return made.value;
  };
};

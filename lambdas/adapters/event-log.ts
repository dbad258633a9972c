// Structured JSON log lines, one per event, with UTC time. A last line of defence drops any field whose
// name says it holds a secret, whatever a caller passed.
import type { EventLog, SecurityEvent } from '../ports/system.ts';
import { emfLine, type MetricUnit } from './metrics.ts';

const SECRET_FIELD = /pin|password|passwd|code|otp|token|answer|card|pan|secret|authorization/i;
const ALLOWED = new Set(['event', 'requestId', 'registrationId', 'messageId', 'currentStep', 'reason']);

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger extends EventLog {
  error(message: string, fields?: Record<string, unknown>): void;
  /** One CloudWatch data point (an EMF line), at any log level: a metric is not a log line. */
  metric(name: string, value: number, unit: MetricUnit): void;
  child(fields: Record<string, string>): Logger;
}

// What a request value looks like inside free text (an error message, the first line of a stack): digit runs
// (card numbers, codes, PINs, cédulas, phones), email addresses, quoted strings, long token-like words.
const TEXT_SECRETS: [RegExp, string][] = [
  [/[^\s@"'<>]+@[^\s@"'<>]+/g, '[email]'],
  [/"[^"]*"|'[^']*'|`[^`]*`/g, '[value]'],
  [/(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{16,}/g, '[token]'],
  [/\+?\d[\d\s.-]*\d/g, '[number]'],
];

/**
 * Free text with every request-looking value taken out. Stack frames (`    at fn (file:line:col)`) name code,
 * never data, so they stay whole; every other line (the message, a cause's message) is scrubbed.
 */
export function redactText(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      /^\s+at\s/.test(line)
        ? line
        : TEXT_SECRETS.reduce((scrubbed, [pattern, mark]) => scrubbed.replace(pattern, mark), line),
    )
    .join('\n');
}

/** Error fields: the event rules, then free text scrubbed, since a message or stack may quote the request. */
const cleanError = (fields: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(clean(fields)).map(([k, v]) => [
      k,
      typeof v === 'string' && !ALLOWED.has(k) ? redactText(v) : v,
    ]),
  );

const clean = (fields: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, !ALLOWED.has(k) && SECRET_FIELD.test(k) ? '[redacted]' : v]),
  );

/** Where `metric` publishes: without one (tests, tools), metrics are dropped. */
export interface MetricsTarget {
  namespace: string;
  dimensions: Record<string, string>;
}

export function jsonLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  context: Record<string, string> = {},
  metrics?: MetricsTarget,
): Logger {
  const emit = (lineLevel: LogLevel, fields: Record<string, unknown>) => {
    if (rank[lineLevel] < rank[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lineLevel, ...context, ...clean(fields) }));
  };
  return {
    record: (event: SecurityEvent) => emit('info', event),
    error: (message, fields = {}) => emit('error', cleanError({ message, ...fields })),
    metric: (name, value, unit) => {
      if (metrics)
        write(emfLine(metrics.namespace, { [name]: { value, unit } }, Date.now(), metrics.dimensions));
    },
    child: (fields) => jsonLogger(level, write, { ...context, ...fields }, metrics),
  };
}

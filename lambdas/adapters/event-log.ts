// Structured JSON log lines, one per event, with UTC time. A last line of defence drops any field whose
// name says it holds a secret, whatever a caller passed.
import type { EventLog, SecurityEvent } from '../ports/system.ts';

const SECRET_FIELD = /pin|password|passwd|code|otp|token|answer|card|pan|secret|authorization/i;
const ALLOWED = new Set(['event', 'requestId', 'registrationId', 'messageId', 'currentStep', 'reason']);

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger extends EventLog {
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, string>): Logger;
}

const clean = (fields: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, !ALLOWED.has(k) && SECRET_FIELD.test(k) ? '[redacted]' : v]),
  );

export function jsonLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  context: Record<string, string> = {},
): Logger {
  const emit = (lineLevel: LogLevel, fields: Record<string, unknown>) => {
    if (rank[lineLevel] < rank[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lineLevel, ...context, ...clean(fields) }));
  };
  return {
    record: (event: SecurityEvent) => emit('info', event),
    error: (message, fields = {}) => emit('error', { message, ...fields }),
    child: (fields) => jsonLogger(level, write, { ...context, ...fields }),
  };
}

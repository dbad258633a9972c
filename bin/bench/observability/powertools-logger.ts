// Bench variant of lambdas/adapters/event-log.ts: the same lines, redacted by the same code, written by
// Powertools Logger instead of process.stdout.write. Built into a function only by `npm run bench`.
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { type Logger, type LogLevel, jsonLogger as redacted } from '../../../lambdas/adapters/event-log.ts';

export type { Logger, LogLevel };

const powertoolsLevel = (level: LogLevel) =>
  level === 'silent' ? 'SILENT' : (level.toUpperCase() as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR');

export function jsonLogger(level: LogLevel, _write?: (line: string) => void, context = {}): Logger {
  const powertools = new PowertoolsLogger({ logLevel: powertoolsLevel(level) });
  // The redaction stays the hand-written one: its cleaned line becomes the attributes of a Powertools line.
  return redacted(
    level,
    (line) => {
      const { time: _time, level: lineLevel, message, ...fields } = JSON.parse(line);
      if (lineLevel === 'error') powertools.error(message, fields);
      else powertools.info(fields.event ?? message, fields);
    },
    context,
  );
}

// Bench variant of lambdas/adapters/event-log.ts: the hand-written lines as they are, and each security
// event also published as an EMF metric by Powertools Metrics (what the metric filters of lib/ do today).
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type Logger, type LogLevel, jsonLogger as lines } from '../../../lambdas/adapters/event-log.ts';

export type { Logger, LogLevel };

/** `securityEventMetricName` of lib/observability.ts, which a bundle cannot import (it holds aws-cdk-lib). */
const METRIC_NAME = 'SecurityEvents';

const metrics = new Metrics({ namespace: 'SelfRegistration', serviceName: 'self-registration' });

const withMetrics = (base: Logger): Logger => ({
  record: (event) => {
    base.record(event);
    // A single metric is published at once, as one EMF line, like the metric filter's one count per line.
    const one = metrics.singleMetric();
    one.addDimension('Event', event.event);
    one.addMetric(METRIC_NAME, MetricUnit.Count, 1);
  },
  error: base.error,
  metric: base.metric,
  child: (fields) => withMetrics(base.child(fields)),
});

export function jsonLogger(level: LogLevel, write?: (line: string) => void, context = {}): Logger {
  return withMetrics(lines(level, write, context));
}

// CloudWatch metrics as embedded metric format (EMF) log lines: Lambda's log pipeline turns each line into a
// metric, with no PutMetricData call, client or permission.
export type MetricUnit = 'Seconds' | 'Count';

/** Answers of 500 and above that a handler made from an exception: Lambda's own Errors never counts them. */
export const SERVER_ERRORS_METRIC = 'ServerErrors';

export function emfLine(
  namespace: string,
  metrics: Record<string, { value: number; unit: MetricUnit }>,
  timestamp: number,
  dimensions: Record<string, string> = {},
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.entries(metrics).map(([name, { unit }]) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...dimensions,
    ...Object.fromEntries(Object.entries(metrics).map(([name, { value }]) => [name, value])),
  });
}

// CloudWatch metrics as embedded metric format (EMF) log lines: Lambda's log pipeline turns each line into a
// metric, with no PutMetricData call, client or permission.
export type MetricUnit = 'Seconds' | 'Count';

export function emfLine(
  namespace: string,
  metrics: Record<string, { value: number; unit: MetricUnit }>,
  timestamp: number,
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [[]],
          Metrics: Object.entries(metrics).map(([name, { unit }]) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...Object.fromEntries(Object.entries(metrics).map(([name, { value }]) => [name, value])),
  });
}

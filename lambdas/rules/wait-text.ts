// How long something lasts or how long to wait, in the unit a customer reads: the problem details' waits and
// the SMS codes' lifetimes say it the same way (a 20-second code is «20 segundos», never «0 minutos»).

/** "30 segundos", "1 minuto", "2 horas": rounded up to the unit a customer reads; plain ASCII (GSM-7). */
export function waitText(seconds: number): string {
  const unit = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (seconds < 60) return unit(Math.max(1, Math.ceil(seconds)), 'segundo', 'segundos');
  if (seconds < 3600) return unit(Math.ceil(seconds / 60), 'minuto', 'minutos');
  return unit(Math.ceil(seconds / 3600), 'hora', 'horas');
}

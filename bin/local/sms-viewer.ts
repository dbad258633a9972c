// `/_local/sms` as a page, for a developer clicking through the wizard: the SMS the local stack "sent", newest
// first, refreshed every few seconds. Served under the wizard's own headers and stylesheet (no inline style or
// script), only by the local gateway.

interface OutboxSms {
  to?: string;
  message?: string;
  sentAt?: string;
}

const escapeHtml = (text: unknown): string =>
  String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** The HTML page of the SMS outbox (`data` is what `/_local/sms` answers as JSON). */
export function smsViewerPage(data: unknown): string {
  const messages = (Array.isArray(data) ? (data as OutboxSms[]) : []).slice().reverse();
  const rows = messages
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.sentAt)}</td><td>${escapeHtml(m.to)}</td><td class="sms-message">${escapeHtml(m.message)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="es-EC">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5">
<title>SMS enviados (entorno local)</title>
<link rel="stylesheet" href="/css/app.css">
</head>
<body>
<main id="app" class="screen">
<h1>SMS enviados (entorno local)</h1>
<p class="hint">Solo existe en el entorno local: los mensajes que un despliegue enviaría por SMS, el más reciente primero. La página se actualiza cada 5 segundos. Como JSON: pide esta misma dirección con <code>Accept: application/json</code>.</p>
${
  messages.length
    ? `<table class="sms-table"><thead><tr><th scope="col">Enviado</th><th scope="col">Para</th><th scope="col">Mensaje</th></tr></thead><tbody>
${rows}
</tbody></table>`
    : '<p>Aún no se ha enviado ningún SMS.</p>'
}
</main>
</body>
</html>
`;
}

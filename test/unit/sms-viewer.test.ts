// The local stack's SMS viewer page: newest first, every value escaped, nothing inline.
import { describe, expect, it } from 'vitest';
import { smsViewerPage } from '../../bin/local/sms-viewer.ts';

describe('the local SMS viewer', () => {
  it('lists the messages newest first, escaped, with no inline script or style', () => {
    const html = smsViewerPage([
      { to: '+593990000101', message: 'MENSAJE-A 111111', sentAt: '2026-12-06T10:00:00.000Z' },
      {
        to: '+593990000101',
        message: 'MENSAJE-B <script>alert(1)</script>',
        sentAt: '2026-12-06T10:01:00.000Z',
      },
    ]);
    expect(html.indexOf('MENSAJE-B')).toBeLessThan(html.indexOf('MENSAJE-A'));
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('says when nothing was sent yet', () => {
    expect(smsViewerPage([])).toContain('Aún no se ha enviado ningún SMS.');
  });
});

// Types of the two `qrcode` modules lambdas/digital-token/qr.ts imports directly (the package types only its
// top-level module).
declare module 'qrcode/lib/core/qrcode.js' {
  import type { QRCode, QRCodeOptions } from 'qrcode';

  const core: { create(text: string, options?: QRCodeOptions): QRCode };
  export default core;
}

declare module 'qrcode/lib/renderer/svg-tag.js' {
  import type { QRCode, QRCodeToStringOptions } from 'qrcode';

  const renderer: { render(qrData: QRCode, options?: QRCodeToStringOptions): string };
  export default renderer;
}

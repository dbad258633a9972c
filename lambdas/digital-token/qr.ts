// The otpauth URI as an SVG QR code, with the `qrcode` library's encoder and its SVG renderer only: its
// top-level module also loads the PNG renderer (pngjs, 29 KiB), which a function that answers SVG never uses.
import QRCode from 'qrcode/lib/core/qrcode.js';
import SvgTag from 'qrcode/lib/renderer/svg-tag.js';

const options = { errorCorrectionLevel: 'M', margin: 2 } as const;

export const qrSvg = async (text: string): Promise<string> =>
  SvgTag.render(QRCode.create(text, options), options);

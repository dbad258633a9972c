// The otpauth URI as an SVG QR code (the `qrcode` library), for the activation screen to show inline.
import QRCode from 'qrcode';

export const qrSvg = (text: string): Promise<string> =>
  QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });

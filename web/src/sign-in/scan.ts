// The pieces of T2's answer the page shows, kept free of the DOM so they are tested without a browser.

/** The base32 secret in groups of four, easier to copy by hand into an app. */
export const groupSecret = (secret: string): string => secret.replace(/(.{4})(?=.)/g, '$1 ');

/**
 * The QR code comes from our own API, but as markup it is treated as untrusted: it is only ever drawn as an
 * image (an SVG image runs no script and loads nothing), never inserted into the page. Anything that is not
 * an SVG document gets no image at all; the secret as text still lets the customer go on.
 */
export function qrDataUrl(svg: string): string | null {
  if (!/^\s*(<\?xml[^>]*\?>\s*)?<svg[\s>]/.test(svg)) return null;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** Image bytes as a `data:` URL, the form images cross the boundary in (no file access in the renderer). */
export function toDataUrl(bytes: Uint8Array, mime = 'image/png'): string {
  return `data:${mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64')}`;
}

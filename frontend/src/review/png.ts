/**
 * An 8-bit greyscale PNG encoder, for the corrected mask: canvas.toBlob gives RGBA, which the server
 * refuses (a mask is one channel). Rows are filtered with "None" and compressed with the browser's
 * CompressionStream("deflate") (zlib, as PNG's IDAT wants it).
 */

const SIGNATURE = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, crc = 0xffffffff): number {
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** PNG bytes of a width × height grey image (one byte per pixel, row by row). */
export async function encodeGreyPng(width: number, height: number, grey: Uint8Array): Promise<Uint8Array> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`A PNG is at least 1 × 1 pixels, not ${width} × ${height}.`);
  }
  if (grey.length !== width * height) {
    throw new Error(`${grey.length} pixels given for a ${width} × ${height} image.`);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: greyscale
  // compression 0, filter 0, interlace 0
  const raw = new Uint8Array((width + 1) * height);
  for (let row = 0; row < height; row++) {
    raw[row * (width + 1)] = 0; // filter: None
    raw.set(grey.subarray(row * width, (row + 1) * width), row * (width + 1) + 1);
  }
  const parts = [SIGNATURE, chunk("IHDR", header), chunk("IDAT", await deflate(raw)), chunk("IEND", new Uint8Array())];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A binary mask (0 / non-zero) as the PNG the review API takes: one channel, 0 and 255. */
export async function maskPng(width: number, height: number, mask: Uint8Array): Promise<Blob> {
  const grey = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) grey[i] = mask[i] ? 255 : 0;
  return new Blob([(await encodeGreyPng(width, height, grey)) as BlobPart], { type: "image/png" });
}

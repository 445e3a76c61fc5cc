import { describe, expect, it } from "vitest";
import { crc32, encodeGreyPng, maskPng } from "./png";

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

interface Chunk {
  type: string;
  data: Uint8Array;
  crcOk: boolean;
}

function chunks(png: Uint8Array): Chunk[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: Chunk[] = [];
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    out.push({ type, data, crcOk: crc32(png.subarray(at + 4, at + 8 + length)) === view.getUint32(at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

describe("the grey PNG encoder", () => {
  it("computes the standard CRC-32", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("writes an 8-bit, one-channel PNG whose pixels decode back", async () => {
    const grey = new Uint8Array([0, 255, 255, 0, 0, 255]);
    const png = await encodeGreyPng(3, 2, grey);

    expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const parts = chunks(png);
    expect(parts.map((part) => part.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    expect(parts.every((part) => part.crcOk)).toBe(true);
    const header = new DataView(parts[0]!.data.buffer, parts[0]!.data.byteOffset, 13);
    expect([header.getUint32(0), header.getUint32(4)]).toEqual([3, 2]);
    expect(Array.from(parts[0]!.data.subarray(8))).toEqual([8, 0, 0, 0, 0]); // depth 8, greyscale
    // Each row: filter byte 0 (None), then the row's pixels.
    expect(Array.from(await inflate(parts[1]!.data))).toEqual([0, 0, 255, 255, 0, 0, 0, 255]);
  });

  it("turns a 0/1 mask into 0/255", async () => {
    const blob = await maskPng(2, 2, new Uint8Array([1, 0, 0, 1]));
    expect(blob.type).toBe("image/png");
    const idat = chunks(new Uint8Array(await blob.arrayBuffer()))[1]!;
    expect(Array.from(await inflate(idat.data))).toEqual([0, 255, 0, 0, 0, 255]);
  });

  it("refuses pixels that do not match the size", async () => {
    await expect(encodeGreyPng(2, 2, new Uint8Array(3))).rejects.toThrow("3 pixels given for a 2 × 2 image.");
  });
});

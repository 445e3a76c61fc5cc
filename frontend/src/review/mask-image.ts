/** A stored mask image read back as 0/1 bytes, for editing. */

/** 0/1 bytes from a mask image (0 background, 255 fetus), drawn at the frame's size. */
export function maskBytes(image: CanvasImageSource, width: number, height: number): Uint8Array {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (!context) throw new Error("This browser cannot read images back from a canvas.");
  context.drawImage(image, 0, 0, width, height);
  const rgba = context.getImageData(0, 0, width, height).data;
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = rgba[i * 4]! >= 128 ? 1 : 0;
  return out;
}

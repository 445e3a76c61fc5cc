/** The mask drawn for the workspace: teal fill at the chosen opacity with an opaque edge, or the edge alone. */
import { MASK_RGB } from "../studies/overlay";

export type MaskDisplay = "fill" | "outline";

/** RGBA pixels of the mask layer from 0/1 bytes. An edge pixel is inside with a 4-neighbour outside. */
export function maskPixels(
  mask: Uint8Array,
  width: number,
  height: number,
  display: MaskDisplay,
  opacity: number,
  out: Uint8ClampedArray = new Uint8ClampedArray(width * height * 4),
): Uint8ClampedArray {
  const fill = display === "fill" ? Math.round(255 * Math.min(1, Math.max(0, opacity))) : 0;
  const edge = Math.max(fill, 242);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const i = row * width + col;
      const o = i * 4;
      out[o] = MASK_RGB[0];
      out[o + 1] = MASK_RGB[1];
      out[o + 2] = MASK_RGB[2];
      if (!mask[i]) {
        out[o + 3] = 0;
        continue;
      }
      const onEdge =
        col === 0 || row === 0 || col === width - 1 || row === height - 1 ||
        !mask[i - 1] || !mask[i + 1] || !mask[i - width] || !mask[i + width];
      out[o + 3] = onEdge ? edge : fill;
    }
  }
  return out;
}

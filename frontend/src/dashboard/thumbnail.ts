/** A frame drawn small with its mask's outline only (the tissue under it stays visible). */
import { colourisePixels } from "../studies/overlay";

export const OUTLINE_RGB: [number, number, number] = [255, 210, 63];

/** The mask scaled to the thumbnail's size first, then its edge coloured: a 1-pixel line at any scale. */
export function drawThumbnail(
  canvas: HTMLCanvasElement,
  image: CanvasImageSource,
  mask: CanvasImageSource | null,
): boolean {
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (!context) return false;
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  context.drawImage(image, 0, 0, width, height);
  if (!mask) return true;
  const layer = document.createElement("canvas");
  layer.width = width;
  layer.height = height;
  const layerContext = layer.getContext("2d", { willReadFrequently: true });
  if (!layerContext) return true;
  layerContext.drawImage(mask, 0, 0, width, height);
  const pixels = layerContext.getImageData(0, 0, width, height);
  // Inside: transparent; edge: opaque, so only the outline is drawn.
  colourisePixels(pixels.data, width, height, OUTLINE_RGB, 0, 1);
  for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = pixels.data[i]! > 0 ? 255 : 0;
  layerContext.putImageData(pixels, 0, 0);
  context.drawImage(layer, 0, 0);
  return true;
}

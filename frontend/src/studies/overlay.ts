/**
 * Draws a frame on a canvas: the grey image, the mask in semi-transparent teal, and the CRL
 * calliper line with its end markers. Images come from the API (same origin, session cookie).
 */
import type { Measurement } from "./api";
import { toCanvas } from "./format";

export const MASK_RGB: [number, number, number] = [0, 200, 190];
export const MASK_ALPHA = 0.38;
const CALLIPER_COLOUR = "#ffd23f";
const CALLIPER_SHADOW = "rgba(0, 0, 0, 0.75)";

export function loadImage(url: string, signal?: AbortSignal): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    const abort = () => {
      image.src = "";
      reject(new DOMException("Aborted", "AbortError"));
    };
    signal?.addEventListener("abort", abort, { once: true });
    image.onload = () => {
      signal?.removeEventListener("abort", abort);
      resolve(image);
    };
    image.onerror = () => {
      signal?.removeEventListener("abort", abort);
      reject(new Error(`The image ${url} could not be loaded.`));
    };
    image.decoding = "async";
    image.src = url;
  });
}

/**
 * The mask PNG (0 background, 255 fetus) turned into a coloured, semi-transparent layer of the
 * same size: each pixel's alpha follows its grey level, so anti-aliased edges stay soft.
 */
export function colouriseMask(
  mask: CanvasImageSource & { width: number; height: number },
  rgb: [number, number, number] = MASK_RGB,
  alpha = MASK_ALPHA,
): HTMLCanvasElement | null {
  const layer = document.createElement("canvas");
  layer.width = mask.width;
  layer.height = mask.height;
  const context = layer.getContext("2d", { willReadFrequently: true });
  if (!context) return null;
  context.drawImage(mask, 0, 0);
  const pixels = context.getImageData(0, 0, layer.width, layer.height);
  colourisePixels(pixels.data, layer.width, layer.height, rgb, alpha);
  context.putImageData(pixels, 0, 0);
  return layer;
}

/**
 * In place: grey level (red channel) → teal whose alpha follows the level; pixels on the mask's
 * edge (inside, with a 4-neighbour outside) get `edgeAlpha`, so the outline reads at a glance.
 */
export function colourisePixels(
  data: Uint8ClampedArray,
  width: number,
  height: number,
  rgb: [number, number, number],
  alpha: number,
  edgeAlpha = 0.95,
): void {
  const inside = new Uint8Array(width * height);
  for (let i = 0; i < inside.length; i++) inside[i] = data[i * 4]! >= 128 ? 1 : 0;
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && inside[y * width + x] === 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const level = data[i]!;
      const edge = inside[y * width + x] === 1 && !(on(x - 1, y) && on(x + 1, y) && on(x, y - 1) && on(x, y + 1));
      data[i] = rgb[0];
      data[i + 1] = rgb[1];
      data[i + 2] = rgb[2];
      data[i + 3] = Math.round(level * (edge ? edgeAlpha : alpha));
    }
  }
}

export interface FrameDrawing {
  image: HTMLImageElement;
  mask?: HTMLCanvasElement | null;
  measurement?: Pick<Measurement, "p1" | "p2"> | null;
}

/** Paints the whole canvas; the canvas keeps its size (set once from the frame's aspect). */
export function drawFrame(canvas: HTMLCanvasElement, { image, mask, measurement }: FrameDrawing): boolean {
  const context = canvas.getContext("2d");
  if (!context) return false;
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  context.imageSmoothingEnabled = true;
  context.drawImage(image, 0, 0, width, height);
  if (mask) context.drawImage(mask, 0, 0, width, height);
  if (measurement) drawCallipers(context, measurement, { width: image.naturalWidth || image.width, height: image.naturalHeight || image.height }, canvas);
  return true;
}

function drawCallipers(
  context: CanvasRenderingContext2D,
  { p1, p2 }: Pick<Measurement, "p1" | "p2">,
  image: { width: number; height: number },
  canvas: { width: number; height: number },
): void {
  const a = toCanvas(p1, image, canvas);
  const b = toCanvas(p2, image, canvas);
  const unit = Math.max(1, canvas.width / 480);
  context.save();
  context.lineCap = "round";
  // A dark halo first, so the line reads on bright and dark tissue alike.
  for (const [colour, width] of [
    [CALLIPER_SHADOW, 4.5 * unit],
    [CALLIPER_COLOUR, 2 * unit],
  ] as const) {
    context.strokeStyle = colour;
    context.lineWidth = width;
    context.beginPath();
    context.moveTo(a.x, a.y);
    context.lineTo(b.x, b.y);
    context.stroke();
  }
  for (const end of [a, b]) drawCross(context, end, 7 * unit, unit);
  context.restore();
}

/** A "+" marker, as on an ultrasound machine's calliper. */
function drawCross(context: CanvasRenderingContext2D, { x, y }: { x: number; y: number }, size: number, unit: number): void {
  for (const [colour, width] of [
    [CALLIPER_SHADOW, 4 * unit],
    [CALLIPER_COLOUR, 2 * unit],
  ] as const) {
    context.strokeStyle = colour;
    context.lineWidth = width;
    context.beginPath();
    context.moveTo(x - size, y);
    context.lineTo(x + size, y);
    context.moveTo(x, y - size);
    context.lineTo(x, y + size);
    context.stroke();
  }
}

/** The workspace's keyboard: one key per action, shown on screen beside each button. */

export type KeyAction =
  | { kind: "verdict"; verdict: "good" | "poor" | "unusable" }
  | { kind: "skip" }
  | { kind: "undo" }
  | { kind: "reset" }
  | { kind: "tool"; tool: "brush" | "eraser" | "polygon" | "pan" }
  | { kind: "brush-size"; step: -1 | 1 }
  | { kind: "overlay" }
  | { kind: "display" }
  | { kind: "fit" }
  | { kind: "polygon-close" }
  | { kind: "polygon-cancel" };

export const KEYS: Record<string, KeyAction> = {
  g: { kind: "verdict", verdict: "good" },
  p: { kind: "verdict", verdict: "poor" },
  u: { kind: "verdict", verdict: "unusable" },
  s: { kind: "skip" },
  z: { kind: "undo" },
  r: { kind: "reset" },
  b: { kind: "tool", tool: "brush" },
  e: { kind: "tool", tool: "eraser" },
  l: { kind: "tool", tool: "polygon" },
  h: { kind: "tool", tool: "pan" },
  "[": { kind: "brush-size", step: -1 },
  "]": { kind: "brush-size", step: 1 },
  v: { kind: "overlay" },
  f: { kind: "display" },
  "0": { kind: "fit" },
  enter: { kind: "polygon-close" },
  escape: { kind: "polygon-cancel" },
};

/** The action of a key press, or null: typing in a form field, or with a modifier (Ctrl+Z is the browser's). */
export function keyAction(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "target">): KeyAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const target = event.target as HTMLElement | null;
  if (target && typeof target.closest === "function" && target.closest("input, select, textarea, [contenteditable]")) {
    // A range (the opacity slider) keeps the keys: only fields that take text or a choice swallow them.
    if (!(target instanceof HTMLInputElement && target.type === "range")) return null;
  }
  return KEYS[event.key.toLowerCase()] ?? null;
}

/** Brush radii in image pixels that [ and ] step through. */
export const BRUSH_SIZES = [1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64];

export function nextBrushSize(current: number, step: -1 | 1): number {
  const index = BRUSH_SIZES.findIndex((size) => size >= current);
  const at = index < 0 ? BRUSH_SIZES.length - 1 : index;
  return BRUSH_SIZES[Math.min(BRUSH_SIZES.length - 1, Math.max(0, at + step))]!;
}

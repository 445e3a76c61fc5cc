/**
 * The edits an expert makes to a mask, on a 0/1 byte per pixel (row by row): brush and eraser discs
 * along a stroke, polygon fill, and an undo history of whole-mask snapshots.
 */

export interface MaskGrid {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Pixel centres within `radius` of (x, y) set to `value`; x is the column, y the row (pixel centres at integers). */
export function paintDisc(mask: MaskGrid, x: number, y: number, radius: number, value: 0 | 1): void {
  const { width, height, data } = mask;
  const r = Math.max(0.5, radius);
  const top = Math.max(0, Math.ceil(y - r));
  const bottom = Math.min(height - 1, Math.floor(y + r));
  for (let row = top; row <= bottom; row++) {
    const half = Math.sqrt(Math.max(0, r * r - (row - y) ** 2));
    const left = Math.max(0, Math.ceil(x - half));
    const right = Math.min(width - 1, Math.floor(x + half));
    if (left <= right) data.fill(value, row * width + left, row * width + right + 1);
  }
}

/** A brush stroke from one pointer position to the next: discs close enough together to leave no gap. */
export function paintStroke(
  mask: MaskGrid,
  from: { x: number; y: number },
  to: { x: number; y: number },
  radius: number,
  value: 0 | 1,
): void {
  const distance = Math.hypot(to.x - from.x, to.y - from.y);
  const steps = Math.max(1, Math.ceil(distance / Math.max(0.5, radius / 2)));
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    paintDisc(mask, from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t, radius, value);
  }
}

/**
 * Fills the polygon (vertices as x = column, y = row, at pixel centres) by the even-odd rule: a pixel
 * whose centre lies inside is set to `value`.
 */
export function fillPolygon(mask: MaskGrid, points: { x: number; y: number }[], value: 0 | 1 = 1): void {
  if (points.length < 3) return;
  const { width, height, data } = mask;
  const ys = points.map((p) => p.y);
  const top = Math.max(0, Math.ceil(Math.min(...ys)));
  const bottom = Math.min(height - 1, Math.floor(Math.max(...ys)));
  for (let row = top; row <= bottom; row++) {
    const crossings: number[] = [];
    for (let i = 0; i < points.length; i++) {
      const a = points[i]!;
      const b = points[(i + 1) % points.length]!;
      // Half-open on y, so a vertex shared by two edges counts once.
      if ((a.y <= row && b.y > row) || (b.y <= row && a.y > row)) {
        crossings.push(a.x + ((row - a.y) * (b.x - a.x)) / (b.y - a.y));
      }
    }
    crossings.sort((p, q) => p - q);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const left = Math.max(0, Math.ceil(crossings[k]!));
      const right = Math.min(width - 1, Math.floor(crossings[k + 1]!));
      if (left <= right) data.fill(value, row * width + left, row * width + right + 1);
    }
  }
}

/** Whether two masks differ anywhere. */
export function masksDiffer(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
  return false;
}

/** The mask being edited and the snapshots to undo back to (at most `limit`, oldest dropped). */
export class EditHistory {
  private readonly undoStack: Uint8Array[] = [];

  constructor(
    readonly mask: MaskGrid,
    private readonly limit = 50,
  ) {}

  /** Call before each edit (a stroke, a polygon, a reset): the state to come back to. */
  checkpoint(): void {
    this.undoStack.push(this.mask.data.slice());
    if (this.undoStack.length > this.limit) this.undoStack.shift();
  }

  /** Back to the state before the last edit; false when there is none. */
  undo(): boolean {
    const previous = this.undoStack.pop();
    if (!previous) return false;
    this.mask.data.set(previous);
    return true;
  }

  get depth(): number {
    return this.undoStack.length;
  }

  /** Back to `original` (the model's mask), as an edit that can itself be undone. */
  reset(original: Uint8Array): void {
    this.checkpoint();
    this.mask.data.set(original);
  }
}

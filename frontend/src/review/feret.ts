/**
 * CRL as the server measures it (workers/ml/crl.py): the maximum Feret diameter of the mask's largest
 * 8-connected component, over the corners of its pixels (outer edge to outer edge), in millimetres.
 * Points are (row, col) with pixel centres at integers, so calliper ends sit on pixel corners.
 */

export interface Spacing {
  rowMm: number;
  colMm: number;
}

export interface Calliper {
  crlMm: number;
  p1: [number, number];
  p2: [number, number];
  areaPx: number;
}

/** The largest 8-connected component (ties: the first in raster order) as a 0/1 array, and its size. */
export function largestComponent(mask: Uint8Array, width: number, height: number): { component: Uint8Array; area: number } {
  const labels = new Int32Array(mask.length);
  const stack = new Int32Array(mask.length);
  let best = 0;
  let bestArea = 0;
  let label = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    label += 1;
    let area = 0;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    while (top) {
      const at = stack[--top]!;
      area += 1;
      const row = (at / width) | 0;
      const col = at - row * width;
      for (let dr = -1; dr <= 1; dr++) {
        const r = row + dr;
        if (r < 0 || r >= height) continue;
        for (let dc = -1; dc <= 1; dc++) {
          const c = col + dc;
          if (c < 0 || c >= width) continue;
          const next = r * width + c;
          if (mask[next] && !labels[next]) {
            labels[next] = label;
            stack[top++] = next;
          }
        }
      }
    }
    if (area > bestArea) {
      best = label;
      bestArea = area;
    }
  }
  const component = new Uint8Array(mask.length);
  if (best) for (let i = 0; i < mask.length; i++) component[i] = labels[i] === best ? 1 : 0;
  return { component, area: bestArea };
}

type Point = [number, number];

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Andrew's monotone chain: the hull's vertices (indices into `points`), without collinear ones. */
export function convexHull(points: Point[]): number[] {
  const order = points.map((_, i) => i).sort((i, j) => points[i]![0] - points[j]![0] || points[i]![1] - points[j]![1]);
  if (order.length < 3) return order;
  const half = (indices: number[]) => {
    const chain: number[] = [];
    for (const i of indices) {
      while (chain.length >= 2 && cross(points[chain[chain.length - 2]!]!, points[chain[chain.length - 1]!]!, points[i]!) <= 0) {
        chain.pop();
      }
      chain.push(i);
    }
    chain.pop();
    return chain;
  };
  return [...half(order), ...half([...order].reverse())];
}

/** The CRL callipers of a 0/1 mask, or null when it is empty. */
export function maxFeret(mask: Uint8Array, width: number, height: number, spacing: Spacing): Calliper | null {
  const { component, area } = largestComponent(mask, width, height);
  if (!area) return null;
  const corners: Point[] = [];
  for (let row = 0; row < height; row++) {
    let left = -1;
    let right = -1;
    for (let col = 0; col < width; col++) {
      if (component[row * width + col]) {
        if (left < 0) left = col;
        right = col;
      }
    }
    if (left < 0) continue;
    for (const r of [row - 0.5, row + 0.5]) corners.push([r, left - 0.5], [r, right + 0.5]);
  }
  const inMm: Point[] = corners.map(([r, c]) => [r * spacing.rowMm, c * spacing.colMm]);
  const hull = convexHull(inMm);
  let bestI = hull[0]!;
  let bestJ = hull[0]!;
  let longest = -1;
  for (let a = 0; a < hull.length; a++) {
    for (let b = a + 1; b < hull.length; b++) {
      const [i, j] = [hull[a]!, hull[b]!];
      const d = Math.hypot(inMm[i]![0] - inMm[j]![0], inMm[i]![1] - inMm[j]![1]);
      if (d > longest) {
        longest = d;
        bestI = i;
        bestJ = j;
      }
    }
  }
  let p1 = corners[bestI]!;
  let p2 = corners[bestJ]!;
  if (p2[0] < p1[0] || (p2[0] === p1[0] && p2[1] < p1[1])) [p1, p2] = [p2, p1];
  return { crlMm: longest, p1: [p1[0], p1[1]], p2: [p2[0], p2[1]], areaPx: area };
}

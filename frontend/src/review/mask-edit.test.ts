import { describe, expect, it } from "vitest";
import { EditHistory, fillPolygon, masksDiffer, paintDisc, paintStroke, type MaskGrid } from "./mask-edit";

function grid(width: number, height: number): MaskGrid {
  return { width, height, data: new Uint8Array(width * height) };
}

function count(mask: MaskGrid): number {
  return mask.data.reduce((sum, v) => sum + v, 0);
}

const at = (mask: MaskGrid, col: number, row: number) => mask.data[row * mask.width + col];

describe("the brush", () => {
  it("paints the pixels whose centres lie within its radius", () => {
    const mask = grid(11, 11);
    paintDisc(mask, 5, 5, 2, 1);
    // Radius 2 around a pixel centre: 13 pixels (the centre, 4 at distance 1, 4 at √2, 4 at 2).
    expect(count(mask)).toBe(13);
    expect(at(mask, 5, 3)).toBe(1);
    expect(at(mask, 6, 6)).toBe(1);
    expect(at(mask, 7, 7)).toBe(0);
  });

  it("is clipped at the frame's edge", () => {
    const mask = grid(4, 4);
    paintDisc(mask, 0, 0, 1, 1);
    expect(count(mask)).toBe(3);
  });

  it("leaves no gap along a fast stroke", () => {
    const mask = grid(40, 10);
    paintStroke(mask, { x: 2, y: 5 }, { x: 37, y: 5 }, 1, 1);
    for (let col = 2; col <= 37; col++) expect(at(mask, col, 5)).toBe(1);
  });

  it("erases with the value 0", () => {
    const mask = grid(10, 10);
    mask.data.fill(1);
    paintStroke(mask, { x: 2, y: 2 }, { x: 7, y: 2 }, 1, 0);
    expect(at(mask, 4, 2)).toBe(0);
    expect(at(mask, 4, 4)).toBe(1);
  });
});

describe("polygon fill", () => {
  it("fills the pixels whose centres are inside", () => {
    const mask = grid(10, 10);
    fillPolygon(mask, [
      { x: 1.5, y: 1.5 },
      { x: 5.5, y: 1.5 },
      { x: 5.5, y: 4.5 },
      { x: 1.5, y: 4.5 },
    ]);
    // Columns 2–5, rows 2–4.
    expect(count(mask)).toBe(12);
    expect(at(mask, 2, 2)).toBe(1);
    expect(at(mask, 5, 4)).toBe(1);
    expect(at(mask, 1, 2)).toBe(0);
    expect(at(mask, 6, 2)).toBe(0);
  });

  it("fills a triangle's area to within its edge", () => {
    const mask = grid(100, 100);
    fillPolygon(mask, [
      { x: 10, y: 10 },
      { x: 90, y: 10 },
      { x: 10, y: 90 },
    ]);
    // 3200 px² of area; pixels centred on the two straight edges are in, so a row or column more.
    expect(count(mask)).toBeGreaterThanOrEqual(3200);
    expect(count(mask)).toBeLessThanOrEqual(3200 + 81 + 81);
  });

  it("ignores fewer than three points", () => {
    const mask = grid(5, 5);
    fillPolygon(mask, [
      { x: 1, y: 1 },
      { x: 3, y: 3 },
    ]);
    expect(count(mask)).toBe(0);
  });
});

describe("undo and reset", () => {
  it("undoes edits one at a time, newest first", () => {
    const mask = grid(10, 10);
    const history = new EditHistory(mask);
    history.checkpoint();
    paintDisc(mask, 2, 2, 1, 1);
    const afterFirst = mask.data.slice();
    history.checkpoint();
    paintDisc(mask, 7, 7, 1, 1);

    expect(history.undo()).toBe(true);
    expect(mask.data).toEqual(afterFirst);
    expect(history.undo()).toBe(true);
    expect(count(mask)).toBe(0);
    expect(history.undo()).toBe(false);
  });

  it("resets to the model's mask, and the reset can be undone", () => {
    const original = new Uint8Array(100);
    original[55] = 1;
    const mask = grid(10, 10);
    mask.data.set(original);
    const history = new EditHistory(mask);
    history.checkpoint();
    paintDisc(mask, 2, 2, 1, 1);
    const edited = mask.data.slice();

    history.reset(original);
    expect(masksDiffer(mask.data, original)).toBe(false);
    history.undo();
    expect(mask.data).toEqual(edited);
  });

  it("keeps at most its limit of snapshots", () => {
    const history = new EditHistory(grid(2, 2), 3);
    for (let i = 0; i < 5; i++) history.checkpoint();
    expect(history.depth).toBe(3);
  });
});

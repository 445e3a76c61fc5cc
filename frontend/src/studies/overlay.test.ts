import { describe, expect, it } from "vitest";
import { colourisePixels } from "./overlay";

/** A width × height grey image as RGBA bytes. */
function grey(levels: number[]): Uint8ClampedArray {
  return new Uint8ClampedArray(levels.flatMap((level) => [level, level, level, 255]));
}

const alphas = (data: Uint8ClampedArray) => [...data].filter((_, i) => i % 4 === 3);

describe("colourisePixels", () => {
  it("colours the fetus, leaves the background transparent, and outlines the edge", () => {
    // 3 × 3, all inside: only the centre is not on the edge.
    const data = grey([255, 255, 255, 255, 255, 255, 255, 255, 255]);
    colourisePixels(data, 3, 3, [0, 200, 190], 0.5, 1);
    expect(alphas(data)).toEqual([255, 255, 255, 255, 128, 255, 255, 255, 255]);
    expect([...data.slice(16, 19)]).toEqual([0, 200, 190]);
  });

  it("keeps the background transparent and soft levels soft", () => {
    const data = grey([0, 0, 0, 0, 100, 0, 0, 0, 0]);
    colourisePixels(data, 3, 3, [0, 200, 190], 0.5, 1);
    expect(alphas(data)).toEqual([0, 0, 0, 0, 50, 0, 0, 0, 0]);
  });
});

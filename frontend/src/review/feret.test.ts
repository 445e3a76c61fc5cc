import { describe, expect, it } from "vitest";
import { largestComponent, maxFeret } from "./feret";
import { gestationalAgeDays } from "./ga";

const WIDTH = 200;
const HEIGHT = 150;

/** The ellipse of tests/qa/reviews (150 × 60 px, centred), plus a stray 4 × 4 blob at (10, 10). */
function fetus(): Uint8Array {
  const mask = new Uint8Array(WIDTH * HEIGHT);
  for (let row = 0; row < HEIGHT; row++) {
    for (let col = 0; col < WIDTH; col++) {
      if (((col - 100) / 75) ** 2 + ((row - 75) / 30) ** 2 <= 1) mask[row * WIDTH + col] = 1;
    }
  }
  for (let row = 10; row < 14; row++) mask.fill(1, row * WIDTH + 10, row * WIDTH + 14);
  return mask;
}

describe("CRL callipers (max Feret diameter), as workers/ml/crl.py measures", () => {
  it("gives the server's CRL, ends and area for the same mask and spacing", () => {
    // crl_from_mask(mask, (0.3, 0.25)) on the server: 37.751192034159665 mm, (74.5, 24.5)–(75.5, 175.5), 7047 px.
    const calliper = maxFeret(fetus(), WIDTH, HEIGHT, { rowMm: 0.3, colMm: 0.25 });
    expect(calliper).not.toBeNull();
    expect(calliper!.crlMm).toBeCloseTo(37.751192034159665, 9);
    expect(calliper!.areaPx).toBe(7047);
    expect([74.5, 75.5]).toContain(calliper!.p1[0]);
    expect(calliper!.p1[1]).toBe(24.5);
    expect([74.5, 75.5]).toContain(calliper!.p2[0]);
    expect(calliper!.p2[1]).toBe(175.5);
  });

  it("measures a single pixel corner to corner", () => {
    const mask = new Uint8Array(9);
    mask[4] = 1;
    expect(maxFeret(mask, 3, 3, { rowMm: 1, colMm: 1 })!.crlMm).toBeCloseTo(Math.SQRT2, 12);
  });

  it("is null for an empty mask", () => {
    expect(maxFeret(new Uint8Array(12), 4, 3, { rowMm: 1, colMm: 1 })).toBeNull();
  });

  it("keeps the first of two equal components in raster order", () => {
    const mask = new Uint8Array(20);
    mask[0] = 1;
    mask[19] = 1;
    const { component, area } = largestComponent(mask, 5, 4);
    expect(area).toBe(1);
    expect(component[0]).toBe(1);
    expect(component[19]).toBe(0);
  });

  it("joins diagonal neighbours (8-connected)", () => {
    const mask = new Uint8Array(9);
    mask[0] = mask[4] = mask[8] = 1;
    expect(largestComponent(mask, 3, 3).area).toBe(3);
  });
});

describe("GA from CRL, as workers/ml/ga.py computes", () => {
  it.each([
    ["robinson", 73.20309734776973],
    ["hadlock", 74.70902436452576],
    ["intergrowth", 73.83643011722697],
  ])("%s", (formula, days) => {
    const ga = gestationalAgeDays(37.751192034159665, formula);
    expect(ga!.days).toBeCloseTo(days, 9);
    expect(ga!.inRange).toBe(true);
  });

  it("flags a CRL outside the formula's range and refuses nonsense", () => {
    expect(gestationalAgeDays(90, "robinson")!.inRange).toBe(false);
    expect(gestationalAgeDays(0)).toBeNull();
    expect(gestationalAgeDays(40, "nonsense")).toBeNull();
  });
});

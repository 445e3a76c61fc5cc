import { describe, expect, it } from "vitest";
import type { MaskSummary } from "./api";
import {
  formatGa,
  formatGaDifference,
  formatMm,
  formatPercent,
  formulaLabel,
  isTerminal,
  latestModelMask,
  toCanvas,
} from "./format";

describe("formatGa", () => {
  it("writes completed weeks and days", () => {
    expect(formatGa(80)).toBe("11w 3d");
    expect(formatGa(81.5)).toBe("11w 4d");
    expect(formatGa(84)).toBe("12w 0d");
    expect(formatGa(0)).toBe("0w 0d");
  });

  it("shows a dash for an unknown age", () => {
    expect(formatGa(null)).toBe("—");
    expect(formatGa(Number.NaN)).toBe("—");
    expect(formatGa(-1)).toBe("—");
  });
});

describe("formatGaDifference", () => {
  it("signs the estimate minus the reported age", () => {
    expect(formatGaDifference(81.5, 80)).toBe("+1.5 d");
    expect(formatGaDifference(77, 80)).toBe("−3 d");
    expect(formatGaDifference(80.02, 80)).toBe("0 d");
  });

  it("is null when either is unknown", () => {
    expect(formatGaDifference(null, 80)).toBeNull();
    expect(formatGaDifference(80, null)).toBeNull();
  });
});

describe("labels", () => {
  it("names the GA formulas", () => {
    expect(formulaLabel("robinson")).toBe("Robinson 1975");
    expect(formulaLabel("hadlock")).toBe("Hadlock 1992");
    expect(formulaLabel("intergrowth")).toBe("INTERGROWTH-21st");
    expect(formulaLabel("other")).toBe("other");
  });

  it("formats percentages and millimetres", () => {
    expect(formatPercent(0.9)).toBe("90%");
    expect(formatPercent(0.125)).toBe("13%");
    expect(formatPercent(null)).toBe("—");
    expect(formatMm(45)).toBe("45.0 mm");
  });

  it("knows which statuses are final", () => {
    expect(isTerminal("done")).toBe(true);
    expect(isTerminal("failed")).toBe(true);
    expect(isTerminal(null)).toBe(true);
    expect(isTerminal("pending")).toBe(false);
    expect(isTerminal("running")).toBe(false);
  });
});

describe("toCanvas", () => {
  const image = { width: 64, height: 48 };

  it("puts a pixel's centre half a pixel in", () => {
    expect(toCanvas({ row: 0, col: 0 }, image, image)).toEqual({ x: 0.5, y: 0.5 });
    expect(toCanvas({ row: 47, col: 63 }, image, image)).toEqual({ x: 63.5, y: 47.5 });
  });

  it("scales to the canvas size, each axis on its own", () => {
    expect(toCanvas({ row: 10, col: 12 }, image, { width: 640, height: 480 })).toEqual({ x: 125, y: 105 });
    expect(toCanvas({ row: 23.5, col: 31.5 }, image, { width: 128, height: 48 })).toEqual({ x: 64, y: 24 });
  });
});

describe("latestModelMask", () => {
  const mask = (id: number, version: number, kind: MaskSummary["kind"]): MaskSummary => ({
    id,
    version,
    kind,
    parent: null,
    model_version: null,
    created_by: null,
    area_px: 0,
    created_at: "",
    image_url: `/api/masks/${id}/image/`,
  });

  it("takes the newest model mask over a newer expert one", () => {
    expect(latestModelMask([mask(1, 1, "model"), mask(2, 2, "model"), mask(3, 3, "expert")])?.id).toBe(2);
  });

  it("falls back to any mask, and to null", () => {
    expect(latestModelMask([mask(5, 1, "expert")])?.id).toBe(5);
    expect(latestModelMask([])).toBeNull();
  });
});

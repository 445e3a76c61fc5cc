import { describe, expect, it } from "vitest";
import { bucketRange, formatRate, formatShare, framesHref, worstFirst } from "./format";

describe("dashboard formats", () => {
  it("reads shares with one decimal under 10 % and whole percents above", () => {
    expect([formatShare(0.0714), formatShare(0.25), formatShare(0), formatShare(null), formatShare(1)]).toEqual([
      "7.1 %",
      "25 %",
      "0 %",
      "—",
      "100 %",
    ]);
    expect(formatRate({ poor_rate: 0.25, poor_rate_low: 0.0715, poor_rate_high: 0.5907 })).toBe("25 % (7.1–59 %)");
    expect(formatRate({ poor_rate: null, poor_rate_low: null, poor_rate_high: null })).toBe("—");
  });

  it("puts first the machine whose interval says it is worst, and machines without verdicts last", () => {
    const rows = [
      { id: "small", frames: 3, poor_rate: 0.67, poor_rate_low: 0.2 },
      { id: "none", frames: 0, poor_rate: null, poor_rate_low: null },
      { id: "big", frames: 400, poor_rate: 0.3, poor_rate_low: 0.26 },
    ];
    expect(worstFirst(rows).map((row) => row.id)).toEqual(["big", "small", "none"]);
  });

  it("clips a bucket to the period and builds the drill-down address", () => {
    expect(bucketRange("2026-02-23", "week", { from: "2026-03-01", to: "2026-03-31" })).toEqual({ from: "2026-03-01", to: "2026-03-01" });
    expect(bucketRange("2026-02-01", "month", { from: "2026-01-01", to: "2026-12-31" })).toEqual({ from: "2026-02-01", to: "2026-02-28" });
    expect(framesHref({ hospital: 3, machine: "none", from: "2026-03-01", to: "2026-03-07", verdict: "poor" })).toBe(
      "/dashboard/frames?hospital=3&machine=none&from=2026-03-01&to=2026-03-07&verdict=poor",
    );
  });
});

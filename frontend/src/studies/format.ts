/** Pure rules of the study pages: how numbers read, and where callipers land on the canvas. */
import type { JobStatus, MaskSummary, Point } from "./api";

export const FORMULA_LABELS: Record<string, string> = {
  robinson: "Robinson 1975",
  hadlock: "Hadlock 1992",
  intergrowth: "INTERGROWTH-21st",
};

export function formulaLabel(formula: string): string {
  return FORMULA_LABELS[formula.toLowerCase()] ?? formula;
}

/** Gestational age in completed weeks and days: 81.5 days → "11w 4d". */
export function formatGa(days: number | null | undefined): string {
  if (days === null || days === undefined || !Number.isFinite(days) || days < 0) return "—";
  const whole = Math.floor(days + 1e-9);
  return `${Math.floor(whole / 7)}w ${whole % 7}d`;
}

/** Estimated minus reported GA in days, signed, one decimal: "+1.5 d", "−3 d", "0 d". */
export function formatGaDifference(estimated: number | null, reported: number | null): string | null {
  if (estimated === null || reported === null || !Number.isFinite(estimated) || !Number.isFinite(reported)) return null;
  const diff = Math.round((estimated - reported) * 10) / 10;
  if (diff === 0) return "0 d";
  const text = Number.isInteger(diff) ? String(Math.abs(diff)) : Math.abs(diff).toFixed(1);
  return `${diff > 0 ? "+" : "−"}${text} d`;
}

export function formatPercent(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "—";
  return `${Math.round(p * 100)}%`;
}

export function formatMm(mm: number | null | undefined): string {
  if (mm === null || mm === undefined || !Number.isFinite(mm)) return "—";
  return `${mm.toFixed(1)} mm`;
}

export function formatDate(iso: string | null): string {
  if (!iso) return "—";
  return iso.slice(0, 10);
}

export const STATUS_LABELS: Record<JobStatus, string> = {
  pending: "Pending",
  running: "Running",
  done: "Done",
  failed: "Failed",
};

export function statusLabel(status: JobStatus | null): string {
  return status ? (STATUS_LABELS[status] ?? status) : "Not queued";
}

/** No more changes to wait for: done, failed, or never queued. */
export function isTerminal(status: JobStatus | null): boolean {
  return status !== "pending" && status !== "running";
}

/**
 * A frame pixel (row, col) on a canvas of another size. Pixel centres sit at integers, so the
 * centre of pixel (r, c) is at x = c + 0.5, y = r + 0.5 in image space, then scaled.
 */
export function toCanvas(
  point: Point,
  image: { width: number; height: number },
  canvas: { width: number; height: number },
): { x: number; y: number } {
  return {
    x: ((point.col + 0.5) * canvas.width) / image.width,
    y: ((point.row + 0.5) * canvas.height) / image.height,
  };
}

/** The mask to overlay: the newest model mask, else the newest of any kind. */
export function latestModelMask(masks: MaskSummary[]): MaskSummary | null {
  const newest = (list: MaskSummary[]) => list.reduce<MaskSummary | null>((a, m) => (!a || m.version > a.version ? m : a), null);
  return newest(masks.filter((mask) => mask.kind === "model")) ?? newest(masks);
}

/**
 * A calibrated p(good) with two decimals, never a bare "1.00" or "0.00": a probability the model gives as
 * 0.998 reads "> 0.99" (the calibration cannot promise certainty).
 */
export function formatPGood(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "—";
  if (p >= 0.995) return "> 0.99";
  if (p < 0.005) return "< 0.01";
  return p.toFixed(2);
}

/** "96 % of 1,650 (95 % interval 95–97 %)", from the server's reliability bin; whole percents, one decimal at the ends. */
export function formatReliability(r: { count: number; good_rate: number; good_rate_low: number; good_rate_high: number }): string {
  const pct = (v: number) => {
    const x = v * 100;
    return x < 1 || x > 99 ? x.toFixed(1) : String(Math.round(x));
  };
  return `${pct(r.good_rate)} % of ${r.count.toLocaleString("en-GB")} (95 % interval ${pct(r.good_rate_low)}–${pct(r.good_rate_high)} %)`;
}

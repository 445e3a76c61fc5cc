/** Pure rules of the dashboard pages: how rates read, which rows come first, where a drill-down goes. */
import type { Bucket, MachineQuality, QualityCounts } from "./api";

/** A share as a percentage with one decimal under 10 %, whole above: 0.0714 → "7.1 %", 0.25 → "25 %". */
export function formatShare(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const percent = value * 100;
  if (percent > 0 && percent < 10) return `${percent.toFixed(1)} %`;
  return `${Math.round(percent)} %`;
}

/** "25 % (7.1–59 %)": the poor rate and its 95 % Wilson interval, as the server computed them. */
export function formatRate(counts: Pick<QualityCounts, "poor_rate" | "poor_rate_low" | "poor_rate_high">): string {
  if (counts.poor_rate === null || counts.poor_rate === undefined) return "—";
  return `${formatShare(counts.poor_rate)} (${formatShare(counts.poor_rate_low).replace(" %", "")}–${formatShare(counts.poor_rate_high)})`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-GB");
}

/**
 * Worst first: by the lower bound of the poor rate's interval (a machine is only "worse" when the data say so
 * with confidence), then by the rate, then by volume; machines with nothing judged last.
 */
export function worstFirst<T extends Pick<QualityCounts, "poor_rate" | "poor_rate_low" | "frames">>(rows: T[]): T[] {
  return [...rows].sort((a, b) => {
    if (a.poor_rate === null || a.poor_rate === undefined) return b.poor_rate === null || b.poor_rate === undefined ? b.frames - a.frames : 1;
    if (b.poor_rate === null || b.poor_rate === undefined) return -1;
    return (b.poor_rate_low ?? 0) - (a.poor_rate_low ?? 0) || b.poor_rate - a.poor_rate || b.frames - a.frames;
  });
}

const iso = (day: Date) => day.toISOString().slice(0, 10);

/** The last day of the bucket starting on `start` (ISO dates, UTC arithmetic). */
export function bucketEnd(start: string, bucket: Bucket): string {
  const day = new Date(`${start}T00:00:00Z`);
  if (bucket === "day") return start;
  if (bucket === "week") {
    day.setUTCDate(day.getUTCDate() + 6);
    return iso(day);
  }
  return iso(new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 0)));
}

/** The days of a bucket inside the period: the first bucket may start before `from`, the last end after `to`. */
export function bucketRange(start: string, bucket: Bucket, period: { from: string; to: string }): { from: string; to: string } {
  const end = bucketEnd(start, bucket);
  return { from: start < period.from ? period.from : start, to: end > period.to ? period.to : end };
}

/** The address of the frames behind a point or a row, worst first. */
export function framesHref({
  hospital,
  machine,
  from,
  to,
  verdict,
}: {
  hospital?: number | string | null;
  machine?: MachineQuality["machine"] | "none";
  from: string;
  to: string;
  verdict?: string;
}): string {
  const query = new URLSearchParams();
  if (hospital) query.set("hospital", String(hospital));
  if (machine === "none") query.set("machine", "none");
  else if (machine) query.set("machine", String(machine.id));
  query.set("from", from);
  query.set("to", to);
  if (verdict) query.set("verdict", verdict);
  return `/dashboard/frames?${query.toString()}`;
}

export const VERDICT_LABELS: Record<string, string> = { good: "Good", poor: "Poor", unknown: "Unknown" };

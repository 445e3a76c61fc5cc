/** Answers of the dashboard API for the page tests (numbers as the server would compute them). */
import type { Dashboard, DashboardFrame, DriftAlert, QualityBucket } from "./api";

const counts = (good: number, poor: number, unknown: number, rate: [number, number, number] | null) => ({
  frames: good + poor + unknown,
  good,
  poor,
  unknown,
  poor_rate: rate?.[0] ?? null,
  poor_rate_low: rate?.[1] ?? null,
  poor_rate_high: rate?.[2] ?? null,
});

const bins = (counts: number[]) =>
  counts.map((count, i) => ({ low_days: i === 0 ? null : -16 + 2 * i, high_days: i === counts.length - 1 ? null : -14 + 2 * i, count }));

const series: QualityBucket[] = [
  { bucket_start: "2026-02-23", ...counts(0, 0, 0, null) },
  { bucket_start: "2026-03-02", ...counts(3, 2, 1, [0.4, 0.1176, 0.7693]) },
  { bucket_start: "2026-03-09", ...counts(3, 0, 1, [0, 0, 0.5615]) },
];

export const dashboardAnswer: Dashboard = {
  period: { from: "2026-03-01", to: "2026-03-14", bucket: "week" },
  totals: counts(6, 2, 2, [0.25, 0.0715, 0.5907]),
  series,
  machines: [
    { hospital: 3, machine: { id: 21, manufacturer: "Philips", model_name: "EPIQ 7" }, ...counts(3, 0, 1, [0, 0, 0.5615]), series },
    { hospital: 3, machine: { id: 20, manufacturer: "GE", model_name: "Voluson E8" }, ...counts(2, 2, 1, [0.5, 0.15, 0.85]), series },
    { hospital: 3, machine: null, ...counts(1, 0, 0, [0, 0, 0.7935]), series },
  ],
  hospitals: [{ hospital: { id: 3, name: "St Mary", slug: "st-mary" }, ...counts(6, 2, 2, [0.25, 0.0715, 0.5907]), series }],
  ga_discrepancy: {
    good: { count: 5, mean_abs_days: 1.9, histogram: bins([0, 0, 0, 0, 0, 0, 1, 1, 2, 1, 0, 0, 0, 0, 0, 0]), without_reported_ga: 0, without_measured_ga: 1 },
    poor: { count: 1, mean_abs_days: 15, histogram: bins([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), without_reported_ga: 1, without_measured_ga: 0 },
  },
};

export const alertAnswer: DriftAlert = {
  id: 5,
  hospital: { id: 3, name: "St Mary", slug: "st-mary" },
  machine: { id: 20, manufacturer: "GE", model_name: "Voluson E8" },
  rule: "bernoulli_cusum",
  started_on: "2026-03-02",
  detected_on: "2026-03-04",
  ended_on: null,
  detected_at: "2026-03-04T10:00:00Z",
  baseline_poor_rate: 0.05,
  current_poor_rate: 0.4,
  acknowledged_by: null,
  acknowledged_at: null,
};

export const frameAnswer: DashboardFrame = {
  id: 41,
  study: 8,
  frame_number: 1,
  hospital: { id: 3, name: "St Mary", slug: "st-mary" },
  machine: { id: 20, manufacturer: "GE", model_name: "Voluson E8" },
  exam_date: "2026-03-04",
  counted_on: "2026-03-04",
  verdict: "poor",
  p_good: 0.0012,
  mask: 16,
  judged_by: 5,
  judged_by_version: "2026.11",
  reasons: [],
  width: 64,
  height: 48,
  image_url: "/api/frames/41/image/",
  mask_image_url: "/api/masks/16/image/",
};

export const page = <T>(results: T[]) => ({ count: results.length, next: null, previous: null, results });

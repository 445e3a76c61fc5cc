/** Words and numbers the workspace shares with its tests. */

export const PAGE_TITLE = "Review";

export const VERDICT_LABELS = { good: "Good", poor: "Poor", unusable: "Unusable" } as const;

declare global {
  interface Window {
    /** Milliseconds from each verdict's key press to the next item drawn, oldest first. */
    __fusqaReviewTimings?: { submitToNext: number[]; phases: Record<string, number>[] };
  }
}

const marks: Record<string, number> = {};

/** Notes when a step between a verdict and the next image happened (performance.now()). */
export function mark(name: string): void {
  marks[name] = performance.now();
}

/** Records one submit-to-next-image time (ms) where the browser test reads it, with its steps; returns it. */
export function recordTiming(since: number): number {
  const now = performance.now();
  const timings = (window.__fusqaReviewTimings ??= { submitToNext: [], phases: [] });
  timings.submitToNext.push(now - since);
  const phases: Record<string, number> = {};
  for (const [name, at] of Object.entries(marks)) if (at >= since) phases[name] = at - since;
  timings.phases.push(phases);
  for (const list of [timings.submitToNext, timings.phases]) if (list.length > 200) list.shift();
  return now - since;
}

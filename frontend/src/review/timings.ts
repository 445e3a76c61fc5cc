/** Words and numbers the workspace shares with its tests. */

export const PAGE_TITLE = "Review";

export const VERDICT_LABELS = { good: "Good", poor: "Poor", unusable: "Unusable" } as const;

declare global {
  interface Window {
    /** Milliseconds from each verdict's key press to the next item drawn, oldest first. */
    __fusqaReviewTimings?: { submitToNext: number[] };
  }
}

/** Records one submit-to-next-image time (ms) where the browser test reads it; returns it. */
export function recordTiming(ms: number): number {
  const timings = (window.__fusqaReviewTimings ??= { submitToNext: [] });
  timings.submitToNext.push(ms);
  if (timings.submitToNext.length > 200) timings.submitToNext.shift();
  return ms;
}

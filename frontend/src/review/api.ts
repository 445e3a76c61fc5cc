/** The review queue API: lease the next item, give one back (skip), and send a verdict with an optional mask. */
import { ensureCsrfCookie } from "../api/client";
import { CSRF_HEADER, csrfToken } from "../api/csrf";
import { sendForm } from "../api/send-form";
import { api, unwrap, type Schemas } from "../api/typed";

export type Lease = Schemas["LeaseOutput"];
export type ReviewCreated = Schemas["ReviewCreated"];
export type Verdict = "good" | "poor" | "unusable";

/** The queue's filters, as the address holds them ("" or absent for none). */
export interface QueueFilters {
  hospital?: string;
  machine?: string;
}

/** The next item for the caller under `filters`, or null when nothing waits (204). */
export async function leaseNext(filters: QueueFilters, signal?: AbortSignal): Promise<Lease | null> {
  const query = {
    ...(filters.hospital ? { hospital: Number(filters.hospital) } : {}),
    ...(filters.machine ? { machine: Number(filters.machine) } : {}),
  };
  const { data, error, response } = await api.POST("/api/review-queue/lease/", { params: { query }, signal });
  if (response.status === 204) return null;
  if (response.ok) return data as Lease;
  return unwrap(Promise.resolve({ data, error, response }));
}

/** Give the lease back unreviewed: the item returns to the queue for the other experts. */
export async function releaseLease(leaseId: number): Promise<void> {
  await unwrap(
    api.POST("/api/review-queue/leases/{lease_id}/release/", { params: { path: { lease_id: leaseId } } }),
  );
}

export interface ReviewSubmission {
  leaseId: number;
  verdict: Verdict;
  secondsSpent: number;
  /** The corrected mask's PNG (one channel, 0/255), when the expert edited it. */
  mask?: Blob | null;
}

export async function submitReview({ leaseId, verdict, secondsSpent, mask }: ReviewSubmission): Promise<ReviewCreated> {
  const form = new FormData();
  form.set("lease_id", String(leaseId));
  form.set("verdict", verdict);
  form.set("seconds_spent", secondsSpent.toFixed(1));
  if (mask) form.set("mask", mask, "mask.png");
  await ensureCsrfCookie();
  return (await sendForm<ReviewCreated>("/api/reviews/", form)).body;
}

/** As the tab closes: give the leases back with requests that outlive the page (keepalive). Best effort:
 * a lease the browser could not release expires on its own (FUSQA_REVIEW_LEASE_SECONDS). */
export function releaseLeasesOnExit(leaseIds: number[]): void {
  const token = csrfToken();
  for (const id of leaseIds) {
    void fetch(`/api/review-queue/leases/${id}/release/`, {
      method: "POST",
      keepalive: true,
      credentials: "same-origin",
      headers: { Accept: "application/json", ...(token ? { [CSRF_HEADER]: token } : {}) },
    }).catch(() => undefined);
  }
}

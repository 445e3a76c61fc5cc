/**
 * One item of the queue, ready to show: its lease, the frame's details, the decoded frame image and
 * the model's mask as 0/1 bytes. Loading the next one while the expert works on the current one is
 * what makes the next item appear at once after a verdict.
 */
import { getFrame, type FrameDetail } from "../studies/api";
import { loadImage } from "../studies/overlay";
import { leaseNext, releaseLease, type Lease, type QueueFilters } from "./api";
import { maskBytes } from "./mask-image";

export interface ReviewItem {
  lease: Lease;
  frame: FrameDetail;
  image: HTMLImageElement;
  /** The reviewed (model) mask, 0/1 per pixel, row by row; never changed. */
  modelMask: Uint8Array;
  /** The GA formula the server measured with (the latest measurement's), for the live read-out. */
  formula: string;
}

export async function loadItem(lease: Lease, signal?: AbortSignal): Promise<ReviewItem> {
  const frame = await getFrame(lease.frame, signal);
  const summary = frame.masks.find((mask) => mask.id === lease.mask);
  if (!summary) throw new Error(`Mask ${lease.mask} is not among frame ${lease.frame}'s masks.`);
  const [image, maskImage] = await Promise.all([
    loadImage(frame.image_url, signal),
    loadImage(summary.image_url, signal),
  ]);
  // Decoded now, not at first paint, so drawing the item later costs no decoding.
  await image.decode().catch(() => undefined);
  return {
    lease,
    frame,
    image,
    modelMask: maskBytes(maskImage, frame.width, frame.height),
    formula: frame.latest_measurement?.formula ?? "robinson",
  };
}

/** A background load of the next item: its result, once settled, can be read synchronously. */
export class Prefetch {
  settled = false;
  item: ReviewItem | null = null;
  error: unknown = null;
  readonly done: Promise<void>;
  private readonly controller = new AbortController();
  private lease: Lease | null = null;

  /** When the lease came (performance.now()), and for how long it is worth showing: half its time. */
  private leasedAt = 0;
  private freshForMs = 0;

  constructor(filters: QueueFilters) {
    this.done = (async () => {
      try {
        this.lease = await leaseNext(filters, this.controller.signal);
        this.leasedAt = performance.now();
        if (this.lease) this.freshForMs = Math.max(0, (Date.parse(this.lease.lease_expires_at) - Date.now()) / 2);
        this.item = this.lease ? await loadItem(this.lease, this.controller.signal) : null;
      } catch (error) {
        this.error = error;
      } finally {
        this.settled = true;
      }
    })();
  }

  /**
   * Whether the prefetched lease has aged past half its time while the expert worked on the item before
   * (a long correction): shown now, its verdict might arrive after it expired. Then a fresh one is leased.
   */
  isStale(now = performance.now()): boolean {
    return this.item !== null && now - this.leasedAt > this.freshForMs;
  }

  /** The lease this prefetch holds, if it has one yet. */
  get leaseId(): number | null {
    return this.lease?.lease_id ?? null;
  }

  /** Not wanted after all (filters changed, page left): stop, and give back any lease taken. */
  cancel(): void {
    this.controller.abort();
    void this.done.then(() => {
      if (this.lease) releaseLease(this.lease.lease_id).catch(() => undefined);
    });
  }
}

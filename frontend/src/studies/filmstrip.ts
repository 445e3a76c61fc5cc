/** The order of a multi-frame study's filmstrip: the frames that most need a look first. */
import type { FrameSummary } from "./api";

/**
 * Worst first: frames the model could not judge ("unknown") lead, then by p(good) from lowest, then the
 * frames with no result yet (pending, running, failed); ties by frame number.
 */
export function worstFirst(frames: FrameSummary[]): FrameSummary[] {
  const rank = (frame: FrameSummary) => (frame.label === "unknown" ? -1 : (frame.p_good ?? 2));
  return [...frames].sort((a, b) => rank(a) - rank(b) || a.frame_number - b.frame_number || a.id - b.id);
}

export const THUMBNAIL_MAX_SIDE = 160;

export function thumbnailUrl(frame: Pick<FrameSummary, "id">): string {
  return `/api/frames/${frame.id}/thumbnail/`;
}

/** The thumbnail's size as the server makes it: the longer side at most 160 px, never enlarged. */
export function thumbnailSize(frame: Pick<FrameSummary, "width" | "height">): { width: number; height: number } {
  const scale = Math.min(1, THUMBNAIL_MAX_SIDE / Math.max(frame.width, frame.height, 1));
  return { width: Math.max(1, Math.round(frame.width * scale)), height: Math.max(1, Math.round(frame.height * scale)) };
}

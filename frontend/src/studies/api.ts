/** The studies API: the list, one study with its frames' status, and one frame's detail. */
import { api, unwrap, type Paginated, type Schemas } from "../api/typed";

export type JobStatus = Schemas["JobStatus"];
export type QualityLabel = Schemas["QualityLabel"];
export type Study = Schemas["Study"];
/** A frame as the study lists it (FrameSummarySerializer). */
export type FrameSummary = Schemas["FrameSummary"];
export type StudyDetail = Schemas["StudyDetail"];
export type MaskSummary = Schemas["MaskSummary"];
export type Measurement = Schemas["Measurement"];
/** A pixel position of the frame: (row, col), pixel centres at integers. */
export type Point = Schemas["Point"];
export type FrameDetail = Schemas["FrameDetail"];

export const STUDIES_PAGE_SIZE = 25;

export function listStudies(
  { hospital, offset = 0 }: { hospital?: string | null; offset?: number },
  signal?: AbortSignal,
): Promise<Paginated<Study>> {
  const query = { limit: STUDIES_PAGE_SIZE, offset, ...(hospital ? { hospital: Number(hospital) } : {}) };
  return unwrap(api.GET("/api/studies/", { params: { query }, signal }));
}

export function getStudy(id: number | string, signal?: AbortSignal): Promise<StudyDetail> {
  return unwrap(api.GET("/api/studies/{study_id}/", { params: { path: { study_id: Number(id) } }, signal }));
}

export function getFrame(id: number, signal?: AbortSignal): Promise<FrameDetail> {
  return unwrap(api.GET("/api/frames/{frame_id}/", { params: { path: { frame_id: id } }, signal }));
}

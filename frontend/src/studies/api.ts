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

/** The filters of the studies list, as the address holds them (strings; "" for none). */
export const STUDY_FILTERS = ["hospital", "machine", "from", "to", "quality", "status", "p_min", "p_max"] as const;
export type StudyFilters = Partial<Record<(typeof STUDY_FILTERS)[number], string>>;

export function studyFiltersFrom(query: URLSearchParams): StudyFilters {
  const filters: StudyFilters = {};
  for (const name of STUDY_FILTERS) {
    const value = query.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

export function listStudies(
  { offset = 0, ...filters }: StudyFilters & { offset?: number },
  signal?: AbortSignal,
): Promise<Paginated<Study>> {
  const query = {
    limit: STUDIES_PAGE_SIZE,
    offset,
    ...(filters.hospital ? { hospital: Number(filters.hospital) } : {}),
    ...(filters.machine ? { machine: Number(filters.machine) } : {}),
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
    ...(filters.quality ? { quality: filters.quality as QualityLabel } : {}),
    ...(filters.status ? { status: filters.status as "pending" | "failed" | "done" } : {}),
    ...(filters.p_min ? { p_min: Number(filters.p_min) } : {}),
    ...(filters.p_max ? { p_max: Number(filters.p_max) } : {}),
  };
  return unwrap(api.GET("/api/studies/", { params: { query }, signal }));
}

export function getStudy(id: number | string, signal?: AbortSignal): Promise<StudyDetail> {
  return unwrap(api.GET("/api/studies/{study_id}/", { params: { path: { study_id: Number(id) } }, signal }));
}

export function getFrame(id: number, signal?: AbortSignal): Promise<FrameDetail> {
  return unwrap(api.GET("/api/frames/{frame_id}/", { params: { path: { frame_id: id } }, signal }));
}

/** The studies API: the list, one study with its frames' status, and one frame's detail. */
import { getJson, type Page } from "../api/client";
import type { HospitalRef } from "../auth/session";
import type { Machine } from "../hospitals/api";

export type JobStatus = "pending" | "running" | "done" | "failed";
export type QualityLabel = "good" | "poor";

export interface Study {
  id: number;
  hospital: HospitalRef;
  machine: Machine | null;
  patient_key: string;
  exam_date: string | null;
  reported_ga_days: number | null;
  created_at: string;
  frame_count: number;
}

/** A frame as the study lists it (FrameSummarySerializer). */
export interface FrameSummary {
  id: number;
  frame_number: number;
  width: number;
  height: number;
  spacing_row_mm: number;
  spacing_col_mm: number;
  source: string;
  created_at: string;
  /** The latest job's status; null when the frame has no job. */
  status: JobStatus | null;
  reason: string | null;
  p_good: number | null;
  label: QualityLabel | null;
  image_url: string;
}

export interface StudyDetail extends Study {
  frames: FrameSummary[];
}

export interface ModelVersionRef {
  id: number;
  kind: string;
  version: string;
}

export interface MaskSummary {
  id: number;
  kind: "model" | "expert" | string;
  version: number;
  parent: number | null;
  model_version: ModelVersionRef | null;
  created_by: { id: number; username: string } | null;
  area_px: number;
  created_at: string;
  image_url: string;
}

export interface Assessment {
  id: number;
  mask: number;
  p_good: number;
  label: QualityLabel;
  model_version: ModelVersionRef;
  created_at: string;
}

/** A pixel position of the frame: (row, col), pixel centres at integers. */
export interface Point {
  row: number;
  col: number;
}

export interface Measurement {
  id: number;
  mask: number;
  crl_mm: number;
  p1: Point;
  p2: Point;
  ga_days: number | null;
  formula: string;
  in_formula_range: boolean;
  created_at: string;
}

export interface FrameDetail extends FrameSummary {
  study: number;
  hospital: HospitalRef;
  spacing_source: string;
  masks: MaskSummary[];
  latest_assessment: Assessment | null;
  latest_measurement: Measurement | null;
}

export const STUDIES_PAGE_SIZE = 25;

export function listStudies(
  { hospital, offset = 0 }: { hospital?: string | null; offset?: number },
  signal?: AbortSignal,
): Promise<Page<Study>> {
  const query = new URLSearchParams({ limit: String(STUDIES_PAGE_SIZE), offset: String(offset) });
  if (hospital) query.set("hospital", hospital);
  return getJson<Page<Study>>(`/api/studies/?${query}`, signal);
}

export function getStudy(id: number | string, signal?: AbortSignal): Promise<StudyDetail> {
  return getJson<StudyDetail>(`/api/studies/${encodeURIComponent(String(id))}/`, signal);
}

export function getFrame(id: number, signal?: AbortSignal): Promise<FrameDetail> {
  return getJson<FrameDetail>(`/api/frames/${id}/`, signal);
}

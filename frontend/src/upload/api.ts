import { ensureCsrfCookie } from "../api/client";
import { sendForm, type Progress } from "../api/send-form";
import { toFormData, type UploadRequest } from "./form";

export interface UploadedFrame {
  id: number;
  width: number;
  height: number;
  spacing_row_mm: number;
  spacing_col_mm: number;
  /** Where the spacing came from; a summary serializer may leave it out. */
  spacing_source?: string;
  frame_number?: number;
}

export interface UploadResult {
  /** The study's id, or the study itself, depending on the serializer. */
  study: number | { id: number };
  frames: UploadedFrame[];
  duplicate: boolean;
}

export interface UploadCallbacks {
  onProgress?: (progress: Progress) => void;
  onSent?: () => void;
  signal?: AbortSignal;
}

/** POST /api/uploads/: 201 with new frames, or 200 with `duplicate: true` for a re-sent file. */
export async function uploadScan(request: UploadRequest, callbacks: UploadCallbacks = {}): Promise<UploadResult> {
  await ensureCsrfCookie();
  const response = await sendForm<UploadResult>("/api/uploads/", toFormData(request), callbacks);
  return response.body;
}

export function studyId(result: UploadResult): number {
  return typeof result.study === "object" && result.study !== null ? result.study.id : result.study;
}

const SPACING_SOURCES: Record<string, string> = {
  ultrasound_region: "DICOM ultrasound region",
  pixel_spacing: "DICOM Pixel Spacing",
  request: "Entered at upload",
};

export function spacingSourceLabel(source: string | undefined): string {
  if (!source) return "—";
  return SPACING_SOURCES[source] ?? source;
}

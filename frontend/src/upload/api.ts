import { ensureCsrfCookie } from "../api/client";
import { sendForm, type Progress } from "../api/send-form";
import type { Schemas } from "../api/typed";
import { toFormData, type UploadRequest } from "./form";

export type UploadedFrame = Schemas["UploadFrame"];
/** 201 with the new frames, or 200 with `duplicate: true` for a re-sent file. */
export type UploadResult = Schemas["UploadOutput"];

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
  return result.study;
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

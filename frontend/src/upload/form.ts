/**
 * The upload form's rules, checked before anything is sent. Pure functions: the page reads the
 * inputs' text, these decide what is wrong in words a QA manager can act on.
 */

export interface UploadFormInput {
  hospital: string;
  file: File | null;
  spacingRow: string;
  spacingCol: string;
  reportedGaDays: string;
  examDate: string;
}

export interface UploadRequest {
  hospital: number;
  file: File;
  spacingRowMm?: number;
  spacingColMm?: number;
  reportedGaDays?: number;
  examDate?: string;
}

export type UploadField = keyof UploadFormInput;
export type UploadErrors = Partial<Record<UploadField, string>>;
export type UploadValidation = { ok: true; value: UploadRequest } | { ok: false; errors: UploadErrors };

export const ACCEPTED_EXTENSIONS = [".dcm", ".dicom", ".png", ".jpg", ".jpeg"];
/** No ultrasound pixel is this large; a bigger number is almost always micrometres typed as mm. */
export const MAX_SPACING_MM = 10;
/** The server's plausible range for a reported gestational age (exclusive), in days. */
export const MAX_GA_DAYS = 320;

/** The API's name for each field, to put a server error next to the right inputs. */
export const SERVER_FIELDS: Record<string, UploadField[]> = {
  hospital: ["hospital"],
  file: ["file"],
  spacing_mm: ["spacingRow", "spacingCol"],
  spacing_row_mm: ["spacingRow"],
  spacing_col_mm: ["spacingCol"],
  reported_ga_days: ["reportedGaDays"],
  exam_date: ["examDate"],
};

const RASTER_EXTENSIONS = [".png", ".jpg", ".jpeg"];

type Parsed = { ok: true; value: number | undefined } | { ok: false; error: string };

/** An optional number: empty is "not given"; 0, negatives, NaN and Infinity are refused. */
export function parseSpacing(text: string): Parsed {
  const trimmed = text.trim();
  if (!trimmed) return { ok: true, value: undefined };
  const value = toNumber(trimmed);
  if (!Number.isFinite(value)) return { ok: false, error: "Enter the spacing as a number of millimetres, e.g. 0.25." };
  if (value <= 0) return { ok: false, error: "The spacing must be greater than 0 mm." };
  if (value > MAX_SPACING_MM) {
    return { ok: false, error: `The spacing must be at most ${MAX_SPACING_MM} mm per pixel. Is it in millimetres?` };
  }
  return { ok: true, value };
}

export function parseGaDays(text: string): Parsed {
  const trimmed = text.trim();
  if (!trimmed) return { ok: true, value: undefined };
  const value = toNumber(trimmed);
  if (!Number.isFinite(value)) return { ok: false, error: "Enter the gestational age as a number of days, e.g. 84." };
  if (value <= 0 || value >= MAX_GA_DAYS) {
    return { ok: false, error: `The gestational age must be between 1 and ${MAX_GA_DAYS - 1} days.` };
  }
  return { ok: true, value };
}

/** "0,25" is how much of Europe writes a quarter; accept it. Number("") would be 0, so no empties here. */
function toNumber(text: string): number {
  if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$/.test(text)) return Number.NaN;
  return Number(text.replace(",", "."));
}

export function checkExamDate(text: string, today: Date = new Date()): Parsed & { date?: string } {
  const trimmed = text.trim();
  if (!trimmed) return { ok: true, value: undefined };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  const date = match ? new Date(Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!)) : null;
  if (!date || date.toISOString().slice(0, 10) !== trimmed) {
    return { ok: false, error: "Enter the exam date as a real date (YYYY-MM-DD)." };
  }
  if (trimmed > localIsoDate(today)) return { ok: false, error: "The exam date cannot be in the future." };
  return { ok: true, value: undefined, date: trimmed };
}

export function localIsoDate(day: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

export function checkFile(file: File | null): string | null {
  if (!file) return "Choose a DICOM, PNG or JPEG file.";
  const name = file.name.toLowerCase();
  if (!ACCEPTED_EXTENSIONS.some((extension) => name.endsWith(extension))) {
    return "This file type is not accepted: choose a .dcm, .png or .jpg file.";
  }
  if (file.size === 0) return "The file is empty.";
  return null;
}

function isRaster(file: File): boolean {
  const name = file.name.toLowerCase();
  return RASTER_EXTENSIONS.some((extension) => name.endsWith(extension));
}

export function validateUpload(input: UploadFormInput, today: Date = new Date()): UploadValidation {
  const errors: UploadErrors = {};

  const hospital = Number(input.hospital);
  if (!input.hospital || !Number.isInteger(hospital) || hospital <= 0) errors.hospital = "Choose the hospital.";

  const fileError = checkFile(input.file);
  if (fileError) errors.file = fileError;

  const row = parseSpacing(input.spacingRow);
  const col = parseSpacing(input.spacingCol);
  if (!row.ok) errors.spacingRow = row.error;
  if (!col.ok) errors.spacingCol = col.error;
  if (row.ok && col.ok && (row.value === undefined) !== (col.value === undefined)) {
    const missing: UploadField = row.value === undefined ? "spacingRow" : "spacingCol";
    errors[missing] = "Enter both spacings, or leave both empty to use the file's own.";
  }

  const spacingGiven = row.ok && col.ok && row.value !== undefined && col.value !== undefined;
  if (!fileError && isRaster(input.file!) && !spacingGiven && !errors.spacingRow && !errors.spacingCol) {
    // The server would refuse it too: a plain image has no header to read the pixel size from.
    const message = "A PNG or JPEG image carries no pixel size: enter both spacings.";
    if (row.ok && row.value === undefined) errors.spacingRow = message;
    if (col.ok && col.value === undefined) errors.spacingCol = message;
  }

  const ga = parseGaDays(input.reportedGaDays);
  if (!ga.ok) errors.reportedGaDays = ga.error;

  const exam = checkExamDate(input.examDate, today);
  if (!exam.ok) errors.examDate = exam.error;

  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      hospital,
      file: input.file!,
      spacingRowMm: row.ok ? row.value : undefined,
      spacingColMm: col.ok ? col.value : undefined,
      reportedGaDays: ga.ok ? ga.value : undefined,
      examDate: exam.ok ? exam.date : undefined,
    },
  };
}

/** The multipart body of POST /api/uploads/: optional fields are left out, not sent empty. */
export function toFormData(request: UploadRequest): FormData {
  const form = new FormData();
  form.append("hospital", String(request.hospital));
  form.append("file", request.file, request.file.name);
  if (request.spacingRowMm !== undefined) form.append("spacing_row_mm", String(request.spacingRowMm));
  if (request.spacingColMm !== undefined) form.append("spacing_col_mm", String(request.spacingColMm));
  if (request.reportedGaDays !== undefined) form.append("reported_ga_days", String(request.reportedGaDays));
  if (request.examDate !== undefined) form.append("exam_date", request.examDate);
  return form;
}

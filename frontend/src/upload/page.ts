/**
 * Send a scan: choose the hospital and a DICOM/PNG/JPEG file, optionally the pixel spacing,
 * reported GA and exam date. Shows upload progress, then the frames the server created or its
 * error message.
 */
import { ApiError, messageOf } from "../api/client";
import type { Progress } from "../api/send-form";
import type { PageContext } from "../app/page";
import type { HospitalRef } from "../auth/session";
import { listHospitals } from "../hospitals/api";
import { alertBox } from "../ui/alert";
import { h, replaceChildren } from "../ui/dom";
import { spacingSourceLabel, studyId, uploadScan, type UploadResult } from "./api";
import {
  ACCEPTED_EXTENSIONS,
  localIsoDate,
  SERVER_FIELDS,
  validateUpload,
  type UploadErrors,
  type UploadField,
} from "./form";

interface Field {
  wrapper: HTMLElement;
  input: HTMLInputElement | HTMLSelectElement;
  error: HTMLElement;
}

export function uploadPage({ me, signal }: PageContext): HTMLElement {
  const fields = {} as Record<UploadField, Field>;

  const hospitalSelect = h("select", { id: "upload-hospital", name: "hospital", required: true });
  fields.hospital = field("hospital", "Hospital", hospitalSelect);
  fillHospitals(hospitalSelect, me.hospitals);
  if (!me.hospitals.length && me.role === "admin") {
    // An admin may be a member of no hospital yet still send to any of them.
    listHospitals(signal).then((all) => fillHospitals(hospitalSelect, all), () => undefined);
  }

  const fileInput = h("input", {
    id: "upload-file",
    name: "file",
    type: "file",
    required: true,
    accept: [...ACCEPTED_EXTENSIONS, "application/dicom", "image/png", "image/jpeg"].join(","),
  });
  fields.file = field("file", "Scan file", fileInput, "A DICOM file (.dcm), or a single image (.png, .jpg).");

  fields.spacingRow = field("spacingRow", "Between rows (mm)", decimalInput("upload-spacing-row", "spacing_row_mm"));
  fields.spacingCol = field("spacingCol", "Between columns (mm)", decimalInput("upload-spacing-col", "spacing_col_mm"));
  fields.reportedGaDays = field(
    "reportedGaDays",
    "Reported gestational age (days, optional)",
    decimalInput("upload-ga-days", "reported_ga_days"),
    "From the clinical record, to compare with the GA FUSQA estimates from CRL.",
  );
  fields.examDate = field(
    "examDate",
    "Exam date (optional)",
    h("input", { id: "upload-exam-date", name: "exam_date", type: "date", max: localIsoDate(new Date()) }),
  );

  const submit = h("button", { type: "submit", class: "button button-primary" }, "Upload");
  const status = h("div", { class: "upload-status", "aria-live": "polite" });
  const result = h("div", { class: "upload-result" });

  const form = h(
    "form",
    { class: "card stack upload-form", novalidate: true, "aria-labelledby": "upload-title" },
    fields.hospital.wrapper,
    fields.file.wrapper,
    h(
      "fieldset",
      { class: "fieldset", "aria-describedby": "spacing-hint" },
      h("legend", {}, "Pixel spacing (optional)"),
      h(
        "p",
        { id: "spacing-hint", class: "hint" },
        "Millimetres per pixel. DICOM files usually carry it; PNG and JPEG images do not, so enter both for them.",
      ),
      h("div", { class: "field-row" }, fields.spacingRow.wrapper, fields.spacingCol.wrapper),
    ),
    h("div", { class: "field-row" }, fields.reportedGaDays.wrapper, fields.examDate.wrapper),
    h("div", { class: "actions" }, submit),
    status,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(fields);
    replaceChildren(result);
    replaceChildren(status);

    const validation = validateUpload({
      hospital: hospitalSelect.value,
      file: fileInput.files?.[0] ?? null,
      spacingRow: fields.spacingRow.input.value,
      spacingCol: fields.spacingCol.input.value,
      reportedGaDays: fields.reportedGaDays.input.value,
      examDate: fields.examDate.input.value,
    });
    if (!validation.ok) {
      showErrors(fields, validation.errors);
      replaceChildren(status, alertBox("error", "Correct the marked fields, then upload again."));
      return;
    }

    submit.disabled = true;
    const progress = progressView();
    replaceChildren(status, progress.element);
    try {
      const answer = await uploadScan(validation.value, {
        signal,
        onProgress: progress.update,
        onSent: progress.sent,
      });
      replaceChildren(status);
      replaceChildren(result, resultView(answer));
      fileInput.value = "";
      result.querySelector<HTMLElement>("h2")?.focus();
    } catch (error) {
      if (signal.aborted) return;
      const marked = error instanceof ApiError && error.field ? (SERVER_FIELDS[error.field] ?? []) : [];
      if (marked.length) showErrors(fields, Object.fromEntries(marked.map((name) => [name, messageOf(error)])));
      replaceChildren(status, alertBox("error", messageOf(error), "The upload failed"));
    } finally {
      submit.disabled = false;
    }
  });

  return h(
    "section",
    { class: "stack" },
    h(
      "div",
      { class: "page-header" },
      h(
        "div",
        {},
        h("h1", { id: "upload-title" }, "Upload scans"),
        h("p", { class: "muted" }, "Each frame is segmented and its quality assessed once it arrives."),
      ),
    ),
    form,
    result,
  );
}

function field(name: UploadField, label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): Field {
  const id = input.id;
  const hintId = hint ? `${id}-hint` : null;
  const error = h("p", { id: `${id}-error`, class: "field-error", hidden: true });
  if (hintId) input.setAttribute("aria-describedby", hintId);
  const wrapper = h(
    "div",
    { class: "field", "data-field": name },
    h("label", { for: id }, label),
    hint ? h("p", { id: hintId!, class: "hint" }, hint) : null,
    input,
    error,
  );
  return { wrapper, input, error };
}

function decimalInput(id: string, name: string): HTMLInputElement {
  // Text, not type="number": a number input hides what was typed when it is not a number.
  return h("input", { id, name, type: "text", inputmode: "decimal", autocomplete: "off" });
}

function fillHospitals(select: HTMLSelectElement, hospitals: HospitalRef[]): void {
  const placeholder = h("option", { value: "" }, hospitals.length ? "Choose a hospital…" : "No hospital available");
  select.replaceChildren(placeholder, ...hospitals.map((hospital) => h("option", { value: hospital.id }, hospital.name)));
  if (hospitals.length === 1) select.value = String(hospitals[0]!.id);
}

function showErrors(fields: Record<UploadField, Field>, errors: UploadErrors): void {
  let first: HTMLElement | null = null;
  for (const [name, message] of Object.entries(errors) as [UploadField, string][]) {
    const { input, error } = fields[name];
    error.textContent = message;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), error.id].filter(Boolean).join(" "));
    first ??= input;
  }
  first?.focus();
}

function clearErrors(fields: Record<UploadField, Field>): void {
  for (const { input, error } of Object.values(fields)) {
    error.hidden = true;
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    const describedBy = (input.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id && id !== error.id);
    if (describedBy.length) input.setAttribute("aria-describedby", describedBy.join(" "));
    else input.removeAttribute("aria-describedby");
  }
}

function progressView() {
  const bar = h("progress", { id: "upload-progress", max: 100 });
  const text = h("span", {}, "Sending…");
  const element = h("div", { class: "progress" }, h("label", { for: "upload-progress" }, text), bar);
  return {
    element,
    update({ loaded, total }: Progress) {
      if (!total) return;
      const percent = Math.round((100 * loaded) / total);
      bar.value = percent;
      text.textContent = `Sending… ${percent}%`;
    },
    sent() {
      bar.removeAttribute("value"); // indeterminate while the server reads the file
      text.textContent = "Sent. The server is reading the file…";
    },
  };
}

function resultView(answer: UploadResult): HTMLElement {
  const count = answer.frames.length;
  const frames = `${count} frame${count === 1 ? "" : "s"}`;
  const summary = answer.duplicate
    ? alertBox("info", `This file was uploaded before; nothing new was added. Study #${studyId(answer)} holds its ${frames}.`)
    : alertBox("success", `${frames} added to study #${studyId(answer)}, queued for segmentation and quality assessment.`);
  return h(
    "section",
    { class: "card stack", "aria-labelledby": "upload-result-title" },
    h("h2", { id: "upload-result-title", tabindex: "-1" }, answer.duplicate ? "Already uploaded" : "Uploaded"),
    summary,
    h("p", {}, h("a", { class: "button button-primary", href: `/studies/${studyId(answer)}` }, `Open study #${studyId(answer)}`)),
    count ? framesTable(answer) : null,
  );
}

function framesTable(answer: UploadResult): HTMLElement {
  return h(
    "table",
    { class: "table" },
    h("caption", {}, `Frames of study #${studyId(answer)}`),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Frame"),
        h("th", { scope: "col" }, "Size (px)"),
        h("th", { scope: "col" }, "Spacing row × col (mm)"),
        h("th", { scope: "col" }, "Spacing from"),
      ),
    ),
    h(
      "tbody",
      {},
      answer.frames.map((frame) =>
        h(
          "tr",
          {},
          h("td", { class: "mono" }, `#${frame.id}`),
          h("td", { class: "mono" }, `${frame.width} × ${frame.height}`),
          h("td", { class: "mono" }, `${formatMm(frame.spacing_row_mm)} × ${formatMm(frame.spacing_col_mm)}`),
          h("td", {}, spacingSourceLabel(frame.spacing_source)),
        ),
      ),
    ),
  );
}

function formatMm(value: number): string {
  return Number.isFinite(value) ? value.toPrecision(3) : "—";
}

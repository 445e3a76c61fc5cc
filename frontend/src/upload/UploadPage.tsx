/**
 * Send a scan: choose the hospital and a DICOM/PNG/JPEG file, optionally the pixel spacing,
 * reported GA and exam date. Shows upload progress, then the frames the server created or its
 * error message.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent, type ReactNode, type RefObject } from "react";
import { Link } from "react-router";
import { ApiError, messageOf } from "../api/client";
import type { Progress } from "../api/send-form";
import { useMe } from "../app/session-context";
import { useHospitals } from "../hospitals/useHospitals";
import { Alert } from "../ui/Alert";
import { spacingSourceLabel, studyId, uploadScan, type UploadResult } from "./api";
import { ACCEPTED_EXTENSIONS, localIsoDate, SERVER_FIELDS, validateUpload, type UploadErrors, type UploadField } from "./form";

type Sending = { phase: "sending"; percent: number | null } | { phase: "sent" };

const FIELD_ORDER: UploadField[] = ["hospital", "file", "spacingRow", "spacingCol", "reportedGaDays", "examDate"];

export function UploadPage() {
  const me = useMe();
  const client = useQueryClient();
  // An admin may be a member of no hospital yet still send to any of them.
  const all = useHospitals({ enabled: !me.hospitals.length && me.role === "admin" });
  const hospitals = me.hospitals.length ? me.hospitals : (all.data ?? []);
  const form = useRef<HTMLFormElement>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);
  const [hospital, setHospital] = useState("");
  const [errors, setErrors] = useState<UploadErrors>({});
  const [failure, setFailure] = useState<ReactNode>(null);
  const [sending, setSending] = useState<Sending | null>(null);
  const [answer, setAnswer] = useState<UploadResult | null>(null);
  const [focusFirstError, setFocusFirstError] = useState(0);
  const leaving = useRef(new AbortController());

  useEffect(() => {
    const controller = new AbortController();
    leaving.current = controller;
    return () => controller.abort();
  }, []);
  const chosenHospital = hospital || (hospitals.length === 1 ? String(hospitals[0]!.id) : "");

  useEffect(() => {
    if (!focusFirstError) return;
    const first = FIELD_ORDER.find((name) => errors[name]);
    if (first) form.current?.querySelector<HTMLElement>(`[data-field="${first}"] :is(input, select)`)?.focus();
  }, [focusFirstError, errors]);

  useEffect(() => {
    if (answer) resultHeading.current?.focus();
  }, [answer]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? "");
    const file = (event.currentTarget.elements.namedItem("file") as HTMLInputElement).files?.[0] ?? null;
    setAnswer(null);
    setFailure(null);
    const validation = validateUpload({
      hospital: chosenHospital,
      file,
      spacingRow: text("spacing_row_mm"),
      spacingCol: text("spacing_col_mm"),
      reportedGaDays: text("reported_ga_days"),
      examDate: text("exam_date"),
    });
    if (!validation.ok) {
      setErrors(validation.errors);
      setFocusFirstError((n) => n + 1);
      setFailure(<Alert kind="error">Correct the marked fields, then upload again.</Alert>);
      return;
    }
    setErrors({});
    setSending({ phase: "sending", percent: null });
    const signal = leaving.current.signal;
    try {
      const result = await uploadScan(validation.value, {
        signal,
        onProgress: ({ loaded, total }: Progress) => {
          if (total) setSending({ phase: "sending", percent: Math.round((100 * loaded) / total) });
        },
        onSent: () => setSending({ phase: "sent" }),
      });
      setAnswer(result);
      resetFile(form.current);
      void client.invalidateQueries({ queryKey: ["studies"] });
    } catch (error) {
      if (signal.aborted) return;
      const marked = error instanceof ApiError && error.field ? (SERVER_FIELDS[error.field] ?? []) : [];
      if (marked.length) {
        setErrors(Object.fromEntries(marked.map((name) => [name, messageOf(error)])));
        setFocusFirstError((n) => n + 1);
      }
      setFailure(
        <Alert kind="error" title="The upload failed">
          {messageOf(error)}
        </Alert>,
      );
    } finally {
      if (!signal.aborted) setSending(null);
    }
  }

  return (
    <section className="stack">
      <div className="page-header">
        <div>
          <h1 id="upload-title">Upload scans</h1>
          <p className="muted">Each frame is segmented and its quality assessed once it arrives.</p>
        </div>
      </div>
      <form ref={form} className="card stack upload-form" noValidate aria-labelledby="upload-title" onSubmit={submit}>
        <Field name="hospital" id="upload-hospital" label="Hospital" error={errors.hospital}>
          {(describedBy) => (
            <select
              id="upload-hospital"
              name="hospital"
              required
              value={chosenHospital}
              onChange={(event) => setHospital(event.target.value)}
              {...describedBy}
            >
              <option value="">{hospitals.length ? "Choose a hospital…" : "No hospital available"}</option>
              {hospitals.map((item) => (
                <option key={item.id} value={String(item.id)}>
                  {item.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          name="file"
          id="upload-file"
          label="Scan file"
          hint="A DICOM file (.dcm), or a single image (.png, .jpg)."
          error={errors.file}
        >
          {(describedBy) => (
            <input
              id="upload-file"
              name="file"
              type="file"
              required
              accept={[...ACCEPTED_EXTENSIONS, "application/dicom", "image/png", "image/jpeg"].join(",")}
              {...describedBy}
            />
          )}
        </Field>
        <fieldset className="fieldset" aria-describedby="spacing-hint">
          <legend>Pixel spacing (optional)</legend>
          <p id="spacing-hint" className="hint">
            Millimetres per pixel. DICOM files usually carry it; PNG and JPEG images do not, so enter both for them.
          </p>
          <div className="field-row">
            <Field name="spacingRow" id="upload-spacing-row" label="Between rows (mm)" error={errors.spacingRow}>
              {(describedBy) => <DecimalInput id="upload-spacing-row" name="spacing_row_mm" {...describedBy} />}
            </Field>
            <Field name="spacingCol" id="upload-spacing-col" label="Between columns (mm)" error={errors.spacingCol}>
              {(describedBy) => <DecimalInput id="upload-spacing-col" name="spacing_col_mm" {...describedBy} />}
            </Field>
          </div>
        </fieldset>
        <div className="field-row">
          <Field
            name="reportedGaDays"
            id="upload-ga-days"
            label="Reported gestational age (days, optional)"
            hint="From the clinical record, to compare with the GA FUSQA estimates from CRL."
            error={errors.reportedGaDays}
          >
            {(describedBy) => <DecimalInput id="upload-ga-days" name="reported_ga_days" {...describedBy} />}
          </Field>
          <Field name="examDate" id="upload-exam-date" label="Exam date (optional)" error={errors.examDate}>
            {(describedBy) => (
              <input id="upload-exam-date" name="exam_date" type="date" max={localIsoDate(new Date())} {...describedBy} />
            )}
          </Field>
        </div>
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={sending !== null}>
            Upload
          </button>
        </div>
        <div className="upload-status" aria-live="polite">
          {sending ? <SendingProgress sending={sending} /> : failure}
        </div>
      </form>
      <div className="upload-result">{answer ? <ResultView answer={answer} heading={resultHeading} /> : null}</div>
    </section>
  );
}

function resetFile(form: HTMLFormElement | null): void {
  const input = form?.elements.namedItem("file") as HTMLInputElement | null;
  if (input) input.value = "";
}

interface DescribedBy {
  "aria-describedby"?: string;
  "aria-invalid"?: true;
}

/** A labelled control with its hint and its error, both tied to it with aria-describedby. */
function Field({
  name,
  id,
  label,
  hint,
  error,
  children,
}: {
  name: UploadField;
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: (describedBy: DescribedBy) => ReactNode;
}) {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className="field" data-field={name}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {children({ ...(ids ? { "aria-describedby": ids } : {}), ...(error ? { "aria-invalid": true } : {}) })}
      <p id={`${id}-error`} className="field-error" hidden={!error}>
        {error ?? ""}
      </p>
    </div>
  );
}

function DecimalInput(props: { id: string; name: string } & DescribedBy) {
  // Text, not type="number": a number input hides what was typed when it is not a number.
  return <input type="text" inputMode="decimal" autoComplete="off" {...props} />;
}

function SendingProgress({ sending }: { sending: Sending }) {
  const label =
    sending.phase === "sent"
      ? "Sent. The server is reading the file…"
      : sending.percent === null
        ? "Sending…"
        : `Sending… ${sending.percent}%`;
  // Indeterminate (no value) while the server reads the file.
  const value = sending.phase === "sending" && sending.percent !== null ? { value: sending.percent } : {};
  return (
    <div className="progress">
      <label htmlFor="upload-progress">
        <span>{label}</span>
      </label>
      <progress id="upload-progress" max={100} {...value} />
    </div>
  );
}

function ResultView({ answer, heading }: { answer: UploadResult; heading: RefObject<HTMLHeadingElement | null> }) {
  const count = answer.frames.length;
  const frames = `${count} frame${count === 1 ? "" : "s"}`;
  const id = studyId(answer);
  return (
    <section className="card stack" aria-labelledby="upload-result-title">
      <h2 id="upload-result-title" tabIndex={-1} ref={heading}>
        {answer.duplicate ? "Already uploaded" : "Uploaded"}
      </h2>
      {answer.duplicate ? (
        <Alert kind="info">{`This file was uploaded before; nothing new was added. Study #${id} holds its ${frames}.`}</Alert>
      ) : (
        <Alert kind="success">{`${frames} added to study #${id}, queued for segmentation and quality assessment.`}</Alert>
      )}
      <p>
        <Link className="button button-primary" to={`/studies/${id}`}>{`Open study #${id}`}</Link>
      </p>
      {count ? (
        <table className="table">
          <caption>{`Frames of study #${id}`}</caption>
          <thead>
            <tr>
              <th scope="col">Frame</th>
              <th scope="col">Size (px)</th>
              <th scope="col">Spacing row × col (mm)</th>
              <th scope="col">Spacing from</th>
            </tr>
          </thead>
          <tbody>
            {answer.frames.map((frame) => (
              <tr key={frame.id}>
                <td className="mono">{`#${frame.id}`}</td>
                <td className="mono">{`${frame.width} × ${frame.height}`}</td>
                <td className="mono">{`${formatMm(frame.spacing_row_mm)} × ${formatMm(frame.spacing_col_mm)}`}</td>
                <td>{spacingSourceLabel(frame.spacing_source)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function formatMm(value: number): string {
  return Number.isFinite(value) ? value.toPrecision(3) : "—";
}

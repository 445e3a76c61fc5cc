/**
 * Models, training runs, the gate and re-assessments (admins). Shapes as docs/retraining.md and
 * docs/training_sets.md give them. The training-run, evaluation and activation endpoints arrive with the
 * retraining back end: until their schema is generated these calls go through `request` below, which keeps
 * the typed client's house rules (same-origin cookies, X-CSRFToken on unsafe methods, every failure an ApiError).
 */
import { ensureCsrfCookie } from "../api/client";
import { CSRF_HEADER, csrfToken } from "../api/csrf";
import { errorFromBody, networkError } from "../api/errors";
import type { Paginated, Schemas } from "../api/typed";

export type ModelKind = "fusqa" | "segmentation";
export type RunStatus = "pending" | "running" | "done" | "failed" | "cancelled";

export const KIND_LABELS: Record<ModelKind, string> = {
  fusqa: "FUSQA quality classifier",
  segmentation: "Segmentation",
};

export interface ModelVersionRef {
  id: number;
  kind: ModelKind;
  version: string;
}

export interface ModelVersion extends ModelVersionRef {
  status: "candidate" | "active" | "retired";
  sha256: string;
  metrics: Record<string, unknown>;
  created_at: string;
  activated_at?: string | null;
  training_run?: number | null;
  parent?: number | ModelVersionRef | null;
  training_set?: number | { id: number; version: number } | null;
  parameters?: Record<string, unknown>;
  code_version?: string;
  has_evaluation?: boolean;
}

export interface EpochRecord {
  epoch: number;
  loss: number | null;
  validation_metric: number | null;
  seconds?: number;
}

export interface TrainingRun {
  id: number;
  kind: ModelKind;
  status: RunStatus;
  progress: number;
  epoch?: number | null;
  epochs?: number | null;
  loss?: number | null;
  validation_metric?: number | null;
  validation_metric_name?: string;
  eta_seconds?: number | null;
  history?: EpochRecord[];
  log_tail?: string;
  error?: string;
  training_set?: number | null;
  parameters?: Record<string, unknown>;
  created_by?: { id: number; username: string } | null;
  created_at: string;
  started_at?: string | null;
  finished_at?: string | null;
  candidate?: ModelVersionRef | null;
}

export interface TrainingSet {
  id: number;
  version: number;
  items: number;
  created_at: string;
}

export type MetricValues = Record<string, number | null>;

export interface Regression {
  hospital: string;
  metric: string;
  candidate: number | null;
  baseline: number | null;
  by: number;
}

export interface HospitalEvaluation {
  hospital: string;
  count: number;
  candidate: MetricValues;
  baseline: MetricValues;
  regressions: Regression[];
}

export interface Evaluation {
  candidate: ModelVersionRef;
  baseline: ModelVersionRef | null;
  baseline_is_active: boolean;
  evaluated_at: string | null;
  margin?: Record<string, number>;
  metrics: string[];
  hospitals: HospitalEvaluation[];
  regressions: Regression[];
  allowed: boolean;
}

/** A re-assessment after an activation, exactly as the server's schema gives it. */
export type Reassessment = Schemas["Reassessment"];

/** The parameters the start form offers, with the server's defaults (docs/retraining.md). */
export interface RunParameters {
  epochs: number;
  lr: number;
  batch_size: number;
  seed: number;
}

export function defaultParameters(kind: ModelKind): RunParameters {
  return { epochs: 5, lr: kind === "fusqa" ? 3e-4 : 5e-4, batch_size: 16, seed: 0 };
}

export async function request<T>(method: "GET" | "POST", path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") {
    await ensureCsrfCookie();
    const token = csrfToken();
    if (token) headers[CSRF_HEADER] = token;
    headers["Content-Type"] = "application/json";
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: method === "GET" ? undefined : JSON.stringify(body ?? {}),
      signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw networkError();
  }
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw errorFromBody(response.status, response.statusText, parsed);
  return parsed as T;
}

const LIST = "limit=100";

export const listModelVersions = (signal?: AbortSignal) =>
  request<Paginated<ModelVersion>>("GET", `/api/model-versions/?${LIST}`, undefined, signal);
export const listTrainingRuns = (signal?: AbortSignal) =>
  request<Paginated<TrainingRun>>("GET", `/api/training-runs/?${LIST}`, undefined, signal);
export const listTrainingSets = (signal?: AbortSignal) =>
  request<Paginated<TrainingSet>>("GET", `/api/training-sets/?${LIST}`, undefined, signal);
export const listReassessments = (signal?: AbortSignal) =>
  request<Paginated<Reassessment>>("GET", "/api/reassessments/?limit=10", undefined, signal);
export const getTrainingRun = (id: number | string, signal?: AbortSignal) =>
  request<TrainingRun>("GET", `/api/training-runs/${id}/`, undefined, signal);
export const startTrainingRun = (kind: ModelKind, trainingSet: number, parameters: RunParameters) =>
  request<TrainingRun>("POST", "/api/training-runs/", { kind, training_set: trainingSet, parameters });
export const cancelTrainingRun = (id: number) => request<TrainingRun>("POST", `/api/training-runs/${id}/cancel/`);
export const getEvaluation = (id: number | string, signal?: AbortSignal) =>
  request<Evaluation>("GET", `/api/model-versions/${id}/evaluation/`, undefined, signal);
export const activateModelVersion = (id: number, reason?: string) =>
  request<ModelVersion>("POST", `/api/model-versions/${id}/activate/`, reason ? { reason } : {});

export const runHref = (id: number) => `/models/runs/${id}`;
export const evaluationHref = (id: number) => `/models/versions/${id}`;

/** A reference the list may give as an id or as an object. */
export function refLabel(ref: number | { id: number; version: number | string } | null | undefined, prefix = ""): string {
  if (ref === null || ref === undefined) return "—";
  return typeof ref === "number" ? `#${ref}` : `${prefix}${ref.version}`;
}

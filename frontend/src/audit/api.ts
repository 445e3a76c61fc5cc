/** The audit log API (admins only): one page of events, and the CSV export of the same filters. */
import { getJson, type Page } from "../api/client";
import type { HospitalRef } from "../auth/session";

/** The server's AuditAction names and labels (qa/models/audit.py), in the server's order. */
export const AUDIT_ACTIONS: Record<string, string> = {
  "auth.login": "Logged in",
  "auth.login_failed": "Failed to log in",
  "auth.logout": "Logged out",
  "upload.stored": "Upload stored",
  "upload.duplicate": "Upload was a re-send",
  "upload.refused": "Upload refused",
  "model.registered": "Model version registered",
  "model.activated": "Model version activated",
  "model.rolled_back": "Model version rolled back to",
  "review.verdict": "Review verdict given",
  "mask.corrected": "Mask corrected",
  "training_set.exported": "Training set exported",
  "training_run.started": "Training run started",
  "training_run.cancelled": "Training run cancelled",
  "audit.exported": "Audit log exported",
};

/** Prefixes the server's action filter takes ("upload" = every upload.* action), with labels. */
export const AUDIT_ACTION_GROUPS: Record<string, string> = {
  auth: "Logins and logouts",
  upload: "Uploads",
  model: "Model versions",
  review: "Reviews",
  mask: "Mask corrections",
  training_set: "Training-set exports",
  training_run: "Training runs",
  audit: "Audit-log exports",
};

export interface AuditEvent {
  id: number;
  at: string;
  actor: number | null;
  actor_username: string;
  action: string;
  hospital: HospitalRef | null;
  target_type: string;
  target_id: string;
  source: string;
  detail: Record<string, unknown>;
}

/** The filters the page and the CSV link share; an empty string means "any". */
export interface AuditFilters {
  actor: string;
  action: string;
  hospital: string;
  from: string;
  to: string;
}

export const FILTER_NAMES: (keyof AuditFilters)[] = ["actor", "action", "hospital", "from", "to"];
export const AUDIT_PAGE_SIZE = 50;

export function filtersFrom(query: URLSearchParams): AuditFilters {
  const get = (name: string) => (query.get(name) ?? "").trim();
  return { actor: get("actor"), action: get("action"), hospital: get("hospital"), from: get("from"), to: get("to") };
}

/** Only the filters that are set, in a fixed order, so equal filters give equal addresses. */
export function filterQuery(filters: AuditFilters): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of FILTER_NAMES) if (filters[name]) query.set(name, filters[name]);
  return query;
}

export function listAuditEvents(filters: AuditFilters, offset: number, signal?: AbortSignal): Promise<Page<AuditEvent>> {
  const query = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE), offset: String(offset) });
  for (const [name, value] of filterQuery(filters)) query.set(name, value);
  return getJson<Page<AuditEvent>>(`/api/audit-events/?${query}`, signal);
}

export function exportUrl(filters: AuditFilters): string {
  const query = filterQuery(filters).toString();
  return `/api/audit-events/export.csv${query ? `?${query}` : ""}`;
}

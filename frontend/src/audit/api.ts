/** The audit log API (admins only): one page of events, and the CSV export of the same filters. */
import { api, unwrap, type Paginated, type Schemas } from "../api/typed";

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
  "known_answer.created": "Known-answer review items created",
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
  known_answer: "Known-answer items",
  training_run: "Training runs",
  audit: "Audit-log exports",
};

export type AuditEvent = Schemas["AuditEvent"];

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

export function listAuditEvents(filters: AuditFilters, offset: number, signal?: AbortSignal): Promise<Paginated<AuditEvent>> {
  const { hospital, ...rest } = filters;
  const set = Object.fromEntries(Object.entries(rest).filter(([, value]) => value));
  const query = { limit: AUDIT_PAGE_SIZE, offset, ...set, ...(hospital ? { hospital: Number(hospital) } : {}) };
  return unwrap(api.GET("/api/audit-events/", { params: { query }, signal }));
}

export function exportUrl(filters: AuditFilters): string {
  const query = filterQuery(filters).toString();
  return `/api/audit-events/export.csv${query ? `?${query}` : ""}`;
}

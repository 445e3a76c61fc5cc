/** How an audit event reads in the table. */
import { AUDIT_ACTIONS, type AuditEvent } from "./api";

/** "2026-03-02T09:00:00.123456Z" → "2026-03-02 09:00:00 UTC": the log is kept, and read, in UTC. */
export function formatMoment(iso: string): string {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso;
  return `${moment.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export function actionLabel(action: string): string {
  return AUDIT_ACTIONS[action] ?? action;
}

/** "study #17", "user #3"; empty when the event has no target. */
export function targetLabel(event: AuditEvent): string {
  if (!event.target_type) return "";
  return event.target_id ? `${event.target_type} #${event.target_id}` : event.target_type;
}

/** The detail as short "key: value" pairs; long lists are cut, the CSV export has them whole. */
export function detailText(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .filter(([, value]) => value !== null && value !== "")
    .map(([key, value]) => `${key}: ${shortValue(value)}`)
    .join(", ");
}

function shortValue(value: unknown): string {
  if (Array.isArray(value)) {
    const shown = value.slice(0, 5).map((item) => (typeof item === "object" ? JSON.stringify(item) : String(item)));
    return `[${shown.join(", ")}${value.length > 5 ? `, … ${value.length - 5} more` : ""}]`;
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * The audit log (admins only): who did what, where and from where, newest first, filtered through the
 * address (?actor=&action=&hospital=&from=&to=&offset=) so a filtered view can be bookmarked or shared.
 * "Download CSV" carries the same filters to the server's export.
 */
import { messageOf } from "../api/client";
import type { PageContext } from "../app/page";
import type { HospitalRef } from "../auth/session";
import { listHospitals } from "../hospitals/api";
import { alertBox, loading } from "../ui/alert";
import { h, replaceChildren } from "../ui/dom";
import {
  AUDIT_ACTION_GROUPS,
  AUDIT_ACTIONS,
  AUDIT_PAGE_SIZE,
  type AuditEvent,
  type AuditFilters,
  exportUrl,
  filterQuery,
  filtersFrom,
  listAuditEvents,
} from "./api";
import { actionLabel, detailText, formatMoment, targetLabel } from "./format";

export const AUDIT_PATH = "/audit";

export function auditPage({ me, query, signal, navigate }: PageContext): HTMLElement {
  const filters = filtersFrom(query);
  const offset = Math.max(0, Number.parseInt(query.get("offset") ?? "0", 10) || 0);

  const actor = h("input", { type: "text", id: "audit-actor", name: "actor", autocomplete: "off", spellcheck: "false" });
  actor.value = filters.actor;
  const action = actionSelect(filters.action);
  const hospital = h("select", { id: "audit-hospital", name: "hospital" });
  fillHospitals(hospital, me.hospitals, filters.hospital);
  if (!me.hospitals.length) {
    listHospitals(signal).then((all) => fillHospitals(hospital, all, filters.hospital), () => undefined);
  }
  const from = h("input", { type: "date", id: "audit-from", name: "from" });
  from.value = filters.from;
  const to = h("input", { type: "date", id: "audit-to", name: "to" });
  to.value = filters.to;

  const form = h(
    "form",
    { class: "stack audit-filters", role: "search", "aria-label": "Filter the audit log", novalidate: true },
    h(
      "div",
      { class: "field-row" },
      field("audit-actor", "Actor (username)", actor),
      field("audit-action", "Action", action),
      field("audit-hospital", "Hospital", hospital),
      field("audit-from", "From", from),
      field("audit-to", "To", to),
    ),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "button button-primary" }, "Filter"),
      h("a", { class: "button button-quiet", href: AUDIT_PATH }, "Clear filters"),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen: AuditFilters = {
      actor: actor.value.trim(),
      action: action.value,
      hospital: hospital.value,
      from: from.value,
      to: to.value,
    };
    const search = filterQuery(chosen).toString();
    navigate(search ? `${AUDIT_PATH}?${search}` : AUDIT_PATH);
  });

  const body = h("div", { class: "stack" }, loading("Loading the audit log…"));
  const page = h(
    "section",
    { class: "stack", "aria-labelledby": "audit-title" },
    h(
      "div",
      { class: "page-header" },
      h(
        "div",
        {},
        h("h1", { id: "audit-title" }, "Audit log"),
        h("p", { class: "muted" }, "Who did what, to what, and from where. Newest first; times in UTC."),
      ),
      h("a", { class: "button button-quiet", href: exportUrl(filters), download: true }, "Download CSV"),
    ),
    form,
    body,
  );

  listAuditEvents(filters, offset, signal).then(
    (result) => {
      if (!result.results.length) {
        const message = offset ? "No more events." : "No events match these filters.";
        replaceChildren(body, alertBox("info", message, "No events"));
        return;
      }
      replaceChildren(body, eventsTable(result.results), pager(result.count, offset, filters, result));
    },
    (error) => {
      if (signal.aborted) return;
      replaceChildren(body, alertBox("error", messageOf(error), "The audit log could not be loaded"));
    },
  );
  return page;
}

function field(id: string, label: string, control: HTMLElement): HTMLElement {
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

function actionSelect(current: string): HTMLSelectElement {
  const select = h(
    "select",
    { id: "audit-action", name: "action" },
    h("option", { value: "" }, "Any action"),
    h(
      "optgroup",
      { label: "Kinds of action" },
      Object.entries(AUDIT_ACTION_GROUPS).map(([prefix, label]) => h("option", { value: prefix }, `${label} (all)`)),
    ),
    h(
      "optgroup",
      { label: "One action" },
      Object.entries(AUDIT_ACTIONS).map(([name, label]) => h("option", { value: name }, label)),
    ),
  );
  if (current && !(current in AUDIT_ACTIONS) && !(current in AUDIT_ACTION_GROUPS)) {
    // A filter typed into the address: keep it visible rather than silently widening the list.
    select.append(h("option", { value: current }, current));
  }
  select.value = current;
  return select;
}

function fillHospitals(select: HTMLSelectElement, hospitals: HospitalRef[], current: string): void {
  const options = [h("option", { value: "" }, "All hospitals")];
  for (const hospital of hospitals) options.push(h("option", { value: hospital.id }, hospital.name));
  if (current && !hospitals.some((hospital) => String(hospital.id) === current)) {
    options.push(h("option", { value: current }, `Hospital #${current}`));
  }
  select.replaceChildren(...options);
  select.value = current;
}

function eventsTable(events: AuditEvent[]): HTMLElement {
  return h(
    "div",
    { class: "table-scroll", role: "region", "aria-label": "Audit events", tabindex: "0" },
    h(
      "table",
      { class: "table audit-table" },
      h("caption", { class: "visually-hidden" }, "Audit events, newest first"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["When", "Who", "Action", "Hospital", "Target", "From", "Detail"].map((label) =>
            h("th", { scope: "col" }, label),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        events.map((event) =>
          h(
            "tr",
            {},
            h("td", { class: "mono nowrap" }, formatMoment(event.at)),
            h("td", {}, event.actor_username || "—"),
            h("td", {}, h("span", { title: event.action }, actionLabel(event.action))),
            h("td", {}, event.hospital?.name ?? "—"),
            h("td", {}, targetLabel(event) || "—"),
            h("td", { class: "mono" }, event.source || "—"),
            h("td", { class: "audit-detail" }, detailText(event.detail) || "—"),
          ),
        ),
      ),
    ),
  );
}

function pager(
  count: number,
  offset: number,
  filters: AuditFilters,
  result: { next: string | null; previous: string | null },
): HTMLElement | null {
  if (!result.next && !result.previous) return null;
  const link = (to: number, label: string) => {
    const query = filterQuery(filters);
    if (to) query.set("offset", String(to));
    const search = query.toString();
    return h("a", { class: "button button-quiet", href: `${AUDIT_PATH}${search ? `?${search}` : ""}` }, label);
  };
  const last = Math.min(count, offset + AUDIT_PAGE_SIZE);
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages of audit events" },
    result.previous ? link(Math.max(0, offset - AUDIT_PAGE_SIZE), "← Newer") : null,
    h("span", { class: "muted" }, `${offset + 1}–${last} of ${count}`),
    result.next ? link(offset + AUDIT_PAGE_SIZE, "Older →") : null,
  );
}

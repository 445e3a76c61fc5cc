/**
 * The audit log (admins only): who did what, where and from where, newest first, filtered through the
 * address (?actor=&action=&hospital=&from=&to=&offset=) so a filtered view can be bookmarked or shared.
 * "Download CSV" carries the same filters to the server's export.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { messageOf } from "../api/client";
import type { Paginated } from "../api/typed";
import { useMe } from "../app/session-context";
import { useHospitals } from "../hospitals/useHospitals";
import { Alert, Loading } from "../ui/Alert";
import { HospitalOptions } from "../ui/HospitalOptions";
import { Pager } from "../ui/Pager";
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

export function AuditPage() {
  const me = useMe();
  const navigate = useNavigate();
  const [query] = useSearchParams();
  const filters = filtersFrom(query);
  const offset = Math.max(0, Number.parseInt(query.get("offset") ?? "0", 10) || 0);
  const all = useHospitals({ enabled: !me.hospitals.length });
  const events = useQuery({
    queryKey: ["audit-events", filters, offset],
    queryFn: ({ signal }) => listAuditEvents(filters, offset, signal),
    placeholderData: keepPreviousData,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const chosen = filtersFrom(new URLSearchParams(data as unknown as Record<string, string>));
    const search = filterQuery(chosen).toString();
    navigate(search ? `${AUDIT_PATH}?${search}` : AUDIT_PATH);
  }

  return (
    <section className="stack" aria-labelledby="audit-title">
      <div className="page-header">
        <div>
          <h1 id="audit-title">Audit log</h1>
          <p className="muted">Who did what, to what, and from where. Newest first; times in UTC.</p>
        </div>
        <a className="button button-quiet" href={exportUrl(filters)} download>
          Download CSV
        </a>
      </div>
      {/* Keyed by the address, so the fields show the filters in force after back/forward or "Clear filters". */}
      <form
        key={query.toString()}
        className="stack audit-filters"
        role="search"
        aria-label="Filter the audit log"
        noValidate
        onSubmit={submit}
      >
        <div className="field-row">
          <div className="field">
            <label htmlFor="audit-actor">Actor (username)</label>
            <input
              type="text"
              id="audit-actor"
              name="actor"
              autoComplete="off"
              spellCheck={false}
              defaultValue={filters.actor}
            />
          </div>
          <div className="field">
            <label htmlFor="audit-action">Action</label>
            <select id="audit-action" name="action" defaultValue={filters.action}>
              <ActionOptions current={filters.action} />
            </select>
          </div>
          <div className="field">
            <label htmlFor="audit-hospital">Hospital</label>
            <select
              id="audit-hospital"
              name="hospital"
              // Keyed by the list, so the chosen value holds once the hospitals arrive.
              key={all.data ? "loaded" : "own"}
              defaultValue={filters.hospital}
            >
              <HospitalOptions hospitals={me.hospitals.length ? me.hospitals : (all.data ?? [])} current={filters.hospital} />
            </select>
          </div>
          <div className="field">
            <label htmlFor="audit-from">From</label>
            <input type="date" id="audit-from" name="from" defaultValue={filters.from} />
          </div>
          <div className="field">
            <label htmlFor="audit-to">To</label>
            <input type="date" id="audit-to" name="to" defaultValue={filters.to} />
          </div>
        </div>
        <div className="actions">
          <button type="submit" className="button button-primary">
            Filter
          </button>
          <Link className="button button-quiet" to={AUDIT_PATH}>
            Clear filters
          </Link>
        </div>
      </form>
      <div className="stack">
        {events.isPending ? (
          <Loading>Loading the audit log…</Loading>
        ) : events.isError ? (
          <Alert kind="error" title="The audit log could not be loaded">
            {messageOf(events.error)}
          </Alert>
        ) : !events.data.results.length ? (
          <Alert kind="info" title="No events">
            {offset ? "No more events." : "No events match these filters."}
          </Alert>
        ) : (
          <>
            <EventsTable events={events.data.results} />
            <AuditPager page={events.data} offset={offset} filters={filters} />
          </>
        )}
      </div>
    </section>
  );
}

function ActionOptions({ current }: { current: string }) {
  const known = current in AUDIT_ACTIONS || current in AUDIT_ACTION_GROUPS;
  return (
    <>
      <option value="">Any action</option>
      <optgroup label="Kinds of action">
        {Object.entries(AUDIT_ACTION_GROUPS).map(([prefix, label]) => (
          <option key={prefix} value={prefix}>{`${label} (all)`}</option>
        ))}
      </optgroup>
      <optgroup label="One action">
        {Object.entries(AUDIT_ACTIONS).map(([name, label]) => (
          <option key={name} value={name}>
            {label}
          </option>
        ))}
      </optgroup>
      {/* A filter typed into the address: keep it visible rather than silently widening the list. */}
      {current && !known ? <option value={current}>{current}</option> : null}
    </>
  );
}

function EventsTable({ events }: { events: AuditEvent[] }) {
  return (
    <div className="table-scroll" role="region" aria-label="Audit events" tabIndex={0}>
      <table className="table audit-table">
        <caption className="visually-hidden">Audit events, newest first</caption>
        <thead>
          <tr>
            {["When", "Who", "Action", "Hospital", "Target", "From", "Detail"].map((label) => (
              <th key={label} scope="col">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id}>
              <td className="mono nowrap">{formatMoment(event.at)}</td>
              <td>{event.actor_username || "—"}</td>
              <td>
                <span title={event.action}>{actionLabel(event.action)}</span>
              </td>
              <td>{event.hospital?.name ?? "—"}</td>
              <td>{targetLabel(event) || "—"}</td>
              <td className="mono">{event.source || "—"}</td>
              <td className="audit-detail">{detailText(event.detail) || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AuditPager({ page, offset, filters }: { page: Paginated<AuditEvent>; offset: number; filters: AuditFilters }) {
  const href = (to: number) => {
    const query = filterQuery(filters);
    if (to) query.set("offset", String(to));
    const search = query.toString();
    return `${AUDIT_PATH}${search ? `?${search}` : ""}`;
  };
  return <Pager page={page} offset={offset} size={AUDIT_PAGE_SIZE} href={href} label="Pages of audit events" />;
}

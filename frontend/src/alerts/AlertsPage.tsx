/**
 * Drift alerts of the hospitals the user sees, newest first (?state=open|acknowledged&hospital=): what drifted,
 * since when, from which baseline to which rate; QA managers of the hospital and admins acknowledge them.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { messageOf } from "../api/client";
import type { Me } from "../auth/session";
import { useMe } from "../app/session-context";
import { machineLabel } from "../hospitals/api";
import { Alert, Loading } from "../ui/Alert";
import { CsvButton } from "../ui/csv";
import { Pager } from "../ui/Pager";
import { acknowledgeAlert, listAlerts, type DriftAlert } from "../dashboard/api";
import { framesHref, formatShare } from "../dashboard/format";

const PAGE = 50;
const STATES = [
  ["open", "Open"],
  ["acknowledged", "Acknowledged"],
  ["", "All"],
] as const;

function mayAcknowledge(me: Me, alert: DriftAlert): boolean {
  if (me.role === "admin") return true;
  return me.role === "qa_manager" && me.hospitals.some((h) => h.id === alert.hospital.id);
}

const where = (alert: DriftAlert) => (alert.machine ? machineLabel(alert.machine) : "Whole hospital");

export function AlertsPage() {
  const me = useMe();
  const navigate = useNavigate();
  const [query] = useSearchParams();
  const state = (query.get("state") ?? "open") as "open" | "acknowledged" | "";
  const hospital = query.get("hospital") ?? "";
  const offset = Math.max(0, Number.parseInt(query.get("offset") ?? "0", 10) || 0);
  const client = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const alerts = useQuery({
    queryKey: ["alerts", { hospital, state, offset }],
    queryFn: ({ signal }) => listAlerts({ hospital, state: state || undefined, offset, limit: PAGE }, signal),
    placeholderData: keepPreviousData,
  });
  const acknowledge = useMutation({
    mutationFn: (alert: DriftAlert) => acknowledgeAlert(alert.id),
    onSuccess: (alert) => {
      setDone(`Alert on ${where(alert)} (${alert.hospital.name}) acknowledged.`);
      void client.invalidateQueries({ queryKey: ["alerts"] });
    },
  });
  const href = (to: number, nextState: string = state) => {
    const next = new URLSearchParams();
    if (hospital) next.set("hospital", hospital);
    if (nextState !== "open") next.set("state", nextState);
    if (to) next.set("offset", String(to));
    const search = next.toString();
    return `/alerts${search ? `?${search}` : ""}`;
  };
  const headers = ["Hospital", "Machine", "Since", "Detected", "Baseline", "Poor rate since", "State", ""];

  return (
    <section className="stack" aria-labelledby="alerts-title">
      <div className="page-header">
        <div>
          <h1 id="alerts-title">Drift alerts</h1>
          <p className="muted">A machine's poor rate left its baseline (Bernoulli CUSUM). Newest first.</p>
        </div>
        <div className="field filter">
          <label htmlFor="alerts-state">Show</label>
          <select id="alerts-state" value={state} onChange={(event) => navigate(href(0, event.target.value))}>
            {STATES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {done ? <Alert kind="success">{done}</Alert> : null}
      {acknowledge.isError ? (
        <Alert kind="error" title="The alert could not be acknowledged">
          {messageOf(acknowledge.error)}
        </Alert>
      ) : null}
      {alerts.isPending ? (
        <Loading>Loading alerts…</Loading>
      ) : alerts.isError ? (
        <Alert kind="error" title="The alerts could not be loaded">
          {messageOf(alerts.error)}
        </Alert>
      ) : !alerts.data.results.length ? (
        <Alert kind="info" title="No alerts">
          {state === "open" ? "No open drift alerts." : "No drift alerts."}
        </Alert>
      ) : (
        <>
          <div className="section-header">
            <p className="muted">{`${alerts.data.count} alerts`}</p>
            <CsvButton
              filename="drift-alerts.csv"
              header={["Hospital", "Machine", "Since", "Detected", "Ended", "Baseline poor rate", "Poor rate since", "Acknowledged by", "Acknowledged at"]}
              rows={() =>
                alerts.data.results.map((a) => [
                  a.hospital.name,
                  where(a),
                  a.started_on,
                  a.detected_on,
                  a.ended_on ?? "",
                  formatShare(a.baseline_poor_rate),
                  formatShare(a.current_poor_rate),
                  a.acknowledged_by?.username ?? "",
                  a.acknowledged_at ?? "",
                ])
              }
            />
          </div>
          <table className="table alerts-table">
            <caption className="visually-hidden">Drift alerts</caption>
            <thead>
              <tr>
                {headers.map((label, i) => (
                  <th key={i} scope="col">
                    {label || <span className="visually-hidden">Action</span>}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {alerts.data.results.map((alert) => (
                <tr key={alert.id} data-alert-id={alert.id}>
                  <td>{alert.hospital.name}</td>
                  <th scope="row">{where(alert)}</th>
                  <td className="mono">
                    <Link
                      to={framesHref({
                        hospital: alert.hospital.id,
                        machine: alert.machine ?? undefined,
                        from: alert.started_on,
                        to: alert.ended_on ?? alert.detected_on,
                        verdict: "poor",
                      })}
                    >
                      {alert.started_on}
                    </Link>
                  </td>
                  <td className="mono">{alert.detected_on}</td>
                  <td>{formatShare(alert.baseline_poor_rate)}</td>
                  <td>{formatShare(alert.current_poor_rate)}</td>
                  <td>
                    {alert.acknowledged_at ? (
                      <span className="muted">{`Acknowledged by ${alert.acknowledged_by?.username ?? "—"} on ${alert.acknowledged_at.slice(0, 10)}`}</span>
                    ) : alert.ended_on ? (
                      `Ended ${alert.ended_on}`
                    ) : (
                      <strong className="alert-open">Ongoing</strong>
                    )}
                  </td>
                  <td>
                    {!alert.acknowledged_at && mayAcknowledge(me, alert) ? (
                      <button
                        type="button"
                        className="button button-quiet"
                        disabled={acknowledge.isPending}
                        onClick={() => acknowledge.mutate(alert)}
                        aria-label={`Acknowledge the alert on ${where(alert)}, ${alert.hospital.name}, since ${alert.started_on}`}
                      >
                        Acknowledge
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={alerts.data} offset={offset} size={PAGE} href={(to) => href(to)} label="Pages of alerts" />
        </>
      )}
    </section>
  );
}

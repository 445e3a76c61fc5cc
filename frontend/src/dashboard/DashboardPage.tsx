/**
 * The home page: quality over a period for the hospitals the user sees. KPI tiles, the poor rate over time
 * with its 95 % interval and drift alerts, machines worst first, GA discrepancy, and for several hospitals
 * (admins) every hospital side by side. Every point and row leads to the frames behind it, worst first.
 * Filters live in the address (?hospital=&from=&to=&bucket=).
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { lazy, Suspense, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { messageOf } from "../api/client";
import { useMe } from "../app/session-context";
import { machineLabel } from "../hospitals/api";
import { useHospitals } from "../hospitals/useHospitals";
import { Alert, Loading } from "../ui/Alert";
import { CsvButton } from "../ui/csv";
import { HospitalOptions } from "../ui/HospitalOptions";
import { DemoProgress } from "./DemoProgress";
import { getDashboard, listAlerts, type Bucket, type Dashboard, type DriftAlert, type MachineQuality } from "./api";
import { bucketRange, formatCount, formatRate, formatShare, framesHref, worstFirst } from "./format";

// ECharts in its own chunk, fetched when the dashboard first draws a chart.
const charts = () => import("./DashboardCharts");
const QualityChart = lazy(() => charts().then((m) => ({ default: m.QualityChart })));
const HospitalsChart = lazy(() => charts().then((m) => ({ default: m.HospitalsChart })));
const GaChart = lazy(() => charts().then((m) => ({ default: m.GaChart })));

export const DASHBOARD_PATH = "/dashboard";
const BUCKET_LABELS: Record<Bucket, string> = { day: "Days", week: "Weeks", month: "Months" };

export function DashboardPage() {
  const me = useMe();
  const navigate = useNavigate();
  const [query] = useSearchParams();
  const filters = {
    hospital: query.get("hospital") ?? "",
    from: query.get("from") ?? "",
    to: query.get("to") ?? "",
    bucket: query.get("bucket") ?? "",
  };
  const all = useHospitals({ enabled: me.role === "admin" && !me.hospitals.length });
  const dashboard = useQuery({
    queryKey: ["dashboard", filters],
    queryFn: ({ signal }) => getDashboard(filters, signal),
    placeholderData: keepPreviousData,
  });
  const alerts = useQuery({
    queryKey: ["alerts", { hospital: filters.hospital, state: "open" }],
    queryFn: ({ signal }) => listAlerts({ hospital: filters.hospital, state: "open", limit: 100 }, signal),
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const chosen = new URLSearchParams();
    for (const name of ["hospital", "from", "to", "bucket"]) {
      const value = String(data.get(name) ?? "");
      if (value) chosen.set(name, value);
    }
    const search = chosen.toString();
    navigate(search ? `${DASHBOARD_PATH}?${search}` : DASHBOARD_PATH);
  }

  const hospitals = me.hospitals.length ? me.hospitals : (all.data ?? []);
  const data = dashboard.data;
  return (
    <section className="stack dashboard" aria-labelledby="dashboard-title">
      <div className="page-header">
        <div>
          <h1 id="dashboard-title">Dashboard</h1>
          <p className="muted">
            {data
              ? `Segmentation quality from ${data.period.from} to ${data.period.to}, by exam date.`
              : "Segmentation quality by exam date."}
          </p>
        </div>
      </div>
      <DemoProgress />
      <form key={query.toString()} className="dashboard-filters" role="search" aria-label="Filter the dashboard" onSubmit={submit}>
        {hospitals.length > 1 || me.role === "admin" ? (
          <div className="field">
            <label htmlFor="dashboard-hospital">Hospital</label>
            <select id="dashboard-hospital" name="hospital" defaultValue={filters.hospital}>
              <HospitalOptions hospitals={hospitals} current={filters.hospital} />
            </select>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="dashboard-from">From</label>
          <input type="date" id="dashboard-from" name="from" defaultValue={filters.from || data?.period.from || ""} />
        </div>
        <div className="field">
          <label htmlFor="dashboard-to">To</label>
          <input type="date" id="dashboard-to" name="to" defaultValue={filters.to || data?.period.to || ""} />
        </div>
        <div className="field">
          <label htmlFor="dashboard-bucket">Per</label>
          <select id="dashboard-bucket" name="bucket" defaultValue={filters.bucket || "week"}>
            {(Object.keys(BUCKET_LABELS) as Bucket[]).map((bucket) => (
              <option key={bucket} value={bucket}>
                {BUCKET_LABELS[bucket]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button-primary">
          Show
        </button>
      </form>
      {dashboard.isPending ? (
        <Loading>Loading the dashboard…</Loading>
      ) : dashboard.isError ? (
        <Alert kind="error" title="The dashboard could not be loaded">
          {messageOf(dashboard.error)}
        </Alert>
      ) : (
        <DashboardBody
          data={dashboard.data}
          hospital={filters.hospital}
          openAlerts={alerts.data?.results ?? []}
          openAlertCount={alerts.data?.count ?? null}
        />
      )}
    </section>
  );
}

function DashboardBody({
  data,
  hospital,
  openAlerts,
  openAlertCount,
}: {
  data: Dashboard;
  hospital: string;
  openAlerts: DriftAlert[];
  openAlertCount: number | null;
}) {
  const navigate = useNavigate();
  const { totals, period } = data;
  const good = data.ga_discrepancy.good;
  const poor = data.ga_discrepancy.poor;
  const sideBySide = !hospital && data.hospitals.length > 1;
  const scope = hospital || (data.hospitals.length === 1 ? String(data.hospitals[0]!.hospital.id) : "");
  const machines = worstFirst(data.machines);
  const hospitalName = (id: number) => data.hospitals.find((h) => h.hospital.id === id)?.hospital.name ?? `#${id}`;
  return (
    <>
      <ul className="tiles" aria-label="Key figures">
        <li className="tile">
          <span className="tile-label">Frames assessed</span>
          <span className="tile-value" data-tile="frames">{formatCount(totals.frames)}</span>
          <span className="tile-note">{`${formatCount(totals.good)} good · ${formatCount(totals.poor)} poor · ${formatCount(totals.unknown)} unknown`}</span>
        </li>
        <li className="tile">
          <span className="tile-label">Poor rate</span>
          <span className="tile-value" data-tile="poor-rate">{formatShare(totals.poor_rate)}</span>
          <span className="tile-note">
            {totals.poor_rate === null
              ? "Nothing judged yet"
              : `95 % interval ${formatShare(totals.poor_rate_low)} – ${formatShare(totals.poor_rate_high)}`}
          </span>
        </li>
        <li className="tile">
          <span className="tile-label">Open alerts</span>
          <span className="tile-value" data-tile="open-alerts">{openAlertCount === null ? "…" : formatCount(openAlertCount)}</span>
          <span className="tile-note">
            <Link to={hospital ? `/alerts?hospital=${hospital}` : "/alerts"}>Drift alerts</Link>
          </span>
        </li>
        <li className="tile">
          <span className="tile-label">GA discrepancy</span>
          <span className="tile-value" data-tile="ga">
            {good.mean_abs_days === null || good.mean_abs_days === undefined ? "—" : `${good.mean_abs_days.toFixed(1)} d`}
          </span>
          <span className="tile-note">
            {`mean |GA − reported| of good masks (${good.count}); poor: ${
              poor.mean_abs_days === null || poor.mean_abs_days === undefined ? "—" : `${poor.mean_abs_days.toFixed(1)} d`
            } (${poor.count})`}
          </span>
        </li>
      </ul>

      <section className="card stack" aria-labelledby="trend-title">
        <h2 id="trend-title">Poor rate over time</h2>
        <p className="hint">Click a point, or a period in the table, to see its poor frames, worst first.</p>
        <Suspense fallback={<Loading>Loading the chart…</Loading>}>
          <QualityChart
            series={data.series}
            alerts={openAlerts}
            onPoint={(bucket) =>
              navigate(framesHref({ hospital: scope, ...bucketRange(bucket.bucket_start, period.bucket, period), verdict: "poor" }))
            }
          />
        </Suspense>
        <details className="series-details">
          <summary>The numbers behind the chart</summary>
          <table className="table series-table">
            <caption className="visually-hidden">Poor rate per period</caption>
            <thead>
              <tr>
                {["Period from", "Frames", "Poor", "Poor rate (95 % interval)"].map((label) => (
                  <th key={label} scope="col">{label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.series.map((bucket) => (
                <tr key={bucket.bucket_start}>
                  <th scope="row">
                    <Link to={framesHref({ hospital: scope, ...bucketRange(bucket.bucket_start, period.bucket, period), verdict: "poor" })}>
                      {bucket.bucket_start}
                    </Link>
                  </th>
                  <td className="mono">{formatCount(bucket.frames)}</td>
                  <td className="mono">{formatCount(bucket.poor)}</td>
                  <td>{formatRate(bucket)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </section>

      {sideBySide ? (
        <section className="card stack" aria-labelledby="hospitals-title">
          <div className="section-header">
            <h2 id="hospitals-title">Hospitals side by side</h2>
            <CsvButton
              filename={`hospitals-${period.from}-${period.to}.csv`}
              header={["Hospital", "Frames", "Good", "Poor", "Unknown", "Poor rate (95 % interval)"]}
              rows={() => data.hospitals.map((h) => [h.hospital.name, h.frames, h.good, h.poor, h.unknown, formatRate(h)])}
            />
          </div>
          <table className="table hospitals-table">
            <caption className="visually-hidden">Hospitals side by side</caption>
            <thead>
              <tr>
                {["Hospital", "Frames", "Good", "Poor", "Unknown", "Poor rate (95 % interval)"].map((label) => (
                  <th key={label} scope="col">{label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.hospitals.map((h) => (
                <tr key={h.hospital.id}>
                  <th scope="row">
                    <Link to={`${DASHBOARD_PATH}?hospital=${h.hospital.id}`}>{h.hospital.name}</Link>
                  </th>
                  <td className="mono">{formatCount(h.frames)}</td>
                  <td className="mono">{formatCount(h.good)}</td>
                  <td className="mono">
                    <Link to={framesHref({ hospital: h.hospital.id, from: period.from, to: period.to, verdict: "poor" })}>
                      {formatCount(h.poor)}
                    </Link>
                  </td>
                  <td className="mono">{formatCount(h.unknown)}</td>
                  <td>{formatRate(h)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Suspense fallback={<Loading>Loading the chart…</Loading>}>
            <HospitalsChart hospitals={data.hospitals} />
          </Suspense>
        </section>
      ) : null}

      <section className="card stack" aria-labelledby="machines-title">
        <div className="section-header">
          <h2 id="machines-title">Machines, worst first</h2>
          <CsvButton
            filename={`machines-${period.from}-${period.to}.csv`}
            header={["Machine", "Hospital", "Frames", "Good", "Poor", "Unknown", "Poor rate (95 % interval)"]}
            rows={() =>
              machines.map((m) => [
                m.machine ? machineLabel(m.machine) : "Unknown machine",
                hospitalName(m.hospital),
                m.frames,
                m.good,
                m.poor,
                m.unknown,
                formatRate(m),
              ])
            }
          />
        </div>
        <MachinesTable machines={machines} period={period} hospitalName={hospitalName} showHospital={sideBySide} />
      </section>

      <section className="card stack" aria-labelledby="ga-title">
        <h2 id="ga-title">GA discrepancy</h2>
        <p className="hint">
          {`CRL-derived GA minus the GA reported with the study. ${good.without_reported_ga + poor.without_reported_ga} frames had no reported GA, ${
            good.without_measured_ga + poor.without_measured_ga
          } no CRL; they are not in the plot.`}
        </p>
        <Suspense fallback={<Loading>Loading the chart…</Loading>}>
          <GaChart good={good} poor={poor} />
        </Suspense>
      </section>
    </>
  );
}

function MachinesTable({
  machines,
  period,
  hospitalName,
  showHospital,
}: {
  machines: MachineQuality[];
  period: Dashboard["period"];
  hospitalName: (id: number) => string;
  showHospital: boolean;
}) {
  const headers = ["Machine", ...(showHospital ? ["Hospital"] : []), "Frames", "Poor", "Unknown", "Poor rate (95 % interval)", "Frames behind it"];
  return (
    <table className="table machines-table">
      <caption className="visually-hidden">Machines, worst first</caption>
      <thead>
        <tr>
          {headers.map((label) => (
            <th key={label} scope="col">{label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {machines.map((m) => {
          const name = m.machine ? machineLabel(m.machine) : "Unknown machine";
          const base = { hospital: m.hospital, machine: m.machine ?? ("none" as const), from: period.from, to: period.to };
          return (
            <tr key={`${m.hospital}-${m.machine?.id ?? "none"}`}>
              <th scope="row">{name}</th>
              {showHospital ? <td>{hospitalName(m.hospital)}</td> : null}
              <td className="mono">{formatCount(m.frames)}</td>
              <td className="mono">{formatCount(m.poor)}</td>
              <td className="mono">{formatCount(m.unknown)}</td>
              <td>{formatRate(m)}</td>
              <td>
                {m.frames ? (
                  <Link to={framesHref(base)} aria-label={`Frames of ${name}, worst first`}>
                    Worst first
                  </Link>
                ) : (
                  <span className="muted">None</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

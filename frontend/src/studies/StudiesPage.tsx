/** The studies of the user's hospitals, newest first, optionally of one hospital (?hospital=ID). */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router";
import { messageOf } from "../api/client";
import type { Paginated } from "../api/typed";
import { useMe } from "../app/session-context";
import { machineLabel } from "../hospitals/api";
import { useHospitals } from "../hospitals/useHospitals";
import { Alert, Loading } from "../ui/Alert";
import { HospitalOptions } from "../ui/HospitalOptions";
import { Pager } from "../ui/Pager";
import { listStudies, STUDIES_PAGE_SIZE, type Study } from "./api";
import { formatDate, formatGa } from "./format";

export function StudiesPage() {
  const me = useMe();
  const navigate = useNavigate();
  const [query] = useSearchParams();
  const hospital = query.get("hospital") ?? "";
  const offset = Math.max(0, Number.parseInt(query.get("offset") ?? "0", 10) || 0);
  // An admin may be a member of no hospital and still see them all.
  const all = useHospitals({ enabled: me.role === "admin" && !me.hospitals.length });
  const studies = useQuery({
    queryKey: ["studies", { hospital, offset }],
    queryFn: ({ signal }) => listStudies({ hospital, offset }, signal),
    placeholderData: keepPreviousData,
  });

  return (
    <section className="stack" aria-labelledby="studies-title">
      <div className="page-header">
        <div>
          <h1 id="studies-title">Studies</h1>
          <p className="muted">Newest first. Open a study to see each frame's mask, quality and gestational age.</p>
        </div>
        <div className="field filter">
          <label htmlFor="studies-hospital">Hospital</label>
          <select
            id="studies-hospital"
            name="hospital"
            value={hospital}
            onChange={(event) => navigate(event.target.value ? `/studies?hospital=${event.target.value}` : "/studies")}
          >
            <HospitalOptions hospitals={me.hospitals.length ? me.hospitals : (all.data ?? [])} current={hospital} />
          </select>
        </div>
      </div>
      <div className="stack">
        {studies.isPending ? (
          <Loading>Loading studies…</Loading>
        ) : studies.isError ? (
          <Alert kind="error" title="The studies could not be loaded">
            {messageOf(studies.error)}
          </Alert>
        ) : !studies.data.results.length ? (
          <Alert kind="info" title="No studies">
            {offset ? "No more studies." : "No studies yet: upload a scan to start one."}
          </Alert>
        ) : (
          <>
            <StudiesTable studies={studies.data.results} />
            <StudiesPager page={studies.data} offset={offset} hospital={hospital} />
          </>
        )}
      </div>
    </section>
  );
}

function StudiesTable({ studies }: { studies: Study[] }) {
  return (
    <table className="table studies-table">
      <caption className="visually-hidden">Studies</caption>
      <thead>
        <tr>
          {["Study", "Hospital", "Machine", "Exam date", "Reported GA", "Frames"].map((label) => (
            <th key={label} scope="col">
              {label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {studies.map((study) => (
          <tr key={study.id}>
            <td>
              <Link to={`/studies/${study.id}`}>{`Study #${study.id}`}</Link>
            </td>
            <td>{study.hospital.name}</td>
            <td>{study.machine ? machineLabel(study.machine) : "—"}</td>
            <td className="mono">{formatDate(study.exam_date)}</td>
            <td>{study.reported_ga_days === null ? "—" : formatGa(study.reported_ga_days)}</td>
            <td className="mono">{String(study.frame_count)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StudiesPager({ page, offset, hospital }: { page: Paginated<Study>; offset: number; hospital: string }) {
  const href = (to: number) => {
    const query = new URLSearchParams();
    if (hospital) query.set("hospital", hospital);
    if (to) query.set("offset", String(to));
    const search = query.toString();
    return `/studies${search ? `?${search}` : ""}`;
  };
  return <Pager page={page} offset={offset} size={STUDIES_PAGE_SIZE} href={href} label="Pages of studies" />;
}

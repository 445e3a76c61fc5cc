/**
 * The studies of the user's hospitals, latest exam date first, with each study's quality (its worst frame's)
 * and processing status; filtered through the address (?hospital=&machine=&from=&to=&quality=&status=&p_min=&p_max=).
 * "Download CSV" saves the rows the table shows.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { messageOf } from "../api/client";
import type { Paginated } from "../api/typed";
import { useMe } from "../app/session-context";
import { machineLabel } from "../hospitals/api";
import { useHospitals } from "../hospitals/useHospitals";
import { Alert, Loading } from "../ui/Alert";
import { CsvButton } from "../ui/csv";
import { HospitalOptions } from "../ui/HospitalOptions";
import { MachineOptions } from "../ui/MachineOptions";
import { Pager } from "../ui/Pager";
import { listStudies, STUDIES_PAGE_SIZE, STUDY_FILTERS, studyFiltersFrom, type Study, type StudyFilters } from "./api";
import { formatDate, formatGa, formatPGood } from "./format";

const QUALITY = { good: "Good", poor: "Poor", unknown: "Unknown" } as const;
const STATUS = { pending: "In progress", failed: "Failed", done: "Done" } as const;
const HEADERS = ["Study", "Hospital", "Machine", "Exam date", "Reported GA", "Frames", "Quality", "Lowest p(good)", "Status"];

function qualityText(study: Study): string {
  if (!study.quality) return "Not judged";
  const counts = [`${study.good_frames} good`, `${study.poor_frames} poor`, `${study.unknown_frames} unknown`];
  return `${QUALITY[study.quality]} (${counts.join(", ")})`;
}

function statusText(study: Study): string {
  if (!study.status) return "Not queued";
  if (study.status === "pending") return `${STATUS.pending} (${study.in_flight_frames})`;
  return STATUS[study.status as keyof typeof STATUS] ?? study.status;
}

export function StudiesPage() {
  const me = useMe();
  const navigate = useNavigate();
  const [query] = useSearchParams();
  const filters = studyFiltersFrom(query);
  const offset = Math.max(0, Number.parseInt(query.get("offset") ?? "0", 10) || 0);
  // The machines come with the hospitals (an admin may be a member of none and still see them all).
  const all = useHospitals();
  const hospitals = me.hospitals.length ? me.hospitals : (all.data ?? []);
  const machines = (all.data ?? [])
    .filter((h) => !filters.hospital || String(h.id) === filters.hospital)
    .flatMap((h) => h.machines.map((m) => ({ ...m, hospital: h.name })));
  const studies = useQuery({
    queryKey: ["studies", filters, offset],
    queryFn: ({ signal }) => listStudies({ ...filters, offset }, signal),
    placeholderData: keepPreviousData,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const chosen = studyFiltersFrom(new URLSearchParams(new FormData(event.currentTarget) as unknown as Record<string, string>));
    const search = new URLSearchParams(chosen as Record<string, string>).toString();
    navigate(search ? `/studies?${search}` : "/studies");
  }

  const filtered = Object.keys(filters).length > 0;
  return (
    <section className="stack" aria-labelledby="studies-title">
      <div className="page-header">
        <div>
          <h1 id="studies-title">Studies</h1>
          <p className="muted">Latest exam first. Open a study to see each frame's mask, quality and gestational age.</p>
        </div>
        {studies.data?.results.length ? (
          <CsvButton
            filename="studies.csv"
            header={HEADERS}
            rows={() =>
              studies.data!.results.map((s) => [
                s.id,
                s.hospital.name,
                s.machine ? machineLabel(s.machine) : "",
                s.exam_date ?? "",
                s.reported_ga_days === null ? "" : formatGa(s.reported_ga_days),
                s.frame_count,
                qualityText(s),
                s.lowest_p_good === null ? "" : formatPGood(s.lowest_p_good),
                statusText(s),
              ])
            }
          />
        ) : null}
      </div>
      <form key={query.toString()} className="stack studies-filters" role="search" aria-label="Filter the studies" noValidate onSubmit={submit}>
        <div className="field-row">
          <div className="field">
            <label htmlFor="studies-hospital">Hospital</label>
            <select id="studies-hospital" name="hospital" defaultValue={filters.hospital ?? ""}>
              <HospitalOptions hospitals={hospitals} current={filters.hospital ?? ""} />
            </select>
          </div>
          <div className="field">
            <label htmlFor="studies-machine">Machine</label>
            <select id="studies-machine" name="machine" defaultValue={filters.machine ?? ""}>
              <MachineOptions machines={machines} current={filters.machine ?? ""} withHospital={hospitals.length > 1} />
            </select>
          </div>
          <div className="field">
            <label htmlFor="studies-from">Exam from</label>
            <input type="date" id="studies-from" name="from" defaultValue={filters.from ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="studies-to">Exam to</label>
            <input type="date" id="studies-to" name="to" defaultValue={filters.to ?? ""} />
          </div>
          <ChoiceFilter name="quality" label="Quality" choices={QUALITY} value={filters.quality} />
          <ChoiceFilter name="status" label="Status" choices={STATUS} value={filters.status} />
          <div className="field">
            <label htmlFor="studies-p-min">Lowest p(good) from</label>
            <input type="number" id="studies-p-min" name="p_min" min={0} max={1} step={0.01} defaultValue={filters.p_min ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="studies-p-max">Lowest p(good) to</label>
            <input type="number" id="studies-p-max" name="p_max" min={0} max={1} step={0.01} defaultValue={filters.p_max ?? ""} />
          </div>
        </div>
        <div className="actions">
          <button type="submit" className="button button-primary">
            Filter
          </button>
          {filtered ? (
            <Link className="button button-quiet" to="/studies">
              Clear filters
            </Link>
          ) : null}
        </div>
      </form>
      <div className="stack">
        {studies.isPending ? (
          <Loading>Loading studies…</Loading>
        ) : studies.isError ? (
          <Alert kind="error" title="The studies could not be loaded">
            {messageOf(studies.error)}
          </Alert>
        ) : !studies.data.results.length ? (
          <Alert kind="info" title="No studies">
            {offset ? "No more studies." : filtered ? "No study matches these filters." : "No studies yet: upload a scan to start one."}
          </Alert>
        ) : (
          <>
            <StudiesTable studies={studies.data.results} />
            <StudiesPager page={studies.data} offset={offset} filters={filters} />
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
          {HEADERS.map((label) => (
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
            <td>
              {study.quality ? <span className={`quality quality-${study.quality}`}>{QUALITY[study.quality]}</span> : <span className="muted">Not judged</span>}
              {study.quality ? <span className="visually-hidden">{` (${study.good_frames} good, ${study.poor_frames} poor, ${study.unknown_frames} unknown)`}</span> : null}
            </td>
            <td className="mono">{study.lowest_p_good === null ? "—" : formatPGood(study.lowest_p_good)}</td>
            <td>{statusText(study)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StudiesPager({ page, offset, filters }: { page: Paginated<Study>; offset: number; filters: StudyFilters }) {
  const href = (to: number) => {
    const query = new URLSearchParams();
    for (const name of STUDY_FILTERS) if (filters[name]) query.set(name, filters[name]!);
    if (to) query.set("offset", String(to));
    const search = query.toString();
    return `/studies${search ? `?${search}` : ""}`;
  };
  return <Pager page={page} offset={offset} size={STUDIES_PAGE_SIZE} href={href} label="Pages of studies" />;
}

/** A labelled select of the given choices, with "Any" first; its name is the query parameter it sets. */
function ChoiceFilter({ name, label, choices, value }: { name: string; label: string; choices: Record<string, string>; value?: string }) {
  return (
    <div className="field">
      <label htmlFor={`studies-${name}`}>{label}</label>
      <select id={`studies-${name}`} name={name} defaultValue={value ?? ""}>
        <option value="">Any</option>
        {Object.entries(choices).map(([choice, text]) => (
          <option key={choice} value={choice}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

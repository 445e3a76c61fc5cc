/** The studies of the user's hospitals, newest first, optionally of one hospital (?hospital=ID). */
import { messageOf } from "../api/client";
import type { PageContext } from "../app/page";
import type { HospitalRef } from "../auth/session";
import { listHospitals, machineLabel } from "../hospitals/api";
import { alertBox, loading } from "../ui/alert";
import { h, replaceChildren } from "../ui/dom";
import { listStudies, STUDIES_PAGE_SIZE, type Study } from "./api";
import { formatDate, formatGa } from "./format";

export function studiesPage({ me, query, signal, navigate }: PageContext): HTMLElement {
  const hospital = query.get("hospital");
  const offset = Math.max(0, Number.parseInt(query.get("offset") ?? "0", 10) || 0);

  const select = h("select", { id: "studies-hospital", name: "hospital" });
  fillHospitals(select, me.hospitals, hospital);
  if (me.role === "admin" && !me.hospitals.length) {
    listHospitals(signal).then((all) => fillHospitals(select, all, hospital), () => undefined);
  }
  select.addEventListener("change", () => navigate(select.value ? `/studies?hospital=${select.value}` : "/studies"));

  const body = h("div", { class: "stack" }, loading("Loading studies…"));
  const page = h(
    "section",
    { class: "stack", "aria-labelledby": "studies-title" },
    h(
      "div",
      { class: "page-header" },
      h(
        "div",
        {},
        h("h1", { id: "studies-title" }, "Studies"),
        h("p", { class: "muted" }, "Newest first. Open a study to see each frame's mask, quality and gestational age."),
      ),
      h("div", { class: "field filter" }, h("label", { for: "studies-hospital" }, "Hospital"), select),
    ),
    body,
  );

  listStudies({ hospital, offset }, signal).then(
    (result) => {
      if (!result.results.length) {
        replaceChildren(body, alertBox("info", offset ? "No more studies." : "No studies yet: upload a scan to start one.", "No studies"));
        return;
      }
      replaceChildren(body, studiesTable(result.results), pager(result.count, offset, hospital, result));
    },
    (error) => {
      if (signal.aborted) return;
      replaceChildren(body, alertBox("error", messageOf(error), "The studies could not be loaded"));
    },
  );
  return page;
}

function fillHospitals(select: HTMLSelectElement, hospitals: HospitalRef[], current: string | null): void {
  const options = [h("option", { value: "" }, "All hospitals")];
  for (const hospital of hospitals) options.push(h("option", { value: hospital.id }, hospital.name));
  if (current && !hospitals.some((hospital) => String(hospital.id) === current)) {
    options.push(h("option", { value: current }, `Hospital #${current}`));
  }
  select.replaceChildren(...options);
  select.value = current ?? "";
}

function studiesTable(studies: Study[]): HTMLElement {
  return h(
    "table",
    { class: "table studies-table" },
    h("caption", { class: "visually-hidden" }, "Studies"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Study", "Hospital", "Machine", "Exam date", "Reported GA", "Frames"].map((label) =>
          h("th", { scope: "col" }, label),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      studies.map((study) =>
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: `/studies/${study.id}` }, `Study #${study.id}`)),
          h("td", {}, study.hospital.name),
          h("td", {}, study.machine ? machineLabel(study.machine) : "—"),
          h("td", { class: "mono" }, formatDate(study.exam_date)),
          h("td", {}, study.reported_ga_days === null ? "—" : formatGa(study.reported_ga_days)),
          h("td", { class: "mono" }, String(study.frame_count)),
        ),
      ),
    ),
  );
}

function pager(
  count: number,
  offset: number,
  hospital: string | null,
  result: { next: string | null; previous: string | null },
): HTMLElement | null {
  if (!result.next && !result.previous) return null;
  const link = (to: number, label: string) => {
    const query = new URLSearchParams();
    if (hospital) query.set("hospital", hospital);
    if (to) query.set("offset", String(to));
    const search = query.toString();
    return h("a", { class: "button button-quiet", href: `/studies${search ? `?${search}` : ""}` }, label);
  };
  const last = Math.min(count, offset + STUDIES_PAGE_SIZE);
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages of studies" },
    result.previous ? link(Math.max(0, offset - STUDIES_PAGE_SIZE), "← Newer") : null,
    h("span", { class: "muted" }, `${offset + 1}–${last} of ${count}`),
    result.next ? link(offset + STUDIES_PAGE_SIZE, "Older →") : null,
  );
}

/** The user's hospitals and the ultrasound machines each one has sent scans from. */
import { messageOf } from "../api/client";
import type { PageContext } from "../app/page";
import { canUpload } from "../auth/session";
import { alertBox, loading } from "../ui/alert";
import { h, replaceChildren } from "../ui/dom";
import { listHospitals, machineLabel, type Hospital } from "./api";

export function hospitalsPage({ me, signal }: PageContext): HTMLElement {
  const body = h("div", { class: "stack" }, loading("Loading your hospitals…"));
  const intro =
    me.role === "admin"
      ? "Every hospital in FUSQA, with the ultrasound machines that have sent scans."
      : "The hospitals you are a member of, with the ultrasound machines that have sent scans.";
  const page = h(
    "section",
    { class: "stack", "aria-labelledby": "hospitals-title" },
    h(
      "div",
      { class: "page-header" },
      h("div", {}, h("h1", { id: "hospitals-title" }, "Hospitals"), h("p", { class: "muted" }, intro)),
      canUpload(me) ? h("a", { class: "button button-primary", href: "/upload" }, "Upload scans") : null,
    ),
    body,
  );

  listHospitals(signal).then(
    (hospitals) => {
      replaceChildren(body, hospitals.length ? hospitalList(hospitals) : noHospitals());
    },
    (error) => {
      if (signal.aborted) return;
      replaceChildren(body, alertBox("error", messageOf(error), "The hospitals could not be loaded"));
    },
  );
  return page;
}

function hospitalList(hospitals: Hospital[]): HTMLElement {
  return h(
    "ul",
    { class: "card-grid", "aria-label": "Hospitals" },
    hospitals.map((hospital) => h("li", { class: "card hospital" }, hospitalCard(hospital))),
  );
}

function hospitalCard(hospital: Hospital): HTMLElement[] {
  const machines = hospital.machines ?? [];
  const headingId = `hospital-${hospital.id}-machines`;
  return [
    h("h2", { class: "hospital-name" }, hospital.name),
    h("p", { class: "muted mono" }, hospital.slug),
    h("h3", { id: headingId, class: "subheading" }, `Machines (${machines.length})`),
    machines.length
      ? h(
          "ul",
          { class: "machine-list", "aria-labelledby": headingId },
          machines.map((machine) => h("li", {}, machineLabel(machine))),
        )
      : h("p", { class: "empty" }, "None yet: a machine appears with the first scans it sends."),
  ];
}

function noHospitals(): HTMLElement {
  return alertBox(
    "info",
    "You are not a member of any hospital yet. Ask a FUSQA administrator to add you.",
    "No hospitals",
  );
}

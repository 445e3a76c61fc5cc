/** The user's hospitals and the ultrasound machines each one has sent scans from. */
import { Link } from "react-router";
import { messageOf } from "../api/client";
import { useMe } from "../app/session-context";
import { canUpload } from "../auth/session";
import { Alert, Loading } from "../ui/Alert";
import { machineLabel, type Hospital } from "./api";
import { useHospitals } from "./useHospitals";

export function HospitalsPage() {
  const me = useMe();
  const hospitals = useHospitals();
  const intro =
    me.role === "admin"
      ? "Every hospital in FUSQA, with the ultrasound machines that have sent scans."
      : "The hospitals you are a member of, with the ultrasound machines that have sent scans.";
  return (
    <section className="stack" aria-labelledby="hospitals-title">
      <div className="page-header">
        <div>
          <h1 id="hospitals-title">Hospitals</h1>
          <p className="muted">{intro}</p>
        </div>
        {canUpload(me) ? (
          <Link className="button button-primary" to="/upload">
            Upload scans
          </Link>
        ) : null}
      </div>
      <div className="stack">
        {hospitals.isPending ? (
          <Loading>Loading your hospitals…</Loading>
        ) : hospitals.isError ? (
          <Alert kind="error" title="The hospitals could not be loaded">
            {messageOf(hospitals.error)}
          </Alert>
        ) : hospitals.data.length ? (
          <ul className="card-grid" aria-label="Hospitals">
            {hospitals.data.map((hospital) => (
              <li key={hospital.id} className="card hospital">
                <HospitalCard hospital={hospital} />
              </li>
            ))}
          </ul>
        ) : (
          <Alert kind="info" title="No hospitals">
            You are not a member of any hospital yet. Ask a FUSQA administrator to add you.
          </Alert>
        )}
      </div>
    </section>
  );
}

function HospitalCard({ hospital }: { hospital: Hospital }) {
  const machines = hospital.machines ?? [];
  const headingId = `hospital-${hospital.id}-machines`;
  return (
    <>
      <h2 className="hospital-name">{hospital.name}</h2>
      <p className="muted mono">{hospital.slug}</p>
      <h3 id={headingId} className="subheading">
        Machines ({machines.length})
      </h3>
      {machines.length ? (
        <ul className="machine-list" aria-labelledby={headingId}>
          {machines.map((machine) => (
            <li key={machine.id}>{machineLabel(machine)}</li>
          ))}
        </ul>
      ) : (
        <p className="empty">None yet: a machine appears with the first scans it sends.</p>
      )}
    </>
  );
}

/** The queue's filters (hospital, machine), as the queue API takes them; kept in the address. */
import { useHospitals } from "../hospitals/useHospitals";
import { HospitalOptions } from "../ui/HospitalOptions";
import { MachineOptions } from "../ui/MachineOptions";
import type { QueueFilters } from "./api";

export function QueueFilterForm({ filters, onChange }: { filters: QueueFilters; onChange: (next: URLSearchParams) => void }) {
  const hospitals = useHospitals();
  const all = hospitals.data ?? [];
  const machines = all
    .filter((h) => !filters.hospital || String(h.id) === filters.hospital)
    .flatMap((h) => h.machines.map((m) => ({ ...m, hospital: h.name })));
  const change = (name: "hospital" | "machine", value: string) => {
    const next = new URLSearchParams();
    const merged = { ...filters, [name]: value, ...(name === "hospital" ? { machine: "" } : {}) };
    for (const [key, v] of Object.entries(merged)) if (v) next.set(key, v);
    onChange(next);
  };
  return (
    <form className="filters review-filters" aria-label="Queue filters" onSubmit={(event) => event.preventDefault()}>
      <div className="field">
        <label htmlFor="review-hospital">Hospital</label>
        <select id="review-hospital" value={filters.hospital ?? ""} onChange={(e) => change("hospital", e.target.value)}>
          <HospitalOptions hospitals={all} current={filters.hospital ?? ""} />
        </select>
      </div>
      <div className="field">
        <label htmlFor="review-machine">Machine</label>
        <select id="review-machine" value={filters.machine ?? ""} onChange={(e) => change("machine", e.target.value)}>
          <MachineOptions machines={machines} current={filters.machine ?? ""} withHospital={all.length > 1} />
        </select>
      </div>
    </form>
  );
}

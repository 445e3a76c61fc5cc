import type { HospitalRef } from "../auth/session";

/**
 * The <option>s of a hospital filter: "All hospitals", then each hospital; a value typed into the
 * address that is not among them stays visible rather than silently widening the list.
 */
export function HospitalOptions({ hospitals, current }: { hospitals: HospitalRef[]; current: string }) {
  const known = hospitals.some((hospital) => String(hospital.id) === current);
  return (
    <>
      <option value="">All hospitals</option>
      {hospitals.map((hospital) => (
        <option key={hospital.id} value={String(hospital.id)}>
          {hospital.name}
        </option>
      ))}
      {current && !known ? <option value={current}>{`Hospital #${current}`}</option> : null}
    </>
  );
}

import { type Machine, machineLabel } from "../hospitals/api";

/**
 * The <option>s of a machine filter: "All machines", then each machine (with its hospital's name when
 * `withHospital`); a value typed into the address that is not among them stays visible.
 */
export function MachineOptions({
  machines,
  current,
  withHospital,
}: {
  machines: (Machine & { hospital: string })[];
  current: string;
  withHospital: boolean;
}) {
  return (
    <>
      <option value="">All machines</option>
      {machines.map((m) => (
        <option key={m.id} value={String(m.id)}>
          {withHospital ? `${machineLabel(m)} (${m.hospital})` : machineLabel(m)}
        </option>
      ))}
      {current && !machines.some((m) => String(m.id) === current) ? (
        <option value={current}>{`Machine #${current}`}</option>
      ) : null}
    </>
  );
}

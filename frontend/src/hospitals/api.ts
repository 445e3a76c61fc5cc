import { api, collectPages, PAGE_LIMIT, unwrap, type Schemas } from "../api/typed";

export type Machine = Schemas["MachineRef"];
export type Hospital = Schemas["Hospital"];

/** The hospitals the user may see (the server scopes them), each with its machines. */
export function listHospitals(signal?: AbortSignal): Promise<Hospital[]> {
  return collectPages((offset) =>
    unwrap(api.GET("/api/hospitals/", { params: { query: { limit: PAGE_LIMIT, offset } }, signal })),
  );
}

export function machineLabel(machine: Pick<Machine, "manufacturer" | "model_name">): string {
  return `${machine.manufacturer ?? ""} ${machine.model_name ?? ""}`.trim() || "Unknown machine";
}

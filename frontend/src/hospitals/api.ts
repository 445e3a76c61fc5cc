import { getAll } from "../api/client";

export interface Machine {
  id: number;
  manufacturer: string;
  model_name: string;
}

export interface Hospital {
  id: number;
  name: string;
  slug: string;
  machines?: Machine[];
}

/** The hospitals the user may see (the server scopes them), each with its machines. */
export function listHospitals(signal?: AbortSignal): Promise<Hospital[]> {
  return getAll<Hospital>("/api/hospitals/", signal);
}

export function machineLabel(machine: Machine): string {
  return `${machine.manufacturer ?? ""} ${machine.model_name ?? ""}`.trim() || "Unknown machine";
}

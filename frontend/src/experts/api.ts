/** Expert statistics (admins only): throughput, agreement and known-answer accuracy, computed by the server. */
import { api, unwrap, type Schemas } from "../api/typed";

export type ExpertStats = Schemas["ExpertStats"];
export type ExpertRow = Schemas["ExpertRow"];
export type ExpertPair = Schemas["ExpertPair"];

export function fetchExpertStats(signal?: AbortSignal): Promise<ExpertStats> {
  return unwrap(api.GET("/api/experts/stats/", { signal }));
}

/** A number the server computed, shown with `digits` decimals, or a dash when it has none. */
export function shown(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined ? "—" : value.toFixed(digits);
}

/** "1 read", "6 reads". */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** A share (0..1) as a percentage, or a dash. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${Math.round(value * 100)} %`;
}

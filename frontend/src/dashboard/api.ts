/** The dashboard API: counts and rates over a period, the frames behind a point or row, and drift alerts. */
import { api, unwrap, type Paginated, type Schemas } from "../api/typed";

export type Dashboard = Schemas["Dashboard"];
export type QualityCounts = Schemas["QualityCounts"];
export type QualityBucket = Schemas["QualityBucket"];
export type MachineQuality = Schemas["MachineQuality"];
export type HospitalQuality = Schemas["HospitalQuality"];
export type GaLabelDiscrepancy = Schemas["GaLabelDiscrepancy"];
export type DashboardFrame = Schemas["DashboardFrame"];
export type DriftAlert = Schemas["DriftAlert"];
export type Bucket = Schemas["DashboardPeriod"]["bucket"];

export interface DashboardFilters {
  hospital?: string;
  machine?: string;
  from?: string;
  to?: string;
  bucket?: string;
}


export function getDashboard(filters: DashboardFilters, signal?: AbortSignal): Promise<Dashboard> {
  const query = {
    ...(filters.hospital ? { hospital: Number(filters.hospital) } : {}),
    ...(filters.machine ? { machine: Number(filters.machine) } : {}),
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
    ...(filters.bucket ? { bucket: filters.bucket as Bucket } : {}),
  };
  return unwrap(api.GET("/api/dashboard/", { params: { query }, signal }));
}

export const FRAMES_PAGE_SIZE = 24;

export interface FrameFilters {
  hospital?: string;
  machine?: string;
  unknownMachine?: boolean;
  from?: string;
  to?: string;
  verdict?: string;
  offset?: number;
}

export function listDashboardFrames(filters: FrameFilters, signal?: AbortSignal): Promise<Paginated<DashboardFrame>> {
  const query = {
    limit: FRAMES_PAGE_SIZE,
    offset: filters.offset ?? 0,
    ...(filters.hospital ? { hospital: Number(filters.hospital) } : {}),
    ...(filters.machine ? { machine: Number(filters.machine) } : {}),
    ...(filters.unknownMachine ? { unknown_machine: true } : {}),
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
    ...(filters.verdict ? { verdict: filters.verdict as DashboardFrame["verdict"] } : {}),
  };
  return unwrap(api.GET("/api/dashboard/frames/", { params: { query }, signal }));
}

export function listAlerts(
  { hospital, state, offset = 0, limit = 50 }: { hospital?: string; state?: "open" | "acknowledged"; offset?: number; limit?: number },
  signal?: AbortSignal,
): Promise<Paginated<DriftAlert>> {
  const query = { limit, offset, ...(hospital ? { hospital: Number(hospital) } : {}), ...(state ? { state } : {}) };
  return unwrap(api.GET("/api/alerts/", { params: { query }, signal }));
}

export function acknowledgeAlert(id: number): Promise<DriftAlert> {
  return unwrap(api.POST("/api/alerts/{alert_id}/acknowledge/", { params: { path: { alert_id: id } } }));
}

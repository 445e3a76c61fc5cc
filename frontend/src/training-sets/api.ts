/** Frozen training sets (admins only): list, freeze the next version, download (docs/training_sets.md). */
import { api, unwrap, type Paginated, type Schemas } from "../api/typed";

export type TrainingSet = Schemas["TrainingSet"];

export function listTrainingSets(signal?: AbortSignal): Promise<Paginated<TrainingSet>> {
  return unwrap(api.GET("/api/training-sets/", { params: { query: { limit: 100 } }, signal }));
}

export function freezeTrainingSet(): Promise<TrainingSet> {
  return unwrap(api.POST("/api/training-sets/"));
}

/** "good 12 · poor 3 · excluded 1": the server's counts, in a fixed order, as words. */
export function countsText(counts: Record<string, number>, order: string[] = []): string {
  const keys = [...order.filter((key) => key in counts), ...Object.keys(counts).filter((key) => !order.includes(key)).sort()];
  return keys.length ? keys.map((key) => `${key} ${counts[key]}`).join(" · ") : "—";
}

/** Answers of the documented shapes (docs/retraining.md, docs/training_sets.md) for the models pages' tests. */
import type { Evaluation, ModelVersion, Reassessment, TrainingRun, TrainingSet } from "./api";

export const page = <T>(results: T[]) => ({ count: results.length, next: null, previous: null, results });

export const versions: ModelVersion[] = [
  {
    id: 9, kind: "fusqa", version: "run12", status: "candidate", sha256: "ab", metrics: { auc: 0.95 },
    created_at: "2026-11-27T16:50:00Z", parent: 4, training_set: 3, has_evaluation: true,
  },
  {
    id: 4, kind: "fusqa", version: "2026.11", status: "active", sha256: "cd", metrics: { auc: 0.9123, accuracy: 0.85 },
    created_at: "2026-11-01T10:00:00Z", parent: null, training_set: null,
  },
  {
    id: 2, kind: "fusqa", version: "2026.10", status: "retired", sha256: "ef", metrics: {},
    created_at: "2026-10-01T10:00:00Z", parent: null, training_set: null,
  },
  {
    id: 3, kind: "segmentation", version: "seg-1", status: "active", sha256: "12", metrics: { val_dice: 0.93 },
    created_at: "2026-10-01T10:00:00Z", parent: null, training_set: null,
  },
];

export const trainingSets: TrainingSet[] = [
  { id: 3, version: 2, items: 340, created_at: "2026-11-27T16:00:00Z" },
  { id: 1, version: 1, items: 20, created_at: "2026-11-20T16:00:00Z" },
];

export function run(overrides: Partial<TrainingRun> = {}): TrainingRun {
  return {
    id: 12, kind: "fusqa", status: "running", progress: 0.42, epoch: 3, epochs: 5, loss: 0.31,
    validation_metric: 0.88, validation_metric_name: "auc", eta_seconds: 41.5,
    history: [
      { epoch: 1, loss: 0.52, validation_metric: 0.81, seconds: 12.3 },
      { epoch: 2, loss: 0.4, validation_metric: 0.845, seconds: 12.1 },
    ],
    log_tail: "16:40:01 epoch 2/5: loss 0.402, val auc 0.845",
    error: "", training_set: 3, parameters: { epochs: 5, lr: 0.0003 }, created_by: { id: 1, username: "admin" },
    created_at: "2026-11-27T16:39:00Z", started_at: "2026-11-27T16:39:05Z", finished_at: null, candidate: null,
    ...overrides,
  };
}

export const reassessment: Reassessment = {
  id: 5, model_version: 4, kind: "fusqa", version: "2026.11", status: "running", since: "2026-11-21",
  total: 200, done: 50, changed: 7, progress: 0.25, error: "", created_at: "2026-11-27T16:55:00Z",
  started_at: "2026-11-27T16:55:01Z", finished_at: null,
};

export function evaluation(overrides: Partial<Evaluation> = {}): Evaluation {
  return {
    candidate: { id: 9, kind: "fusqa", version: "run12" },
    baseline: { id: 4, kind: "fusqa", version: "2026.11" },
    baseline_is_active: true,
    evaluated_at: "2026-11-27T16:50:00Z",
    margin: { rate: 0.02, ga_days: 0.5 },
    metrics: ["accuracy", "auc", "sensitivity_poor", "ece", "ga_error_good_days"],
    hospitals: [
      {
        hospital: "southbank", count: 40,
        candidate: { accuracy: 0.9, auc: 0.95, sensitivity_poor: 0.88, ece: 0.04, ga_error_good_days: 1.1 },
        baseline: { accuracy: 0.7, auc: 0.8, sensitivity_poor: 0.5, ece: 0.1, ga_error_good_days: 2.3 },
        regressions: [],
      },
      {
        hospital: "northgate", count: 30,
        candidate: { accuracy: 0.8, auc: 0.81, sensitivity_poor: 0.7, ece: 0.05, ga_error_good_days: 1.0 },
        baseline: { accuracy: 0.82, auc: 0.9, sensitivity_poor: 0.72, ece: 0.05, ga_error_good_days: 1.0 },
        regressions: [{ hospital: "northgate", metric: "auc", candidate: 0.81, baseline: 0.9, by: 0.09 }],
      },
    ],
    regressions: [{ hospital: "northgate", metric: "auc", candidate: 0.81, baseline: 0.9, by: 0.09 }],
    allowed: false,
    ...overrides,
  };
}

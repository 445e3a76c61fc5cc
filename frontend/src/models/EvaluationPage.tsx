/**
 * The gate for one candidate: candidate and active version side by side per hospital on the same held-out data,
 * regressions beyond the margin marked; activate, or override a refusal with a written reason.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { ApiError, messageOf } from "../api/client";
import { Alert, Loading } from "../ui/Alert";
import { activateModelVersion, getEvaluation, type Evaluation, type HospitalEvaluation } from "./api";
import { formatMetric, formatWhen } from "./format";
import { MODELS_PATH } from "./ModelsPage";

const METRIC_LABELS: Record<string, string> = {
  accuracy: "Accuracy",
  auc: "AUC",
  sensitivity_poor: "Sensitivity (poor)",
  ece: "ECE",
  ga_error_good_days: "GA error of good masks (days)",
  dice: "Dice",
  ga_error_days: "GA error (days)",
};

export function EvaluationPage() {
  const { id = "" } = useParams();
  const client = useQueryClient();
  const [reason, setReason] = useState("");
  const evaluation = useQuery({ queryKey: ["evaluation", id], queryFn: ({ signal }) => getEvaluation(id, signal) });
  const activate = useMutation({
    mutationFn: (withReason: string | undefined) => activateModelVersion(Number(id), withReason),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["model-versions"] });
      void client.invalidateQueries({ queryKey: ["reassessments"] });
    },
  });
  if (evaluation.isPending) return <Loading>Loading the evaluation…</Loading>;
  if (evaluation.isError)
    return (
      <Alert kind="error" title="The evaluation could not be loaded">
        {messageOf(evaluation.error)}
      </Alert>
    );
  const data = evaluation.data;
  const refused = activate.error instanceof ApiError && activate.error.status === 409;
  const needsReason = !data.allowed || refused;
  return (
    <section className="stack" aria-labelledby="evaluation-title">
      <p>
        <Link to={MODELS_PATH}>All models and runs</Link>
      </p>
      <div className="page-header">
        <div>
          <h1 id="evaluation-title">{`Candidate ${data.candidate.version}`}</h1>
          <p className="muted">
            {data.evaluated_at
              ? `Against ${data.baseline?.version ?? "—"}${data.baseline_is_active ? " (active)" : " (no longer active)"}, ` +
                `on the same held-out data, evaluated ${formatWhen(data.evaluated_at)}.`
              : "Not evaluated: activating it needs a written reason."}
          </p>
        </div>
      </div>
      {data.evaluated_at ? (
        data.allowed ? (
          <Alert kind="success" title="The gate allows it">
            No hospital regresses beyond the margin.
          </Alert>
        ) : (
          <Alert kind="error" title="The gate refuses it">
            {`Regressions beyond the margin at ${regressedHospitals(data).join(", ") || "—"}.`}
          </Alert>
        )
      ) : null}
      {data.hospitals.length ? <EvaluationTable evaluation={data} /> : null}
      {activate.isSuccess ? (
        <Alert kind="success" title={`${data.candidate.version} is active`}>
          Workers use it from their next batch; the recent frames are being re-judged (see the models page).
        </Alert>
      ) : (
        <form
          className="card stack"
          aria-label="Activate"
          onSubmit={(event) => {
            event.preventDefault();
            activate.mutate(reason.trim() || undefined);
          }}
        >
          {activate.isError ? (
            <Alert kind="error" title={refused ? "Activation refused" : "The version could not be activated"}>
              {messageOf(activate.error)}
            </Alert>
          ) : null}
          {needsReason ? (
            <div className="field">
              <label htmlFor="override-reason">Reason to override the gate</label>
              <textarea
                id="override-reason"
                rows={3}
                value={reason}
                onChange={(event) => setReason(event.target.value)}
              />
              <span className="hint">Written to the audit log with the activation.</span>
            </div>
          ) : null}
          <div className="actions">
            <button
              type="submit"
              className="button button-primary"
              disabled={activate.isPending || (needsReason && !reason.trim())}
            >
              {needsReason ? "Override and activate" : "Activate"}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function regressedHospitals(evaluation: Evaluation): string[] {
  return [...new Set(evaluation.regressions.map((r) => r.hospital))];
}

function EvaluationTable({ evaluation }: { evaluation: Evaluation }) {
  return (
    <div className="table-scroll">
      <table className="table evaluation-table" aria-label="Candidate and active version per hospital">
        <thead>
          <tr>
            <th scope="col">Hospital</th>
            <th scope="col">Items</th>
            {evaluation.metrics.map((metric) => (
              <th key={metric} scope="col">
                {METRIC_LABELS[metric] ?? metric}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {evaluation.hospitals.map((row) => (
            <HospitalRow key={row.hospital} row={row} metrics={evaluation.metrics} />
          ))}
        </tbody>
      </table>
      <p className="hint">Each cell: candidate, then the active version in brackets. Marked cells regress beyond the margin.</p>
    </div>
  );
}

function HospitalRow({ row, metrics }: { row: HospitalEvaluation; metrics: string[] }) {
  const regressed = new Set(row.regressions.map((r) => r.metric));
  return (
    <tr data-hospital={row.hospital} className={regressed.size ? "regressed" : undefined}>
      <th scope="row">{row.hospital}</th>
      <td>{row.count}</td>
      {metrics.map((metric) => (
        <td key={metric} className={regressed.has(metric) ? "regression" : undefined} data-metric={metric}>
          {`${formatMetric(row.candidate[metric])} (${formatMetric(row.baseline[metric])})`}
          {regressed.has(metric) ? <strong className="regression-mark"> regression</strong> : null}
        </td>
      ))}
    </tr>
  );
}

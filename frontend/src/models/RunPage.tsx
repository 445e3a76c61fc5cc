/**
 * One training run, live (polled every 2 s while it goes): status, progress, epoch, loss and validation metric,
 * time left, the loss curve, the log's tail; cancel; the candidate it made, with a link to its evaluation.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link, useParams } from "react-router";
import { messageOf } from "../api/client";
import { Alert, Loading } from "../ui/Alert";
import { Chart, type ChartOption } from "../ui/Chart";
import { cancelTrainingRun, evaluationHref, getTrainingRun, KIND_LABELS, type TrainingRun } from "./api";
import { formatMetric, formatSeconds, formatWhen } from "./format";
import { MODELS_PATH } from "./ModelsPage";

export const RUN_POLL_MS = 2000;
const going = (run?: TrainingRun) => run?.status === "pending" || run?.status === "running";

export function RunPage() {
  const { id = "" } = useParams();
  const client = useQueryClient();
  const run = useQuery({
    queryKey: ["training-run", id],
    queryFn: ({ signal }) => getTrainingRun(id, signal),
    refetchInterval: (query) => (going(query.state.data) ? RUN_POLL_MS : false),
  });
  const cancel = useMutation({
    mutationFn: () => cancelTrainingRun(Number(id)),
    onSuccess: (cancelled) => {
      client.setQueryData(["training-run", id], cancelled);
      void client.invalidateQueries({ queryKey: ["training-runs"] });
    },
  });
  if (run.isPending) return <Loading>Loading the run…</Loading>;
  if (run.isError)
    return (
      <Alert kind="error" title="The run could not be loaded">
        {messageOf(run.error)}
      </Alert>
    );
  const data = run.data;
  const metricName = data.validation_metric_name || "validation";
  return (
    <section className="stack" aria-labelledby="run-title">
      <p>
        <Link to={MODELS_PATH}>All models and runs</Link>
      </p>
      <div className="page-header">
        <div>
          <h1 id="run-title">{`Training run ${data.id}`}</h1>
          <p className="muted">{`${KIND_LABELS[data.kind]}, training set #${data.training_set ?? "—"}, started ${formatWhen(data.started_at)}`}</p>
        </div>
        {going(data) ? (
          <button type="button" className="button button-quiet" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
            Cancel the run
          </button>
        ) : null}
      </div>
      {cancel.isError ? (
        <Alert kind="error" title="The run could not be cancelled">
          {messageOf(cancel.error)}
        </Alert>
      ) : null}
      {data.status === "failed" ? (
        <Alert kind="error" title="The run failed">
          {data.error || "No reason was recorded."}
        </Alert>
      ) : null}
      {data.status === "cancelled" ? <Alert kind="info">The run was cancelled: it made no candidate.</Alert> : null}
      {data.status === "done" && data.candidate ? (
        <Alert kind="success" title="The run made a candidate">
          <Link to={evaluationHref(data.candidate.id)}>{`Evaluate and activate ${data.candidate.version}`}</Link>
        </Alert>
      ) : null}
      <div className="card progress">
        <span>
          {`${data.status} — ${Math.floor((data.progress ?? 0) * 100)} %` +
            (data.epoch ? `, epoch ${data.epoch}${data.epochs ? ` of ${data.epochs}` : ""}` : "") +
            (going(data) && data.eta_seconds != null ? `, about ${formatSeconds(data.eta_seconds)} left` : "")}
        </span>
        <progress max={1} value={data.progress ?? 0} aria-label="Run progress" />
      </div>
      <dl className="facts">
        <dt>Loss</dt>
        <dd>{formatMetric(data.loss)}</dd>
        <dt>{`Validation ${metricName}`}</dt>
        <dd>{formatMetric(data.validation_metric)}</dd>
        <dt>Parameters</dt>
        <dd className="mono">{JSON.stringify(data.parameters ?? {})}</dd>
      </dl>
      <LossCurve run={data} metricName={metricName} />
      {data.log_tail ? (
        <div className="card">
          <h2 className="subheading">Log (last lines)</h2>
          <pre className="mono log-tail">{data.log_tail}</pre>
        </div>
      ) : null}
    </section>
  );
}

export function lossCurveOption(run: TrainingRun, metricName: string): ChartOption {
  const history = run.history ?? [];
  return {
    tooltip: { trigger: "axis" },
    legend: { data: ["Loss", `Validation ${metricName}`] },
    grid: { left: 48, right: 48, top: 36, bottom: 36 },
    xAxis: { type: "category", name: "epoch", data: history.map((h) => h.epoch) },
    yAxis: [
      { type: "value", name: "loss" },
      { type: "value", name: metricName, min: 0, max: 1 },
    ],
    series: [
      { name: "Loss", type: "line", data: history.map((h) => h.loss) },
      { name: `Validation ${metricName}`, type: "line", yAxisIndex: 1, data: history.map((h) => h.validation_metric) },
    ],
  };
}

function LossCurve({ run, metricName }: { run: TrainingRun; metricName: string }) {
  const option = useMemo(() => lossCurveOption(run, metricName), [run, metricName]);
  const history = run.history ?? [];
  if (!history.length) return <p className="empty">The loss curve appears after the first epoch.</p>;
  return (
    <div className="card stack">
      <h2 className="subheading">Loss curve</h2>
      <Chart option={option} label={`Loss and validation ${metricName} per epoch`} />
      <table className="table" aria-label="Loss per epoch">
        <thead>
          <tr>
            <th scope="col">Epoch</th>
            <th scope="col">Loss</th>
            <th scope="col">{`Validation ${metricName}`}</th>
          </tr>
        </thead>
        <tbody>
          {history.map((h) => (
            <tr key={h.epoch}>
              <th scope="row">{h.epoch}</th>
              <td>{formatMetric(h.loss)}</td>
              <td>{formatMetric(h.validation_metric)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

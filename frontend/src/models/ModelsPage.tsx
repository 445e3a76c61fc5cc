/**
 * Models and training runs (admins): the versions of each kind (the active one marked, metrics, parent, training
 * set; roll back to an earlier one), the re-assessment of recent frames after an activation, the training runs,
 * and the form that starts a run.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { messageOf } from "../api/client";
import { Alert, Loading } from "../ui/Alert";
import {
  activateModelVersion,
  defaultParameters,
  evaluationHref,
  KIND_LABELS,
  listModelVersions,
  listReassessments,
  listTrainingRuns,
  listTrainingSets,
  refLabel,
  runHref,
  startTrainingRun,
  type ModelKind,
  type ModelVersion,
  type Reassessment,
  type RunParameters,
} from "./api";
import { formatMetric, formatWhen } from "./format";

export const MODELS_PATH = "/models";
const KINDS: ModelKind[] = ["fusqa", "segmentation"];

export function ModelsPage() {
  return (
    <section className="stack" aria-labelledby="models-title">
      <div className="page-header">
        <div>
          <h1 id="models-title">Models</h1>
          <p className="muted">
            Versions of each model, the training runs that made them, and the re-judging of recent frames after an
            activation.
          </p>
        </div>
      </div>
      <ReassessmentProgress />
      <ModelVersions />
      <TrainingRuns />
      <StartRunForm />
    </section>
  );
}

function ModelVersions() {
  const client = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const versions = useQuery({ queryKey: ["model-versions"], queryFn: ({ signal }) => listModelVersions(signal) });
  const rollBack = useMutation({
    mutationFn: ({ version, reason }: { version: ModelVersion; reason: string }) =>
      activateModelVersion(version.id, reason || undefined),
    onSuccess: (version) => {
      setDone(`${KIND_LABELS[version.kind]} ${version.version} is active again; recent frames are being re-judged.`);
      void client.invalidateQueries({ queryKey: ["model-versions"] });
      void client.invalidateQueries({ queryKey: ["reassessments"] });
    },
  });
  if (versions.isPending) return <Loading>Loading model versions…</Loading>;
  if (versions.isError)
    return (
      <Alert kind="error" title="The model versions could not be loaded">
        {messageOf(versions.error)}
      </Alert>
    );
  return (
    <>
      {done ? <Alert kind="success">{done}</Alert> : null}
      {rollBack.isError ? (
        <Alert kind="error" title="The version could not be activated">
          {messageOf(rollBack.error)}
        </Alert>
      ) : null}
      {KINDS.map((kind) => {
        const rows = versions.data.results.filter((version) => version.kind === kind);
        return (
          <div key={kind} className="card stack">
            <h2 className="subheading">{KIND_LABELS[kind]}</h2>
            {rows.length === 0 ? (
              <p className="empty">No versions.</p>
            ) : (
              <div className="table-scroll">
                <table className="table" aria-label={`${KIND_LABELS[kind]} versions`}>
                  <thead>
                    <tr>
                      <th scope="col">Version</th>
                      <th scope="col">Status</th>
                      <th scope="col">Metrics</th>
                      <th scope="col">Parent</th>
                      <th scope="col">Training set</th>
                      <th scope="col">Created</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((version) => (
                      <VersionRow
                        key={version.id}
                        version={version}
                        parent={parentName(version, versions.data.results)}
                        busy={rollBack.isPending}
                        onRollBack={(reason) => rollBack.mutate({ version, reason })}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        );
      })}
    </>
  );
}

/** The parent's version name where the list has it (the API may give an id or a reference). */
function parentName(version: ModelVersion, all: ModelVersion[]): string {
  const parent = version.parent;
  if (typeof parent === "number") return all.find((other) => other.id === parent)?.version ?? `#${parent}`;
  return parent ? parent.version : "—";
}

function VersionRow({
  version,
  parent,
  busy,
  onRollBack,
}: {
  version: ModelVersion;
  parent: string;
  busy: boolean;
  onRollBack: (reason: string) => void;
}) {
  const [reason, setReason] = useState("");
  const metrics = Object.entries(version.metrics ?? {})
    .filter(([, value]) => typeof value === "number")
    .slice(0, 4);
  return (
    <tr data-version-id={version.id}>
      <th scope="row" className="mono">
        {version.version}
      </th>
      <td>
        <span className={`status status-${version.status === "active" ? "done" : version.status === "candidate" ? "running" : "none"}`}>
          {version.status === "active" ? "Active" : version.status === "candidate" ? "Candidate" : "Retired"}
        </span>
      </td>
      <td className="nowrap">
        {metrics.length ? metrics.map(([name, value]) => `${name} ${formatMetric(value as number)}`).join(", ") : "—"}
      </td>
      <td className="mono">{parent}</td>
      <td>{refLabel(version.training_set as never, "v")}</td>
      <td className="nowrap">{formatWhen(version.created_at)}</td>
      <td>
        {version.status === "candidate" ? (
          <Link to={evaluationHref(version.id)}>Evaluation and activation</Link>
        ) : version.status === "retired" ? (
          <form
            className="actions"
            onSubmit={(event) => {
              event.preventDefault();
              onRollBack(reason.trim());
            }}
          >
            <label className="visually-hidden" htmlFor={`reason-${version.id}`}>
              {`Reason for rolling back to ${version.version}`}
            </label>
            <input
              id={`reason-${version.id}`}
              placeholder="Reason (optional)"
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
            <button type="submit" className="button button-quiet" disabled={busy}>
              {`Roll back to ${version.version}`}
            </button>
          </form>
        ) : version.has_evaluation ? (
          <Link to={evaluationHref(version.id)}>Evaluation</Link>
        ) : null}
      </td>
    </tr>
  );
}

function ReassessmentProgress() {
  const reassessments = useQuery({
    queryKey: ["reassessments"],
    queryFn: ({ signal }) => listReassessments(signal),
    refetchInterval: (query) => (query.state.data?.results.some(isOpen) ? 2000 : false),
  });
  const open = reassessments.data?.results.filter(isOpen) ?? [];
  const last = reassessments.data?.results[0];
  if (!last) return null;
  const shown = open.length ? open : [last];
  return (
    <div className="card stack" aria-labelledby="reassessment-title">
      <h2 className="subheading" id="reassessment-title">
        Re-assessment of recent frames
      </h2>
      {shown.map((row) => (
        <div key={row.id} className="progress" data-reassessment-id={row.id}>
          <span>
            {`${KIND_LABELS[row.kind]} ${row.version}: ${row.done} of ${row.total} frames since ${row.since} ` +
              `re-judged (${Math.floor(row.progress * 100)} %), ${row.changed} changed verdict — ${STATUS[row.status]}`}
          </span>
          <progress max={1} value={row.progress} aria-label={`Re-assessment by ${row.version}`} />
          {row.error ? <span className="field-error">{row.error}</span> : null}
        </div>
      ))}
    </div>
  );
}

const STATUS: Record<Reassessment["status"], string> = {
  pending: "waiting for a worker",
  running: "running",
  done: "done",
  failed: "failed",
  superseded: "superseded by a later activation",
};

const isOpen = (row: Reassessment) => row.status === "pending" || row.status === "running";

function TrainingRuns() {
  const runs = useQuery({
    queryKey: ["training-runs"],
    queryFn: ({ signal }) => listTrainingRuns(signal),
    refetchInterval: (query) =>
      query.state.data?.results.some((run) => run.status === "pending" || run.status === "running") ? 2000 : false,
  });
  return (
    <div className="card stack">
      <h2 className="subheading">Training runs</h2>
      {runs.isPending ? (
        <Loading>Loading training runs…</Loading>
      ) : runs.isError ? (
        <Alert kind="error" title="The training runs could not be loaded">
          {messageOf(runs.error)}
        </Alert>
      ) : runs.data.results.length === 0 ? (
        <p className="empty">No training runs yet.</p>
      ) : (
        <table className="table" aria-label="Training runs">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Training set</th>
              <th scope="col">Candidate</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.results.map((run) => (
              <tr key={run.id} data-run-id={run.id}>
                <th scope="row">
                  <Link to={runHref(run.id)}>{`Run ${run.id}`}</Link>
                </th>
                <td>{KIND_LABELS[run.kind]}</td>
                <td>
                  <span className={`status status-${run.status === "cancelled" ? "none" : run.status}`}>{run.status}</span>
                </td>
                <td>{`${Math.round((run.progress ?? 0) * 100)} %`}</td>
                <td>{refLabel(run.training_set ?? null, "#")}</td>
                <td>{run.candidate ? <Link to={evaluationHref(run.candidate.id)}>{run.candidate.version}</Link> : "—"}</td>
                <td className="nowrap">{formatWhen(run.started_at ?? run.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function StartRunForm() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const sets = useQuery({ queryKey: ["training-sets"], queryFn: ({ signal }) => listTrainingSets(signal) });
  const [kind, setKind] = useState<ModelKind>("fusqa");
  const [trainingSet, setTrainingSet] = useState("");
  const [parameters, setParameters] = useState<RunParameters>(defaultParameters("fusqa"));
  const start = useMutation({
    mutationFn: () => startTrainingRun(kind, Number(trainingSet || sets.data?.results[0]?.id), parameters),
    onSuccess: (run) => {
      void client.invalidateQueries({ queryKey: ["training-runs"] });
      navigate(runHref(run.id));
    },
  });
  const chosenSet = trainingSet || String(sets.data?.results[0]?.id ?? "");
  const number = (name: keyof RunParameters) => (event: { target: { value: string } }) =>
    setParameters({ ...parameters, [name]: Number(event.target.value) });
  function submit(event: FormEvent) {
    event.preventDefault();
    start.mutate();
  }
  return (
    <form className="card stack" aria-labelledby="start-title" onSubmit={submit}>
      <h2 className="subheading" id="start-title">
        Start a training run
      </h2>
      {start.isError ? (
        <Alert kind="error" title="The run could not be started">
          {messageOf(start.error)}
        </Alert>
      ) : null}
      {sets.isError ? <Alert kind="error">{messageOf(sets.error)}</Alert> : null}
      {sets.data && sets.data.results.length === 0 ? (
        <Alert kind="info">No training set is frozen yet: freeze one from the experts' reviews first.</Alert>
      ) : null}
      <div className="field-row">
        <div className="field">
          <label htmlFor="run-kind">Model</label>
          <select
            id="run-kind"
            value={kind}
            onChange={(event) => {
              const next = event.target.value as ModelKind;
              setKind(next);
              setParameters({ ...parameters, lr: defaultParameters(next).lr });
            }}
          >
            {KINDS.map((value) => (
              <option key={value} value={value}>
                {KIND_LABELS[value]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="run-set">Training set</label>
          <select id="run-set" value={chosenSet} onChange={(event) => setTrainingSet(event.target.value)}>
            {(sets.data?.results ?? []).map((set) => (
              <option key={set.id} value={set.id}>
                {`v${set.version} (${set.items} items)`}
              </option>
            ))}
          </select>
        </div>
      </div>
      <fieldset className="fieldset">
        <legend>Parameters</legend>
        <div className="field-row">
          <div className="field">
            <label htmlFor="run-epochs">Epochs</label>
            <input id="run-epochs" type="number" min={1} max={200} value={parameters.epochs} onChange={number("epochs")} />
          </div>
          <div className="field">
            <label htmlFor="run-lr">Learning rate</label>
            <input id="run-lr" type="number" min={1e-6} max={1} step="any" value={parameters.lr} onChange={number("lr")} />
          </div>
          <div className="field">
            <label htmlFor="run-batch">Batch size</label>
            <input
              id="run-batch"
              type="number"
              min={2}
              max={256}
              value={parameters.batch_size}
              onChange={number("batch_size")}
            />
          </div>
          <div className="field">
            <label htmlFor="run-seed">Seed</label>
            <input id="run-seed" type="number" min={0} value={parameters.seed} onChange={number("seed")} />
          </div>
        </div>
      </fieldset>
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={start.isPending || !chosenSet}>
          Start the run
        </button>
      </div>
    </form>
  );
}

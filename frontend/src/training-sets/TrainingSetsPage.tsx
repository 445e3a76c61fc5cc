/**
 * Training sets (admins only): every reviewed item frozen into a numbered zip that retraining reads
 * (docs/training_sets.md). "Freeze a new version" asks the server to freeze; each version downloads as a zip.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { messageOf } from "../api/client";
import { formatMoment } from "../audit/format";
import { Alert, Loading } from "../ui/Alert";
import { countsText, freezeTrainingSet, listTrainingSets, type TrainingSet } from "./api";

export const TRAINING_SETS_PATH = "/training-sets";

export function TrainingSetsPage() {
  const client = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const sets = useQuery({ queryKey: ["training-sets"], queryFn: ({ signal }) => listTrainingSets(signal) });
  const freeze = useMutation({
    mutationFn: freezeTrainingSet,
    onMutate: () => setDone(null),
    onSuccess: (frozen) => {
      setDone(`Training set v${frozen.version} frozen: ${frozen.items} items.`);
      void client.invalidateQueries({ queryKey: ["training-sets"] });
    },
  });
  return (
    <section className="stack" aria-labelledby="training-sets-title">
      <div className="page-header">
        <div>
          <h1 id="training-sets-title">Training sets</h1>
          <p className="muted">
            Each version freezes every reviewed item: de-identified frames, the reviewed and corrected masks, and a
            manifest with each file&apos;s sha256. Known-answer phantom items are left out.
          </p>
        </div>
        <button type="button" className="button button-primary" disabled={freeze.isPending} onClick={() => freeze.mutate()}>
          {freeze.isPending ? "Freezing…" : "Freeze a new version"}
        </button>
      </div>
      {done ? <Alert kind="success">{done}</Alert> : null}
      {freeze.isError ? (
        <Alert kind="error" title="No training set was frozen">
          {messageOf(freeze.error)}
        </Alert>
      ) : null}
      {sets.isPending ? (
        <Loading>Loading the training sets…</Loading>
      ) : sets.isError ? (
        <Alert kind="error" title="The training sets could not be loaded">
          {messageOf(sets.error)}
        </Alert>
      ) : !sets.data.results.length ? (
        <Alert kind="info" title="No training sets yet">
          Freeze the first version once experts have reviewed some items.
        </Alert>
      ) : (
        <SetsTable sets={sets.data.results} />
      )}
    </section>
  );
}

function SetsTable({ sets }: { sets: TrainingSet[] }) {
  return (
    <div className="table-scroll">
      <table className="table training-sets-table">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Items</th>
            <th scope="col">Labels</th>
            <th scope="col">Split</th>
            <th scope="col">Frozen</th>
            <th scope="col">By</th>
            <th scope="col">Archive</th>
          </tr>
        </thead>
        <tbody>
          {sets.map((set) => (
            <tr key={set.id}>
              <th scope="row">v{set.version}</th>
              <td>{set.items}</td>
              <td>{countsText(set.summary.labels, ["good", "poor", "excluded"])}</td>
              <td>{countsText(set.summary.splits, ["train", "test"])}</td>
              <td>{formatMoment(set.created_at)}</td>
              <td>{set.created_by?.username ?? "—"}</td>
              <td>
                <a href={set.download_url} download title={`sha256 ${set.sha256}`}>
                  Download zip
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

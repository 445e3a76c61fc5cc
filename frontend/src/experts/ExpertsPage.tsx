/**
 * Expert statistics (admins only): how fast each expert reviews, how far they agree with the others on
 * double-read items, and how often they get known-answer items right. Every number comes from the server
 * (GET /api/experts/stats/, qa/expert_selectors.py); this page only formats them.
 */
import { useQuery } from "@tanstack/react-query";
import { messageOf } from "../api/client";
import { Alert, Loading } from "../ui/Alert";
import { counted, type ExpertPair, type ExpertRow, type ExpertStats, fetchExpertStats, percent, shown } from "./api";

export const EXPERTS_PATH = "/experts";

export function ExpertsPage() {
  const stats = useQuery({ queryKey: ["expert-stats"], queryFn: ({ signal }) => fetchExpertStats(signal) });
  return (
    <section className="stack" aria-labelledby="experts-title">
      <div className="page-header">
        <div>
          <h1 id="experts-title">Experts</h1>
          <p className="muted">
            Throughput over active time (gaps of up to 5 minutes between reviews), agreement on double-read items
            (Cohen&apos;s kappa on verdicts, Dice and CRL difference of corrections), and accuracy on known-answer
            items mixed into the queue.
          </p>
        </div>
      </div>
      {stats.isPending ? (
        <Loading>Loading the expert statistics…</Loading>
      ) : stats.isError ? (
        <Alert kind="error" title="The expert statistics could not be loaded">
          {messageOf(stats.error)}
        </Alert>
      ) : (
        <StatsView stats={stats.data} />
      )}
    </section>
  );
}

function StatsView({ stats }: { stats: ExpertStats }) {
  const { overall } = stats;
  return (
    <>
      <dl className="study-summary" aria-label="All experts">
        <div>
          <dt>Reviews</dt>
          <dd>{overall.reviews}</dd>
        </div>
        <div>
          <dt>Double-read items</dt>
          <dd>{overall.double_read_items}</dd>
        </div>
        <div>
          <dt>Kappa (all pairs)</dt>
          <dd>{shown(overall.kappa, 2)}</dd>
        </div>
        <div>
          <dt>Correction Dice</dt>
          <dd>{shown(overall.correction_dice, 3)}</dd>
        </div>
        <div>
          <dt>Known-answer accuracy</dt>
          <dd>
            {percent(overall.known_answer_accuracy)} ({counted(overall.known_answer_reads, "read")})
          </dd>
        </div>
      </dl>
      {stats.experts.length ? (
        <ExpertsTable rows={stats.experts} />
      ) : (
        <Alert kind="info" title="No experts yet">
          No expert accounts and no reviews yet.
        </Alert>
      )}
      {stats.pairs.length ? <PairsTable pairs={stats.pairs} /> : null}
    </>
  );
}

function ExpertsTable({ rows }: { rows: ExpertRow[] }) {
  return (
    <div className="table-scroll">
      <table className="table experts-table">
        <caption>Per expert</caption>
        <thead>
          <tr>
            <th scope="col">Expert</th>
            <th scope="col">Reviews</th>
            <th scope="col">Items per hour</th>
            <th scope="col">Median s per item</th>
            <th scope="col">Kappa with others</th>
            <th scope="col">Correction Dice</th>
            <th scope="col">CRL difference (mm)</th>
            <th scope="col">Known-answer accuracy</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.expert.id}>
              <th scope="row">{row.expert.username}</th>
              <td>{row.reviews}</td>
              <td>{shown(row.items_per_hour, 1)}</td>
              <td>{shown(row.median_seconds_per_item, 1)}</td>
              <td>
                {shown(row.kappa_with_others, 2)}
                {row.double_reads ? <span className="muted"> ({counted(row.double_reads, "item")})</span> : null}
              </td>
              <td>{shown(row.correction_dice, 3)}</td>
              <td>{shown(row.crl_difference_mm, 1)}</td>
              <td>
                {percent(row.known_answer_accuracy)}
                {row.known_answer_reads ? <span className="muted"> ({counted(row.known_answer_reads, "read")})</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PairsTable({ pairs }: { pairs: ExpertPair[] }) {
  return (
    <div className="table-scroll">
      <table className="table expert-pairs-table">
        <caption>Per pair of experts (double reads)</caption>
        <thead>
          <tr>
            <th scope="col">Experts</th>
            <th scope="col">Items</th>
            <th scope="col">Kappa</th>
            <th scope="col">Correction Dice</th>
            <th scope="col">CRL difference (mm)</th>
          </tr>
        </thead>
        <tbody>
          {pairs.map((pair) => (
            <tr key={pair.experts.map((e) => e.id).join("-")}>
              <th scope="row">{pair.experts.map((e) => e.username).join(" & ")}</th>
              <td>{pair.items}</td>
              <td>{shown(pair.kappa, 2)}</td>
              <td>{shown(pair.correction_dice, 3)}</td>
              <td>{shown(pair.crl_difference_mm, 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

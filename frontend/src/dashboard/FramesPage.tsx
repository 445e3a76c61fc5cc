/**
 * The frames behind a dashboard point or row (?hospital=&machine=ID|none&from=&to=&verdict=), worst first
 * (lowest p(good) first), as thumbnails with their mask's outline; each opens its study.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { messageOf } from "../api/client";
import { machineLabel } from "../hospitals/api";
import { Alert, Loading } from "../ui/Alert";
import { CsvButton } from "../ui/csv";
import { Pager } from "../ui/Pager";
import { loadImage } from "../studies/overlay";
import { formatPGood } from "../studies/format";
import { FRAMES_PAGE_SIZE, listDashboardFrames, type DashboardFrame } from "./api";
import { VERDICT_LABELS } from "./format";
import { drawThumbnail } from "./thumbnail";
import { DASHBOARD_PATH } from "./DashboardPage";

const THUMB_WIDTH = 240;

export function FramesPage() {
  const [query] = useSearchParams();
  const machine = query.get("machine") ?? "";
  const filters = {
    hospital: query.get("hospital") ?? "",
    machine: machine === "none" ? "" : machine,
    unknownMachine: machine === "none",
    from: query.get("from") ?? "",
    to: query.get("to") ?? "",
    verdict: query.get("verdict") ?? "",
  };
  const offset = Math.max(0, Number.parseInt(query.get("offset") ?? "0", 10) || 0);
  const frames = useQuery({
    queryKey: ["dashboard-frames", filters, offset],
    queryFn: ({ signal }) => listDashboardFrames({ ...filters, offset }, signal),
    placeholderData: keepPreviousData,
  });
  const what = [
    filters.verdict ? `${VERDICT_LABELS[filters.verdict] ?? filters.verdict} frames` : "Frames",
    filters.from && filters.to ? `from ${filters.from} to ${filters.to}` : "",
  ]
    .filter(Boolean)
    .join(" ");
  const first = frames.data?.results[0];
  const where = first ? [first.hospital.name, filters.unknownMachine ? "unknown machine" : filters.machine && first.machine ? machineLabel(first.machine) : ""].filter(Boolean).join(", ") : "";
  const href = (to: number) => {
    const next = new URLSearchParams(query);
    if (to) next.set("offset", String(to));
    else next.delete("offset");
    return `${DASHBOARD_PATH}/frames?${next.toString()}`;
  };

  return (
    <section className="stack" aria-labelledby="frames-title">
      <p>
        <Link to={`${DASHBOARD_PATH}${filters.hospital ? `?hospital=${filters.hospital}` : ""}`}>← Dashboard</Link>
      </p>
      <div className="page-header">
        <div>
          <h1 id="frames-title">{what}</h1>
          <p className="muted">{`${where ? `${where}. ` : ""}Worst first: lowest p(good) first. The yellow line is the model mask's outline.`}</p>
        </div>
        {frames.data?.results.length ? (
          <CsvButton
            filename={`frames-${filters.from || "all"}-${filters.to || "all"}.csv`}
            header={["Frame", "Study", "Hospital", "Machine", "Exam date", "Counted on", "Verdict", "p(good)", "Judged by", "Why unknown"]}
            rows={() =>
              frames.data!.results.map((f) => [
                f.id,
                f.study,
                f.hospital.name,
                f.machine ? machineLabel(f.machine) : "",
                f.exam_date ?? "",
                f.counted_on,
                f.verdict,
                f.p_good,
                f.judged_by_version ?? "",
                f.reasons.join("; "),
              ])
            }
          />
        ) : null}
      </div>
      {frames.isPending ? (
        <Loading>Loading the frames…</Loading>
      ) : frames.isError ? (
        <Alert kind="error" title="The frames could not be loaded">
          {messageOf(frames.error)}
        </Alert>
      ) : !frames.data.results.length ? (
        <Alert kind="info" title="No frames">
          No assessed frames match.
        </Alert>
      ) : (
        <>
          <p className="muted" role="status">{`${frames.data.count} frames`}</p>
          <ul className="thumb-grid" aria-label="Frames, worst first">
            {frames.data.results.map((frame) => (
              <Thumbnail key={frame.id} frame={frame} />
            ))}
          </ul>
          <Pager page={frames.data} offset={offset} size={FRAMES_PAGE_SIZE} href={href} label="Pages of frames" />
        </>
      )}
    </section>
  );
}

function Thumbnail({ frame }: { frame: DashboardFrame }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [drawn, setDrawn] = useState<"" | "image" | "image mask" | "failed">("");
  useEffect(() => {
    const controller = new AbortController();
    Promise.all([
      loadImage(frame.image_url, controller.signal),
      frame.mask_image_url ? loadImage(frame.mask_image_url, controller.signal) : Promise.resolve(null),
    ]).then(
      ([image, mask]) => {
        if (canvas.current && drawThumbnail(canvas.current, image, mask)) setDrawn(mask ? "image mask" : "image");
      },
      () => {
        if (!controller.signal.aborted) setDrawn("failed");
      },
    );
    return () => controller.abort();
  }, [frame.image_url, frame.mask_image_url]);
  const height = Math.max(1, Math.round((THUMB_WIDTH * frame.height) / Math.max(1, frame.width)));
  const label = `Frame ${frame.frame_number} of study ${frame.study}${frame.mask ? " with the model mask's outline" : ""}`;
  return (
    <li className="card thumb" data-frame-id={frame.id}>
      <figure>
        {drawn === "failed" ? (
          <p className="frame-missing">The image could not be loaded.</p>
        ) : (
          <canvas ref={canvas} className="thumb-canvas" width={THUMB_WIDTH} height={height} role="img" aria-label={label} data-drawn={drawn} />
        )}
        <figcaption>
          <span className={`quality quality-${frame.verdict}`}>{VERDICT_LABELS[frame.verdict] ?? frame.verdict}</span>{" "}
          <span className="p-good">{frame.p_good === null ? "processing failed" : `p(good) ${formatPGood(frame.p_good)}`}</span>
          {frame.verdict === "unknown" && frame.reasons.length ? (
            <span className="unknown-reasons" role="note">
              {` Why unknown: ${frame.reasons.join("; ")}`}
            </span>
          ) : null}
          <br />
          <span className="muted">{`${frame.counted_on} · ${frame.machine ? machineLabel(frame.machine) : "Unknown machine"}`}</span>
          <br />
          {frame.judged_by_version ? (
            <>
              <span className="muted">{`Judged by FUSQA ${frame.judged_by_version}`}</span>
              <br />
            </>
          ) : null}
          <Link to={`/studies/${frame.study}`}>{`Study #${frame.study}, frame ${frame.frame_number}`}</Link>
        </figcaption>
      </figure>
    </li>
  );
}

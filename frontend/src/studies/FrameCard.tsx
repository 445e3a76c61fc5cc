/** One frame of a study: the canvas (image, mask, callipers) and the facts beside it. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { messageOf } from "../api/client";
import { Alert } from "../ui/Alert";
import { getFrame, type FrameDetail, type FrameSummary } from "./api";
import { DicomDownloads } from "./DicomDownloads";
import {
  formatGa,
  formatGaDifference,
  formatMm,
  formatPGood,
  formatReliability,
  formulaLabel,
  isTerminal,
  latestModelMask,
  statusLabel,
} from "./format";
import { colouriseMask, drawFrame, loadImage } from "./overlay";

const QUALITY_LABELS: Record<string, string> = { good: "Good", poor: "Poor", unknown: "Unknown" };

/** Canvas width in device pixels; shown at up to half of it, so lines stay crisp on HiDPI screens. */
const CANVAS_WIDTH = 960;

export function FrameCard({ frame, reportedGa }: { frame: FrameSummary; reportedGa: number | null }) {
  // The detail (masks, measurement) is asked for once the frame is final, and again when its result changes.
  const detail = useQuery({
    queryKey: ["frame", frame.id, frame.status, frame.p_good, frame.reason],
    queryFn: ({ signal }) => getFrame(frame.id, signal),
    enabled: isTerminal(frame.status),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });
  return (
    <li className="card frame-card" data-frame-id={frame.id} data-status={frame.status ?? "none"}>
      <FrameCanvas frame={frame} detail={detail.data ?? null} />
      <div className="frame-facts">
        <FrameFacts
          frame={frame}
          detail={detail.data ?? null}
          detailError={detail.error ? messageOf(detail.error) : null}
          reportedGa={reportedGa}
        />
      </div>
    </li>
  );
}

function useImage(url: string | null): { image: HTMLImageElement | null; failed: boolean } {
  const [state, setState] = useState<{ url: string | null; image: HTMLImageElement | null; failed: boolean }>({
    url: null,
    image: null,
    failed: false,
  });
  useEffect(() => {
    if (!url) return;
    const controller = new AbortController();
    loadImage(url, controller.signal).then(
      (image) => setState({ url, image, failed: false }),
      () => {
        if (!controller.signal.aborted) setState({ url, image: null, failed: true });
      },
    );
    return () => controller.abort();
  }, [url]);
  return state.url === url ? state : { image: null, failed: false };
}

function FrameCanvas({ frame, detail }: { frame: FrameSummary; detail: FrameDetail | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { image, failed } = useImage(frame.image_url);
  const maskSummary = detail ? latestModelMask(detail.masks) : null;
  const maskImage = useImage(maskSummary?.image_url ?? null).image;
  const [mask, setMask] = useState<HTMLCanvasElement | null>(null);
  const [drawn, setDrawn] = useState({ what: "", label: `Frame ${frame.frame_number}` });
  const measurement = detail?.latest_measurement ?? null;

  useEffect(() => {
    setMask(maskImage ? colouriseMask(maskImage) : null);
  }, [maskImage]);

  useEffect(() => {
    if (!image || !canvas.current) return;
    if (!drawFrame(canvas.current, { image, mask, measurement })) return;
    const parts = [mask ? "with the model mask" : "", measurement ? `CRL callipers of ${formatMm(measurement.crl_mm)}` : ""];
    setDrawn({
      what: ["image", mask ? "mask" : "", measurement ? "callipers" : ""].filter(Boolean).join(" "),
      label: [`Frame ${frame.frame_number}`, parts.filter(Boolean).join(" and ")].filter(Boolean).join(", "),
    });
  }, [image, mask, measurement, frame.frame_number]);

  const height = Math.max(1, Math.round((CANVAS_WIDTH * frame.height) / Math.max(1, frame.width)));
  return (
    <figure className="frame-figure">
      {failed ? (
        <p className="frame-missing">The frame's image could not be loaded.</p>
      ) : (
        <canvas
          ref={canvas}
          className="frame-canvas"
          width={CANVAS_WIDTH}
          height={height}
          role="img"
          aria-label={drawn.label}
          data-drawn={drawn.what}
        />
      )}
      <figcaption className="legend" hidden={!mask && !measurement}>
        <span className="swatch swatch-mask" aria-hidden="true" />
        Model mask
        <span className="swatch swatch-calliper" aria-hidden="true" />
        CRL callipers
      </figcaption>
    </figure>
  );
}

function FrameFacts({
  frame,
  detail,
  detailError,
  reportedGa,
}: {
  frame: FrameSummary;
  detail: FrameDetail | null;
  detailError: string | null;
  reportedGa: number | null;
}) {
  const status = frame.status;
  const measurement = detail?.latest_measurement ?? null;
  const difference = measurement ? formatGaDifference(measurement.ga_days, reportedGa) : null;
  const hasFacts = frame.p_good !== null || measurement !== null;
  const mask = detail ? latestModelMask(detail.masks) : null;
  const dating = detail?.dating ?? null;
  const reliability = detail?.latest_assessment?.reliability ?? null;
  return (
    <>
      <div className="frame-heading">
        <h2>{`Frame ${frame.frame_number}`}</h2>
        <span className={`status status-${status ?? "none"}`}>{statusLabel(status)}</span>
      </div>
      {status === "failed" ? (
        <Alert kind="error" title="Processing failed">
          {frame.reason || "No reason was recorded."}
        </Alert>
      ) : status === "pending" || status === "running" ? (
        <p className="muted">{status === "pending" ? "Waiting for a worker…" : "Segmenting, assessing and measuring…"}</p>
      ) : null}
      {hasFacts ? (
        <dl className="facts">
          {frame.p_good !== null ? (
            <>
              <dt>p(good)</dt>
              <dd>
                <span className="p-good">{formatPGood(frame.p_good)}</span>{" "}
                {frame.label ? (
                  <span className={`quality quality-${frame.label}`}>{QUALITY_LABELS[frame.label] ?? frame.label}</span>
                ) : null}
                <span className="p-good-note hint">
                  {frame.label === "unknown"
                    ? " Not judged: this p(good) does not apply to the frame (see why below)."
                    : reliability
                    ? ` Calibrated. On the model's test at an unseen hospital, masks scored ${reliability.p_low.toFixed(1)}–${reliability.p_high.toFixed(1)} were good in ${formatReliability(reliability)}.`
                    : " Calibrated probability (Platt scaling), not a certainty."}
                </span>
              </dd>
            </>
          ) : null}
          {frame.label === "unknown" ? (
            <>
              <dt>Why unknown</dt>
              <dd>
                {frame.reasons?.length ? (
                  <ul className="unknown-reasons">
                    {frame.reasons.map((reason) => (
                      <li key={reason}>{reason}</li>
                    ))}
                  </ul>
                ) : (
                  <span className="muted">No reason was recorded.</span>
                )}
                <span className="hint"> Sent to the expert review queue.</span>
              </dd>
            </>
          ) : null}
          {measurement ? (
            <>
              <dt>CRL</dt>
              <dd>
                <span className="crl">{formatMm(measurement.crl_mm)}</span>
              </dd>
              <dt>GA</dt>
              <dd className={dating && !dating.fit ? "ga-unfit" : undefined}>
                <span className="ga">{formatGa(measurement.ga_days)}</span>{" "}
                <span className="formula muted">{`(${formulaLabel(measurement.formula)})`}</span>
                {!measurement.in_formula_range ? (
                  <span className="range-warning" role="note">
                    ⚠ CRL outside the formula's CRL range
                  </span>
                ) : null}
                {dating && !dating.fit ? (
                  <span className="dating-unfit" role="note">
                    <strong>Not fit for dating.</strong> {dating.reason}
                  </span>
                ) : null}
              </dd>
              {difference ? (
                <>
                  <dt>vs reported</dt>
                  <dd>
                    <span className="ga-difference">{difference}</span>
                    <span className="muted">{` (reported ${formatGa(reportedGa)})`}</span>
                  </dd>
                </>
              ) : null}
            </>
          ) : null}
        </dl>
      ) : status === "done" && detail ? (
        <p className="muted">No assessment or measurement recorded.</p>
      ) : null}
      {detailError ? (
        <Alert kind="error" title="The frame's details could not be loaded">
          {detailError}
        </Alert>
      ) : null}
      {detail ? (
        <p className="hint">
          {`${frame.width} × ${frame.height} px · ${frame.spacing_row_mm.toPrecision(3)} × ${frame.spacing_col_mm.toPrecision(3)} mm/px`}
          {mask ? ` · mask v${mask.version}${mask.model_version ? ` (model ${mask.model_version.version})` : ""}` : ""}
        </p>
      ) : null}
      {detail ? <DicomDownloads frame={frame} detail={detail} /> : null}
    </>
  );
}

/**
 * One study: a frame drawn with its mask and CRL callipers, its quality and GA beside it, and the
 * processing state kept live by polling the study while any frame is pending or running. A study of
 * several frames shows them as a filmstrip of thumbnails, worst first, and only the chosen frame in full.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { ApiError, messageOf } from "../api/client";
import { machineLabel } from "../hospitals/api";
import { Alert, Loading } from "../ui/Alert";
import { getStudy, type FrameSummary, type StudyDetail } from "./api";
import { FrameCard } from "./FrameCard";
import { Filmstrip } from "./Filmstrip";
import { worstFirst } from "./filmstrip";
import { formatDate, formatGa, isTerminal } from "./format";

export const POLL_INTERVAL_MS = 1000;
export const RETRY_INTERVAL_MS = 3000;

/** A refused or missing study will not come back by asking again; a network or server error may. */
function isFatal(error: unknown): boolean {
  return !(error instanceof ApiError) || (error.status !== 0 && error.status < 500);
}

export function StudyPage() {
  const studyId = useParams().id ?? "";
  const valid = /^\d+$/.test(studyId);
  const study = useQuery({
    queryKey: ["study", studyId],
    queryFn: ({ signal }) => getStudy(studyId, signal),
    enabled: valid,
    staleTime: 0,
    placeholderData: keepPreviousData,
    // Ask again every second while any frame is pending or running; stop once all are final.
    refetchInterval: ({ state: { data, error } }) => {
      if (error) return isFatal(error) ? false : RETRY_INTERVAL_MS;
      if (data && data.frames.every((frame) => isTerminal(frame.status))) return false;
      return POLL_INTERVAL_MS;
    },
  });

  let body;
  if (!valid) {
    body = (
      <Alert kind="error" title="No such study">
        A study is named by its number, e.g. /studies/12.
      </Alert>
    );
  } else if (!study.data) {
    body = study.error ? <Failure error={study.error} /> : <Loading>Loading the study…</Loading>;
  } else {
    body = <StudyBody study={study.data} error={study.error} />;
  }

  return (
    <section className="stack study-page" aria-labelledby="study-title">
      <p>
        <Link to="/studies">← All studies</Link>
      </p>
      <div className="page-header">
        <div>
          <h1 id="study-title">{`Study #${studyId}`}</h1>
        </div>
      </div>
      <div className="stack">{body}</div>
    </section>
  );
}

function Failure({ error }: { error: unknown }) {
  if (!isFatal(error)) {
    return <Alert kind="error" title="Live updates interrupted">{`${messageOf(error)} Trying again…`}</Alert>;
  }
  const title = error instanceof ApiError && error.status === 404 ? "No such study" : "The study could not be loaded";
  return (
    <Alert kind="error" title={title}>
      {messageOf(error)}
    </Alert>
  );
}

function StudyBody({ study, error }: { study: StudyDetail; error: unknown }) {
  const stopped = error !== null && isFatal(error);
  return (
    <>
      <StudySummary study={study} />
      <p className="live-status" role="status" aria-live="polite">
        {stopped ? "Live updates stopped." : liveText(study.frames)}
      </p>
      <div className="poll-problems">{error ? <Failure error={error} /> : null}</div>
      {study.frames.length ? <Frames study={study} /> : <p className="empty">This study has no frames.</p>}
    </>
  );
}

function Frames({ study }: { study: StudyDetail }) {
  const ordered = worstFirst(study.frames);
  // The worst frame when the page opened stays chosen while results come in and the order changes.
  const [chosen, setChosen] = useState(() => ordered[0]!.id);
  const selected = study.frames.find((frame) => frame.id === chosen) ?? ordered[0]!;
  return (
    <>
      {study.frames.length > 1 ? <Filmstrip frames={ordered} selected={selected.id} onSelect={setChosen} /> : null}
      <ul className="frame-list" aria-label="Frame">
        <FrameCard key={selected.id} frame={selected} reportedGa={study.reported_ga_days} />
      </ul>
    </>
  );
}

function StudySummary({ study }: { study: StudyDetail }) {
  const rows: [string, string][] = [
    ["Hospital", study.hospital.name],
    ["Machine", study.machine ? machineLabel(study.machine) : "—"],
    ["Exam date", formatDate(study.exam_date)],
    [
      "Reported GA",
      study.reported_ga_days === null ? "—" : `${formatGa(study.reported_ga_days)} (${study.reported_ga_days} days)`,
    ],
    ["Frames", String(study.frames.length)],
  ];
  return (
    <dl className="study-summary">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** "1 of 3 frames still processing; updating live…" while any runs, a final line once none does. */
export function liveText(frames: FrameSummary[]): string {
  const open = frames.filter((frame) => !isTerminal(frame.status)).length;
  const failed = frames.filter((frame) => frame.status === "failed").length;
  const total = frames.length;
  const plural = total === 1 ? "" : "s";
  if (open) return `${open} of ${total} frame${plural} still processing; updating live…`;
  return `All ${total} frame${plural} processed${failed ? `; ${failed} failed` : ""}.`;
}

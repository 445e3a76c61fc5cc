/**
 * The review workspace: one leased item at a time, its mask editable (brush, eraser, polygon fill,
 * undo, reset) with the CRL callipers and GA recomputed live, and a verdict by one key. The next item
 * is leased and loaded while the expert works, so it is drawn at once after a verdict; the verdict is
 * sent in the background. The last submit-to-next-image times are kept in window.__fusqaReviewTimings.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { useSearchParams } from "react-router";
import { messageOf } from "../api/client";
import { Alert, Loading } from "../ui/Alert";
import { releaseLease, releaseLeasesOnExit, submitReview, type QueueFilters, type Verdict } from "./api";
import { maxFeret } from "./feret";
import { ItemFacts, VerdictKeys } from "./ItemFacts";
import { QueueFilterForm } from "./QueueFilterForm";
import { Toolbar } from "./Toolbar";
import { Prefetch, type ReviewItem } from "./item";
import { keyAction, nextBrushSize, type KeyAction } from "./keys";
import { EditHistory, masksDiffer } from "./mask-edit";
import { maskPng } from "./png";
import type { MaskDisplay } from "./mask-layer";
import { WorkspaceCanvas, type CanvasHandle, type Tool } from "./WorkspaceCanvas";
import { mark, PAGE_TITLE, recordTiming, VERDICT_LABELS } from "./timings";

type View =
  | { kind: "loading" }
  | { kind: "empty" }
  | { kind: "error"; message: string }
  | { kind: "item"; item: ReviewItem; history: EditHistory; shownAt: number };

interface Sent {
  saved: number;
  failures: string[];
}

export function ReviewPage() {
  const [query, setQuery] = useSearchParams();
  const filters = useMemo<QueueFilters>(
    () => ({ hospital: query.get("hospital") ?? "", machine: query.get("machine") ?? "" }),
    [query],
  );
  const [view, setView] = useState<View>({ kind: "loading" });
  const [revision, setRevision] = useState(0);
  const [tool, setTool] = useState<Tool>("brush");
  const [brushRadius, setBrushRadius] = useState(6);
  const [display, setDisplay] = useState<MaskDisplay>("fill");
  const [opacity, setOpacity] = useState(0.4);
  const [overlay, setOverlay] = useState(true);
  const [sent, setSent] = useState<Sent>({ saved: 0, failures: [] });
  const [notice, setNotice] = useState<string | null>(null);
  const [nextReady, setNextReady] = useState(false);
  const [lastTiming, setLastTiming] = useState<number | null>(null);
  const prefetch = useRef<Prefetch | null>(null);
  const viewRef = useRef(view);
  viewRef.current = view;
  const pendingSince = useRef<number | null>(null);
  const canvas = useRef<CanvasHandle>(null);
  const editFrame = useRef(0);

  /** Show what a settled prefetch brought, and start loading the item after it. */
  const show = useCallback(
    (loaded: Prefetch) => {
      if (loaded.error) {
        setView({ kind: "error", message: messageOf(loaded.error) });
        return;
      }
      if (!loaded.item) {
        setView({ kind: "empty" });
        return;
      }
      mark("show");
      const item = loaded.item;
      const history = new EditHistory({ width: item.frame.width, height: item.frame.height, data: item.modelMask.slice() });
      setView({ kind: "item", item, history, shownAt: performance.now() });
      const next = new Prefetch(filters);
      prefetch.current = next;
      setNextReady(false);
      void next.done.then(() => {
        if (prefetch.current === next) setNextReady(true);
      });
    },
    [filters],
  );

  // First item (and again when the filters change): leases held under the old filters are given back.
  useEffect(() => {
    const first = new Prefetch(filters);
    let live = true;
    setView({ kind: "loading" });
    void first.done.then(() => {
      if (live) show(first);
    });
    return () => {
      live = false;
      first.cancel();
      prefetch.current?.cancel();
      prefetch.current = null;
      const shown = viewRef.current;
      if (shown.kind === "item") releaseLease(shown.item.lease.lease_id).catch(() => undefined);
    };
  }, [filters, show]);

  // Closing the tab: the leases held (the item shown, the one prefetched) go back to the queue.
  useEffect(() => {
    const onExit = () => {
      const shown = viewRef.current;
      const held = [shown.kind === "item" ? shown.item.lease.lease_id : null, prefetch.current?.leaseId ?? null];
      releaseLeasesOnExit(held.filter((id): id is number => id !== null));
    };
    window.addEventListener("pagehide", onExit);
    return () => window.removeEventListener("pagehide", onExit);
  }, []);

  /** Past the current item: the prefetched one at once if it is ready, else as soon as it is. */
  const advance = useCallback(
    (since: number) => {
      const next = prefetch.current;
      prefetch.current = null;
      pendingSince.current = since;
      if (!next) {
        setView({ kind: "loading" });
        return;
      }
      if (next.settled && next.isStale()) {
        // Leased too long ago to be safe: give it back and lease afresh (a normal load, not instant).
        next.cancel();
        const fresh = new Prefetch(filters);
        setView({ kind: "loading" });
        void fresh.done.then(() => show(fresh));
      } else if (next.settled) {
        flushSync(() => show(next));
      } else {
        setView({ kind: "loading" });
        void next.done.then(() => show(next));
      }
    },
    [filters, show],
  );

  const decide = useCallback(
    (verdict: Verdict | "skip") => {
      const shown = viewRef.current;
      if (shown.kind !== "item") return;
      const since = performance.now();
      const { item, history } = shown;
      const edited = masksDiffer(history.mask.data, item.modelMask);
      const corrected = edited && verdict !== "unusable" && verdict !== "skip" ? history.mask.data.slice() : null;
      if (corrected && !corrected.includes(1)) {
        // The server would refuse it (mask_empty), after the page had moved on: say so here instead.
        setNotice("The corrected mask is empty: draw the fetus, press R for the model's mask, or U for an unusable image.");
        return;
      }
      setNotice(null);
      const secondsSpent = (since - shown.shownAt) / 1000;
      advance(since);
      const label = `frame ${item.frame.id}`;
      const sending =
        verdict === "skip"
          ? releaseLease(item.lease.lease_id)
          : (async () => {
              const mask = corrected ? await maskPng(item.frame.width, item.frame.height, corrected) : null;
              await submitReview({ leaseId: item.lease.lease_id, verdict, secondsSpent, mask });
            })();
      sending.then(
        () => setSent((s) => ({ ...s, saved: s.saved + (verdict === "skip" ? 0 : 1) })),
        (error) =>
          setSent((s) => ({
            ...s,
            failures: [...s.failures, `${verdict === "skip" ? "Skip" : VERDICT_LABELS[verdict]} on ${label} not saved: ${messageOf(error)}`],
          })),
      );
    },
    [advance],
  );

  const onEdited = useCallback(() => {
    // Many pointer moves per frame: the CRL is measured once per animation frame.
    if (editFrame.current) return;
    editFrame.current = requestAnimationFrame(() => {
      editFrame.current = 0;
      setRevision((r) => r + 1);
    });
  }, []);

  const onDrawn = useCallback(() => {
    const since = pendingSince.current;
    if (since === null) return;
    pendingSince.current = null;
    setLastTiming(recordTiming(since));
  }, []);

  const act = useCallback(
    (action: KeyAction) => {
      const shown = viewRef.current;
      switch (action.kind) {
        case "verdict":
          decide(action.verdict);
          return;
        case "skip":
          decide("skip");
          return;
        case "undo":
          if (shown.kind === "item" && shown.history.undo()) setRevision((r) => r + 1);
          return;
        case "reset":
          if (shown.kind === "item") {
            shown.history.reset(shown.item.modelMask);
            setRevision((r) => r + 1);
          }
          return;
        case "tool":
          setTool(action.tool);
          return;
        case "brush-size":
          setBrushRadius((r) => nextBrushSize(r, action.step));
          return;
        case "overlay":
          setOverlay((on) => !on);
          return;
        case "display":
          setDisplay((d) => (d === "fill" ? "outline" : "fill"));
          return;
        case "fit":
          canvas.current?.fit();
          return;
        case "polygon-close":
          canvas.current?.closePolygon();
          return;
        case "polygon-cancel":
          canvas.current?.cancelPolygon();
          return;
      }
    },
    [decide],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.repeat) return;
      const action = keyAction(event);
      if (!action) return;
      event.preventDefault();
      act(action);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [act]);

  const item = view.kind === "item" ? view : null;
  const calliper = useMemo(
    () =>
      item
        ? maxFeret(item.history.mask.data, item.history.mask.width, item.history.mask.height, {
            rowMm: item.item.frame.spacing_row_mm,
            colMm: item.item.frame.spacing_col_mm,
          })
        : null,
    [item, revision],
  );
  mark("render");
  const edited = item ? masksDiffer(item.history.mask.data, item.item.modelMask) : false;

  return (
    <section className="stack review-page" aria-labelledby="review-title">
      <div className="page-header">
        <div>
          <h1 id="review-title">{PAGE_TITLE}</h1>
          <p className="muted">Correct the mask if it needs it, then give your verdict with one key.</p>
        </div>
        <QueueFilterForm filters={filters} onChange={(next) => setQuery(next)} />
      </div>
      <div
        className="review-status"
        role="status"
        aria-live="polite"
        data-saved={sent.saved}
        data-next-ready={nextReady ? "true" : "false"}
        data-submit-to-next-ms={lastTiming === null ? "" : lastTiming.toFixed(1)}
      >
        {`${sent.saved} verdict${sent.saved === 1 ? "" : "s"} saved this session.`}
        {lastTiming !== null ? ` Last item appeared ${lastTiming.toFixed(0)} ms after the verdict.` : ""}
      </div>
      {notice ? (
        <Alert kind="error" title="Not sent">
          {notice}
        </Alert>
      ) : null}
      {sent.failures.map((failure, index) => (
        <Alert key={index} kind="error" title="A verdict was not saved">
          {failure}
        </Alert>
      ))}
      {view.kind === "loading" ? <Loading>Leasing the next item…</Loading> : null}
      {view.kind === "empty" ? (
        <Alert kind="info" title="Nothing waiting">
          No item waits for your review under these filters.{" "}
          <button type="button" className="button" onClick={() => setQuery(new URLSearchParams(query))}>
            Look again
          </button>
        </Alert>
      ) : null}
      {view.kind === "error" ? (
        <Alert kind="error" title="The next item could not be loaded">
          {view.message}
        </Alert>
      ) : null}
      {item ? (
        <div className="workspace">
          <div className="workspace-main">
            <Toolbar
              tool={tool}
              brushRadius={brushRadius}
              display={display}
              opacity={opacity}
              overlay={overlay}
              onAction={act}
              onOpacity={setOpacity}
            />
            <WorkspaceCanvas
              itemKey={item.item.lease.lease_id}
              image={item.item.image}
              history={item.history}
              revision={revision}
              tool={tool}
              brushRadius={brushRadius}
              display={display}
              opacity={opacity}
              overlay={overlay}
              calliper={calliper}
              onEdited={onEdited}
              onDrawn={onDrawn}
              handle={canvas}
            />
          </div>
          <aside className="workspace-side stack">
            <ItemFacts item={item.item} calliper={calliper} edited={edited} />
            <VerdictKeys onAction={act} />
          </aside>
        </div>
      ) : null}
    </section>
  );
}

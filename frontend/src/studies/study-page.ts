/**
 * One study: every frame drawn with its mask and CRL callipers, its quality and GA beside it, and
 * the processing state kept live by polling the study while any frame is pending or running.
 */
import { ApiError, messageOf } from "../api/client";
import type { PageContext } from "../app/page";
import { machineLabel } from "../hospitals/api";
import { alertBox, loading } from "../ui/alert";
import { h, replaceChildren } from "../ui/dom";
import { getFrame, getStudy, type FrameDetail, type FrameSummary, type StudyDetail } from "./api";
import {
  formatDate,
  formatGa,
  formatGaDifference,
  formatMm,
  formatPercent,
  formulaLabel,
  isTerminal,
  latestModelMask,
  statusLabel,
} from "./format";
import { colouriseMask, drawFrame, loadImage } from "./overlay";
import { poll } from "./poll";

/** Canvas width in device pixels; shown at up to half of it, so lines stay crisp on HiDPI screens. */
const CANVAS_WIDTH = 960;
export const POLL_INTERVAL_MS = 1000;

interface FrameCard {
  element: HTMLLIElement;
  canvas: HTMLCanvasElement;
  facts: HTMLElement;
  summary: FrameSummary;
  detail: FrameDetail | null;
  image: HTMLImageElement | null;
  mask: HTMLCanvasElement | null;
  maskId: number | null;
  detailError: string | null;
  /** Bumped per detail request, so an older answer never overwrites a newer one. */
  detailRequest: number;
}

export function studyPage({ params, signal }: PageContext): HTMLElement {
  const studyId = params.id ?? "";
  const header = h("div", { class: "page-header" }, h("div", {}, h("h1", { id: "study-title" }, `Study #${studyId}`)));
  const summary = h("dl", { class: "study-summary" });
  const live = h("p", { class: "live-status", role: "status", "aria-live": "polite" });
  const problems = h("div", { class: "poll-problems" });
  const frameList = h("ul", { class: "frame-list", "aria-label": "Frames" });
  const body = h("div", { class: "stack" }, loading("Loading the study…"));
  const page = h(
    "section",
    { class: "stack study-page", "aria-labelledby": "study-title" },
    h("p", {}, h("a", { href: "/studies" }, "← All studies")),
    header,
    body,
  );

  const cards = new Map<number, FrameCard>();
  let study: StudyDetail | null = null;
  let shown = false;

  if (!/^\d+$/.test(studyId)) {
    replaceChildren(body, alertBox("error", "A study is named by its number, e.g. /studies/12.", "No such study"));
    return page;
  }

  poll<StudyDetail>({
    load: (pollSignal) => getStudy(studyId, pollSignal),
    signal,
    intervalMs: POLL_INTERVAL_MS,
    isDone: (data) => data.frames.every((frame) => isTerminal(frame.status)),
    onData: (data) => {
      study = data;
      if (!shown) {
        shown = true;
        replaceChildren(body, summary, live, problems, frameList);
        if (!data.frames.length) frameList.replaceWith(h("p", { class: "empty" }, "This study has no frames."));
      }
      replaceChildren(problems);
      renderSummary(summary, data);
      updateFrames(data);
      setText(live, liveText(data.frames));
    },
    onError: (error) => {
      if (signal.aborted) return false;
      const fatal = !(error instanceof ApiError) || (error.status !== 0 && error.status < 500);
      const target = shown ? problems : body;
      if (fatal) {
        const title = error instanceof ApiError && error.status === 404 ? "No such study" : "The study could not be loaded";
        replaceChildren(target, alertBox("error", messageOf(error), title));
        if (shown) setText(live, "Live updates stopped.");
        return false;
      }
      replaceChildren(target, alertBox("error", `${messageOf(error)} Trying again…`, "Live updates interrupted"));
      return true;
    },
  });

  function updateFrames(data: StudyDetail): void {
    for (const frame of data.frames) {
      let card = cards.get(frame.id);
      let wantDetail: boolean;
      if (!card) {
        card = createCard(frame);
        cards.set(frame.id, card);
        frameList.append(card.element);
        wantDetail = frame.status !== "pending" && frame.status !== "running";
      } else {
        const before = card.summary;
        card.summary = frame;
        const changed =
          before.status !== frame.status || before.p_good !== frame.p_good || before.reason !== frame.reason;
        if (!changed) continue;
        wantDetail = isTerminal(frame.status);
      }
      renderCard(card);
      if (wantDetail) void loadDetail(card);
    }
  }

  function createCard(frame: FrameSummary): FrameCard {
    const height = Math.max(1, Math.round((CANVAS_WIDTH * frame.height) / Math.max(1, frame.width)));
    const canvas = h("canvas", {
      class: "frame-canvas",
      width: CANVAS_WIDTH,
      height,
      role: "img",
      "aria-label": `Frame ${frame.frame_number}`,
      "data-drawn": "",
    });
    const facts = h("div", { class: "frame-facts" });
    const element = h(
      "li",
      { class: "card frame-card", "data-frame-id": frame.id },
      h(
        "figure",
        { class: "frame-figure" },
        canvas,
        h(
          "figcaption",
          { class: "legend", hidden: true },
          h("span", { class: "swatch swatch-mask", "aria-hidden": "true" }),
          "Model mask",
          h("span", { class: "swatch swatch-calliper", "aria-hidden": "true" }),
          "CRL callipers",
        ),
      ),
      facts,
    );
    const card: FrameCard = {
      element,
      canvas,
      facts,
      summary: frame,
      detail: null,
      image: null,
      mask: null,
      maskId: null,
      detailError: null,
      detailRequest: 0,
    };
    loadImage(frame.image_url, signal).then(
      (image) => {
        card.image = image;
        redraw(card);
      },
      () => {
        if (!signal.aborted) canvas.replaceWith(h("p", { class: "frame-missing" }, "The frame's image could not be loaded."));
      },
    );
    return card;
  }

  async function loadDetail(card: FrameCard): Promise<void> {
    const request = ++card.detailRequest;
    try {
      const detail = await getFrame(card.summary.id, signal);
      if (signal.aborted || request !== card.detailRequest) return;
      card.detail = detail;
      card.detailError = null;
      renderCard(card);
      const mask = latestModelMask(detail.masks);
      if (mask && mask.id !== card.maskId) {
        const maskImage = await loadImage(mask.image_url, signal);
        if (signal.aborted || request !== card.detailRequest) return;
        card.mask = colouriseMask(maskImage);
        card.maskId = mask.id;
      }
      redraw(card);
    } catch (error) {
      if (signal.aborted || request !== card.detailRequest) return;
      card.detailError = messageOf(error);
      renderCard(card);
    }
  }

  function redraw(card: FrameCard): void {
    if (!card.image) return;
    const measurement = card.detail?.latest_measurement ?? null;
    if (!drawFrame(card.canvas, { image: card.image, mask: card.mask, measurement })) return;
    const drawn = ["image", card.mask ? "mask" : "", measurement ? "callipers" : ""].filter(Boolean).join(" ");
    card.canvas.dataset.drawn = drawn;
    const legend = card.element.querySelector<HTMLElement>(".legend");
    if (legend) legend.hidden = !card.mask && !measurement;
    const parts = [card.mask ? "with the model mask" : "", measurement ? `CRL callipers of ${formatMm(measurement.crl_mm)}` : ""];
    card.canvas.setAttribute(
      "aria-label",
      [`Frame ${card.summary.frame_number}`, parts.filter(Boolean).join(" and ")].filter(Boolean).join(", "),
    );
  }

  function renderCard(card: FrameCard): void {
    const frame = card.summary;
    card.element.dataset.status = frame.status ?? "none";
    replaceChildren(card.facts, frameFacts(frame, card.detail, card.detailError, study?.reported_ga_days ?? null));
  }

  return page;
}

function frameFacts(
  frame: FrameSummary,
  detail: FrameDetail | null,
  detailError: string | null,
  reportedGa: number | null,
): HTMLElement[] {
  const status = frame.status;
  const heading = h(
    "div",
    { class: "frame-heading" },
    h("h2", {}, `Frame ${frame.frame_number}`),
    h("span", { class: `status status-${status ?? "none"}` }, statusLabel(status)),
  );
  const out: HTMLElement[] = [heading];
  if (status === "failed") {
    out.push(alertBox("error", frame.reason || "No reason was recorded.", "Processing failed"));
  } else if (status === "pending" || status === "running") {
    out.push(
      h(
        "p",
        { class: "muted" },
        status === "pending" ? "Waiting for a worker…" : "Segmenting, assessing and measuring…",
      ),
    );
  }

  const measurement = detail?.latest_measurement ?? null;
  const facts = h("dl", { class: "facts" });
  const add = (term: string, ...value: (Node | string)[]) =>
    facts.append(h("dt", {}, term), h("dd", {}, ...value));

  if (frame.p_good !== null) {
    add(
      "p(good)",
      h("span", { class: "p-good" }, formatPercent(frame.p_good)),
      " ",
      frame.label ? h("span", { class: `quality quality-${frame.label}` }, frame.label === "good" ? "Good" : "Poor") : "",
    );
  }
  if (measurement) {
    add("CRL", h("span", { class: "crl" }, formatMm(measurement.crl_mm)));
    const ga: (Node | string)[] = [
      h("span", { class: "ga" }, formatGa(measurement.ga_days)),
      " ",
      h("span", { class: "formula muted" }, `(${formulaLabel(measurement.formula)})`),
    ];
    if (!measurement.in_formula_range) {
      ga.push(h("span", { class: "range-warning", role: "note" }, "⚠ CRL outside the formula's CRL range"));
    }
    add("GA", ...ga);
    const difference = formatGaDifference(measurement.ga_days, reportedGa);
    if (difference) {
      add(
        "vs reported",
        h("span", { class: "ga-difference" }, difference),
        h("span", { class: "muted" }, ` (reported ${formatGa(reportedGa)})`),
      );
    }
  }
  if (facts.childElementCount) out.push(facts);
  else if (status === "done" && detail) out.push(h("p", { class: "muted" }, "No assessment or measurement recorded."));
  if (detailError) out.push(alertBox("error", detailError, "The frame's details could not be loaded"));
  if (detail) {
    const mask = latestModelMask(detail.masks);
    out.push(
      h(
        "p",
        { class: "hint" },
        `${frame.width} × ${frame.height} px · ${frame.spacing_row_mm.toPrecision(3)} × ${frame.spacing_col_mm.toPrecision(3)} mm/px`,
        mask ? ` · mask v${mask.version}${mask.model_version ? ` (model ${mask.model_version.version})` : ""}` : "",
      ),
    );
  }
  return out;
}

function renderSummary(summary: HTMLElement, study: StudyDetail): void {
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
  replaceChildren(
    summary,
    rows.map(([term, value]) => h("div", {}, h("dt", {}, term), h("dd", {}, value))),
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

function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

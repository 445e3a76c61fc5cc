/** Beside the canvas: what the item is, its live CRL and GA, and the verdict buttons with their keys. */
import { formatGa, formatMm, formatPGood, formulaLabel } from "../studies/format";
import { maxFeret } from "./feret";
import { gestationalAgeDays } from "./ga";
import type { ReviewItem } from "./item";
import type { KeyAction } from "./keys";
import { Kbd } from "./Toolbar";

export function VerdictKeys({ onAction }: { onAction: (action: KeyAction) => void }) {
  const verdicts: [KeyAction, string, string, string][] = [
    [{ kind: "verdict", verdict: "good" }, "Good", "G", "verdict-good"],
    [{ kind: "verdict", verdict: "poor" }, "Poor", "P", "verdict-poor"],
    [{ kind: "verdict", verdict: "unusable" }, "Unusable", "U", "verdict-unusable"],
    [{ kind: "skip" }, "Skip", "S", "verdict-skip"],
  ];
  return (
    <div className="verdict-keys" role="group" aria-label="Verdict">
      {verdicts.map(([action, label, key, name]) => (
        <button key={key} type="button" className={`button verdict ${name}`} onClick={() => onAction(action)}>
          {label} <Kbd>{key}</Kbd>
        </button>
      ))}
      <p className="hint">
        Polygon: click points, click the first point (or press <Kbd>Enter</Kbd>) to fill; <Kbd>Esc</Kbd> cancels.
        Wheel zooms; hold <Kbd>Space</Kbd> to pan.
      </p>
    </div>
  );
}

export function ItemFacts({ item, calliper, edited }: { item: ReviewItem; calliper: ReturnType<typeof maxFeret>; edited: boolean }) {
  const { frame, lease } = item;
  const ga = calliper ? gestationalAgeDays(calliper.crlMm, item.formula) : null;
  const model = frame.latest_measurement;
  return (
    <dl className="facts review-facts" data-frame-id={frame.id} data-mask-id={lease.mask}>
      <dt>Frame</dt>
      <dd>{`#${frame.id} · ${frame.hospital.name}`}</dd>
      <dt>p(good)</dt>
      <dd>
        <span className="p-good">{formatPGood(frame.p_good)}</span>
        {frame.label ? <span className={`quality quality-${frame.label}`}>{` ${frame.label}`}</span> : null}
      </dd>
      <dt>Why</dt>
      <dd>{lease.reason.map((reason) => reason.message).join("; ") || "—"}</dd>
      <dt>CRL</dt>
      <dd>
        <span className="live-crl">{calliper ? formatMm(calliper.crlMm) : "— (empty mask)"}</span>
        {edited && model ? <span className="muted">{` (model ${formatMm(model.crl_mm)})`}</span> : null}
      </dd>
      <dt>GA</dt>
      <dd>
        <span className="live-ga">{ga ? `${formatGa(ga.days)} (${ga.days.toFixed(1)} days)` : "—"}</span>{" "}
        <span className="formula muted">{`(${formulaLabel(item.formula)})`}</span>
        {ga && !ga.inRange ? <span className="range-warning" role="note">⚠ CRL outside the formula's range</span> : null}
      </dd>
      <dt>Mask</dt>
      <dd className="mask-state">{edited ? "Corrected (sent with the verdict)" : "The model's"}</dd>
    </dl>
  );
}

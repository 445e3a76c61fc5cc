/** A frame's results as DICOM files: the SR of its latest result and a SEG of each mask (docs/dicom.md). */
import type { FrameDetail, FrameSummary, MaskSummary } from "./api";

const KIND_LABELS: Record<MaskSummary["kind"], string> = {
  model: "model mask",
  expert: "expert correction",
  reference: "reference mask",
};

export function DicomDownloads({ frame, detail }: { frame: FrameSummary; detail: FrameDetail }) {
  // A PNG or JPEG upload has no stored DICOM image for a SEG or SR to reference: the server answers 409.
  if (frame.source !== "dicom" || detail.masks.length === 0) return null;
  const reportable = detail.latest_assessment !== null && detail.latest_measurement !== null;
  return (
    <p className="dicom-downloads">
      <span className="muted">DICOM: </span>
      {reportable ? (
        <a className="dicom-sr" href={`/api/frames/${frame.id}/sr/`} download>
          SR (CRL, GA, quality)
        </a>
      ) : null}
      {detail.masks.map((mask) => (
        <a key={mask.id} className="dicom-seg" href={`/api/masks/${mask.id}/seg/`} download>
          {`SEG (${KIND_LABELS[mask.kind] ?? mask.kind} v${mask.version})`}
        </a>
      ))}
    </p>
  );
}

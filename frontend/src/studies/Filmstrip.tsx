/** A multi-frame study's frames as small thumbnails, worst first; choosing one shows it in full below. */
import type { FrameSummary } from "./api";
import { thumbnailSize, thumbnailUrl } from "./filmstrip";
import { formatPGood, statusLabel } from "./format";

export function Filmstrip({
  frames,
  selected,
  onSelect,
}: {
  frames: FrameSummary[];
  selected: number;
  onSelect: (frameId: number) => void;
}) {
  return (
    <nav className="filmstrip" aria-label="Frames, worst first">
      <ul>
        {frames.map((frame) => {
          const { width, height } = thumbnailSize(frame);
          const quality = frame.p_good !== null ? `p(good) ${formatPGood(frame.p_good)}` : statusLabel(frame.status);
          const label = frame.label ?? frame.status ?? "none";
          return (
            <li key={frame.id}>
              <button
                type="button"
                className="filmstrip-item"
                data-frame-id={frame.id}
                aria-pressed={frame.id === selected}
                aria-label={`Frame ${frame.frame_number}, ${quality}${frame.label ? `, ${frame.label}` : ""}`}
                onClick={() => onSelect(frame.id)}
              >
                <img src={thumbnailUrl(frame)} alt="" width={width} height={height} loading="lazy" decoding="async" />
                <span className="filmstrip-caption">
                  {`Frame ${frame.frame_number}`}
                  <span className={`filmstrip-quality quality-${label}`}>
                    {frame.p_good !== null ? formatPGood(frame.p_good) : statusLabel(frame.status)}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

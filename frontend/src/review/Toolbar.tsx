/** The mask tools, each button with its key. */
import type { KeyAction } from "./keys";
import type { MaskDisplay } from "./mask-layer";
import type { Tool } from "./WorkspaceCanvas";

export function Kbd({ children }: { children: string }) {
  return <kbd className="key">{children}</kbd>;
}

export function Toolbar(props: {
  tool: Tool;
  brushRadius: number;
  display: MaskDisplay;
  opacity: number;
  overlay: boolean;
  onAction: (action: KeyAction) => void;
  onOpacity: (opacity: number) => void;
}) {
  const tools: [Tool, string, string][] = [
    ["brush", "Brush", "B"],
    ["eraser", "Eraser", "E"],
    ["polygon", "Polygon fill", "L"],
    ["pan", "Pan", "H"],
  ];
  return (
    <div className="workspace-toolbar" role="toolbar" aria-label="Mask tools">
      {tools.map(([tool, label, key]) => (
        <button
          key={tool}
          type="button"
          className={`button tool-button${props.tool === tool ? " is-active" : ""}`}
          aria-pressed={props.tool === tool}
          onClick={() => props.onAction({ kind: "tool", tool })}
        >
          {label} <Kbd>{key}</Kbd>
        </button>
      ))}
      <span className="brush-size">
        <button type="button" className="button button-quiet" aria-label="Smaller brush" onClick={() => props.onAction({ kind: "brush-size", step: -1 })}>
          <Kbd>[</Kbd>
        </button>
        <span className="brush-size-value">{`Size ${props.brushRadius} px`}</span>
        <button type="button" className="button button-quiet" aria-label="Larger brush" onClick={() => props.onAction({ kind: "brush-size", step: 1 })}>
          <Kbd>]</Kbd>
        </button>
      </span>
      <button type="button" className="button" onClick={() => props.onAction({ kind: "undo" })}>
        Undo <Kbd>Z</Kbd>
      </button>
      <button type="button" className="button" onClick={() => props.onAction({ kind: "reset" })}>
        Reset to model <Kbd>R</Kbd>
      </button>
      <button type="button" className="button" aria-pressed={props.overlay} onClick={() => props.onAction({ kind: "overlay" })}>
        {props.overlay ? "Overlay on" : "Overlay off"} <Kbd>V</Kbd>
      </button>
      <button type="button" className="button" onClick={() => props.onAction({ kind: "display" })}>
        {props.display === "fill" ? "Fill" : "Outline"} <Kbd>F</Kbd>
      </button>
      <label className="opacity">
        Opacity
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={props.opacity}
          onChange={(event) => props.onOpacity(Number(event.target.value))}
        />
      </label>
      <button type="button" className="button button-quiet" onClick={() => props.onAction({ kind: "fit" })}>
        Fit <Kbd>0</Kbd>
      </button>
    </div>
  );
}

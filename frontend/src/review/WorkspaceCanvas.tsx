/**
 * The workspace's canvas, drawn with Konva: the frame, the mask being edited (fill or outline, with
 * an opacity), the CRL callipers, the brush cursor and a polygon in progress. Wheel zooms about the
 * pointer; the hand tool (or holding Space) pans. Edits go straight into the item's mask bytes; the
 * page hears of each through `onEdited` (for the live CRL) and of each new item drawn through `onDrawn`.
 */
import Konva from "konva";
import { useEffect, useImperativeHandle, useLayoutEffect, useRef, type Ref } from "react";
import type { Calliper } from "./feret";
import { mark } from "./timings";
import { maskPixels, type MaskDisplay } from "./mask-layer";
import { fillPolygon, paintStroke, type EditHistory } from "./mask-edit";

export type Tool = "brush" | "eraser" | "polygon" | "pan";

export interface CanvasHandle {
  closePolygon(): void;
  cancelPolygon(): void;
  fit(): void;
}

export interface WorkspaceCanvasProps {
  /** Changes with each item; the canvas refits and redraws everything. */
  itemKey: number;
  image: HTMLImageElement;
  history: EditHistory;
  /** Bumped by the page after edits it made (undo, reset): the mask is redrawn. */
  revision: number;
  tool: Tool;
  brushRadius: number;
  display: MaskDisplay;
  opacity: number;
  overlay: boolean;
  calliper: Calliper | null;
  onEdited: () => void;
  onDrawn: (itemKey: number) => void;
  handle?: Ref<CanvasHandle>;
}

const MAX_HEIGHT = 620;
const CALLIPER_COLOUR = "#ffd23f";
const POLYGON_COLOUR = "#ff7ab6";
const CLOSE_DISTANCE_PX = 10; // on screen

interface Scene {
  stage: Konva.Stage;
  frameLayer: Konva.Layer;
  overlayLayer: Konva.Layer;
  frame: Konva.Image;
  mask: Konva.Image;
  maskCanvas: HTMLCanvasElement;
  calliper: Konva.Group;
  polygon: Konva.Line;
  cursor: Konva.Circle;
}

function buildScene(container: HTMLDivElement): Scene {
  const stage = new Konva.Stage({ container, width: container.clientWidth || 800, height: 400 });
  const frameLayer = new Konva.Layer({ listening: false });
  const overlayLayer = new Konva.Layer({ listening: false, imageSmoothingEnabled: false });
  const maskCanvas = document.createElement("canvas");
  const frame = new Konva.Image({ image: undefined, x: 0, y: 0 });
  const mask = new Konva.Image({ image: maskCanvas, x: 0, y: 0 });
  const calliper = new Konva.Group({ visible: false });
  const polygon = new Konva.Line({
    points: [],
    stroke: POLYGON_COLOUR,
    strokeWidth: 2,
    strokeScaleEnabled: false,
    dash: [6, 4],
    lineJoin: "round",
  });
  const cursor = new Konva.Circle({ radius: 5, stroke: "#ffffff", strokeWidth: 1.5, strokeScaleEnabled: false, visible: false });
  frameLayer.add(frame);
  overlayLayer.add(mask, calliper, polygon, cursor);
  stage.add(frameLayer, overlayLayer);
  return { stage, frameLayer, overlayLayer, frame, mask, maskCanvas, calliper, polygon, cursor };
}

function drawCalliper(group: Konva.Group, calliper: Calliper | null): void {
  group.destroyChildren();
  group.visible(calliper !== null);
  if (!calliper) return;
  // Calliper ends are pixel corners in (row, col) with pixel centres at integers; the stage's x is col + 0.5.
  const [a, b] = [calliper.p1, calliper.p2].map(([row, col]) => ({ x: col + 0.5, y: row + 0.5 }));
  const line = (points: number[], colour: string, width: number) =>
    new Konva.Line({ points, stroke: colour, strokeWidth: width, strokeScaleEnabled: false, lineCap: "round" });
  group.add(line([a!.x, a!.y, b!.x, b!.y], "rgba(0,0,0,0.75)", 4.5), line([a!.x, a!.y, b!.x, b!.y], CALLIPER_COLOUR, 2));
  for (const end of [a!, b!]) {
    group.add(new Konva.Circle({ x: end.x, y: end.y, radius: 4, fill: CALLIPER_COLOUR, stroke: "rgba(0,0,0,0.75)", strokeWidth: 1.5, strokeScaleEnabled: false }));
  }
}

export function WorkspaceCanvas(props: WorkspaceCanvasProps) {
  const container = useRef<HTMLDivElement>(null);
  const scene = useRef<Scene | null>(null);
  const live = useRef(props);
  live.current = props;
  const polygonPoints = useRef<{ x: number; y: number }[]>([]);
  const spaceHeld = useRef(false);

  const renderMask = () => {
    const s = scene.current;
    if (!s) return;
    const { history, display, opacity, overlay } = live.current;
    const { width, height, data } = history.mask;
    if (s.maskCanvas.width !== width || s.maskCanvas.height !== height) {
      s.maskCanvas.width = width;
      s.maskCanvas.height = height;
    }
    const context = s.maskCanvas.getContext("2d");
    if (context) {
      const pixels = context.createImageData(width, height);
      maskPixels(data, width, height, display, opacity, pixels.data);
      context.putImageData(pixels, 0, 0);
    }
    s.mask.visible(overlay);
    s.mask.width(width);
    s.mask.height(height);
  };

  const fit = () => {
    const s = scene.current;
    const box = container.current;
    if (!s || !box) return;
    const { width, height } = live.current.history.mask;
    const stageWidth = box.clientWidth || 800;
    const scale = Math.min(stageWidth / width, MAX_HEIGHT / height);
    const stageHeight = Math.round(height * scale);
    // Resizing reallocates every layer's canvas (~20 ms here): only when the size really changes.
    if (s.stage.width() !== stageWidth || s.stage.height() !== stageHeight) {
      s.stage.size({ width: stageWidth, height: stageHeight });
    }
    s.stage.scale({ x: scale, y: scale });
    s.stage.position({ x: Math.round((stageWidth - width * scale) / 2), y: 0 });
    showView();
  };

  /** The view's zoom and offset on the container, for tests and for anyone inspecting the page. */
  const showView = () => {
    const s = scene.current;
    const box = container.current;
    if (!s || !box) return;
    box.dataset.zoom = s.stage.scaleX().toFixed(4);
    box.dataset.offset = `${Math.round(s.stage.x())},${Math.round(s.stage.y())}`;
  };

  const redrawPolygon = () => {
    const s = scene.current;
    if (!s) return;
    s.polygon.points(polygonPoints.current.flatMap((p) => [p.x, p.y]));
    s.polygon.closed(false);
  };

  const closePolygon = () => {
    const points = polygonPoints.current;
    polygonPoints.current = [];
    redrawPolygon();
    if (points.length >= 3) {
      const { history } = live.current;
      history.checkpoint();
      // Stage points are in pixel-corner space; the fill rule works on pixel centres.
      fillPolygon(history.mask, points.map((p) => ({ x: p.x - 0.5, y: p.y - 0.5 })), 1);
      renderMask();
      live.current.onEdited();
    }
    scene.current?.overlayLayer.batchDraw();
  };

  useImperativeHandle(props.handle, () => ({
    closePolygon,
    cancelPolygon: () => {
      polygonPoints.current = [];
      redrawPolygon();
      scene.current?.overlayLayer.batchDraw();
    },
    fit: () => {
      fit();
      scene.current?.stage.batchDraw();
    },
  }));

  // The stage, once, before the first item is drawn (a layout effect, as the drawing is); its pointer
  // handlers read the latest props through `live`.
  useLayoutEffect(() => {
    const box = container.current;
    if (!box) return;
    const s = buildScene(box);
    scene.current = s;
    let stroke: { x: number; y: number } | null = null;

    const pointer = () => s.overlayLayer.getRelativePointerPosition() ?? { x: 0, y: 0 };
    const panning = () => live.current.tool === "pan" || spaceHeld.current;
    const painting = () => live.current.tool === "brush" || live.current.tool === "eraser";

    s.stage.on("pointerdown", (event) => {
      if (panning() || event.evt.button !== 0) return;
      const at = pointer();
      if (painting()) {
        live.current.history.checkpoint();
        stroke = at;
        paintStroke(live.current.history.mask, { x: at.x - 0.5, y: at.y - 0.5 }, { x: at.x - 0.5, y: at.y - 0.5 }, live.current.brushRadius, live.current.tool === "brush" ? 1 : 0);
        renderMask();
        s.overlayLayer.batchDraw();
        live.current.onEdited();
      } else if (live.current.tool === "polygon") {
        const points = polygonPoints.current;
        const first = points[0];
        const scale = s.stage.scaleX();
        if (first && points.length >= 3 && Math.hypot(first.x - at.x, first.y - at.y) * scale <= CLOSE_DISTANCE_PX) {
          closePolygon();
          return;
        }
        points.push(at);
        redrawPolygon();
        s.overlayLayer.batchDraw();
      }
    });
    s.stage.on("pointermove", () => {
      const at = pointer();
      const { brushRadius, tool, history } = live.current;
      s.cursor.visible(painting() && !spaceHeld.current);
      s.cursor.position(at);
      s.cursor.radius(Math.max(0.5, brushRadius));
      if (stroke && painting()) {
        paintStroke(history.mask, { x: stroke.x - 0.5, y: stroke.y - 0.5 }, { x: at.x - 0.5, y: at.y - 0.5 }, brushRadius, tool === "brush" ? 1 : 0);
        stroke = at;
        renderMask();
        live.current.onEdited();
      }
      s.overlayLayer.batchDraw();
    });
    const endStroke = () => {
      stroke = null;
    };
    s.stage.on("pointerup pointerleave", endStroke);
    s.stage.on("dragend", showView);
    s.stage.on("pointerleave", () => {
      s.cursor.visible(false);
      s.overlayLayer.batchDraw();
    });
    s.stage.on("wheel", (event) => {
      event.evt.preventDefault();
      const old = s.stage.scaleX();
      const at = s.stage.getPointerPosition();
      if (!at) return;
      const scale = Math.min(40, Math.max(0.2, old * Math.pow(1.0015, -event.evt.deltaY)));
      const anchor = { x: (at.x - s.stage.x()) / old, y: (at.y - s.stage.y()) / old };
      s.stage.scale({ x: scale, y: scale });
      s.stage.position({ x: at.x - anchor.x * scale, y: at.y - anchor.y * scale });
      s.stage.batchDraw();
      showView();
    });
    const onKey = (event: KeyboardEvent) => {
      if (event.code !== "Space") return;
      const target = event.target as HTMLElement | null;
      if (target?.closest?.("input, select, textarea, button")) return;
      event.preventDefault(); // held for panning, not to scroll the page
      spaceHeld.current = event.type === "keydown";
      s.stage.draggable(panning());
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("keyup", onKey);
    // Refit when the page's width changes (a window resize; the scroll bar that appears once the first
    // frame is drawn), so that cost is paid then, not while the next item is being shown.
    let width = box.clientWidth;
    const resized = new ResizeObserver(() => {
      if (box.clientWidth === width) return;
      width = box.clientWidth;
      fit();
      s.stage.batchDraw();
    });
    resized.observe(box);
    return () => {
      resized.disconnect();
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("keyup", onKey);
      s.stage.destroy();
      scene.current = null;
    };
  }, []);

  // A new item: its image, its mask, the view fitted, and everything drawn at once (not on the next
  // animation frame), so the time to the next image is the time to draw it.
  useLayoutEffect(() => {
    const s = scene.current;
    if (!s) return;
    mark("layout");
    polygonPoints.current = [];
    redrawPolygon();
    s.frame.image(props.image);
    s.frame.size({ width: props.history.mask.width, height: props.history.mask.height });
    fit();
    mark("fit");
    renderMask();
    mark("maskLayer");
    drawCalliper(s.calliper, live.current.calliper);
    mark("mask");
    s.stage.draw();
    props.onDrawn(props.itemKey);
  }, [props.itemKey]);

  useEffect(() => {
    scene.current?.stage.draggable(props.tool === "pan" || spaceHeld.current);
    if (props.tool !== "polygon") {
      polygonPoints.current = [];
      redrawPolygon();
    }
    scene.current?.overlayLayer.batchDraw();
  }, [props.tool]);

  useEffect(() => {
    renderMask();
    scene.current?.overlayLayer.batchDraw();
  }, [props.revision, props.display, props.opacity, props.overlay]);

  useEffect(() => {
    const s = scene.current;
    if (!s) return;
    drawCalliper(s.calliper, props.calliper);
    s.calliper.visible(props.calliper !== null && props.overlay);
    s.overlayLayer.batchDraw();
  }, [props.calliper, props.overlay]);

  return <div ref={container} className={`workspace-stage tool-${props.tool}`} data-testid="workspace-stage" />;
}

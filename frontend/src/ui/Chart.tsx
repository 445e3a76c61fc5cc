/**
 * An Apache ECharts chart as a React component: the option in, a canvas out, resized with its box.
 * Only the parts of ECharts a chart names are bundled (echarts/core + the registered pieces), and a
 * chart needs a text alternative (`label`, plus a table beside it where the numbers matter).
 */
import { BarChart, LineChart, ScatterChart } from "echarts/charts";
import {
  DatasetComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

echarts.use([
  BarChart,
  LineChart,
  ScatterChart,
  DatasetComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

/**
 * ECharts draws its HTML tooltip from markup with style="" attributes, which the Content-Security-Policy
 * (style-src 'self', no 'unsafe-inline') refuses. Tooltips are drawn on the canvas instead ("richText"),
 * unless an option asks otherwise. Checked in Chromium under the app's CSP: no violations with tooltips,
 * legend and mark lines.
 */
export function cspSafe(option: ChartOption): ChartOption {
  const tooltip = option.tooltip as Record<string, unknown> | Record<string, unknown>[] | undefined;
  if (!tooltip) return option;
  const safe = (one: Record<string, unknown>) => ({ renderMode: "richText", ...one });
  return { ...option, tooltip: Array.isArray(tooltip) ? tooltip.map(safe) : safe(tooltip) };
}

export interface ChartProps {
  option: ChartOption;
  /** What the chart shows, read out by screen readers (the canvas itself says nothing). */
  label: string;
  className?: string;
  /** Set ECharts' own stylesheet-free size: a chart needs a height from CSS or from here. */
  height?: number;
  /** Called with ECharts' event parameters when a mark (a point, a bar) is clicked. Give keyboard users the
   * same way in elsewhere (a table of links beside the chart): the canvas takes no focus. */
  onClick?: (params: ChartClick) => void;
}

export interface ChartClick {
  componentType: string;
  seriesIndex?: number;
  dataIndex: number;
  name: string;
}

export function Chart({ option, label, className = "chart", height = 280, onClick }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const clicked = useRef(onClick);
  clicked.current = onClick;

  useEffect(() => {
    const element = box.current!;
    // Sizes through the CSSOM (element.style), which the Content-Security-Policy allows; no style attributes.
    element.style.height = `${height}px`;
    const instance = echarts.init(element, undefined, { renderer: "canvas" });
    chart.current = instance;
    instance.on?.("click", (params) => clicked.current?.(params as unknown as ChartClick));
    const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => instance.resize());
    observer?.observe(element);
    return () => {
      observer?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [height]);

  useEffect(() => {
    chart.current?.setOption(cspSafe(option), { notMerge: true });
  }, [option, height]);

  return <div ref={box} className={className} role="img" aria-label={label} />;
}

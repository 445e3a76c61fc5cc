/**
 * The dashboard's charts, in their own chunk (the page loads this module with React.lazy, so ECharts is fetched
 * only here). Every number drawn is the server's; the band is drawn as a stack of the lower bound and the
 * interval's width, which is a way of painting, not a number shown (tooltips show the server's bounds).
 */
import { useMemo } from "react";
import { Chart, type ChartClick, type ChartOption } from "../ui/Chart";
import type { DriftAlert, GaLabelDiscrepancy, HospitalQuality, QualityBucket } from "./api";
import { formatRate } from "./format";

const ACCENT = "#0b6e7f";
const BAND = "rgba(11, 110, 127, 0.16)";
const ALERT = "#b3261e";
const POOR = "#c0392b";
const HOSPITAL_COLOURS = ["#0b6e7f", "#8e44ad", "#d35400", "#2c3e50", "#16a085", "#7f8c8d"];

const percent = (value: number | null | undefined) => (value === null || value === undefined ? null : value * 100);

/** Which bucket (by its start) holds a day: the last start not after it. */
function bucketOf(day: string, starts: string[]): string | null {
  let found: string | null = null;
  for (const start of starts) if (start <= day) found = start;
  return found;
}

export function QualityChart({
  series,
  alerts,
  onPoint,
}: {
  series: QualityBucket[];
  alerts: DriftAlert[];
  onPoint: (bucket: QualityBucket) => void;
}) {
  const option = useMemo<ChartOption>(() => {
    const starts = series.map((s) => s.bucket_start);
    const markers = alerts
      .map((alert) => ({ alert, at: bucketOf(alert.started_on, starts) }))
      .filter((marker): marker is { alert: DriftAlert; at: string } => marker.at !== null)
      .map(({ alert, at }) => ({
        xAxis: at,
        name: alert.machine ? `${alert.machine.manufacturer} ${alert.machine.model_name}` : alert.hospital.name,
        label: { formatter: "Drift alert", color: ALERT, position: "insideEndTop" },
        lineStyle: { color: ALERT, type: "dashed", width: 2 },
      }));
    return {
      animation: false,
      grid: { left: 48, right: 16, top: 32, bottom: 40 },
      legend: { top: 0, data: ["Poor rate", "95 % interval"] },
      tooltip: {
        trigger: "axis",
        formatter: (items: { dataIndex: number }[]) => {
          const bucket = series[items[0]?.dataIndex ?? 0];
          if (!bucket) return "";
          return `${bucket.bucket_start}\nPoor rate ${formatRate(bucket)}\n${bucket.poor} poor of ${bucket.good + bucket.poor} judged; ${bucket.unknown} unknown`;
        },
      },
      xAxis: { type: "category", data: starts, boundaryGap: false },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } },
      series: [
        {
          name: "lower",
          type: "line",
          stack: "band",
          data: series.map((s) => percent(s.poor_rate_low)),
          lineStyle: { opacity: 0 },
          symbol: "none",
          silent: true,
          tooltip: { show: false },
        },
        {
          name: "95 % interval",
          type: "line",
          stack: "band",
          data: series.map((s) =>
            s.poor_rate_high === null || s.poor_rate_low === null ? null : (s.poor_rate_high - s.poor_rate_low) * 100,
          ),
          lineStyle: { opacity: 0 },
          areaStyle: { color: BAND },
          itemStyle: { color: BAND },
          symbol: "none",
          silent: true,
        },
        {
          name: "Poor rate",
          type: "line",
          data: series.map((s) => percent(s.poor_rate)),
          itemStyle: { color: ACCENT },
          lineStyle: { color: ACCENT, width: 2 },
          symbol: "circle",
          symbolSize: 8,
          connectNulls: false,
          markLine: markers.length ? { symbol: "none", data: markers, silent: true } : undefined,
        },
      ],
    };
  }, [series, alerts]);
  return (
    <Chart
      option={option}
      label="Poor-mask rate per period with its 95 % interval as a band; dashed lines mark drift alerts. The table below lists the same numbers."
      onClick={(click: ChartClick) => {
        const bucket = series[click.dataIndex];
        if (bucket && click.seriesIndex === 2) onPoint(bucket);
      }}
    />
  );
}

export function HospitalsChart({ hospitals }: { hospitals: HospitalQuality[] }) {
  const option = useMemo<ChartOption>(() => {
    const starts = hospitals[0]?.series.map((s) => s.bucket_start) ?? [];
    return {
      animation: false,
      grid: { left: 48, right: 16, top: 32, bottom: 40 },
      legend: { top: 0 },
      tooltip: { trigger: "axis", valueFormatter: (value: number | null) => (value === null ? "—" : `${value.toFixed(1)} %`) },
      xAxis: { type: "category", data: starts, boundaryGap: false },
      yAxis: { type: "value", min: 0, axisLabel: { formatter: "{value} %" } },
      series: hospitals.map((h, i) => ({
        name: h.hospital.name,
        type: "line",
        data: h.series.map((s) => percent(s.poor_rate)),
        itemStyle: { color: HOSPITAL_COLOURS[i % HOSPITAL_COLOURS.length] },
        symbolSize: 6,
      })),
    };
  }, [hospitals]);
  return <Chart option={option} label="Poor-mask rate per period, one line per hospital. The table above lists each hospital's totals." />;
}

function binLabel({ low_days, high_days }: { low_days: number | null; high_days: number | null }): string {
  if (low_days === null) return `< ${high_days}`;
  if (high_days === null) return `≥ ${low_days}`;
  return `${low_days}…${high_days}`;
}

export function GaChart({ good, poor }: { good: GaLabelDiscrepancy; poor: GaLabelDiscrepancy }) {
  const option = useMemo<ChartOption>(
    () => ({
      animation: false,
      grid: { left: 48, right: 16, top: 32, bottom: 56 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: {
        type: "category",
        data: good.histogram.map(binLabel),
        name: "CRL-derived GA − reported GA (days)",
        nameLocation: "middle",
        nameGap: 32,
      },
      yAxis: { type: "value", name: "frames", minInterval: 1 },
      series: [
        { name: "Judged good", type: "bar", data: good.histogram.map((b) => b.count), itemStyle: { color: ACCENT } },
        { name: "Judged poor", type: "bar", data: poor.histogram.map((b) => b.count), itemStyle: { color: POOR } },
      ],
    }),
    [good, poor],
  );
  return (
    <Chart
      option={option}
      label={`GA discrepancy histogram: masks judged good, mean |difference| ${good.mean_abs_days?.toFixed(1) ?? "—"} days over ${good.count}; judged poor, ${poor.mean_abs_days?.toFixed(1) ?? "—"} days over ${poor.count}.`}
    />
  );
}


import { render } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { ChartClick, ChartProps } from "../ui/Chart";
import { alertAnswer, dashboardAnswer } from "./fixtures";

const drawn: ChartProps[] = [];
vi.mock("../ui/Chart", () => ({
  Chart: (props: ChartProps) => {
    drawn.push(props);
    return <div role="img" aria-label={props.label} />;
  },
}));
const { QualityChart } = await import("./DashboardCharts");

describe("the poor-rate chart", () => {
  it("draws the server's rate and bounds, marks alerts at their bucket, and opens a clicked point", () => {
    const onPoint = vi.fn();
    render(<QualityChart series={dashboardAnswer.series} alerts={[alertAnswer]} onPoint={onPoint} />);

    const { option, onClick } = drawn.at(-1)!;
    const series = (option as { series: { name: string; data: (number | null)[]; markLine?: { data: { xAxis: string }[] } }[] }).series;
    expect(series.map((s) => s.name)).toEqual(["lower", "95 % interval", "Poor rate"]);
    expect(series[2]!.data).toEqual([null, 40, 0]);
    expect(series[0]!.data[1]).toBeCloseTo(11.76);
    expect(series[2]!.markLine!.data.map((marker) => marker.xAxis)).toEqual(["2026-03-02"]);

    onClick!({ componentType: "series", seriesIndex: 2, dataIndex: 1, name: "2026-03-02" } as ChartClick);
    onClick!({ componentType: "series", seriesIndex: 1, dataIndex: 2, name: "2026-03-09" } as ChartClick);

    expect(onPoint).toHaveBeenCalledTimes(1);
    expect(onPoint).toHaveBeenCalledWith(dashboardAnswer.series[1]);
  });
});

import { render } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const instance = { setOption: vi.fn(), resize: vi.fn(), dispose: vi.fn() };
const init = vi.fn((_element: HTMLElement, _theme?: unknown, _options?: unknown) => instance);
vi.mock("echarts/core", async (original) => ({ ...(await original<typeof import("echarts/core")>()), init }));

const { Chart, cspSafe } = await import("./Chart");

beforeEach(() => {
  vi.clearAllMocks();
});
afterEach(() => vi.unstubAllGlobals());

const option = { xAxis: { type: "category", data: ["Mon", "Tue"] }, yAxis: {}, series: [{ type: "line", data: [1, 2] }] };

describe("Chart", () => {
  it("draws the option on a canvas chart in a labelled box of the given height", () => {
    const { container } = render(<Chart option={option} label="Poor-mask rate per week" height={200} />);

    const box = container.querySelector<HTMLElement>(".chart")!;
    expect(box.getAttribute("role")).toBe("img");
    expect(box.getAttribute("aria-label")).toBe("Poor-mask rate per week");
    // Set through the CSSOM, which the Content-Security-Policy (no 'unsafe-inline' styles) allows.
    expect(box.style.height).toBe("200px");
    expect(init).toHaveBeenCalledWith(box, undefined, { renderer: "canvas" });
    expect(instance.setOption).toHaveBeenCalledWith(option, { notMerge: true });
  });

  it("replaces the option when it changes, and disposes of the chart when it goes", () => {
    const view = render(<Chart option={option} label="Rates" />);
    const next = { ...option, series: [{ type: "bar", data: [3, 4] }] };

    view.rerender(<Chart option={next} label="Rates" />);
    expect(instance.setOption).toHaveBeenLastCalledWith(next, { notMerge: true });
    expect(init).toHaveBeenCalledTimes(1);

    view.unmount();
    expect(instance.dispose).toHaveBeenCalledTimes(1);
  });

  it("follows the size of its box", () => {
    let resized: () => void = () => undefined;
    vi.stubGlobal(
      "ResizeObserver",
      class {
        constructor(callback: () => void) {
          resized = callback;
        }
        observe() {}
        disconnect() {}
      },
    );
    render(<Chart option={option} label="Rates" />);

    resized();

    expect(instance.resize).toHaveBeenCalledTimes(1);
  });
});

describe("cspSafe", () => {
  it("draws tooltips on the canvas, where the CSP's style-src cannot refuse them", () => {
    expect(cspSafe({ tooltip: { trigger: "axis" } })).toEqual({ tooltip: { renderMode: "richText", trigger: "axis" } });
    expect(cspSafe({ tooltip: [{}, { renderMode: "html" }] })).toEqual({ tooltip: [{ renderMode: "richText" }, { renderMode: "html" }] });
    expect(cspSafe(option)).toBe(option);
  });
});

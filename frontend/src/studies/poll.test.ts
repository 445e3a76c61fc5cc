import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { poll } from "./poll";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const statuses = (...all: string[]) => ({ frames: all.map((status) => ({ status })) });
const allFinal = (data: { frames: { status: string }[] }) => data.frames.every((f) => f.status === "done" || f.status === "failed");

describe("poll", () => {
  it("asks every interval until every frame is done or failed, then stops", async () => {
    const answers = [statuses("running", "pending"), statuses("done", "running"), statuses("done", "failed")];
    const load = vi.fn(async () => answers.shift()!);
    const onData = vi.fn();

    const poller = poll({ load, onData, isDone: allFinal, signal: new AbortController().signal, intervalMs: 1000 });

    await vi.advanceTimersByTimeAsync(0);
    expect(load).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(load).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(load).toHaveBeenCalledTimes(3);
    expect(poller.stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(load).toHaveBeenCalledTimes(3);
    expect(onData).toHaveBeenCalledTimes(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("asks once when everything is already final", async () => {
    const load = vi.fn(async () => statuses("done"));
    poll({ load, onData: vi.fn(), isDone: allFinal, signal: new AbortController().signal });
    await vi.advanceTimersByTimeAsync(5000);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("stops, clearing its timer, when the page is left", async () => {
    const page = new AbortController();
    const load = vi.fn(async () => statuses("running"));
    const poller = poll({ load, onData: vi.fn(), isDone: allFinal, signal: page.signal });

    await vi.advanceTimersByTimeAsync(2500);
    expect(load).toHaveBeenCalledTimes(3);
    page.abort();
    expect(poller.stopped).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it("drops an answer that arrives after the page was left, and aborts its request", async () => {
    const page = new AbortController();
    let requestSignal: AbortSignal | undefined;
    let resolve!: (value: ReturnType<typeof statuses>) => void;
    const load = vi.fn((signal: AbortSignal) => {
      requestSignal = signal;
      return new Promise<ReturnType<typeof statuses>>((r) => (resolve = r));
    });
    const onData = vi.fn();
    poll({ load, onData, isDone: allFinal, signal: page.signal });

    page.abort();
    expect(requestSignal?.aborted).toBe(true);
    resolve(statuses("done"));
    await vi.advanceTimersByTimeAsync(0);
    expect(onData).not.toHaveBeenCalled();
  });

  it("retries after a failure while onError allows it, and stops when it does not", async () => {
    const load = vi
      .fn<() => Promise<ReturnType<typeof statuses>>>()
      .mockRejectedValueOnce(new Error("down"))
      .mockRejectedValueOnce(new Error("gone"));
    const onError = vi.fn((error: unknown) => (error as Error).message === "down");
    const poller = poll({ load, onData: vi.fn(), isDone: allFinal, onError, signal: new AbortController().signal, retryMs: 3000 });

    await vi.advanceTimersByTimeAsync(0);
    expect(load).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2999);
    expect(load).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(load).toHaveBeenCalledTimes(2);
    expect(poller.stopped).toBe(true);
  });
});

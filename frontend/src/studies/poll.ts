/**
 * Asks `load` now and then every `intervalMs` until `isDone` says the answer is final, or the
 * signal is aborted (the page was left). One request at a time: the next waits for the last.
 */
export interface PollOptions<T> {
  load: (signal: AbortSignal) => Promise<T>;
  onData: (data: T) => void;
  isDone: (data: T) => boolean;
  /** A failed request: return true to try again after `retryMs`, false to stop. */
  onError?: (error: unknown) => boolean;
  signal: AbortSignal;
  intervalMs?: number;
  retryMs?: number;
}

export interface Poller {
  /** Stops at once; a request in flight is dropped. */
  stop(): void;
  readonly stopped: boolean;
}

export function poll<T>({
  load,
  onData,
  isDone,
  onError = () => true,
  signal,
  intervalMs = 1000,
  retryMs = 3000,
}: PollOptions<T>): Poller {
  const own = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    own.abort();
    signal.removeEventListener("abort", stop);
  };
  signal.addEventListener("abort", stop);

  const tick = async () => {
    timer = undefined;
    if (stopped) return;
    let delay = intervalMs;
    try {
      const data = await load(own.signal);
      if (stopped) return;
      onData(data);
      if (isDone(data)) return stop();
    } catch (error) {
      if (stopped) return;
      if (!onError(error)) return stop();
      delay = retryMs;
    }
    if (!stopped) timer = setTimeout(tick, delay);
  };

  if (signal.aborted) stop();
  else void tick();

  return {
    stop,
    get stopped() {
      return stopped;
    },
  };
}

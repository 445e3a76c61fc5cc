/** While the demo's months of history are still being seeded, the dashboard says so and how far it is. */
import { useQueryClient, useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";

import { api, unwrap, type Schemas } from "../api/typed";
import { Alert } from "../ui/Alert";

export type DemoProgressState = Schemas["DemoProgress"];

export function getDemoProgress(signal?: AbortSignal): Promise<DemoProgressState> {
  return unwrap(api.GET("/api/demo/progress/", { signal }));
}

/** Nothing outside a demo or once all is in and judged; polls every 5 s while history or judging goes on. */
export function DemoProgress() {
  const client = useQueryClient();
  const progress = useQuery({
    queryKey: ["demo-progress"],
    queryFn: ({ signal }) => getDemoProgress(signal),
    refetchInterval: (query) => (busy(query.state.data) ? 5000 : false),
  });
  const seeded = useRef<number | undefined>(undefined);
  const data = progress.data;
  useEffect(() => {
    // New history changes every number on the page: refresh them as it arrives.
    if (data && seeded.current !== undefined && data.seeded !== seeded.current) {
      void client.invalidateQueries({ queryKey: ["dashboard"] });
      void client.invalidateQueries({ queryKey: ["alerts"] });
    }
    seeded.current = data?.seeded;
  }, [client, data]);
  if (!data || !busy(data)) return null;
  const share = data.total > 0 ? Math.floor((100 * data.seeded) / data.total) : 0;
  return (
    <Alert kind="info" title="Demo history is still filling in">
      {data.state === "running" || data.state === "queued"
        ? `${data.seeded} of ${data.total} history studies seeded (${share} %); `
        : ""}
      {`${data.frames_waiting} frames waiting for the worker. The numbers below grow as they are judged.`}
    </Alert>
  );
}

function busy(data: DemoProgressState | undefined): boolean {
  if (!data) return false;
  return data.state === "running" || data.state === "queued" || (data.state === "done" && data.frames_waiting > 0);
}

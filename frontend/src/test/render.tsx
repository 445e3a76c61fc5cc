/** What the page tests share: a fake server behind fetch, and a page rendered as the app renders it. */
import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { vi } from "vitest";
import { createQueryClient } from "../app/App";
import { MeContext } from "../app/session-context";
import type { Me } from "../auth/session";

export const manager: Me = {
  id: 1,
  username: "ana",
  role: "qa_manager",
  hospitals: [{ id: 3, name: "St Mary", slug: "st-mary" }],
};
export const admin: Me = { id: 2, username: "root", role: "admin", hospitals: [] };

export const answer = (status: number, body: unknown): Response =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });

export type Handler = (url: URL, request: Request) => Response | Promise<Response>;

/** Every request the app makes goes to `handler`; the mock records the Requests it was given. */
export function fakeServer(handler: Handler) {
  const seen: Request[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), window.location.origin), init);
    seen.push(request.clone());
    return handler(new URL(request.url), request);
  });
  vi.stubGlobal("fetch", fetchMock);
  const requests = () => [...seen];
  return {
    fetchMock,
    requests,
    /** "/api/studies/7/?limit=…" of every request so far, path and query only. */
    paths: () => requests().map((request) => {
      const url = new URL(request.url);
      return url.pathname + url.search;
    }),
  };
}

/** One page at `path`, matched by `pattern`, for `me`, with a fresh query cache. */
export function renderPage(page: ReactElement, { path, pattern = path.split("?")[0]!, me = manager }: { path: string; pattern?: string; me?: Me }) {
  const client = createQueryClient();
  const view = render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <MeContext value={me}>
          <main id="main" tabIndex={-1}>
            <Routes>
              <Route path={pattern} element={page} />
              <Route path="*" element={<p>Another page</p>} />
            </Routes>
          </main>
        </MeContext>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...view, client };
}

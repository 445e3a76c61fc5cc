/**
 * The typed client: openapi-fetch over the paths and bodies generated from the server's schema
 * (schema.d.ts, `npm run gen:api`), with the house rules of client.ts: same-origin cookies,
 * X-CSRFToken on unsafe methods, every failure an ApiError, the session's end announced.
 */
import createClient, { type Middleware } from "openapi-fetch";
import { SESSION_ENDED_EVENT, ensureCsrfCookie } from "./client";
import { CSRF_HEADER, csrfToken, isUnsafeMethod } from "./csrf";
import { errorFromBody, networkError } from "./errors";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

const house: Middleware = {
  async onRequest({ request }) {
    request.headers.set("Accept", "application/json");
    if (isUnsafeMethod(request.method)) {
      await ensureCsrfCookie();
      const token = csrfToken();
      if (token) request.headers.set(CSRF_HEADER, token);
    }
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 && response.status !== 403) return undefined;
    if (new URL(request.url).pathname.startsWith("/api/auth/")) return undefined;
    const body: unknown = await response
      .clone()
      .json()
      .catch(() => undefined);
    if (errorFromBody(response.status, response.statusText, body).isUnauthenticated) {
      // The session expired while the app was open: the app sends the person to the login page.
      window.dispatchEvent(new CustomEvent(SESSION_ENDED_EVENT));
    }
    return undefined;
  },
  onError({ error }) {
    if (error instanceof DOMException && error.name === "AbortError") return error;
    return networkError();
  },
};

export const api = createClient<paths>({
  baseUrl: typeof window === "undefined" ? "" : window.location.origin,
  credentials: "same-origin",
  // Looked up at each call, not captured once, so tests (and anything wrapping fetch) see every request.
  fetch: (request) => globalThis.fetch(request),
});
api.use(house);

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The body of a successful answer, or the ApiError of a failed one:
 * `const me = await unwrap(api.GET("/api/auth/me/", { signal }))`.
 */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw errorFromBody(response.status, response.statusText, error);
}

/** DRF's limit/offset envelope, as every paginated list in the schema has it. */
export interface Paginated<T> {
  count: number;
  next?: string | null;
  previous?: string | null;
  results: T[];
}

export const PAGE_LIMIT = 100;

/** Every item of a limit/offset list: asks page after page while the server says there is a next. */
export async function collectPages<T>(page: (offset: number) => Promise<Paginated<T>>): Promise<T[]> {
  const items: T[] = [];
  for (let offset = 0; ; ) {
    const { results, next } = await page(offset);
    items.push(...results);
    if (!next || !results.length) return items;
    offset += results.length;
  }
}

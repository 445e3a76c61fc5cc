/**
 * The typed JSON client for /api/. Same-origin session cookies; X-CSRFToken on unsafe methods;
 * every failure becomes an ApiError whose message can be shown as is.
 */
import { CSRF_HEADER, csrfToken, isUnsafeMethod } from "./csrf";
import { ApiError, errorFromBody, networkError } from "./errors";

export { ApiError } from "./errors";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
  /** A plain object is sent as JSON; FormData as multipart (the browser sets the boundary). */
  body?: unknown;
  signal?: AbortSignal;
}

/** DRF's LimitOffsetPagination envelope. */
export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

const CSRF_PATH = "/api/auth/csrf/";

/** Dispatched on window when an API call finds the session gone. */
export const SESSION_ENDED_EVENT = "fusqa:session-ended";

export async function request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
  if (isUnsafeMethod(method)) await ensureCsrfCookie();
  const response = await rawFetch(method, path, options);
  const body = await readBody(response);
  if (!response.ok) {
    const error = errorFromBody(response.status, response.statusText, body);
    if (error.isUnauthenticated && !path.startsWith("/api/auth/")) {
      // The session expired while the app was open: let the app send the person to the login page.
      window.dispatchEvent(new CustomEvent(SESSION_ENDED_EVENT));
    }
    throw error;
  }
  return body as T;
}

/** The page that loaded the app set the cookie; if it is gone (cleared, expired), ask again. */
export async function ensureCsrfCookie(): Promise<void> {
  if (!csrfToken()) await rawFetch("GET", CSRF_PATH, {});
}

async function rawFetch(method: HttpMethod, path: string, options: RequestOptions): Promise<Response> {
  const headers = new Headers({ Accept: "application/json" });
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(options.body);
  }
  if (isUnsafeMethod(method)) {
    const token = csrfToken();
    if (token) headers.set(CSRF_HEADER, token);
  }
  try {
    return await fetch(path, { method, headers, body, credentials: "same-origin", signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw networkError();
  }
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const getJson = <T>(path: string, signal?: AbortSignal) => request<T>("GET", path, { signal });
export const postJson = <T>(path: string, body?: unknown, signal?: AbortSignal) =>
  request<T>("POST", path, { body, signal });

/**
 * Every item of a list endpoint, following DRF's `next` links. Also accepts an unpaginated
 * array, so a view may switch pagination off without breaking its callers.
 */
export async function getAll<T>(path: string, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let next: string | null = path;
  while (next) {
    const page: Page<T> | T[] = await getJson<Page<T> | T[]>(next, signal);
    if (Array.isArray(page)) return items.concat(page);
    items.push(...page.results);
    next = page.next ? sameOriginPath(page.next) : null;
  }
  return items;
}

/** DRF writes absolute `next` URLs; keep only path and query so the request stays same-origin. */
function sameOriginPath(url: string): string {
  const parsed = new URL(url, window.location.origin);
  return parsed.pathname + parsed.search;
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** The message to show for anything a page's request threw. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "Something went wrong in the page. Reload and try again.";
}

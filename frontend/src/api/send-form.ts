/**
 * POST a multipart form with upload progress. fetch() cannot report upload progress, so this
 * one request goes through XMLHttpRequest, with the same CSRF header and error parsing as the
 * JSON client.
 */
import { CSRF_HEADER, csrfToken } from "./csrf";
import { errorFromBody, networkError } from "./errors";

export interface Progress {
  loaded: number;
  total: number | null;
}

export interface SendFormOptions {
  onProgress?: (progress: Progress) => void;
  /** Called once every byte has left the browser; the server is still working on it. */
  onSent?: () => void;
  signal?: AbortSignal;
  /** For tests. */
  createRequest?: () => XMLHttpRequest;
}

export interface FormResponse<T> {
  status: number;
  body: T;
}

export function sendForm<T>(path: string, form: FormData, options: SendFormOptions = {}): Promise<FormResponse<T>> {
  const xhr = options.createRequest ? options.createRequest() : new XMLHttpRequest();
  return new Promise((resolve, reject) => {
    xhr.open("POST", path);
    xhr.setRequestHeader("Accept", "application/json");
    const token = csrfToken();
    if (token) xhr.setRequestHeader(CSRF_HEADER, token);

    xhr.upload.addEventListener("progress", (event) => {
      options.onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : null });
    });
    xhr.upload.addEventListener("load", () => options.onSent?.());
    xhr.addEventListener("load", () => {
      const body = parse(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) resolve({ status: xhr.status, body: body as T });
      else reject(errorFromBody(xhr.status, xhr.statusText, body));
    });
    xhr.addEventListener("error", () => reject(networkError()));
    xhr.addEventListener("abort", () => reject(new DOMException("The upload was cancelled.", "AbortError")));
    options.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

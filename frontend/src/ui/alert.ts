import { h } from "./dom";

export type AlertKind = "error" | "info" | "success";

/**
 * A visible message box. Errors use role="alert" so a screen reader announces them at once;
 * the others are polite status messages.
 */
export function alertBox(kind: AlertKind, message: string, title?: string): HTMLDivElement {
  return h(
    "div",
    { class: `alert alert-${kind}`, role: kind === "error" ? "alert" : "status" },
    title ? h("strong", { class: "alert-title" }, title) : null,
    h("p", {}, message),
  );
}

export function loading(message = "Loading…"): HTMLParagraphElement {
  return h("p", { class: "loading", role: "status" }, message);
}

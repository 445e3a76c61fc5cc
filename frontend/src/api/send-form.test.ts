import { beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "./errors";
import { sendForm } from "./send-form";

/** Just enough of XMLHttpRequest to drive sendForm without a network. */
class FakeRequest extends EventTarget {
  readonly upload = new EventTarget();
  readonly headers: Record<string, string> = {};
  method = "";
  url = "";
  body: unknown = null;
  status = 0;
  statusText = "";
  responseText = "";

  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.dispatchEvent(new Event("abort"));
  }
  progress(loaded: number, total: number) {
    this.upload.dispatchEvent(Object.assign(new Event("progress"), { loaded, total, lengthComputable: true }));
  }
  answer(status: number, body: unknown) {
    this.upload.dispatchEvent(new Event("load"));
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.dispatchEvent(new Event("load"));
  }
}

let fake: FakeRequest;
const createRequest = () => fake as unknown as XMLHttpRequest;

beforeEach(() => {
  fake = new FakeRequest();
  document.cookie = "csrftoken=form-token; path=/";
});

describe("sendForm", () => {
  it("posts the form with the CSRF header and reports progress, then the body", async () => {
    const onProgress = vi.fn();
    const onSent = vi.fn();
    const form = new FormData();

    const pending = sendForm("/api/uploads/", form, { onProgress, onSent, createRequest });
    fake.progress(50, 200);
    fake.answer(201, { frames: [] });

    await expect(pending).resolves.toEqual({ status: 201, body: { frames: [] } });
    expect(fake.method).toBe("POST");
    expect(fake.url).toBe("/api/uploads/");
    expect(fake.headers["X-CSRFToken"]).toBe("form-token");
    expect(fake.body).toBe(form);
    expect(onProgress).toHaveBeenCalledWith({ loaded: 50, total: 200 });
    expect(onSent).toHaveBeenCalledOnce();
  });

  it("rejects with the server's error message", async () => {
    const pending = sendForm("/api/uploads/", new FormData(), { createRequest });
    fake.answer(400, { error: { code: "invalid", message: "PNG needs a pixel spacing.", field: "spacing_row_mm" } });

    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, message: "PNG needs a pixel spacing.", field: "spacing_row_mm" });
  });
});

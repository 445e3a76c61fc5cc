import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PageContext } from "../app/page";
import { uploadPage } from "./page";

const context = (): PageContext => ({
  me: { id: 1, username: "ana", role: "qa_manager", hospitals: [{ id: 3, name: "St Mary", slug: "st-mary" }] },
  params: {},
  query: new URLSearchParams(),
  signal: new AbortController().signal,
  navigate: vi.fn(),
});

/** An XMLHttpRequest that answers every send with `reply`, after reporting the bytes as sent. */
function answeringRequest(reply: { status: number; body: unknown }) {
  return class extends EventTarget {
    readonly upload = new EventTarget();
    status = 0;
    statusText = "";
    responseText = "";
    open() {}
    setRequestHeader() {}
    abort() {}
    send() {
      queueMicrotask(() => {
        this.upload.dispatchEvent(new Event("load"));
        this.status = reply.status;
        this.responseText = JSON.stringify(reply.body);
        this.dispatchEvent(new Event("load"));
      });
    }
  };
}

function choose(page: HTMLElement, file: File): void {
  Object.defineProperty(page.querySelector("#upload-file"), "files", { value: [file], configurable: true });
}

function submit(page: HTMLElement): void {
  page.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
}

const png = () => new File([new Uint8Array([137, 80, 78, 71])], "frame.png", { type: "image/png" });

describe("the upload page", () => {
  let xhrOpen: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    xhrOpen = vi.fn();
    vi.stubGlobal("fetch", vi.fn());
    vi.stubGlobal(
      "XMLHttpRequest",
      class {
        open = xhrOpen;
      },
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.replaceChildren();
  });

  it("offers the user's hospitals, preselecting the only one", () => {
    const page = uploadPage(context());
    const select = page.querySelector<HTMLSelectElement>("#upload-hospital")!;
    expect([...select.options].map((o) => o.textContent)).toEqual(["Choose a hospital…", "St Mary"]);
    expect(select.value).toBe("3");
  });

  it("marks a zero spacing next to its field and sends nothing", async () => {
    const page = uploadPage(context());
    document.body.append(page);
    (page.querySelector("#upload-spacing-row") as HTMLInputElement).value = "0";
    (page.querySelector("#upload-spacing-col") as HTMLInputElement).value = "0.2";

    page.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));

    const rowInput = page.querySelector("#upload-spacing-row")!;
    expect(rowInput.getAttribute("aria-invalid")).toBe("true");
    expect(page.querySelector("#upload-spacing-row-error")?.textContent).toBe("The spacing must be greater than 0 mm.");
    expect(rowInput.getAttribute("aria-describedby")).toContain("upload-spacing-row-error");
    expect(page.querySelector("#upload-file-error")?.textContent).toBe("Choose a DICOM, PNG or JPEG file.");
    expect(page.querySelector('[role="alert"]')?.textContent).toContain("Correct the marked fields");
    expect(xhrOpen).not.toHaveBeenCalled();
    expect(fetch).not.toHaveBeenCalled();
  });

  it("shows the frames the server created", async () => {
    document.cookie = "csrftoken=t; path=/";
    vi.stubGlobal(
      "XMLHttpRequest",
      answeringRequest({
        status: 201,
        body: {
          study: { id: 12 },
          duplicate: false,
          frames: [{ id: 40, width: 64, height: 48, spacing_row_mm: 0.25, spacing_col_mm: 0.3, spacing_source: "request" }],
        },
      }),
    );
    const page = uploadPage(context());
    document.body.append(page);
    choose(page, png());
    (page.querySelector("#upload-spacing-row") as HTMLInputElement).value = "0.25";
    (page.querySelector("#upload-spacing-col") as HTMLInputElement).value = "0.3";

    submit(page);

    await vi.waitFor(() => expect(page.querySelector(".upload-result h2")?.textContent).toBe("Uploaded"));
    expect(page.querySelector(".upload-result .alert")?.textContent).toBe("1 frame added to study #12, queued for segmentation and quality assessment.");
    const cells = [...page.querySelectorAll(".upload-result tbody td")].map((cell) => cell.textContent);
    expect(cells).toEqual(["#40", "64 × 48", "0.250 × 0.300", "Entered at upload"]);
  });

  it("shows the server's refusal in an alert and marks the field it names", async () => {
    document.cookie = "csrftoken=t; path=/";
    vi.stubGlobal(
      "XMLHttpRequest",
      answeringRequest({
        status: 400,
        body: { error: { code: "spacing_missing", message: "The pixel spacing is missing.", field: "spacing_mm" } },
      }),
    );
    const page = uploadPage(context());
    document.body.append(page);
    choose(page, new File([new Uint8Array([68, 73, 67, 77])], "scan.dcm"));

    submit(page);

    await vi.waitFor(() => expect(page.querySelector('[role="alert"]')).not.toBeNull());
    expect(page.querySelector('[role="alert"]')?.textContent).toContain("The pixel spacing is missing.");
    for (const id of ["#upload-spacing-row", "#upload-spacing-col"]) {
      expect(page.querySelector(id)?.getAttribute("aria-invalid")).toBe("true");
    }
    expect(page.querySelector(".upload-result")?.childElementCount).toBe(0);
  });
});

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
});

import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeServer, renderPage } from "../test/render";
import { UploadPage } from "./UploadPage";

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
        const progress = Object.assign(new Event("progress"), { loaded: 5, total: 10, lengthComputable: true });
        this.upload.dispatchEvent(progress);
        this.upload.dispatchEvent(new Event("load"));
        this.status = reply.status;
        this.responseText = JSON.stringify(reply.body);
        this.dispatchEvent(new Event("load"));
      });
    }
  };
}

const png = () => new File([new Uint8Array([137, 80, 78, 71])], "frame.png", { type: "image/png" });
const xhrOpen = vi.fn();

function open() {
  return renderPage(<UploadPage />, { path: "/upload" });
}

beforeEach(() => {
  document.cookie = "csrftoken=t; path=/";
  fakeServer(() => new Response(null, { status: 500 }));
  vi.stubGlobal("XMLHttpRequest", class extends EventTarget {
    open = xhrOpen;
  });
});
afterEach(() => vi.unstubAllGlobals());

describe("the upload page", () => {
  it("offers the user's hospitals, preselecting the only one", () => {
    open();
    const select = screen.getByLabelText<HTMLSelectElement>("Hospital");
    expect([...select.options].map((o) => o.textContent)).toEqual(["Choose a hospital…", "St Mary"]);
    expect(select.value).toBe("3");
  });

  it("marks a zero spacing next to its field, moves focus there and sends nothing", async () => {
    open();
    await userEvent.type(screen.getByLabelText("Between rows (mm)"), "0");
    await userEvent.type(screen.getByLabelText("Between columns (mm)"), "0.2");

    await userEvent.click(screen.getByRole("button", { name: "Upload" }));

    const row = screen.getByLabelText("Between rows (mm)");
    expect(row.getAttribute("aria-invalid")).toBe("true");
    expect(document.querySelector("#upload-spacing-row-error")?.textContent).toBe("The spacing must be greater than 0 mm.");
    expect(row.getAttribute("aria-describedby")).toContain("upload-spacing-row-error");
    expect(document.querySelector("#upload-file-error")?.textContent).toBe("Choose a DICOM, PNG or JPEG file.");
    expect(screen.getByRole("alert").textContent).toContain("Correct the marked fields");
    // The first field in error, in the form's order, takes focus: here the file.
    expect(document.activeElement).toBe(screen.getByLabelText("Scan file"));
    expect(xhrOpen).not.toHaveBeenCalled();
    expect(fetch).not.toHaveBeenCalled();
  });

  it("shows the frames the server created, and focuses their heading", async () => {
    vi.stubGlobal(
      "XMLHttpRequest",
      answeringRequest({
        status: 201,
        body: {
          study: 12,
          duplicate: false,
          frames: [{ id: 40, frame_number: 1, width: 64, height: 48, spacing_row_mm: 0.25, spacing_col_mm: 0.3, spacing_source: "request" }],
        },
      }),
    );
    open();
    await userEvent.upload(screen.getByLabelText("Scan file"), png());
    await userEvent.type(screen.getByLabelText("Between rows (mm)"), "0.25");
    await userEvent.type(screen.getByLabelText("Between columns (mm)"), "0.3");

    await userEvent.click(screen.getByRole("button", { name: "Upload" }));

    const heading = await screen.findByRole("heading", { level: 2, name: "Uploaded" });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    expect(document.querySelector(".upload-result .alert")?.textContent).toBe(
      "1 frame added to study #12, queued for segmentation and quality assessment.",
    );
    const cells = [...document.querySelectorAll(".upload-result tbody td")].map((cell) => cell.textContent);
    expect(cells).toEqual(["#40", "64 × 48", "0.250 × 0.300", "Entered at upload"]);
    expect(screen.getByRole("link", { name: "Open study #12" }).getAttribute("href")).toBe("/studies/12");
  });

  it("shows the server's refusal in an alert and marks the field it names", async () => {
    vi.stubGlobal(
      "XMLHttpRequest",
      answeringRequest({
        status: 400,
        body: { error: { code: "spacing_missing", message: "The pixel spacing is missing.", field: "spacing_mm" } },
      }),
    );
    open();
    fireEvent.change(screen.getByLabelText("Scan file"), {
      target: { files: [new File([new Uint8Array([68, 73, 67, 77])], "scan.dcm")] },
    });

    await userEvent.click(screen.getByRole("button", { name: "Upload" }));

    expect((await screen.findByRole("alert")).textContent).toContain("The pixel spacing is missing.");
    for (const label of ["Between rows (mm)", "Between columns (mm)"]) {
      expect(screen.getByLabelText(label).getAttribute("aria-invalid")).toBe("true");
    }
    expect(document.querySelector(".upload-result")?.childElementCount).toBe(0);
  });
});

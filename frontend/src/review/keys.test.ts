import { describe, expect, it } from "vitest";
import { keyAction, nextBrushSize } from "./keys";

const press = (key: string, extra: Partial<KeyboardEvent> = {}, target: EventTarget | null = document.body) =>
  keyAction({ key, ctrlKey: false, metaKey: false, altKey: false, target, ...extra } as KeyboardEvent);

describe("the workspace's keys", () => {
  it.each([
    ["g", { kind: "verdict", verdict: "good" }],
    ["P", { kind: "verdict", verdict: "poor" }],
    ["u", { kind: "verdict", verdict: "unusable" }],
    ["s", { kind: "skip" }],
    ["z", { kind: "undo" }],
    ["r", { kind: "reset" }],
    ["b", { kind: "tool", tool: "brush" }],
    ["e", { kind: "tool", tool: "eraser" }],
    ["l", { kind: "tool", tool: "polygon" }],
    ["[", { kind: "brush-size", step: -1 }],
    ["]", { kind: "brush-size", step: 1 }],
    ["Enter", { kind: "polygon-close" }],
    ["Escape", { kind: "polygon-cancel" }],
  ])("%s", (key, action) => {
    expect(press(key)).toEqual(action);
  });

  it("leaves Ctrl, Cmd and Alt combinations to the browser", () => {
    expect(press("z", { ctrlKey: true })).toBeNull();
    expect(press("g", { metaKey: true })).toBeNull();
    expect(press("p", { altKey: true })).toBeNull();
  });

  it("lets form fields have their keys, but not the opacity slider", () => {
    const select = document.createElement("select");
    const range = Object.assign(document.createElement("input"), { type: "range" });
    document.body.append(select, range);
    expect(press("g", {}, select)).toBeNull();
    expect(press("g", {}, range)).toEqual({ kind: "verdict", verdict: "good" });
  });

  it("ignores keys without an action", () => {
    expect(press("q")).toBeNull();
  });

  it("steps the brush through its sizes, stopping at either end", () => {
    expect(nextBrushSize(6, 1)).toBe(8);
    expect(nextBrushSize(6, -1)).toBe(4);
    expect(nextBrushSize(1, -1)).toBe(1);
    expect(nextBrushSize(64, 1)).toBe(64);
    expect(nextBrushSize(5, 1)).toBe(8);
  });
});

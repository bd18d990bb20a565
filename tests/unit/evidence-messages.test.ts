import { describe, expect, it } from "vitest";
import { MAX_UPLOAD_MESSAGES, reportUpload, type UploadMessage } from "~/lib/evidence-messages";

const note = (kind: UploadMessage["kind"], text: string, round: number): UploadMessage => ({ key: text, kind, text, round });

describe("upload panel notes", () => {
  it("a later successful upload removes the stale error of an earlier pick", () => {
    let shown = reportUpload([], note("error", "a.exe: type", 1));
    shown = reportUpload(shown, note("ok", "b.pdf uploaded", 2));
    expect(shown.map((m) => m.text)).toEqual(["b.pdf uploaded"]);
    expect(shown.some((m) => m.kind === "error")).toBe(false);
  });

  it("keeps the notes of one pick side by side (one file refused, one uploaded)", () => {
    let shown = reportUpload([], note("error", "a.exe: type", 3));
    shown = reportUpload(shown, note("ok", "b.pdf uploaded", 3));
    expect(shown.map((m) => m.kind)).toEqual(["error", "ok"]);
  });

  it("a late reply of an older pick does not remove the notes of a newer one", () => {
    let shown = reportUpload([], note("error", "c.pdf: too large", 5));
    shown = reportUpload(shown, note("ok", "old.pdf uploaded", 4));
    expect(shown.map((m) => m.text)).toEqual(["c.pdf: too large", "old.pdf uploaded"]);
  });

  it("shows at most the last few notes", () => {
    let shown: UploadMessage[] = [];
    for (let i = 0; i < 9; i++) shown = reportUpload(shown, note("error", `f${i}`, 1));
    expect(shown).toHaveLength(MAX_UPLOAD_MESSAGES);
    expect(shown.at(-1)?.text).toBe("f8");
  });
});

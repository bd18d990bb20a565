import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeRedirectTarget } from "~/lib/http/redirect-target";

const BASE = "http://app.example";
const FALLBACK = "/t/chengdu";
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** What a browser does with a Location value: strips TAB/CR/LF (and leading/trailing C0 + space), then resolves. */
function browserResolve(location: string): URL {
  // eslint-disable-next-line no-control-regex
  const stripped = location.replace(/[\t\n\r]/g, "").replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "");
  return new URL(stripped, BASE);
}

function assertStaysHome(input: string) {
  const out = safeRedirectTarget(input, FALLBACK);
  expect(CONTROL.test(out)).toBe(false);
  expect(out.includes("\\")).toBe(false);
  expect(new URL(out, BASE).origin).toBe(BASE);
  expect(browserResolve(out).origin).toBe(BASE);
  // Plain ASCII: a header value Node accepts.
  expect(/^[\x21-\x7e]*$/.test(out)).toBe(true);
}

// Pieces an attacker combines: separators, encodings, schemes and hosts.
const hostilePiece = fc.constantFrom(
  "/", "//", "\\", "/\\", "%09", "%0a", "%0d", "%0D%0A", "%2f", "%2F", "%5c", "%5C", "%2509", "%252F",
  "\t", "\n", "\r", "\u0000", "\u007f", "\u0085", "\u2028", "\u202e", " ", ".", "..", "@", ":", "?", "#",
  "evil.example", "http:", "https:", "javascript:", "data:", "%E4%B8%AD", "中文", "t", "chengdu", "%",
);

describe("safeRedirectTarget", () => {
  it.each([
    ["/%09/evil.example/phish"],
    ["/\t/evil.example/phish"],
    ["//evil.example"],
    ["/\\evil.example"],
    ["\\\\evil.example"],
    ["/%5Cevil.example"],
    ["/%2F/evil.example"],
    ["/%2509/evil.example"],
    ["/\r\n/evil.example"],
    ["/%0d%0aSet-Cookie:x=1"],
    ["http://evil.example/"],
    ["https:evil.example"],
    ["javascript:alert(1)"],
    [" /t/chengdu"],
    ["/.//evil.example"],
    ["/..//evil.example"],
    [""],
  ])("refuses %j", (input) => {
    expect(safeRedirectTarget(input, FALLBACK)).toBe(FALLBACK);
  });

  it("refuses non-strings and over-long values", () => {
    expect(safeRedirectTarget(null, FALLBACK)).toBe(FALLBACK);
    expect(safeRedirectTarget(["/x"], FALLBACK)).toBe(FALLBACK);
    expect(safeRedirectTarget(`/${"a".repeat(5000)}`, FALLBACK)).toBe(FALLBACK);
  });

  it("keeps same-origin paths with their query and hash, encoding non-ASCII", () => {
    expect(safeRedirectTarget("/t/chengdu/assessments?page=2#top", FALLBACK)).toBe("/t/chengdu/assessments?page=2#top");
    expect(safeRedirectTarget("/t/chengdu/enterprises?q=%E4%B8%AD", FALLBACK)).toBe("/t/chengdu/enterprises?q=%E4%B8%AD");
    expect(safeRedirectTarget("/t/chengdu/enterprises?q=中文", FALLBACK)).toBe("/t/chengdu/enterprises?q=%E4%B8%AD%E6%96%87");
    expect(safeRedirectTarget("/t/chengdu?q=50%25", FALLBACK)).toBe("/t/chengdu?q=50%25");
  });

  it("never leaves the origin nor yields a control character, for any string", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 80 }), assertStaysHome), { numRuns: 3000 });
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), assertStaysHome), { numRuns: 1000 });
  });

  it("never leaves the origin for combinations of hostile pieces, raw or percent-encoded", () => {
    const hostile = fc.array(hostilePiece, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(""));
    fc.assert(fc.property(hostile, assertStaysHome), { numRuns: 5000 });
    fc.assert(fc.property(hostile.map((s) => `/${s}`), assertStaysHome), { numRuns: 5000 });
    fc.assert(fc.property(hostile.map((s) => encodeURIComponent(s)), assertStaysHome), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        assertStaysHome(url);
        expect(safeRedirectTarget(url, FALLBACK)).toBe(FALLBACK);
      }),
      { numRuns: 1000 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { isStateChanging, sameOriginRequest } from "~/lib/http/request-origin";

const base = { host: "127.0.0.1:4000", protocol: "http", appUrl: "https://safegrade.example.cn" };

describe("same-origin check", () => {
  it("accepts the request's own origin and APP_URL", () => {
    expect(sameOriginRequest({ ...base, origin: "http://127.0.0.1:4000", referer: null })).toBe(true);
    expect(sameOriginRequest({ ...base, origin: "https://safegrade.example.cn", referer: null })).toBe(true);
    expect(sameOriginRequest({ ...base, origin: null, referer: "http://127.0.0.1:4000/t/chengdu/login" })).toBe(true);
  });

  it("refuses other origins, null and unparsable values", () => {
    for (const origin of ["http://evil.example", "null", "http://127.0.0.1:4001", "https://127.0.0.1:4000", "garbage", "file://x"])
      expect(sameOriginRequest({ ...base, origin, referer: null })).toBe(false);
    expect(sameOriginRequest({ ...base, origin: null, referer: "http://evil.example/x" })).toBe(false);
    expect(sameOriginRequest({ ...base, origin: null, referer: "not a url" })).toBe(false);
    // Origin wins over a same-origin Referer.
    expect(sameOriginRequest({ ...base, origin: "http://evil.example", referer: "http://127.0.0.1:4000/" })).toBe(false);
  });

  it("lets requests without Origin and Referer through (not sent by a browser page)", () => {
    expect(sameOriginRequest({ ...base, origin: null, referer: null })).toBe(true);
  });

  it("knows the state-changing methods", () => {
    expect(["POST", "put", "PATCH", "DELETE"].every(isStateChanging)).toBe(true);
    expect(["GET", "HEAD", "OPTIONS"].some(isStateChanging)).toBe(false);
  });
});

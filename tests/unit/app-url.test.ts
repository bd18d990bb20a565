import { describe, expect, it } from "vitest";
import { checkAppUrl, listeningUrl } from "../../scripts/lib/app-url";

describe("APP_URL start-up check", () => {
  it("unset: uses the real port and warns", () => {
    const r = checkAppUrl({ appUrl: undefined, host: "127.0.0.1", port: 3456 });
    expect(r.appUrl).toBe("http://localhost:3456");
    expect(r.warning).toContain("APP_URL is not set");
    expect(r.warning).toContain("3456");
  });

  it("a local APP_URL on another port warns and names the right value", () => {
    const r = checkAppUrl({ appUrl: "http://localhost:3000", host: "127.0.0.1", port: 4000 });
    expect(r.appUrl).toBe("http://localhost:3000");
    expect(r.warning).toContain("port 4000");
    expect(r.warning).toContain("APP_URL=http://localhost:4000");
    expect(checkAppUrl({ appUrl: "http://10.0.0.5:80", host: "10.0.0.5", port: 8080 }).warning).toContain("8080");
  });

  it("a matching or public APP_URL is accepted quietly", () => {
    expect(checkAppUrl({ appUrl: "http://localhost:4000/", host: "127.0.0.1", port: 4000 })).toEqual({ appUrl: "http://localhost:4000", warning: null });
    expect(checkAppUrl({ appUrl: "https://grading.example.gov.cn", host: "127.0.0.1", port: 3000 }).warning).toBeNull();
  });

  it("garbage is reported", () => {
    expect(checkAppUrl({ appUrl: "not a url", host: "127.0.0.1", port: 3000 }).warning).toContain("not a URL");
  });

  it("a wildcard bind is shown as localhost", () => {
    expect(listeningUrl("0.0.0.0", 80)).toBe("http://localhost:80");
  });
});

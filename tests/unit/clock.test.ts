import { afterEach, describe, expect, it } from "vitest";
import { requestNow, TEST_NOW_HEADER } from "~/clock.server";

const saved = { clock: process.env.SAFEGRADE_TEST_CLOCK, dir: process.env.E2E_DATA_DIR };
afterEach(() => {
  if (saved.clock === undefined) delete process.env.SAFEGRADE_TEST_CLOCK;
  else process.env.SAFEGRADE_TEST_CLOCK = saved.clock;
  if (saved.dir === undefined) delete process.env.E2E_DATA_DIR;
  else process.env.E2E_DATA_DIR = saved.dir;
});

const moved = "2028-01-15T02:00:00.000Z";
const withHeader = (value: string) => new Request("http://x/", { headers: { [TEST_NOW_HEADER]: value } });

describe("requestNow", () => {
  it("ignores the test header unless the e2e test clock is switched on", () => {
    delete process.env.SAFEGRADE_TEST_CLOCK;
    process.env.E2E_DATA_DIR = "/tmp/x";
    expect(requestNow(withHeader(moved)).toISOString()).not.toBe(moved);
    process.env.SAFEGRADE_TEST_CLOCK = "1";
    delete process.env.E2E_DATA_DIR;
    expect(requestNow(withHeader(moved)).toISOString()).not.toBe(moved);
  });

  it("uses the header's instant in the e2e server, and the real clock for a bad value", () => {
    process.env.SAFEGRADE_TEST_CLOCK = "1";
    process.env.E2E_DATA_DIR = "/tmp/x";
    expect(requestNow(withHeader(moved)).toISOString()).toBe(moved);
    const before = Date.now();
    const bad = requestNow(withHeader("not a date")).getTime();
    expect(bad).toBeGreaterThanOrEqual(before);
    expect(requestNow(new Request("http://x/")).getTime()).toBeGreaterThanOrEqual(before);
  });
});

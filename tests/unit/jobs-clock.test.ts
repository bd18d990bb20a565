/** The scheduler's clock: real time everywhere except the test server's clock file (decision 018). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { jobsNow } from "~/clock.server";
import { schedulerPollMs } from "~/jobs/scheduler.server";

const saved = { ...process.env };
afterEach(() => {
  for (const key of ["SAFEGRADE_TEST_CLOCK", "E2E_DATA_DIR", "SAFEGRADE_TEST_CLOCK_FILE"]) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

describe("jobs clock", () => {
  it("reads the clock file only in the test server; anything unreadable is the real time", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "sg-clock-")), "now");
    writeFileSync(file, "2030-01-02T03:04:05.000Z");
    process.env.SAFEGRADE_TEST_CLOCK_FILE = file;
    delete process.env.SAFEGRADE_TEST_CLOCK;
    delete process.env.E2E_DATA_DIR;
    const real = () => Math.abs(jobsNow().getTime() - Date.now()) < 5_000;
    expect(real()).toBe(true);
    process.env.SAFEGRADE_TEST_CLOCK = "1";
    expect(real()).toBe(true);
    process.env.E2E_DATA_DIR = "/tmp/x";
    expect(jobsNow().toISOString()).toBe("2030-01-02T03:04:05.000Z");
    writeFileSync(file, "not a date");
    expect(real()).toBe(true);
    process.env.SAFEGRADE_TEST_CLOCK_FILE = `${file}-missing`;
    expect(real()).toBe(true);
  });

  it("polls every 15 s unless SCHEDULER_POLL_MS is a whole number from 250 ms to an hour", () => {
    expect(schedulerPollMs(undefined)).toBe(15_000);
    expect(schedulerPollMs("300")).toBe(300);
    for (const bad of ["", "100", "abc", "1e3", "3600001", "-5", "250.5"]) expect(schedulerPollMs(bad)).toBe(15_000);
  });
});

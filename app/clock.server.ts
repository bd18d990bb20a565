/**
 * The time a request acts at. Always the real clock, except in the end-to-end test server, which
 * sets SAFEGRADE_TEST_CLOCK=1 so a test can move time forward for its own browser context with the
 * `X-SafeGrade-Test-Now` header (an ISO instant). Stateless: nothing is kept between requests, so
 * it works with any number of app instances and cannot leak into another user's requests.
 * Production never honours the header (the variable is refused there unless E2E_DATA_DIR is set,
 * which only scripts/e2e-server.ts does).
 */
import { readFileSync } from "node:fs";

export const TEST_NOW_HEADER = "x-safegrade-test-now";

function testClockEnabled(): boolean {
  return process.env.SAFEGRADE_TEST_CLOCK === "1" && Boolean(process.env.E2E_DATA_DIR);
}

export function requestNow(request: Request): Date {
  if (testClockEnabled()) {
    const raw = request.headers.get(TEST_NOW_HEADER);
    if (raw) {
      const at = new Date(raw);
      if (!Number.isNaN(at.getTime())) return at;
    }
  }
  return new Date();
}

/**
 * The time the scheduled jobs act at. Always the real clock, except in the test server, where
 * SAFEGRADE_TEST_CLOCK_FILE may name a file holding an ISO instant: the two-instance test moves
 * each instance's job clock by rewriting it (read at every scheduler tick; unreadable → real time).
 */
export function jobsNow(): Date {
  const file = process.env.SAFEGRADE_TEST_CLOCK_FILE;
  if (testClockEnabled() && file) {
    try {
      const at = new Date(readFileSync(file, "utf8").trim());
      if (!Number.isNaN(at.getTime())) return at;
    } catch {
      // No clock file (yet): the real clock.
    }
  }
  return new Date();
}

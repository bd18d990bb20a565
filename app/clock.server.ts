/**
 * The time a request acts at. Always the real clock, except in the end-to-end test server, which
 * sets SAFEGRADE_TEST_CLOCK=1 so a test can move time forward for its own browser context with the
 * `X-SafeGrade-Test-Now` header (an ISO instant). Stateless: nothing is kept between requests, so
 * it works with any number of app instances and cannot leak into another user's requests.
 * Production never honours the header (the variable is refused there unless E2E_DATA_DIR is set,
 * which only scripts/e2e-server.ts does).
 */
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

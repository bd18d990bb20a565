/** The app's scheduled jobs. Later steps register theirs here. */
import { purgeOldClaims } from "~/data/cas.server";
import { purgeExpiredRateLimits } from "~/data/rate-limit.server";
import { purgeExpiredSessions } from "~/data/sessions.server";
import { registerJob } from "./scheduler.server";

export function registerAllJobs(): void {
  registerJob({
    name: "purge-expired-sessions",
    intervalMs: 60 * 60 * 1000,
    run: async (now) => `deleted ${await purgeExpiredSessions(now)} sessions`,
  });
  registerJob({
    name: "purge-rate-limits",
    intervalMs: 15 * 60 * 1000,
    run: async (now) => `deleted ${await purgeExpiredRateLimits(now)} counters`,
  });
  registerJob({
    name: "purge-old-claims",
    intervalMs: 6 * 60 * 60 * 1000,
    run: async (now) => `deleted ${await purgeOldClaims(now)} claims`,
  });
}

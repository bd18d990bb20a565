import { describe, expect, it } from "vitest";
import { JobSchedule } from "../../models/job-schedule";
import { Session } from "../../models/session";
import { claimJob, runDueJobs, type Job } from "~/jobs/scheduler.server";
import { createSession } from "~/data/sessions.server";
import { createUser } from "../factories";

describe("scheduled jobs across instances", () => {
  it("lets exactly one of many concurrent instances claim a slot", async () => {
    const now = new Date("2026-03-02T08:00:00Z");
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => claimJob("test-job", 60_000, now, `instance-${i}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    // Same slot again: nobody wins; the next slot: exactly one wins.
    expect(await claimJob("test-job", 60_000, now, "late")).toBe(false);
    const next = new Date(now.getTime() + 60_000);
    const again = await Promise.all(Array.from({ length: 5 }, (_, i) => claimJob("test-job", 60_000, next, `b-${i}`)));
    expect(again.filter(Boolean)).toHaveLength(1);
  });

  it("runs a due job once even when two instances tick together, and records the result", async () => {
    let runs = 0;
    const job: Job = { name: "count", intervalMs: 1000, run: async () => `run ${++runs}` };
    const now = new Date("2026-03-02T09:00:00Z");
    await Promise.all([runDueJobs(now, [job]), runDueJobs(now, [job])]);
    expect(runs).toBe(1);
    const row = await JobSchedule.findById("count").lean();
    expect(row?.lastResult).toBe("run 1");
    expect(row?.runs).toBe(1);
  });

  it("purges expired sessions through the registered job", async () => {
    const { registerAllJobs } = await import("~/jobs/index.server");
    const { registeredJobs } = await import("~/jobs/scheduler.server");
    registerAllJobs();
    const user = await createUser();
    await createSession({ userId: user._id, ip: "", userAgent: "", now: new Date("2020-01-01") });
    await createSession({ userId: user._id, ip: "", userAgent: "" });
    const ran = await runDueJobs(new Date(), registeredJobs());
    expect(ran.map((r) => r.name)).toContain("purge-expired-sessions");
    expect(await Session.countDocuments({})).toBe(1);
  });
});

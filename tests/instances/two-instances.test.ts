/**
 * Two real app instances (built app, separate Node processes) on ONE database, as the README
 * promises: conflicting workflow and credit events sent through both at once, both schedulers
 * running the jobs over a moved clock (SAFEGRADE_TEST_CLOCK_FILE, one per instance, so the two run
 * the same job in different slots at the same time), then one instance SIGKILLed mid-burst while
 * it is stuck sending mail. Proves: no double transition, no double certificate or number, no
 * duplicate email (real SMTP server receiving what both send), nothing lost after the kill.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import mongoose, { type Types } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Assessment, type AssessmentDoc } from "../../models/assessment";
import { AuditEvent } from "../../models/audit-event";
import { Certificate } from "../../models/certificate";
import { Claim } from "../../models/claim";
import { CreditRecord, type CreditRecordDoc } from "../../models/credit-record";
import { ensureIndexes } from "../../models/index";
import { OutboxMessage } from "../../models/outbox-message";
import { importRubricFiles } from "~/data/rubrics.server";
import { withDatabaseName } from "../../scripts/lib/database";
import { startSmtpSink, type SmtpSink } from "../../scripts/lib/smtp-sink";
import { cookieFor } from "../factories";
import { startInstance, type AppInstance } from "./app-instance";
import { applicationUnderNotice, createWorld, creditDraft, submittedApplication, type World } from "./fixtures";

const SECRET = "two-instances-secret-0123456789-abcdef";
process.env.MONGODB_URI = withDatabaseName(inject("instancesServerUri"), "sg_two_instances");
(process.env as Record<string, string>).NODE_ENV = "test";
process.env.SESSION_SECRET = SECRET;
process.env.APP_URL = "http://localhost:3000";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
/** Shanghai noon 40 days ahead (04:00 UTC): every job clock below stays in that day and in one 6-hour slot. */
const T = new Date(Math.floor((Date.now() + 40 * DAY) / DAY) * DAY + 4 * 60 * MIN);
const at = (minutes: number) => new Date(T.getTime() + minutes * MIN);

type Reply = { instance: string; status: number; target: string; event: string };

let sink: SmtpSink;
let w: World;
let a: AppInstance;
let b: AppInstance;
const clockFile = (name: string) => path.join(os.tmpdir(), `safegrade-clock-${process.pid}-${name}`);
const setClock = (instance: AppInstance | string, when: Date) =>
  writeFileSync(clockFile(typeof instance === "string" ? instance : instance.name), when.toISOString());
/**
 * Both job clocks 10 s either side of a 15-minute boundary: every job with an interval up to 15
 * minutes falls in a different slot on each instance, so both run it at the same time. The skew
 * (20 s) stays well under the outbox lease (120 s), as real clocks would.
 */
function setClocks(boundary: Date): void {
  if (boundary.getTime() % (15 * MIN) !== 0) throw new Error("not a 15-minute boundary");
  setClock("a", new Date(boundary.getTime() - 10_000));
  setClock("b", new Date(boundary.getTime() + 10_000));
}

const grading = { accept: [] as Types.ObjectId[], notice: [] as Types.ObjectId[], kill: [] as Types.ObjectId[] };
let credit: Types.ObjectId[] = [];
const replies: Reply[] = [];

async function post(instance: AppInstance, target: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
  const event = form.intent ?? "";
  try {
    const res = await fetch(`${instance.url}/t/${w.tenant.slug}/${target}`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: w.regulatorCookie, origin: instance.url, "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form),
    });
    await res.arrayBuffer();
    return { instance: instance.name, status: res.status, target, event };
  } catch {
    // Connection refused or reset: the instance is dead; the request was not accepted.
    return { instance: instance.name, status: 0, target, event };
  }
}

const app = (id: Types.ObjectId) => `applications/${String(id)}`;
const record = (id: Types.ObjectId) => `credit/${String(id)}`;

/** `copies` identical requests per target, alternating instances, all at once. */
async function burst(targets: string[], form: Record<string, string>, copies = 4, headers: Record<string, string> = {}): Promise<Reply[]> {
  const sent = await Promise.all(
    targets.flatMap((target) => Array.from({ length: copies }, (_, i) => post(i % 2 === 0 ? a : b, target, form, headers))),
  );
  replies.push(...sent);
  return sent;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}\n--- a ---\n${a.output()}\n--- b ---\n${b.output()}`);
}

const applications = (ids: Types.ObjectId[]) =>
  Assessment.find({ tenantId: w.tenant._id, _id: { $in: ids } }).lean<AssessmentDoc[]>();
const records = (ids: Types.ObjectId[]) => CreditRecord.find({ tenantId: w.tenant._id, _id: { $in: ids } }).lean<CreditRecordDoc[]>();
const count = <T>(items: T[], pred: (t: T) => boolean) => items.filter(pred).length;

async function allMailSent(): Promise<boolean> {
  const open = await OutboxMessage.countDocuments({ tenantId: w.tenant._id, status: { $ne: "sent" } });
  return open === 0;
}

/** Every transition of every application and record happened once: one history entry per version step. */
async function expectNoDoubleTransition(): Promise<void> {
  for (const doc of await applications([...grading.accept, ...grading.notice, ...grading.kill])) {
    const events = doc.history.map((h) => h.event);
    for (const e of new Set(events)) expect(count(events, (x) => x === e), `${e} on ${String(doc._id)}`).toBe(1);
  }
  for (const doc of await records(credit)) {
    const steps = doc.history.filter((h) => h.event !== "EFFECTS_APPLIED").map((h) => h.event);
    for (const e of new Set(steps)) expect(count(steps, (x) => x === e), `${e} on ${String(doc._id)}`).toBe(1);
    // An effects batch is marked done once.
    const done = doc.history.filter((h) => h.event === "EFFECTS_APPLIED").map((h) => String(h.details?.event));
    expect(done.length).toBe(new Set(done).size);
  }
}

/** What the SMTP server received: each outbox message once (by Message-ID), and nothing else. */
async function expectEachMailOnce(): Promise<number> {
  const received = await sink.parsed();
  const ids = received.map((m) => m.messageId ?? "");
  expect(ids.filter((id) => id === "")).toEqual([]);
  expect(ids.length - new Set(ids).size, "duplicate Message-IDs at the SMTP server").toBe(0);
  expect(received.length).toBe(await OutboxMessage.countDocuments({ tenantId: w.tenant._id, status: "sent" }));
  return received.length;
}

beforeAll(async () => {
  await mongoose.connect(process.env.MONGODB_URI ?? "");
  await mongoose.connection.db?.dropDatabase();
  await ensureIndexes();
  expect((await importRubricFiles()).errors).toEqual([]);
  // Before anything is queued: nothing is due until the test moves the clocks.
  const start = new Date(Date.now() - 10 * MIN);
  setClock("a", start);
  setClock("b", start);
  w = await createWorld();
  for (let i = 0; i < 3; i++) grading.accept.push(await submittedApplication(w));
  for (let i = 0; i < 3; i++) grading.notice.push(await applicationUnderNotice(w));
  for (let i = 0; i < 3; i++) grading.kill.push(await submittedApplication(w));
  credit = [await creditDraft(w), await creditDraft(w), await creditDraft(w)];
  sink = await startSmtpSink();
  const env = (name: string) => ({
    MONGODB_URI: process.env.MONGODB_URI ?? "",
    SEED_DEMO: "false",
    SESSION_SECRET: SECRET,
    APP_URL: "http://localhost:3000",
    SMTP_URL: sink.url,
    MAIL_CAPTURE: "false",
    SCHEDULER_POLL_MS: "300",
    SAFEGRADE_TEST_CLOCK_FILE: clockFile(name),
  });
  // Started at the same moment, as a deployment would: start-up itself must be safe to race.
  [a, b] = await Promise.all([startInstance("a", env("a")), startInstance("b", env("b"))]);
}, 180_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await sink?.stop();
  const total = replies.length;
  const byStatus = new Map<string, number>();
  for (const r of replies) byStatus.set(String(r.status), (byStatus.get(String(r.status)) ?? 0) + 1);
  process.stdout.write(`two instances: ${total} requests, statuses ${JSON.stringify(Object.fromEntries(byStatus))}\n`);
  await mongoose.connection.db?.dropDatabase();
  await mongoose.disconnect();
});

describe("two app instances on one database", () => {
  it("lets exactly one of the conflicting workflow and credit events through, whichever instance gets it", async () => {
    const deadline = new Date(Date.now() + 7 * DAY + 8 * 60 * MIN).toISOString().slice(0, 10);
    const sent = (
      await Promise.all([
        burst(grading.accept.map(app), { intent: "ACCEPT" }),
        burst(credit.map(record), { intent: "SEND_NOTICE", defenceDeadline: deadline }),
      ])
    ).flat();
    expect(sent.filter((r) => r.status >= 500 || r.status === 0)).toEqual([]);
    for (const target of [...grading.accept.map(app), ...credit.map(record)]) {
      const mine = sent.filter((r) => r.target === target);
      expect(count(mine, (r) => r.status === 200), target).toBe(1);
      expect(mine.filter((r) => r.status !== 200).every((r) => r.status === 409)).toBe(true);
    }
    // Both instances took part (which one wins each race is up to the scheduler).
    expect(new Set(sent.map((r) => r.instance)).size).toBe(2);
    for (const doc of await applications(grading.accept)) expect(doc.state).toBe("accepted");
    // One audit entry per accepted application (the fixtures accepted the notice group in-process).
    const audits = await AuditEvent.find({ tenantId: w.tenant._id, action: "application.accept" }).lean();
    expect(audits.map((e) => e.targetId).sort()).toEqual([...grading.accept, ...grading.notice].map(String).sort());
    await expectNoDoubleTransition();
  });

  it("runs the jobs on both instances over a moved clock: each notice ends once, each defence period once, each email once", async () => {
    setClocks(at(15));
    await waitFor("notices ended, defence periods passed, mail sent", async () => {
      const apps = await applications(grading.notice);
      const recs = await records(credit);
      return (
        apps.every((d) => d.state === "publicNotice.ended") &&
        recs.every((d) => d.history.some((h) => h.event === "DEFENCE_WINDOW_PASSED")) &&
        (await allMailSent())
      );
    });
    // Both schedulers ran the same jobs (in their own slots), so the compare-and-sets were contended.
    for (const job of ["grading-deadlines", "credit-lifecycle", "outbox-worker"]) {
      const owners = (await Claim.find({ _id: { $regex: `^job:${job}:` } }).lean()).map((c) => c.owner.split("-")[0]);
      expect(new Set(owners), job).toEqual(new Set([String(a.pid), String(b.pid)]));
    }
    await expectNoDoubleTransition();
    expect(await expectEachMailOnce()).toBeGreaterThan(20);
  });

  it("certifies each application once with distinct certificate numbers, the issue job racing on both instances", async () => {
    // The jobs at T purged the sessions that expire before it: log in again.
    w.regulatorCookie = await cookieFor(w.regulator.user._id);
    const sent = await burst(grading.notice.map(app), { intent: "CERTIFY" }, 6);
    expect(sent.filter((r) => r.status >= 500 || r.status === 0)).toEqual([]);
    for (const target of grading.notice.map(app)) expect(count(sent, (r) => r.target === target && r.status === 200), target).toBe(1);
    setClocks(at(45));
    await waitFor("certified mail sent", allMailSent);
    const certificates = await Certificate.find({ tenantId: w.tenant._id }).lean();
    expect(certificates.map((c) => String(c.applicationId)).sort()).toEqual(grading.notice.map(String).sort());
    expect(new Set(certificates.map((c) => c.number)).size).toBe(certificates.length);
    expect(certificates.map((c) => c.seq).sort()).toEqual([1, 2, 3]);
    await expectNoDoubleTransition();
    await expectEachMailOnce();
  });

  it("loses nothing when one instance is SIGKILLed mid-burst while it holds claimed emails", async () => {
    // The jobs at T purged the sessions that expire before it: log in again.
    w.regulatorCookie = await cookieFor(w.regulator.user._id);
    sink.hold();
    // Credit decisions need a time past the defence deadline; workflow events use the real clock.
    const moved = { "x-safegrade-test-now": at(80).toISOString() };
    const decide = { intent: "DECIDE_LIST", decisionText: "申辩不成立，决定列入。" };
    await Promise.all([burst(grading.kill.slice(0, 1).map(app), { intent: "ACCEPT" }, 2), burst(credit.slice(0, 1).map(record), decide, 2, moved)]);
    // Back to real time for the jobs (the effect redelivery looks back one hour from the job's
    // clock): both workers claim the queued mail and hang at RCPT TO; kill one that holds some.
    const k = Math.ceil((Date.now() + MIN) / (15 * MIN)) * 15 * MIN;
    setClocks(new Date(k));
    let victim: AppInstance | null = null;
    await waitFor("an instance holding claimed mail", async () => {
      const sending = await OutboxMessage.find({ tenantId: w.tenant._id, status: "sending" }).lean();
      const holders = new Set(sending.map((m) => m.claimedBy.split("-")[0]));
      victim = holders.has(String(b.pid)) ? b : holders.has(String(a.pid)) ? a : null;
      return victim !== null && sink.heldCount() > 0;
    });
    const dead: AppInstance = victim ?? b;
    const survivor = dead === a ? b : a;
    const claimedByDead = (await OutboxMessage.find({ tenantId: w.tenant._id, status: "sending" }).lean())
      .filter((m) => m.claimedBy.startsWith(`${dead.pid}-`))
      .map((m) => m._id);
    expect(claimedByDead.length).toBeGreaterThan(0);

    // The burst goes on while the instance dies.
    const later = Promise.all([
      burst(grading.kill.slice(1).map(app), { intent: "ACCEPT" }, 4),
      burst(credit.slice(1).map(record), decide, 4, moved),
    ]);
    await new Promise((r) => setTimeout(r, 30));
    await dead.kill();
    const lateReplies = (await later).flat();
    expect(lateReplies.filter((r) => r.status >= 500)).toEqual([]);
    expect(lateReplies.filter((r) => r.instance === survivor.name).every((r) => r.status === 200 || r.status === 409)).toBe(true);

    // What the kill left undone a client sends again, to the survivor, until it is done (a request
    // killed between its claim and its write holds the version for 30 s: decision 001's takeover).
    const isDone = async (target: string) => {
      const [kind, id] = target.split("/");
      if (kind === "credit") return (await records(credit)).some((d) => String(d._id) === id && d.history.some((h) => h.event === "DECIDE_LIST"));
      return (await applications(grading.kill)).some((d) => String(d._id) === id && d.state === "accepted");
    };
    for (const target of [...grading.kill.map(app), ...credit.map(record)]) {
      const deadline = Date.now() + 45_000;
      while (!(await isDone(target))) {
        expect(Date.now() < deadline, `${target} never done`).toBe(true);
        const form = target.startsWith("credit/") ? decide : { intent: "ACCEPT" };
        const r = await post(survivor, target, form, target.startsWith("credit/") ? moved : {});
        replies.push(r);
        expect(r.status === 200 || r.status === 409, `${target}: ${r.status}`).toBe(true);
        if (r.status !== 200) await new Promise((res) => setTimeout(res, 1000));
      }
      // At most one request was accepted for it; if one was, its effect is the one present.
      const accepted = replies.filter((r) => r.target === target && r.status === 200 && r.event !== "SEND_NOTICE");
      expect(accepted.length, target).toBeLessThanOrEqual(1);
    }

    // The mail server comes back; after the dead worker's lease the survivor delivers its messages
    // (and the effects of a transition whose writer died, through the deadlines job's redelivery).
    sink.release();
    setClock(survivor, new Date(k + 6 * MIN));
    await waitFor("all mail sent by the survivor", async () => {
      const accepted = await OutboxMessage.countDocuments({ tenantId: w.tenant._id, template: "application-accepted" });
      return accepted === grading.accept.length + grading.notice.length + grading.kill.length && (await allMailSent());
    });
    for (const id of claimedByDead) {
      const message = await OutboxMessage.findOne({ tenantId: w.tenant._id, _id: id }).lean();
      expect(message?.status).toBe("sent");
      expect(message?.claimedBy.startsWith(`${survivor.pid}-`)).toBe(true);
      expect(message?.attempts.some((x) => x.outcome === "interrupted")).toBe(true);
    }
    await expectNoDoubleTransition();
    await expectEachMailOnce();
  });
});

/**
 * Email benchmarks, in this process on a private embedded database and a local SMTP server
 * (smtp-server on 127.0.0.1):
 * - worker throughput: messages/s for the outbox worker draining a queue over pooled SMTP,
 *   everything included (claim by compare-and-set, render, send, record the attempt);
 * - enqueue overhead of a workflow transition: median time of SUBMIT (2 regulators mailed) and
 *   RETURN (1 enterprise admin mailed) against the median of one enqueueEmail call.
 *
 * `npx tsx bench/email.ts` runs it alone.
 */
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import mongoose, { Types } from "mongoose";
import { Assessment } from "../models/assessment";
import { Enterprise } from "../models/enterprise";
import { ensureIndexes } from "../models/index";
import { Membership } from "../models/membership";
import { Tenant } from "../models/tenant";
import { User } from "../models/user";
import { getAssessment, saveAnswers, startAssessment } from "../app/data/assessments.server";
import { applyApplicationEvent, type GradingMember } from "../app/data/grading.server";
import { createMailTransport } from "../app/data/mail-transport.server";
import { runOutboxWorker } from "../app/data/outbox-worker.server";
import { enqueueEmail } from "../app/data/outbox.server";
import { getRubricVersion, importRubricFiles } from "../app/data/rubrics.server";
import { rubricItems } from "../app/lib/assessment/answers";
import { computeCheckCharacter } from "../app/lib/credit-code";
import { permissionsFor } from "../app/lib/permissions";
import { startDatabase, withDatabaseName } from "../scripts/lib/database";
import { startSmtpSink } from "../scripts/lib/smtp-sink";

export type EmailBenchRow = { name: string; value: number; unit: string; target?: string };

const MESSAGES = Number(process.env.BENCH_EMAILS ?? 300);
const TRANSITIONS = Number(process.env.BENCH_EMAIL_TRANSITIONS ?? 20);
const ENQUEUES = Number(process.env.BENCH_ENQUEUES ?? 200);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) * 1000;
}

export async function benchEmail(): Promise<EmailBenchRow[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "safegrade-bench-email-"));
  const db = await startDatabase({ dataDir, forceEmbedded: true, durable: false });
  const sink = await startSmtpSink();
  const previousConnection = globalThis.__safegradeMongoose;
  try {
    const uri = withDatabaseName(db.uri, `bench_email_${Date.now()}`);
    process.env.MONGODB_URI = uri;
    process.env.SESSION_SECRET ??= "bench-secret-bench-secret-bench-secret-0123";
    process.env.LOG_LEVEL ??= "warn";
    await mongoose.disconnect().catch(() => {});
    await mongoose.connect(uri, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 20 });
    globalThis.__safegradeMongoose = Promise.resolve(mongoose);
    await ensureIndexes();
    await importRubricFiles();

    const tenant = await Tenant.create({
      slug: "bench-mail",
      name: { zh: "基准测试市应急管理局", en: "Bench Bureau" },
      authority: { zh: "基准测试市应急管理局", en: "Bench Bureau" },
      regionCode: "510100",
      districts: [{ code: "510104", name: "锦江区" }],
    });
    const tenantId = tenant._id;

    // 1. Worker throughput over pooled SMTP.
    const now = new Date();
    for (let i = 0; i < MESSAGES; i += 1) {
      await enqueueEmail({
        tenantId,
        idempotencyKey: `bench:${i}`,
        template: "registration-refused",
        to: `r${i}@example.com`,
        locale: i % 2 ? "en" : "zh-CN",
        data: { registrationId: String(i), enterpriseName: `基准企业${i}`, creditCode: "91510100MA6CXXXX0X", adminName: "李", reason: "基准测试" },
        now,
      });
    }
    const transport = createMailTransport({ kind: "smtp", url: sink.url, pool: true });
    const t0 = performance.now();
    let sent = 0;
    for (let round = 0; round < 100 && sent < MESSAGES; round += 1) {
      const run = await runOutboxWorker({ now, transport, batchSize: 50, maxBatches: 100, concurrency: 4 });
      sent += run.sent;
    }
    const seconds = (performance.now() - t0) / 1000;
    transport.close();
    if (sink.raw.length < MESSAGES) throw new Error(`only ${sink.raw.length} of ${MESSAGES} mails arrived`);

    // 2. Enqueue overhead on a workflow transition.
    const enterprise = await Enterprise.create({
      tenantId,
      name: "基准测试企业有限公司",
      creditCode: `91510100MA6CBENCH${computeCheckCharacter("91510100MA6CBENCH")}`,
      industry: "light",
      sizeClass: "micro",
      districtCode: "510104",
    });
    const mkUser = async (role: "enterprise_admin" | "regulator", i: number) => {
      const user = await User.create({ email: `${role}${i}@bench.example.com`, name: role, passwordHash: "x" });
      await Membership.create({ tenantId, userId: user._id, role, enterpriseId: role === "enterprise_admin" ? enterprise._id : null });
      const member: GradingMember = {
        tenantId,
        roles: [role],
        permissions: permissionsFor([role]),
        enterpriseId: role === "enterprise_admin" ? enterprise._id : null,
        user: { _id: user._id, email: user.email },
      };
      return member;
    };
    const admin = await mkUser("enterprise_admin", 0);
    const regulator = await mkUser("regulator", 1);
    await mkUser("regulator", 2);
    const actor = { id: admin.user._id, email: admin.user.email, role: "enterprise_admin" as const };
    const started = await startAssessment({ tenantId, enterpriseId: enterprise._id, actor, cycle: "2026" });
    if (!started.ok) throw new Error(started.error);
    const loaded = await getRubricVersion({ tenantId, id: started.assessment.rubricVersionId });
    if (!loaded) throw new Error("rubric missing");
    const items = rubricItems(loaded.rubric);
    const saved = await saveAnswers({
      tenantId,
      id: started.assessment._id,
      expectedVersion: 0,
      actor,
      changes: items.map((item) => ({ itemId: item.id, answer: { choice: "full" } })),
    });
    if (!saved.ok) throw new Error(saved.error);
    const evidence = items
      .filter((item) => item.evidenceRequired)
      .map((item) => ({
        fileId: new Types.ObjectId(),
        itemId: item.id,
        filename: `${item.id}.pdf`,
        contentType: "application/pdf",
        size: 100,
        uploadedBy: admin.user._id,
        uploadedAt: new Date(),
      }));
    await Assessment.updateOne({ tenantId, _id: started.assessment._id }, { $set: { evidence } });
    const appId = started.assessment._id;
    if (!(await getAssessment({ tenantId, id: appId }))) throw new Error("missing");

    const submits: number[] = [];
    const returns: number[] = [];
    for (let i = 0; i < TRANSITIONS; i += 1) {
      submits.push(
        await timed(async () => {
          const r = await applyApplicationEvent({ tenantId, applicationId: appId, event: { type: "SUBMIT", appliedLevel: "qualified" }, actor: { kind: "member", member: admin } });
          if (!r.ok) throw new Error(`SUBMIT: ${JSON.stringify(r)}`);
        }),
      );
      returns.push(
        await timed(async () => {
          const r = await applyApplicationEvent({ tenantId, applicationId: appId, event: { type: "RETURN", reason: "基准测试" }, actor: { kind: "member", member: regulator } });
          if (!r.ok) throw new Error(`RETURN: ${JSON.stringify(r)}`);
        }),
      );
    }
    const enqueues: number[] = [];
    for (let i = 0; i < ENQUEUES; i += 1) {
      enqueues.push(
        await timed(() =>
          enqueueEmail({
            tenantId,
            idempotencyKey: `bench-enqueue:${i}`,
            template: "application-returned",
            to: "x@example.com",
            locale: "zh-CN",
            data: { applicationId: String(appId), enterpriseName: "x", cycle: "2026", path: "/t/x", reason: "y", appliedLevel: null, reportedLevel: null, deadlines: {} },
          }),
        ),
      );
    }
    const enqueueMedian = median(enqueues);
    const submitMedian = median(submits);
    const returnMedian = median(returns);
    return [
      { name: `Email worker throughput (${MESSAGES} mails, pooled SMTP, 4 lanes)`, value: MESSAGES / seconds, unit: "msg/s" },
      { name: "enqueueEmail alone (median)", value: enqueueMedian, unit: "µs" },
      { name: "Transition SUBMIT incl. 2 enqueues (median)", value: submitMedian, unit: "µs" },
      { name: "Transition RETURN incl. 1 enqueue (median)", value: returnMedian, unit: "µs" },
      { name: "Enqueue share of SUBMIT (2 × enqueue / SUBMIT)", value: ((2 * enqueueMedian) / submitMedian) * 100, unit: "%" },
    ];
  } finally {
    await mongoose.disconnect().catch(() => {});
    globalThis.__safegradeMongoose = previousConnection;
    await sink.stop();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const invokedDirectly = (() => {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return pathToFileURL(realpathSync(entry)).href === import.meta.url;
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  for (const row of await benchEmail()) console.log(`${row.name.padEnd(64)} ${row.value.toFixed(1)} ${row.unit}`);
}

/**
 * Self-assessment server timings with a 200-item rubric, measured in this process against the
 * built app (the Remix request handler, no network in between, so this is server time):
 * - saving one answer through the autosave endpoint (cookie → permission → validation → CAS write),
 * - server-rendering one element page of the wizard (loaders + React SSR).
 *
 * `benchAssessment()` is collected by the bench runner after it builds the app;
 * `npx tsx bench/assessment.ts` runs it alone (needs `npm run build` first).
 */
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import mongoose from "mongoose";
import { ensureIndexes } from "../models/index";
import { Enterprise } from "../models/enterprise";
import { Membership } from "../models/membership";
import { RubricVersion } from "../models/rubric-version";
import { Tenant } from "../models/tenant";
import { User } from "../models/user";
import { saveAnswers, startAssessment } from "../app/data/assessments.server";
import { canonicalJson, contentHash, countItems } from "../app/data/rubrics.server";
import { createSession } from "../app/data/sessions.server";
import { sessionCookieFor } from "../app/auth.server";
import { connectDb } from "../app/db.server";
import { PROJECT_ROOT, startDatabase, withDatabaseName } from "../scripts/lib/database";
import { syntheticRubric } from "./scoring";

export type AssessmentBenchRow = { name: string; value: number; unit: string; target?: string };

const ITEMS = 200;
const SAVES = Number(process.env.BENCH_SAVES ?? 200);
const RENDERS = Number(process.env.BENCH_RENDERS ?? 40);

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (pos - lo);
}

export async function benchAssessment(): Promise<AssessmentBenchRow[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "safegrade-bench-assessment-"));
  const db = await startDatabase({ dataDir, forceEmbedded: true, durable: false });
  try {
    process.env.MONGODB_URI = withDatabaseName(db.uri, "bench_assessment");
    process.env.SESSION_SECRET ??= "bench-secret-bench-secret-bench-secret-0123";
    process.env.LOG_LEVEL ??= "warn";
    await connectDb();
    await ensureIndexes();

    const rubric = syntheticRubric(ITEMS);
    const json = canonicalJson(rubric);
    const version = await RubricVersion.create({
      tenantId: null,
      key: rubric.key,
      version: rubric.version,
      title: { zh: rubric.title.zh, en: "" },
      standard: rubric.standard,
      status: "published",
      source: "file",
      contentJson: json,
      contentHash: contentHash(json),
      itemCount: countItems(rubric),
      totalPoints: rubric.totalPoints,
      industries: [...rubric.applicability.industries],
      sizeClasses: [...rubric.applicability.sizeClasses],
      publishedAt: new Date(),
    });
    const tenant = await Tenant.create({
      slug: "bench",
      name: { zh: "基准测试", en: "Bench" },
      authority: { zh: "基准测试", en: "Bench" },
      regionCode: "510100",
      districts: [],
    });
    const enterprise = await Enterprise.create({
      tenantId: tenant._id,
      name: "基准企业",
      creditCode: "914403001922038216",
      industry: "machinery",
      sizeClass: "medium",
      districtCode: "510100",
    });
    const user = await User.create({ email: "bench@example.com", name: "基准用户", passwordHash: "x" });
    await Membership.create({ tenantId: tenant._id, userId: user._id, role: "enterprise_admin", enterpriseId: enterprise._id });
    const { token } = await createSession({ userId: user._id, ip: "127.0.0.1", userAgent: "bench" });
    const cookie = (await sessionCookieFor(token)).split(";")[0] ?? "";

    const started = await startAssessment({
      tenantId: tenant._id,
      enterpriseId: enterprise._id,
      actor: { id: user._id, email: user.email },
      cycle: "2026",
      rubricVersionId: version._id,
    });
    if (!started.ok) throw new Error(`start failed: ${started.error}`);
    const id = String(started.assessment._id);
    const itemIds = rubric.elements.flatMap((e) => e.subElements.flatMap((s) => s.items.map((i) => i.id)));
    // A realistic document: three quarters of the items already answered.
    const prefill = await saveAnswers({
      tenantId: tenant._id,
      id,
      expectedVersion: 0,
      actor: { id: user._id, email: user.email },
      changes: itemIds.slice(0, 150).map((itemId) => ({ itemId, answer: { choice: "full", note: "基准测试填写的说明文字" } })),
    });
    if (!prefill.ok) throw new Error("prefill failed");
    let current = prefill.version;

    const build = (await import(pathToFileURL(path.join(PROJECT_ROOT, "build/index.js")).href)) as ServerBuild;
    const handle = createRequestHandler(build, "production");
    const headers = { Cookie: cookie, "x-sg-client-ip": "127.0.0.1" };

    const saveOnce = async (i: number): Promise<number> => {
      const itemId = itemIds[i % itemIds.length] ?? "E1.1.1";
      const body = new URLSearchParams({
        intent: "save",
        version: String(current),
        changes: JSON.stringify([{ itemId, answer: { choice: i % 2 === 0 ? "none" : "full", note: `第 ${i} 次` } }]),
        performance: "[]",
      });
      const t0 = performance.now();
      const res = await handle(new Request(`http://bench/t/bench/assessments/${id}/save`, { method: "POST", body, headers }));
      const elapsed = performance.now() - t0;
      const json = (await res.json()) as { ok: boolean; version?: number };
      if (res.status !== 200 || !json.ok || json.version === undefined) throw new Error(`save ${i} failed with ${res.status}`);
      current = json.version;
      return elapsed;
    };
    const renderOnce = async (): Promise<number> => {
      const t0 = performance.now();
      const res = await handle(new Request(`http://bench/t/bench/assessments/${id}/E1`, { headers: { ...headers, Accept: "text/html" } }));
      const html = await res.text();
      const elapsed = performance.now() - t0;
      if (res.status !== 200 || !html.includes("data-item=")) throw new Error(`render failed with ${res.status}`);
      return elapsed;
    };

    for (let i = 0; i < 10; i++) await saveOnce(i);
    for (let i = 0; i < 5; i++) await renderOnce();
    const saves: number[] = [];
    for (let i = 0; i < SAVES; i++) saves.push(await saveOnce(i + 10));
    const renders: number[] = [];
    for (let i = 0; i < RENDERS; i++) renders.push(await renderOnce());
    // The data layer alone (validation, score, CAS write): the rest of a save is auth and parsing.
    const direct: number[] = [];
    for (let i = 0; i < SAVES / 2; i++) {
      const itemId = itemIds[i % itemIds.length] ?? "E1.1.1";
      const t0 = performance.now();
      const r = await saveAnswers({
        tenantId: tenant._id,
        id,
        expectedVersion: current,
        actor: { id: user._id, email: user.email },
        changes: [{ itemId, answer: { choice: i % 2 === 0 ? "none" : "full" } }],
      });
      direct.push(performance.now() - t0);
      if (!r.ok) throw new Error("direct save failed");
      current = r.version;
    }
    saves.sort((a, b) => a - b);
    renders.sort((a, b) => a - b);
    direct.sort((a, b) => a - b);
    return [
      { name: `Save one answer, ${ITEMS}-item rubric (median)`, value: quantile(saves, 0.5), unit: "ms" },
      { name: `Save one answer, ${ITEMS}-item rubric (p95)`, value: quantile(saves, 0.95), unit: "ms" },
      { name: `  of which saveAnswers() data layer (median)`, value: quantile(direct, 0.5), unit: "ms" },
      { name: `SSR element page, ${ITEMS}-item rubric (median)`, value: quantile(renders, 0.5), unit: "ms" },
    ];
  } finally {
    await mongoose.disconnect().catch(() => {});
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
  for (const row of await benchAssessment()) console.log(`${row.name.padEnd(48)} ${row.value.toFixed(1)} ${row.unit}`);
}

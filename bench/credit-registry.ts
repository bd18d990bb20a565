/**
 * Public credit registry at scale (Step 6): 100,000 published credit records on a private
 * database, with their slim public read model (`credit_publications`, the only collection the
 * registry reads), then server time through the data functions (no HTTP, no rate limit):
 * - a name search (infix, a different name fragment each run) — one page of 20 and the total,
 * - a credit-code lookup (exact 18-character code of an existing record),
 * - a credit-code prefix lookup (first 10 characters),
 * - a detail page by id (the one `_id` lookup FerretDB pushes down to SQLite),
 * - the CSV export of 10,000 rows (stream read to the end).
 *
 * The database is the embedded FerretDB unless BENCH_CREDIT_EXTERNAL=1 (then MONGODB_URI, e.g. a
 * real MongoDB, where the indexes apply). FerretDB 1.24 evaluates every filter but `_id`
 * equality by scanning the collection, so its numbers grow with the collection size.
 *
 * `npx tsx bench/credit-registry.ts` runs it alone (BENCH_CREDIT_RECORDS, BENCH_CREDIT_RUNS).
 */
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import mongoose, { Types } from "mongoose";
import { CreditPublication } from "../models/credit-publication";
import { CreditRecord } from "../models/credit-record";
import { ensureIndexes } from "../models/index";
import { Tenant } from "../models/tenant";
import {
  REGISTRY_CSV_MAX_ROWS,
  getPublicCreditRecord,
  registryCsvStream,
  searchCreditRegistry,
} from "../app/data/credit-registry.server";
import { toCreditPublication } from "../app/data/credit-publication.server";
import { CREDIT_CONDITIONS, creditSearchFields } from "../app/lib/credit";
import { computeCheckCharacter, CREDIT_CODE_ALPHABET } from "../app/lib/credit-code";
import "../app/db.server";
import { startDatabase, withDatabaseName } from "../scripts/lib/database";

export type CreditRegistryBenchRow = { name: string; value: number; unit: string; target?: string };

const RECORDS = Number(process.env.BENCH_CREDIT_RECORDS ?? 100_000);
const RUNS = Number(process.env.BENCH_CREDIT_RUNS ?? 5);
const CSV_RUNS = Number(process.env.BENCH_CREDIT_CSV_RUNS ?? 3);
const BATCH = 2000;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (pos - lo);
}

const CITIES = ["成都", "绵阳", "德阳", "宜宾", "泸州", "乐山", "南充", "自贡", "遂宁", "内江"];
const WORDS = ["蜀新", "锦城", "天府", "金龙", "盛达", "安泰", "恒远", "鑫源", "宏发", "川联", "华西", "巴山"];
const KINDS = ["化工", "机械", "建材", "食品", "冶金", "纺织", "物流", "矿业", "燃气", "烟花爆竹"];

function syntheticName(i: number): string {
  const city = CITIES[i % CITIES.length] ?? "";
  const w = WORDS[Math.floor(i / 7) % WORDS.length] ?? "";
  const k = KINDS[Math.floor(i / 3) % KINDS.length] ?? "";
  return `${city}${w}${k}有限公司第${i}分公司`;
}

function syntheticCode(i: number): string {
  let n = i;
  let tail = "";
  for (let d = 0; d < 8; d++) {
    tail = CREDIT_CODE_ALPHABET.charAt(n % 31) + tail;
    n = Math.floor(n / 31);
  }
  const body = `915101007${tail}`;
  return body + computeCheckCharacter(body);
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export async function benchCreditRegistry(): Promise<CreditRegistryBenchRow[]> {
  const external = process.env.BENCH_CREDIT_EXTERNAL === "1";
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "safegrade-bench-credit-"));
  const db = await startDatabase({ dataDir, forceEmbedded: !external, durable: false });
  // Restored at the end, so the benchmarks after this one see what they would have seen.
  const previousConnection = globalThis.__safegradeMongoose;
  try {
    const uri = withDatabaseName(db.uri, `bench_credit_${Date.now()}`);
    process.env.MONGODB_URI = uri;
    process.env.SESSION_SECRET ??= "bench-secret-bench-secret-bench-secret-0123";
    process.env.LOG_LEVEL ??= "warn";
    // Another benchmark may have connected (and disconnected) the shared connection first.
    await mongoose.disconnect().catch(() => {});
    await mongoose.connect(uri, { serverSelectionTimeoutMS: 10_000 });
    globalThis.__safegradeMongoose = Promise.resolve(mongoose);
    await ensureIndexes();

    const tenants = await Tenant.insertMany(
      ["chengdu", "mianyang", "deyang"].map((slug, i) => ({
        slug: `bench-${slug}`,
        name: { zh: `${CITIES[i] ?? ""}市应急管理局`, en: `${slug} bureau` },
        authority: { zh: `${CITIES[i] ?? ""}市应急管理局`, en: `${slug} bureau` },
        regionCode: "510100",
      })),
    );
    const conditions = CREDIT_CONDITIONS.filter((c) => c.listType === "serious2023");
    const start = Date.UTC(2023, 0, 1);
    const seedStarted = performance.now();
    for (let b = 0; b < RECORDS; b += BATCH) {
      const docs = [];
      for (let i = b; i < Math.min(RECORDS, b + BATCH); i++) {
        const subjectName = syntheticName(i);
        const creditCode = syntheticCode(i);
        const listedAt = new Date(start + (i % 1000) * 86_400_000 + i * 1000);
        docs.push({
          _id: new Types.ObjectId(),
          tenantId: tenants[i % tenants.length]?._id,
          subjectName,
          creditCode,
          subjectType: "enterprise",
          responsiblePerson: { name: "张某", idNumber: "510104198001011234" },
          listType: "serious2023",
          conditionKey: conditions[i % conditions.length]?.key ?? "c2023_other_egregious",
          facts: "基准测试：事实说明文字，内部使用，不公开。".repeat(4),
          legalBasis: "《安全生产严重失信主体名单管理办法》第六条",
          penaltyDecisionNo: `应急罚〔${2023 + (i % 3)}〕${i}号`,
          authority: "应急管理局",
          noticeAt: null,
          defenceDeadline: null,
          decidedAt: listedAt,
          decisionText: "列入决定书正文。",
          listedAt,
          endsAt: new Date(listedAt.getTime() + 3 * 365 * 86_400_000),
          removedAt: null,
          removalReason: null,
          state: "published.listed",
          status: "published",
          enterpriseId: null,
          defence: null,
          repair: null,
          search: creditSearchFields(subjectName, creditCode),
          listedYear: listedAt.getUTCFullYear(),
          history: [],
          version: 4,
          createdBy: null,
          createdAt: listedAt,
          updatedAt: listedAt,
        });
      }
      await CreditRecord.collection.insertMany(docs, { ordered: false });
      // What syncCreditPublication writes for each (same data, public fields only).
      await CreditPublication.collection.insertMany(
        docs.map((d) => toCreditPublication(d as unknown as Parameters<typeof toCreditPublication>[0])),
        { ordered: false },
      );
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const ids = await CreditPublication.find({ tenantId: tenants[0]?._id })
      .limit(RUNS + 1)
      .select({ _id: 1 })
      .lean<Array<{ _id: Types.ObjectId }>>();

    const query = { q: "", condition: "", year: null, listType: "" as const, page: 1, pageSize: 20 };
    const names: number[] = [];
    const codes: number[] = [];
    const prefixes: number[] = [];
    const details: number[] = [];
    const csvs: number[] = [];
    // One warm-up of each (connection pool, code paths).
    await searchCreditRegistry({ query: { ...query, q: "锦城化工" }, tenantId: null });
    for (let r = 0; r < RUNS; r++) {
      const fragment = `${WORDS[r % WORDS.length] ?? ""}${KINDS[(r * 3) % KINDS.length] ?? ""}`;
      const n = await time(() => searchCreditRegistry({ query: { ...query, q: fragment }, tenantId: null }));
      names.push(n.ms);
      const i = Math.floor((RECORDS / (RUNS + 1)) * (r + 1));
      const c = await time(() => searchCreditRegistry({ query: { ...query, q: syntheticCode(i) }, tenantId: null }));
      if (c.value.total !== 1) throw new Error(`code lookup found ${c.value.total} records`);
      codes.push(c.ms);
      const p = await time(() =>
        searchCreditRegistry({ query: { ...query, q: syntheticCode(i).slice(0, 10) }, tenantId: null }),
      );
      prefixes.push(p.ms);
      const id = ids[r]?._id;
      if (id) {
        const d = await time(() => getPublicCreditRecord({ id: String(id), tenantId: null }));
        if (!d.value) throw new Error("detail not found");
        details.push(d.ms);
      }
    }
    let csvRows = 0;
    for (let r = 0; r < CSV_RUNS; r++) {
      const c = await time(async () => {
        const { stream } = await registryCsvStream({ query, tenantId: null, locale: "zh-CN" });
        const text = await new Response(stream).text();
        return text.split("\r\n").length - 2;
      });
      csvRows = c.value;
      csvs.push(c.ms);
    }
    for (const list of [names, codes, prefixes, details, csvs]) list.sort((a, b) => a - b);
    const label = `${RECORDS.toLocaleString("en")} records, ${external ? "external DB" : "FerretDB"}, read model`;
    return [
      { name: `Credit registry seed (${label})`, value: seedSeconds, unit: "s", target: "< 180 s" },
      { name: `Credit registry name search, ${label} (median)`, value: quantile(names, 0.5), unit: "ms" },
      { name: `Credit registry name search (p95, ${names.length} runs)`, value: quantile(names, 0.95), unit: "ms" },
      { name: `Credit registry code lookup, ${label} (median)`, value: quantile(codes, 0.5), unit: "ms" },
      { name: `Credit registry code lookup (p95, ${codes.length} runs)`, value: quantile(codes, 0.95), unit: "ms" },
      { name: "Credit registry code prefix (10 chars, median)", value: quantile(prefixes, 0.5), unit: "ms" },
      { name: "Credit registry detail by id (median)", value: quantile(details, 0.5), unit: "ms" },
      {
        name: `Credit registry CSV export, ${csvRows.toLocaleString("en")} rows (median)`,
        value: quantile(csvs, 0.5),
        unit: "ms",
        target: `${REGISTRY_CSV_MAX_ROWS.toLocaleString("en")} rows`,
      },
    ];
  } finally {
    await mongoose.disconnect().catch(() => {});
    globalThis.__safegradeMongoose = previousConnection;
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
  for (const row of await benchCreditRegistry()) console.log(`${row.name.padEnd(64)} ${row.value.toFixed(1)} ${row.unit}`);
}

/**
 * Request-path benchmark (decision 010): the tenant home as a logged-in enterprise user with 100
 * and then 100,000 memberships (and as many users and access documents) in the database, through
 * the production HTTP server (Express + the built app) with autocannon at 20 connections. The
 * request path reads only `_id`-keyed documents, so the two runs should be within 1.2× of each other.
 *
 * `benchRequestPath()` is collected by the bench runner after it builds the app;
 * `npx tsx bench/request-path.ts` runs it alone (needs `npm run build` first).
 */
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import mongoose from "mongoose";
import { ALL_MODELS, ensureIndexes } from "../models/index";
import { analyzeAll, ensureLookupIndexes, lookupFieldsOf } from "../scripts/lib/postgres-lookups";
import { Enterprise } from "../models/enterprise";
import { MemberAccess, memberAccessId } from "../models/member-access";
import { Membership } from "../models/membership";
import { Tenant } from "../models/tenant";
import { User } from "../models/user";
import { createSession } from "../app/data/sessions.server";
import { sessionCookieFor } from "../app/auth.server";
import { connectDb } from "../app/db.server";
import { startDatabase, withDatabaseName } from "../scripts/lib/database";
import { startHttpServer } from "../scripts/lib/http-server";

export type RequestPathBenchRow = {
  name: string;
  value: number;
  unit: string;
  ratio?: number;
  p50?: number;
  p99?: number;
  target?: string;
  pass?: boolean;
};

const DB_NAME = "bench_request_path";
const RATIO_TARGET = 1.2;

const SMALL = 100;
const LARGE = Number(process.env.BENCH_MEMBERSHIPS ?? 100_000);
const CONNECTIONS = 20;
const DURATION = Number(process.env.BENCH_REQUEST_PATH_DURATION ?? process.env.BENCH_DURATION ?? 8);
const BATCH = 2_000;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * q))] ?? NaN;
}

/** Other users with one membership each (and their access documents), written in batches. */
async function addMemberships(tenantId: mongoose.Types.ObjectId, from: number, to: number): Promise<void> {
  const enterpriseId = new mongoose.Types.ObjectId();
  for (let start = from; start < to; start += BATCH) {
    const now = new Date();
    const users = [];
    const memberships = [];
    const access = [];
    for (let i = start; i < Math.min(to, start + BATCH); i++) {
      const userId = new mongoose.Types.ObjectId();
      users.push({ _id: userId, email: `filler-${i}@bench.example`, name: `用户${i}`, passwordHash: "x", locale: "zh-CN", platformAdmin: false, disabled: false, createdAt: now, updatedAt: now });
      memberships.push({ tenantId, userId, role: "enterprise_member", enterpriseId, createdBy: null, createdAt: now, updatedAt: now });
      access.push({ _id: memberAccessId(tenantId, userId), tenantId, userId, roles: ["enterprise_member"], enterpriseIds: [enterpriseId], updatedAt: now });
    }
    // The driver's insertMany: the Membership model's hooks would rebuild each access document one by one.
    await User.collection.insertMany(users, { ordered: false });
    await Membership.collection.insertMany(memberships, { ordered: false });
    await MemberAccess.collection.insertMany(access as never[], { ordered: false });
  }
}

async function load(url: string, cookie: string): Promise<{ rps: number; p50: number; p95: number; p99: number }> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const options = { url, connections: CONNECTIONS, duration: DURATION, headers: { cookie, accept: "text/html" } };
    const instance = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on("response", (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  latencies.sort((a, b) => a - b);
  return { rps: result.requests.average, p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), p99: quantile(latencies, 0.99) };
}

/** A database server of its own (a temporary embedded one), or a fresh database on the caller's server. */
async function openDatabase(
  serverUri: string | undefined,
  postgresUrl: string | undefined,
): Promise<{ uri: string; postgresUrl?: string; stop(): Promise<void> }> {
  if (serverUri) return { uri: withDatabaseName(serverUri, DB_NAME), postgresUrl, stop: async () => {} };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "safegrade-bench-request-path-"));
  const db = await startDatabase({ dataDir, forceEmbedded: true });
  return {
    uri: withDatabaseName(db.uri, DB_NAME),
    postgresUrl: db.postgresUrl,
    stop: async () => {
      await db.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `serverUri`: run in a database of its own on this server (the bench runner passes its server;
 * the database is dropped first and last). The process's mongoose connection is closed before
 * and after: it is re-opened to this benchmark's database.
 */
export async function benchRequestPath(options: { serverUri?: string; postgresUrl?: string } = {}): Promise<RequestPathBenchRow[]> {
  await mongoose.disconnect().catch(() => {});
  global.__safegradeMongoose = undefined;
  const db = await openDatabase(options.serverUri, options.postgresUrl);
  let server: Awaited<ReturnType<typeof startHttpServer>> | null = null;
  try {
    process.env.MONGODB_URI = db.uri;
    process.env.SESSION_SECRET ??= "bench-secret-bench-secret-bench-secret-0123";
    process.env.LOG_LEVEL ??= "warn";
    await connectDb();
    await mongoose.connection.db?.dropDatabase();
    await ensureIndexes();
    // As `npm start` does on the embedded PostgreSQL (decision 030).
    if (db.postgresUrl) ensureLookupIndexes({ postgresUrl: db.postgresUrl, database: DB_NAME, fields: lookupFieldsOf(ALL_MODELS) });
    const tenant = await Tenant.create({
      slug: "bench-path",
      name: { zh: "请求路径基准", en: "Request path bench" },
      authority: { zh: "请求路径基准", en: "Request path bench" },
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
    const user = await User.create({ email: "path@bench.example", name: "基准用户", passwordHash: "x" });
    await Membership.create({ tenantId: tenant._id, userId: user._id, role: "enterprise_admin", enterpriseId: enterprise._id });
    const { token } = await createSession({ userId: user._id, ip: "127.0.0.1", userAgent: "bench" });
    const cookie = (await sessionCookieFor(token)).split(";")[0] ?? "";
    server = await startHttpServer({ port: 0, host: "127.0.0.1" });
    const url = `${server.url}/t/${tenant.slug}`;

    await addMemberships(tenant._id, 1, SMALL);
    if (db.postgresUrl) analyzeAll(db.postgresUrl);
    await load(url, cookie); // warm-up
    const small = await load(url, cookie);
    await addMemberships(tenant._id, SMALL, LARGE);
    // Planner statistics as autovacuum would have them after such growth.
    if (db.postgresUrl) analyzeAll(db.postgresUrl);
    const large = await load(url, cookie);
    // autocannon stops without waiting for the requests still in the server: let them finish
    // before the database goes away.
    await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, 2 * large.p99)));
    const ratio = small.rps / large.rps;
    const label = (n: number) => n.toLocaleString("en-US");
    return [
      { name: `HTTP tenant home, ${label(SMALL)} memberships`, value: small.rps, unit: "req/s", p50: small.p50, p99: small.p99 },
      { name: `  p95 at ${label(SMALL)} memberships`, value: small.p95, unit: "ms" },
      { name: `HTTP tenant home, ${label(LARGE)} memberships`, value: large.rps, unit: "req/s", ratio: large.rps / small.rps, p50: large.p50, p99: large.p99 },
      { name: `  p95 at ${label(LARGE)} memberships`, value: large.p95, unit: "ms" },
      { name: `Request path: throughput ${label(SMALL)} / ${label(LARGE)} memberships`, value: ratio, unit: "×", target: `≤ ${RATIO_TARGET}×`, pass: ratio <= RATIO_TARGET },
    ];
  } finally {
    await server?.close();
    if (options.serverUri) await mongoose.connection.db?.dropDatabase().catch(() => {});
    await mongoose.disconnect().catch(() => {});
    // The next benchmark connects to its own database: don't hand it this closed connection.
    global.__safegradeMongoose = undefined;
    await db.stop();
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
  for (const row of await benchRequestPath()) {
    const extra = row.p50 === undefined ? "" : `  p50 ${row.p50} ms  p99 ${row.p99} ms`;
    console.log(`${row.name.padEnd(56)} ${row.value.toFixed(row.unit === "×" ? 2 : 1)} ${row.unit}${extra}`);
  }
}

/**
 * Where an authenticated page's time goes (decisions 010, 027): the production build served in
 * THIS process (scripts/lib/http-server.ts) on the bench database with the city scenario at
 * BENCH_SCALE (default 0.05; seeded once, reused), every authenticated page of the bench as its user
 * with autocannon (PROFILE_CONNECTIONS, default 10, loopback), and per request:
 *   - database round trips (every mongoose operation, by collection and method),
 *   - Node CPU (this process, load generator included: compare with the minimal Remix route),
 *   - database CPU (FerretDB and PostgreSQL: the CPU time of this process's descendants).
 * CPU time, not wall-clock, so the numbers mean something on a shared machine.
 * Run under `NODE_ENV=production MAIL_CAPTURE=true node --cpu-prof --import tsx bench/profile-pages.ts`
 * for a .cpuprofile as well (needs `NODE_ENV=production npx remix build` first; without
 * NODE_ENV=production the process profiles React's development build, ≈ 3× the rendering cost, and
 * the frozen view reads of decision 035). PROFILE_PAGES=substring limits the pages;
 * PROFILE_QUERIES=1 lists the operations of one request of each page.
 */
import { readdirSync, readFileSync } from "node:fs";
import autocannon from "autocannon";
import mongoose from "mongoose";
import { fillApplicationRows } from "../app/data/grading/application-rows.server";
import { startHttpServer } from "../scripts/lib/http-server";
import { openCity } from "./city/seed";
import { CITY_DB_NAME } from "./city/standalone";
import { openBenchDatabase } from "./lib/database";
import { loginCookie } from "./lib/http";
import { cityPages, type PageSpec } from "./pages";

if (process.env.NODE_ENV !== "production") {
  console.warn("NODE_ENV is not production: React's development build is measured (see the header).");
}
const SCALE = Number(process.env.BENCH_SCALE ?? 0.05);
const DURATION = Number(process.env.PROFILE_DURATION ?? 8);
const CONNECTIONS = Number(process.env.PROFILE_CONNECTIONS ?? 10);
const ONLY = process.env.PROFILE_PAGES;
/** Pages not profiled unless PROFILE_PAGES names them: the assessment and review pages, public ones. */
const SKIP = /Assessment|Review page|public/;
const TICK_MS = 10; // USER_HZ = 100 on Linux

/** CPU ms (user + system, reaped children included) of every descendant of this process. */
function descendantsCpuMs(): number {
  const parentOf = new Map<number, number>();
  const cpuOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields[0] is state (field 3): ppid is field 4, utime..cstime fields 14–17.
      parentOf.set(Number(entry), Number(fields[1]));
      cpuOf.set(
        Number(entry),
        (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) *
          TICK_MS,
      );
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  for (const [pid, cpu] of cpuOf) {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) {
      if (p === process.pid) {
        total += cpu;
        break;
      }
    }
  }
  return total;
}

let operations: string[] = [];
/** PROFILE_QUERIES=1: the filters too, for the listed (warm) request. */
let filters: string[] = [];
mongoose.set("debug", (collection: string, method: string, query: unknown) => {
  operations.push(`${collection}.${method}`);
  filters.push(`${collection}.${method} ${JSON.stringify(query) ?? ""}`.slice(0, 200));
});

/** With PROFILE_QUERIES=1: the wall-clock of every query and aggregation, by collection and operation. */
const timings = new Map<string, number>();
function timeQueries(): void {
  const wrap = <T extends { exec(...args: unknown[]): Promise<unknown> }>(
    proto: T,
    label: (self: T) => string,
  ) => {
    const original = proto.exec;
    proto.exec = async function (this: T, ...args: unknown[]) {
      const t0 = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        const key = label(this);
        timings.set(key, (timings.get(key) ?? 0) + performance.now() - t0);
      }
    };
  };
  wrap(
    mongoose.Query.prototype,
    (q) =>
      `${q.model.collection.collectionName}.${"op" in q && typeof q.op === "string" ? q.op : "?"}`,
  );
  wrap(mongoose.Aggregate.prototype, (a) => `${a.model().collection.collectionName}.aggregate`);
}
if (process.env.PROFILE_QUERIES === "1") timeQueries();

function summarise(ops: string[]): string {
  const counts = new Map<string, number>();
  for (const op of ops) counts.set(op, (counts.get(op) ?? 0) + 1);
  return [...counts].map(([op, n]) => (n > 1 ? `${op}×${n}` : op)).join(", ");
}

type Measure = {
  path: string;
  rps: number;
  nodeMs: number;
  dbMs: number;
  queries: number;
  p95: number;
};

async function measure(url: string, cookie: string | undefined): Promise<Measure> {
  const headers: Record<string, string> = { accept: "text/html", ...(cookie ? { cookie } : {}) };
  await autocannon({ url, connections: CONNECTIONS, duration: 2, headers }); // warm-up
  operations = [];
  const node0 = process.cpuUsage();
  const db0 = descendantsCpuMs();
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  const node = process.cpuUsage(node0);
  const dbMs = descendantsCpuMs() - db0;
  // autocannon stops without waiting for the requests still in the server: let them finish.
  await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 2 * result.latency.p99)));
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const n = Math.max(1, result.requests.total);
  return {
    path: url,
    rps: result.requests.average,
    nodeMs: (node.user + node.system) / 1000 / n,
    dbMs: dbMs / n,
    queries: operations.length / n,
    p95: result.latency.p97_5,
  };
}

const db = await openBenchDatabase({ dbName: CITY_DB_NAME, log: (line) => console.log(line) });
process.env.SCHEDULER = "off";
try {
  const { city } = await openCity({
    scale: SCALE,
    reseed: process.env.BENCH_RESEED === "1",
    log: (line) => console.log(line),
  });
  // What `npm start` does for a database from before the list view (decision 027).
  const filled = await fillApplicationRows();
  if (filled > 0) console.log(`filled the list view of ${filled} applications`);
  db.analyze();
  const server = await startHttpServer({ port: 0, host: "127.0.0.1" });
  try {
    const pages: PageSpec[] = cityPages(city).filter(
      (p) => p.as && (ONLY ? p.name.includes(ONLY) : !SKIP.test(p.name)),
    );
    const cookies = new Map<string, string>();
    const base = await measure(`${server.url}/bench/baseline`, undefined);
    console.log(
      `\nscale ${SCALE}, ${CONNECTIONS} connections × ${DURATION} s; CPU per request (Node incl. autocannon | FerretDB+PostgreSQL)`,
    );
    const line = (name: string, m: Measure) =>
      console.log(
        `${name.padEnd(34)} ${m.rps.toFixed(0).padStart(5)} req/s  p97.5 ${String(m.p95).padStart(5)} ms  Node ${m.nodeMs.toFixed(1).padStart(6)} ms  DB ${m.dbMs.toFixed(1).padStart(7)} ms  ${m.queries.toFixed(1)} ops`,
      );
    line("Baseline: minimal Remix route", base);
    for (const page of pages) {
      const login = city.logins[page.as!];
      let cookie = cookies.get(login.email);
      if (!cookie) {
        cookie = await loginCookie(server.url, city.slug, login.email, login.password);
        cookies.set(login.email, cookie);
      }
      if (process.env.PROFILE_QUERIES === "1") {
        // A cold request first (the per-tenant caches fill), then the warm one listed.
        await fetch(`${server.url}${page.path}`, { headers: { cookie, accept: "text/html" } });
        operations = [];
        filters = [];
        timings.clear();
        await fetch(`${server.url}${page.path}`, { headers: { cookie, accept: "text/html" } });
        console.log(`  ${page.name} (warm): ${summarise(operations)}`);
        for (const f of filters) console.log(`      ${f}`);
        const slowest = [...timings].sort((a, b) => b[1] - a[1]).slice(0, 6);
        console.log(
          `    slowest: ${slowest.map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`).join(", ")}`,
        );
      }
      line(page.name, await measure(`${server.url}${page.path}`, cookie));
    }
  } finally {
    await server.close();
  }
} finally {
  await db.stop();
}

/**
 * `npm run bench`: pure benchmarks, then the city-scale scenario on the launcher's database
 * (seeded once, reused while its seed version and scale match), in-process server timings on it,
 * and every key page as its user over HTTP against the production build served by the same server
 * `npm start` uses, with the minimal Remix route measured in the same run as the baseline.
 * Prints a markdown table and writes it to bench/results/<date>.md (and the raw rows as JSON).
 *
 * Environment: BENCH_SCALE (default 1 = full city scale), BENCH_RESEED=1 (seed again even if a
 * matching scenario exists), BENCH_DURATION (seconds per page, default 6), BENCH_CONNECTIONS
 * (default 20), BENCH_SKIP_INPROCESS=1 (pages only), BENCH_PAGES=public (only the public pages),
 * BENCH_SKIP_REQUEST_PATH=1, BENCH_MEMBERSHIPS (the request-path benchmark's large size, default 100,000).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { markCreditPublicationsCurrent } from "../app/data/credit-publication.server";
import { ensureCreditPostingsCurrent } from "../app/data/credit/postings.server";
import { fillApplicationRows } from "../app/data/grading/application-rows.server";
import { buildApp, startAppProcess } from "../scripts/lib/app-process";
import { PROJECT_ROOT } from "../scripts/lib/database";
import { benchAssessment } from "./assessment";
import { benchCertificates } from "./certificates";
import { openCity } from "./city/seed";
import { CITY_DB_NAME } from "./city/standalone";
import { benchCreditRegistry } from "./credit-registry";
import { benchDashboard } from "./dashboard";
import { benchEmail } from "./email";
import { describeDatabase, openBenchDatabase } from "./lib/database";
import { measureHttp } from "./lib/http";
import type { BenchRow } from "./lib/stats";
import { cityPages, measurePages } from "./pages";
import { markdownReport } from "./report";
import { benchRequestPath, type RequestPathBenchRow } from "./request-path";
import { benchScoring } from "./scoring";

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const DURATION = Number(process.env.BENCH_DURATION ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

const startedAt = new Date();
const log = (line: string) => console.log(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)} s] ${line}`);

/** The request-path rows in the table's shape: p50/p99 go into the name, the ratio row keeps its verdict. */
function requestPathRow(row: RequestPathBenchRow): BenchRow {
  const latency = row.p50 === undefined ? "" : ` (p50 ${Math.round(row.p50)} ms, p99 ${Math.round(row.p99 ?? NaN)} ms)`;
  return { name: `${row.name}${latency}`, value: row.value, unit: row.unit, target: row.target, pass: row.pass };
}

async function main() {
  const rows: BenchRow[] = [];
  log("Pure benchmarks (scoring, certificate PDF)…");
  for (const r of await benchScoring()) rows.push(r);
  for (const r of await benchCertificates()) rows.push(r);

  log("Building the app (production)…");
  buildApp();
  const db = await openBenchDatabase({ dbName: CITY_DB_NAME, log });
  let report = "";
  try {
    const database = await describeDatabase(db.kind);
    log(`City scenario at scale ${SCALE}…`);
    const { city, reused } = await openCity({ scale: SCALE, reseed: process.env.BENCH_RESEED === "1", log });
    log(reused ? `  reusing the scenario seeded ${city.seededAt} (seed version ${city.version})` : `  seeded in ${city.seedSeconds} s`);
    // The start-up read-model fills, done here so the app does not run them inside its 120 s start
    // timeout: the city's publications were written by this code's toCreditPublication (the seed
    // version changes with it), so the start-up registry repair (one sync per publication: hours at
    // 100,000) is only marked done; the application rows are filled when missing.
    db.analyze();
    await markCreditPublicationsCurrent();
    // The registry's name index (decision 036): built from the publications once per database.
    if (await ensureCreditPostingsCurrent()) {
      log("  built the credit registry's name index");
      db.analyze();
    }
    const filled = await fillApplicationRows();
    if (filled > 0) log(`  filled the list view of ${filled} applications`);
    if (filled > 0) db.analyze();

    if (process.env.BENCH_SKIP_INPROCESS !== "1") {
      log("Dashboard data (in process, city data)…");
      rows.push(...(await benchDashboard(city)));
      log("Credit registry data functions (in process, city publications)…");
      rows.push(...(await benchCreditRegistry(city)));
      log("Self-assessment saves (in process, 200-item rubric)…");
      rows.push(...(await benchAssessment()));
      log("Email: outbox worker against a local SMTP server, enqueue cost in a transition…");
      rows.push(...(await benchEmail()));
    }

    // The app: the bench database; no scheduler (a background recount would run into the
    // measurements); TRUST_PROXY so public pages can be requested from many client addresses.
    const app = await startAppProcess({ env: { MONGODB_URI: db.uri, SCHEDULER: "off", TRUST_PROXY: "true" } });
    try {
      log(`App at ${app.url}; ${CONNECTIONS} connections × ${DURATION} s per page`);
      // Warm-up (JIT, connection pools, the build's modules) so the baseline is not measured cold.
      await measureHttp(`${app.url}/bench/baseline`, { connections: CONNECTIONS, durationSeconds: 2, rotateClientIp: true });
      const baseline = await measureHttp(`${app.url}/bench/baseline`, { connections: CONNECTIONS, durationSeconds: DURATION, rotateClientIp: true });
      log(`  baseline: ${baseline.rps.toFixed(0)} req/s, p50 ${baseline.p50.toFixed(0)} ms, p95 ${baseline.p95.toFixed(0)} ms`);
      const pages = await measurePages({ baseUrl: app.url, city, pages: cityPages(city).filter((p) => process.env.BENCH_PAGES !== "public" || !p.as), baselineRps: baseline.rps, connections: CONNECTIONS, durationSeconds: DURATION, log });
      // Tenant home at 100 vs 100,000 memberships (decision 010), in a database of its own on the
      // same server; it closes this process's connection to the city database (not needed after this).
      if (process.env.BENCH_SKIP_REQUEST_PATH !== "1") {
        log("Request path: tenant home at 100 vs 100,000 memberships…");
        rows.push(...(await benchRequestPath({ serverUri: db.uri, postgresUrl: db.postgresUrl })).map(requestPathRow));
      }
      report = markdownReport({
        startedAt,
        totalSeconds: (Date.now() - startedAt.getTime()) / 1000,
        database,
        city,
        reused,
        connections: CONNECTIONS,
        durationSeconds: DURATION,
        baseline,
        pages,
        rows,
      });
      const dir = path.join(PROJECT_ROOT, "bench/results");
      mkdirSync(dir, { recursive: true });
      const stamp = startedAt.toISOString().slice(0, 10);
      writeFileSync(path.join(dir, `${stamp}.md`), report);
      writeFileSync(path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`), JSON.stringify({ startedAt, database, city, reused, baseline, pages, rows }, null, 2));
      log(`Wrote bench/results/${stamp}.md`);
    } finally {
      await app.stop();
    }
  } finally {
    await db.stop();
  }
  console.log(`\n${report}`);
}

await main();

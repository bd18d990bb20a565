/**
 * `npm run bench`: builds the app, starts it in production mode on a private embedded database,
 * and measures pages with autocannon against a minimal Remix route measured in the same run.
 * Also runs the pure benchmarks (scoring). Prints a table and writes bench/results/<time>.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { buildApp, startAppProcess } from "../scripts/lib/app-process";
import { PROJECT_ROOT } from "../scripts/lib/database";
import { benchAssessment } from "./assessment";
import { benchCertificates, benchVerifyHttp, demoVerifyCode } from "./certificates";
import { benchCreditRegistry } from "./credit-registry";
import { benchDashboard } from "./dashboard";
import { benchEmail } from "./email";
import { benchScoring } from "./scoring";

type Row = { name: string; value: number; unit: string; ratio?: number; p50?: number; p99?: number; target?: string };

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
// The in-process benchmarks point process.env.MONGODB_URI at their own (stopped) database; the app
// process must get the caller's setting instead (usually none: its own embedded database).
const CALLER_MONGODB_URI = process.env.MONGODB_URI ?? "";
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

async function measure(url: string, headers: Record<string, string> = {}) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function loginCookie(baseUrl: string, email: string): Promise<string> {
  const res = await fetch(`${baseUrl}/t/chengdu/login`, {
    method: "POST",
    body: new URLSearchParams({ email, password: "Demo#2026safe", redirectTo: "/t/chengdu" }),
    redirect: "manual",
  });
  const cookie = res.headers.get("set-cookie");
  if (res.status !== 302 || !cookie) throw new Error(`login failed with ${res.status}`);
  return cookie.split(";")[0] ?? "";
}

function printTable(rows: Row[]) {
  const header = ["benchmark", "value", "unit", "vs baseline", "p50 ms", "p99 ms", "target"];
  const lines = rows.map((r) => [
    r.name,
    r.value.toFixed(r.unit === "req/s" ? 0 : 1),
    r.unit,
    r.ratio === undefined ? "" : `${(r.ratio * 100).toFixed(0)}%`,
    r.p50 === undefined ? "" : String(r.p50),
    r.p99 === undefined ? "" : String(r.p99),
    r.target ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const l of lines) console.log(fmt(l));
}

async function main() {
  const rows: Row[] = [];
  console.log("Pure benchmarks…");
  for (const r of await benchScoring()) rows.push(r);
  for (const r of await benchCertificates()) rows.push(r);

  console.log("Building the app…");
  buildApp();
  console.log("Self-assessment server timings (in process, 200-item rubric)…");
  for (const r of await benchAssessment()) rows.push(r);
  // Public credit registry with 100k published records (BENCH_CREDIT=0 skips it: slow on FerretDB).
  if (process.env.BENCH_CREDIT !== "0") {
    console.log("Public credit registry (in process, 100k published records)…");
    for (const r of await benchCreditRegistry()) rows.push(r);
  }
  console.log("Email: outbox worker against a local SMTP server, enqueue cost in a transition…");
  for (const r of await benchEmail()) rows.push(r);
  console.log("Dashboard at scale (20k enterprises, 30k applications, 100k credit records)…");
  for (const r of await benchDashboard()) rows.push(r);
  // TRUST_PROXY: the verification benchmark sends each request from another client address.
  const app = await startAppProcess({ env: { TRUST_PROXY: "true", MONGODB_URI: CALLER_MONGODB_URI } });
  try {
    console.log(`App at ${app.url}; ${CONNECTIONS} connections × ${DURATION}s per page`);
    const baseline = await measure(`${app.url}/bench/baseline`);
    rows.push({ name: "HTTP baseline: minimal Remix page", value: baseline.rps, unit: "req/s", ratio: 1, p50: baseline.p50, p99: baseline.p99 });
    const pages: Array<{ name: string; path: string; as?: string }> = [
      { name: "HTTP login page", path: "/t/chengdu/login" },
      { name: "HTTP home (logged in, regulator)", path: "/t/chengdu", as: "regulator@demo.safegrade.cn" },
    ];
    for (const p of pages) {
      const headers: Record<string, string> = p.as ? { cookie: await loginCookie(app.url, p.as) } : {};
      const m = await measure(`${app.url}${p.path}`, headers);
      rows.push({ name: p.name, value: m.rps, unit: "req/s", ratio: m.rps / baseline.rps, p50: m.p50, p99: m.p99 });
    }
    // Public verification of the demo certificate (rate limit counted per request, never tripped).
    const code = await demoVerifyCode(app.url, await loginCookie(app.url, "regulator@demo.safegrade.cn"));
    for (const v of [
      { name: "HTTP verify API /api/public/certificates/<code>", path: `/api/public/certificates/${code}` },
      { name: "HTTP verify page /verify/<code>", path: `/verify/${code}` },
    ]) {
      const m = await benchVerifyHttp(`${app.url}${v.path}`, { connections: CONNECTIONS, duration: DURATION });
      rows.push({ name: v.name, value: m.rps, unit: "req/s", ratio: m.rps / baseline.rps, p50: m.p50, p99: m.p99 });
    }
  } finally {
    await app.stop();
  }

  printTable(rows);
  const dir = path.join(PROJECT_ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), connections: CONNECTIONS, durationSeconds: DURATION, rows }, null, 2));
  console.log(`\nWrote ${path.relative(PROJECT_ROOT, file)}`);
}

await main();

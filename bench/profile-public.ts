/**
 * Cost per request of the public pages (decision 029), in process on the bench city database:
 * runs each page's loaders (root, tenant layout where there is one, the page) one request at a
 * time and prints Node CPU, database CPU (FerretDB + PostgreSQL: the launcher's child processes)
 * and database round trips per request. CPU and round trips, not wall-clock, because the machine
 * is shared. `BENCH_SCALE=0.05 npx tsx bench/profile-public.ts` (add `node --cpu-prof --import tsx`
 * for a profile); PROFILE_REQUESTS sets the requests per page (default 30); PROFILE_UNCACHED=1
 * gives the public caches a new stamp before every request (the cost right after a write).
 */
import { readdirSync, readFileSync } from "node:fs";
import mongoose from "mongoose";
import { bumpPublicStamp } from "../models/public-stamp";
import { withCity } from "./city/standalone";

process.env.TRUST_PROXY ??= "true";
const REQUESTS = Number(process.env.PROFILE_REQUESTS ?? 30);
const UNCACHED = process.env.PROFILE_UNCACHED === "1";
const TICK_MS = 1000 / 100; // USER_HZ on Linux

type Loader = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;

/** CPU milliseconds of every descendant process of this one (the embedded database's processes). */
function childCpuMs(): number {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(entry), Number(fields[1]));
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    let p = parents.get(pid);
    while (p !== undefined && p > 1 && p !== process.pid) p = parents.get(p);
    if (p === process.pid) total += t;
  }
  return total * TICK_MS;
}

let ops = 0;
let counting = true;
const opNames = new Map<string, number>();
mongoose.set("debug", (collection: string, method: string) => {
  if (!counting) return;
  ops += 1;
  const key = `${collection}.${method}`;
  opNames.set(key, (opNames.get(key) ?? 0) + 1);
});

async function measure(name: string, loaders: Loader[], url: (i: number) => string, params: Record<string, string>) {
  const run = async (i: number) => {
    const request = new Request(url(i), { headers: { "x-sg-client-ip": `10.9.${i % 250}.${(i * 7) % 250}` } });
    for (const loader of loaders) {
      try {
        await loader({ request, params, context: {} });
      } catch (error) {
        if (!(error instanceof Response)) throw error;
      }
    }
  };
  for (let i = 0; i < 3; i++) await run(i);
  ops = 0;
  opNames.clear();
  let node = 0;
  let db = 0;
  let wall = 0;
  for (let i = 0; i < REQUESTS; i++) {
    // PROFILE_UNCACHED=1: as if a certificate and a publication had just been written.
    if (UNCACHED) {
      counting = false;
      await bumpPublicStamp("certificates");
      await bumpPublicStamp("credit-publications");
      counting = true;
    }
    const cpu0 = process.cpuUsage();
    const db0 = childCpuMs();
    const t0 = performance.now();
    await run(i + 3);
    wall += performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    db += childCpuMs() - db0;
    node += (cpu.user + cpu.system) / 1000;
  }
  node /= REQUESTS;
  db /= REQUESTS;
  wall /= REQUESTS;
  const top = [...opNames].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}×${(v / REQUESTS).toFixed(1)}`).join(", ");
  console.log(`${name.padEnd(34)} node ${node.toFixed(1).padStart(6)} ms  db ${db.toFixed(1).padStart(7)} ms  wall ${wall.toFixed(1).padStart(7)} ms  round trips ${(ops / REQUESTS).toFixed(1)}  [${top}]`);
}

await withCity(async (city) => {
  // The root loader only reads the locale (and app/root imports CSS, which tsx cannot load).
  const root: Loader = async ({ request }) => (await import("../app/locale.server")).getLocale(request);
  const layout = (await import("../app/routes/t.$slug")).loader as Loader;
  const registry = (await import("../app/routes/t.$slug.registry")).loader as Loader;
  const credit = (await import("../app/routes/credit-registry._index")).loader as Loader;
  const verify = (await import("../app/routes/verify.$code")).loader as Loader;
  const notices = (await import("../app/routes/t.$slug.notices")).loader as Loader;
  const csv = (await import("../app/routes/credit-registry[.csv]")).loader as Loader;
  // As at start-up (scripts/lib/boot.ts): the notices' read model of a database from before it.
  await (await import("../app/data/grading/public-notices.server")).ensurePublicNoticesCurrent();
  const base = "http://bench.local";
  const slug = { slug: city.slug };
  console.log(`scale ${city.scale}: ${JSON.stringify(city.counts)}; ${REQUESTS} requests per page`);
  await measure("Certificate registry", [root, layout, registry], () => `${base}/t/${city.slug}/registry`, slug);
  await measure("Certificate registry, page 3", [root, layout, registry], () => `${base}/t/${city.slug}/registry?page=3`, slug);
  const queries = city.registryQueries;
  await measure("Credit registry, name search", [root, credit], (i) => `${base}/credit-registry?q=${encodeURIComponent(queries[i % queries.length] ?? "")}`, {});
  await measure("Credit registry, unfiltered", [root, credit], () => `${base}/credit-registry`, {});
  await measure("Credit registry, code prefix", [root, credit], () => `${base}/credit-registry?q=91510100`, {});
  await measure("Verify page", [root, verify], () => `${base}/verify/${city.verifyCode}`, { code: city.verifyCode });
  await measure("Public notices", [root, layout, notices], () => `${base}/t/${city.slug}/notices`, slug);
  if (process.env.PROFILE_CSV === "1")
    await measure("Credit registry CSV", [csv], () => `${base}/credit-registry.csv`, {});
});
process.exit(0);

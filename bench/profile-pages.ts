/**
 * CPU profile of the request path (decision 010): boots the app in process on a private embedded
 * database with the demo data, loads the tenant home and the applications list as the demo
 * regulator with autocannon (10 connections, loopback), and prints the CPU time per request.
 * Run under `node --cpu-prof --import tsx bench/profile-pages.ts` to get a .cpuprofile as well.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { boot } from "../scripts/lib/boot";
import { DEMO_PASSWORD } from "../scripts/lib/seed";

const DURATION = Number(process.env.PROFILE_DURATION ?? 10);
const dataDir = mkdtempSync(path.join(os.tmpdir(), "safegrade-profile-"));
process.env.SCHEDULER = "off";
process.env.NODE_ENV ??= "production";
process.env.MAIL_CAPTURE ??= "true";
process.env.MAIL_CAPTURE_DIR ??= path.join(dataDir, "mail");
process.env.LOG_LEVEL ??= "warn";
const app = await boot({ port: 0, host: "127.0.0.1", dataDir, forceEmbedded: true, seed: true });
try {
  const login = await fetch(`${app.url}/t/chengdu/login`, {
    method: "POST",
    body: new URLSearchParams({ email: "regulator@demo.safegrade.cn", password: DEMO_PASSWORD, redirectTo: "/t/chengdu" }),
    redirect: "manual",
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  for (const page of ["/t/chengdu", "/t/chengdu/applications"]) {
    await autocannon({ url: `${app.url}${page}`, connections: 10, duration: 2, headers: { cookie } }); // warm-up
    const cpu0 = process.cpuUsage();
    const result = await autocannon({ url: `${app.url}${page}`, connections: 10, duration: DURATION, headers: { cookie } });
    const cpu = process.cpuUsage(cpu0);
    if (result.non2xx > 0) throw new Error(`${page}: ${result.non2xx} non-2xx`);
    const perRequest = (cpu.user + cpu.system) / 1000 / result.requests.total;
    // autocannon runs in this process too; its share is measured against a bare endpoint below.
    console.log(`${page}: ${result.requests.average} req/s, p50 ${result.latency.p50} ms, Node CPU ${perRequest.toFixed(2)} ms/request (incl. load generator)`);
  }
  const cpu0 = process.cpuUsage();
  const bare = await autocannon({ url: `${app.url}/healthz`, connections: 10, duration: DURATION });
  const cpu = process.cpuUsage(cpu0);
  console.log(`/healthz: ${bare.requests.average} req/s, Node CPU ${((cpu.user + cpu.system) / 1000 / bare.requests.total).toFixed(2)} ms/request`);
} finally {
  await app.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

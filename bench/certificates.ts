/**
 * Certificate benchmarks.
 * - `benchCertificates()`: PDF generation in this process, warm (font loaded, code paths hot): the
 *   median time per certificate and the file size. Each certificate has its own number and QR code.
 *   Targets: < 60 ms and < 150 KB.
 * - `benchVerifyHttp(app)`: the public JSON verification endpoint under load, against the running
 *   app. Every request comes from another client address (X-Forwarded-For, app started with
 *   TRUST_PROXY=true), so the per-IP rate limit is exercised as in real life but never trips.
 *
 * `npx tsx bench/certificates.ts` runs the PDF part alone.
 */
import { randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { certificatePdfData, renderCertificateBuffer } from "../app/pdf/certificate.server";
import type { CertificateRecord } from "../app/data/certificates.server";
import { Types } from "mongoose";

export type CertificateBenchRow = { name: string; value: number; unit: string; target?: string };

const RUNS = Number(process.env.BENCH_CERTIFICATES ?? 60);

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (pos - lo);
}

function syntheticCertificate(i: number): CertificateRecord {
  const issuedAt = new Date(Date.UTC(2026, 2, 2, 2, 0, 0) + i * 60_000);
  return {
    _id: new Types.ObjectId(),
    tenantId: new Types.ObjectId(),
    applicationId: new Types.ObjectId(),
    enterpriseId: new Types.ObjectId(),
    number: `CDAQBZ-2026-${String(i + 1).padStart(5, "0")}`,
    year: 2026,
    seq: i + 1,
    seqKey: `certno:bench:2026:${i + 1}`,
    verifyCode: randomBytes(16).toString("base64url"),
    level: "level3",
    levelName: { zh: "三级", en: "Level 3" },
    enterprise: {
      name: `成都蜀新化工材料股份有限公司第${i + 1}分厂`,
      creditCode: "91510113MA62A1B2C1",
      industry: "chemical",
      districtCode: "510113",
      districtName: "青白江区",
    },
    issuer: { zh: "成都市应急管理局", en: "Chengdu Emergency Management Bureau" },
    tenantName: { zh: "成都市应急管理局", en: "Chengdu Emergency Management Bureau" },
    issuedAt,
    validUntil: new Date(issuedAt.getTime() + 3 * 365 * 24 * 60 * 60 * 1000),
    status: "active",
    suspendedAt: null,
    suspendedReason: "",
    revokedAt: null,
    revokedReason: "",
    blockedUntil: null,
    expiredAt: null,
    remindersSent: [],
    renewalApplicationId: null,
    history: [],
    version: 0,
    createdAt: issuedAt,
    updatedAt: issuedAt,
  };
}

export async function benchCertificates(): Promise<CertificateBenchRow[]> {
  const render = (i: number) => {
    const cert = syntheticCertificate(i);
    return renderCertificateBuffer(
      certificatePdfData(cert, {
        verifyUrl: `https://safegrade.example.cn/verify/${cert.verifyCode}`,
        seal: null,
      }),
    );
  };
  // Warm-up: font files read, fontkit and pdfkit code paths compiled.
  for (let i = 0; i < 8; i++) await render(1000 + i);
  const times: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const pdf = await render(i);
    times.push(performance.now() - t0);
    sizes.push(pdf.length);
  }
  times.sort((a, b) => a - b);
  sizes.sort((a, b) => a - b);
  return [
    {
      name: "Certificate PDF, warm (median)",
      value: quantile(times, 0.5),
      unit: "ms",
      target: "< 60 ms",
    },
    { name: "Certificate PDF, warm (p95)", value: quantile(times, 0.95), unit: "ms" },
    {
      name: "Certificate PDF size (median)",
      value: quantile(sizes, 0.5) / 1024,
      unit: "KB",
      target: "< 150 KB",
    },
  ];
}

/** The verification code of the demo certificate, read the way a regulator would find it. */
export async function demoVerifyCode(baseUrl: string, cookie: string): Promise<string> {
  const list = await (
    await fetch(`${baseUrl}/t/chengdu/certificates`, { headers: { cookie } })
  ).text();
  const id = /\/t\/chengdu\/certificates\/([0-9a-f]{24})"/.exec(list)?.[1];
  if (!id) throw new Error("no demo certificate in the certificate list");
  const detail = await (
    await fetch(`${baseUrl}/t/chengdu/certificates/${id}`, { headers: { cookie } })
  ).text();
  const code = /\/verify\/([A-Za-z0-9_-]{22})"/.exec(detail)?.[1];
  if (!code) throw new Error("no verification link on the demo certificate's page");
  return code;
}

export async function benchVerifyHttp(
  url: string,
  options: { connections: number; duration: number },
) {
  let n = 0;
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.duration,
    requests: [
      {
        method: "GET",
        setupRequest: (request) => {
          n += 1;
          // 10.x.y.z: a fresh client address per request, so each counts once in its own window.
          request.headers = {
            ...request.headers,
            "x-forwarded-for": `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
          };
          return request;
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
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
  for (const row of await benchCertificates())
    console.log(`${row.name.padEnd(40)} ${row.value.toFixed(1)} ${row.unit}`);
}

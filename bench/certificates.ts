/**
 * Certificate benchmarks.
 * - `benchCertificates()`: PDF generation in this process, warm (font loaded, code paths hot): the
 *   median time per certificate and the file size. Each certificate has its own number and QR code.
 *   Targets: < 60 ms and < 150 KB.
 * The public verification page under load is measured with the other pages (bench/pages.ts).
 *
 * `npx tsx bench/certificates.ts` runs the PDF part alone.
 */
import { randomBytes } from "node:crypto";
import { certificatePdfData, renderCertificateBuffer } from "../app/pdf/certificate.server";
import type { CertificateRecord } from "../app/data/certificates.server";
import { Types } from "mongoose";
import { type BenchRow, invokedDirectly, printRows, quantile } from "./lib/stats";

const RUNS = Number(process.env.BENCH_CERTIFICATES ?? 60);

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
    revokedGrounds: [],
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

export async function benchCertificates(): Promise<BenchRow[]> {
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

if (invokedDirectly(import.meta.url)) printRows(await benchCertificates());

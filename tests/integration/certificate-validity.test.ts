/**
 * Certificates that are no longer valid look it (issue 16, item 3): the public PDF route refuses a
 * suspended, revoked or expired certificate (410) and the API offers no PDF link; the enterprise's
 * own copy carries the status across the page (pdftotext); /verify finds a certificate by its
 * number PLUS the credit code (both required, rate limited), without handing out the code.
 */
import { startInsideOneWindow } from "../rate-window";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Certificate } from "../../models/certificate";
import {
  VERIFY_RATE_LIMIT,
  revokeCertificate,
  runCertificateLifecycle,
  suspendCertificate,
} from "~/data/certificates.server";
import { loader as apiLoader } from "~/routes/api.public.certificates.$code";
import { loader as ownPdfLoader } from "~/routes/t.$slug.certificates.$id[.pdf]";
import { loader as verifyIndexLoader } from "~/routes/verify._index";
import { loader as verifyPdfLoader } from "~/routes/verify.$code[.pdf]";
import { certificateWorld } from "../certificate-fixtures";
import { callLoader, makeRequest } from "../route-helpers";

const tmp = mkdtempSync(path.join(os.tmpdir(), "sg-validity-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const DAY = 86_400_000;

async function pdfText(response: unknown, name: string): Promise<string> {
  if (!(response instanceof Response)) throw new Error("expected a Response");
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("application/pdf");
  const file = path.join(tmp, `${name}.pdf`);
  writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  return execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" });
}

const ownPdf = (slug: string, id: string, cookie: string) =>
  ownPdfLoader({ request: makeRequest(`/t/${slug}/certificates/${id}.pdf`, { cookie }), params: { slug, id }, context: {} });

async function publicPdf(code: string) {
  try {
    return await verifyPdfLoader({ request: makeRequest(`/verify/${code}.pdf`), params: { code }, context: {} });
  } catch (thrown) {
    return thrown;
  }
}

describe("no clean PDF of a certificate that is no longer valid", () => {
  it("valid: clean copy everywhere; suspended, revoked, expired: the public route refuses and the own copy is stamped", async () => {
    const w = await certificateWorld();
    const slug = w.tenant.slug;
    const id = String(w.certificate._id);
    const code = w.certificate.verifyCode;

    const clean = await pdfText(await ownPdf(slug, id, w.adminCookie), "valid");
    expect(clean).not.toMatch(/已暂停|已撤销|已过期|不再有效|REVOKED|SUSPENDED|EXPIRED/);
    expect(await pdfText(await publicPdf(code), "valid-public")).toBe(clean);
    expect((await callLoader(apiLoader, `/api/public/certificates/${code}`, { code })).data).toMatchObject({
      pdfUrl: `http://localhost:3000/verify/${code}.pdf`,
    });

    const steps: Array<[string, () => Promise<unknown>, string, string]> = [
      ["suspended", () => suspendCertificate({ tenantId: w.tenant._id, id, reason: "停产整顿", actor: w.actor }), "已暂停", "SUSPENDED"],
      ["revoked", () => revokeCertificate({ tenantId: w.tenant._id, id, reason: "瞒报事故", grounds: ["concealedAccident"], actor: w.actor }), "已撤销", "REVOKED"],
    ];
    for (const [status, change, zh, en] of steps) {
      await change();
      const refused = await publicPdf(code);
      expect(refused instanceof Response && refused.status, status).toBe(410);
      expect(refused instanceof Response ? await refused.text() : "").toContain(zh);
      const api = await callLoader(apiLoader, `/api/public/certificates/${code}`, { code });
      expect(api.data).toMatchObject({ pdfUrl: null });

      const text = await pdfText(await ownPdf(slug, id, w.adminCookie), status);
      expect(text, status).toContain(zh);
      expect(text, status).toContain(en);
      expect(text, status).toContain(`本证书${zh}`);
      expect(text, status).toContain("不再有效");
      // The certificate itself is still there under the stamp.
      expect(text).toContain(w.certificate.number);
      // The regulator's copy too.
      expect(await pdfText(await ownPdf(slug, id, w.regulatorCookie), `${status}-reg`)).toContain(zh);
    }
  });

  it("expired (even before the job ran): refused publicly, stamped for the enterprise", async () => {
    const w = await certificateWorld({ issuedAt: new Date(Date.now() - (3 * 365 + 5) * DAY) });
    const code = w.certificate.verifyCode;
    expect(w.certificate.validUntil.getTime()).toBeLessThan(Date.now());
    const refused = await publicPdf(code);
    expect(refused instanceof Response && refused.status).toBe(410);
    const text = await pdfText(await ownPdf(w.tenant.slug, String(w.certificate._id), w.adminCookie), "expired");
    expect(text).toContain("已过期");
    expect(text).toContain("EXPIRED");
    await runCertificateLifecycle();
    expect((await Certificate.findOne({ tenantId: w.tenant._id, _id: w.certificate._id }).lean())?.status).toBe("expired");
    const after = await publicPdf(code);
    expect(after instanceof Response && after.status).toBe(410);
  });
});

describe("/verify by certificate number plus credit code", () => {
  const lookup = (query: Record<string, string>, ip = "198.51.100.7") =>
    verifyIndexLoader({
      request: makeRequest(`/verify?${new URLSearchParams(query).toString()}`, { headers: { "x-sg-client-ip": ip } }),
      params: {},
      context: {},
    }).then(
      (r) => unwrapData(r),
      (e: unknown) => unwrapData(e),
    );

  it("needs both, finds the certificate with its state, and never hands out the verification code", async () => {
    const w = await certificateWorld({ creditCode: "914403001922038216" });
    const number = w.certificate.number;

    const onlyNumber = await lookup({ number });
    expect(onlyNumber.status).toBe(400);
    expect(onlyNumber.body.lookup.errors).toEqual({ creditCode: "errors.creditCode.empty" });
    const onlyCode = await lookup({ creditCode: "914403001922038216" });
    expect(onlyCode.status).toBe(400);
    expect(onlyCode.body.lookup.errors).toEqual({ number: "verify.lookup.numberRequired" });
    const badCode = await lookup({ number, creditCode: "914403001922038217" });
    expect(badCode.status).toBe(400);
    expect(badCode.body.lookup.errors.creditCode).toMatch(/^errors\.creditCode\.checksum/);

    // Another valid credit code with the right number: not found (numbers alone reveal nothing).
    const wrong = await lookup({ number, creditCode: "91110000100010433L" });
    expect(wrong.status).toBe(404);
    expect(wrong.body.lookup).toMatchObject({ notFound: true, result: null });

    // Spaces in the number and a lower-case code are fine.
    const found = await lookup({ number: ` ${number.slice(0, 4)} ${number.slice(4)} `, creditCode: "914403001922038216".toLowerCase() });
    expect(found.status).toBe(200);
    expect(found.body.lookup.result).toMatchObject({ state: "VALID", number, code: null });
    expect(JSON.stringify(found.body)).not.toContain(w.certificate.verifyCode);

    await revokeCertificate({ tenantId: w.tenant._id, id: w.certificate._id, reason: "弄虚作假", grounds: ["applicationFraud"], actor: w.actor });
    const revoked = await lookup({ number, creditCode: "914403001922038216" });
    expect(revoked.body.lookup.result).toMatchObject({ state: "REVOKED", grounds: ["applicationFraud"], reason: "弄虚作假" });
  });

  it("is rate limited per IP like the other public lookups", async () => {
    const w = await certificateWorld({ creditCode: "91110000100010433L" });
    const ip = "198.51.100.99";
    let last = { status: 0, body: { lookup: { rateLimitedMinutes: null as number | null } } };
    await startInsideOneWindow(VERIFY_RATE_LIMIT.windowMs);
    for (let i = 0; i <= VERIFY_RATE_LIMIT.limit; i++)
      last = await lookup({ number: w.certificate.number, creditCode: "91110000100010433L" }, ip);
    expect(last.status).toBe(429);
    expect(last.body.lookup.rateLimitedMinutes).toBeGreaterThanOrEqual(1);
  });

  it("the code form still forwards to /verify/<code>", async () => {
    const w = await certificateWorld();
    const res = await lookup({ code: ` http://x/verify/${w.certificate.verifyCode} ` });
    expect(res.status).toBe(302);
    expect(res.location).toBe(`/verify/${w.certificate.verifyCode}`);
  });
});

type LookupBody = {
  lookup: {
    errors: Record<string, string>;
    notFound: boolean;
    result: Record<string, unknown> | null;
    rateLimitedMinutes: number | null;
  };
};

function unwrapData(value: unknown): { status: number; body: LookupBody; location: string | null } {
  if (value instanceof Response)
    return { status: value.status, body: { lookup: { errors: {}, notFound: false, result: null, rateLimitedMinutes: null } }, location: value.headers.get("Location") };
  if (value && typeof value === "object" && "type" in value && value.type === "DataWithResponseInit") {
    const v = value as unknown as { data: LookupBody; init: ResponseInit | null };
    return { status: v.init?.status ?? 200, body: v.data, location: null };
  }
  return { status: 200, body: value as LookupBody, location: null };
}

/**
 * Public pages at city scale (decision 029): what they read and how it stays correct.
 * - The certificate registry, the verification page and the credit registry read through a
 *   per-process cache validated by a change stamp read by `_id`: a repeated request sends no
 *   query to the certificates / publications, and every write through the models (revocation,
 *   a new publication) shows on the next request.
 * - The public notices page reads only the slim `public_notices` rows, never the applications;
 *   `reconcilePublicNotices` repairs a lost or stale row.
 */
import mongoose from "mongoose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CreditPublication } from "../../models/credit-publication";
import { PublicNotice } from "../../models/public-notice";
import { PublicStamp, bumpPublicStamp } from "../../models/public-stamp";
import { listCertificateLevels, listCertificates, revokeCertificate } from "~/data/certificates.server";
import { publicCertificateRegistry } from "~/data/certificates/public-registry.server";
import { PUBLIC_NOTICES_PAGE, reconcilePublicNotices, syncPublicNotice } from "~/data/grading/public-notices.server";
import { cachedPublicRead } from "~/data/public-cache.server";
import { loader as registryLoader } from "~/routes/t.$slug.registry";
import { loader as verifyLoader } from "~/routes/verify.$code";
import { loader as noticesLoader } from "~/routes/t.$slug.notices";
import { loader as verifyApiLoader } from "~/routes/api.public.certificates.$code";
import { certificateWorld, certifiedApplication, issueFor } from "../certificate-fixtures";
import { createEnterprise } from "../factories";
import { callLoader, makeRequest } from "../route-helpers";

/** Collections each database call touched, in order (mongoose's debug hook). */
let touched: string[] = [];
beforeEach(() => {
  touched = [];
  mongoose.set("debug", (collection: string) => {
    touched.push(collection);
  });
});
afterEach(() => {
  mongoose.set("debug", false);
});

describe("stamp-validated public cache", () => {
  it("re-uses a result while the stamp is unchanged and loads again after a bump or past its age", async () => {
    let loads = 0;
    const load = async () => ++loads;
    expect(await cachedPublicRead("certificates", "k", load)).toBe(1);
    expect(await cachedPublicRead("certificates", "k", load)).toBe(1);
    // Another scope's writes do not invalidate this one.
    await bumpPublicStamp("credit-publications");
    expect(await cachedPublicRead("certificates", "k", load)).toBe(1);
    // Another instance's write: only the stamp in the database tells this process.
    await bumpPublicStamp("certificates");
    expect(await cachedPublicRead("certificates", "k", load)).toBe(2);
    expect(await cachedPublicRead("certificates", "k", load, { now: Date.now() + 61_000 })).toBe(3);
  });

  it("does not keep a failed load", async () => {
    await expect(cachedPublicRead("certificates", "f", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await cachedPublicRead("certificates", "f", async () => "ok")).toBe("ok");
  });

  it("every write through the publications model gives a new stamp", async () => {
    const before = (await PublicStamp.findOne({ _id: "credit-publications" }).lean())?.stamp ?? "";
    await CreditPublication.deleteMany({ tenantId: new mongoose.Types.ObjectId() });
    const after = (await PublicStamp.findOne({ _id: "credit-publications" }).lean())?.stamp ?? "";
    expect(after).not.toBe("");
    expect(after).not.toBe(before);
  });
});

describe("certificate registry and verification page", () => {
  it("a repeated request reads no certificate; a revocation shows on the next request", async () => {
    const w = await certificateWorld();
    const registryUrl = `/t/${w.tenant.slug}/registry`;
    const params = { slug: w.tenant.slug };
    const verifyUrl = `/verify/${w.certificate.verifyCode}`;
    const verifyParams = { code: w.certificate.verifyCode };

    const first = await callLoader(registryLoader, registryUrl, params);
    expect(first.data).toMatchObject({ total: 1, items: [{ status: "active" }] });
    expect((await callLoader(verifyLoader, verifyUrl, verifyParams)).data).toMatchObject({ kind: "found", certificate: { status: "active" } });

    touched = [];
    await callLoader(registryLoader, registryUrl, params);
    await callLoader(verifyLoader, verifyUrl, verifyParams);
    expect(touched).not.toContain("certificates");
    expect(touched).toContain("public_stamps");

    const revoked = await revokeCertificate({
      tenantId: w.tenant._id,
      id: w.certificate._id,
      reason: "瞒报生产安全事故",
      grounds: ["concealedAccident"],
      actor: w.actor,
    });
    expect(revoked.ok).toBe(true);
    expect((await callLoader(registryLoader, registryUrl, params)).data).toMatchObject({ items: [{ status: "revoked" }] });
    expect((await callLoader(verifyLoader, verifyUrl, verifyParams)).data).toMatchObject({ certificate: { status: "revoked" } });
  });
});

describe("unfiltered registry from one read", () => {
  it("gives the same pages, total and levels as the list's own queries, with one certificates query", async () => {
    const w = await certificateWorld();
    for (let i = 1; i <= 4; i++) {
      const enterprise = await createEnterprise(w.tenant._id);
      const issuedAt = new Date(Date.now() - i * 86_400_000);
      const app = await certifiedApplication(w.tenant._id, enterprise._id, { issuedAt });
      await issueFor(w.tenant._id, app._id, issuedAt);
    }
    const now = new Date();
    for (const page of [1, 2, 3, 4]) {
      touched = [];
      const fast = await publicCertificateRegistry({ tenantId: w.tenant._id, filters: {}, page, pageSize: 2, now });
      expect(touched.filter((c) => c === "certificates")).toHaveLength(1);
      const slow = await listCertificates({ tenantId: w.tenant._id, page, pageSize: 2, now });
      expect(fast.result).toEqual(slow);
      expect(fast.levels).toEqual(await listCertificateLevels({ tenantId: w.tenant._id }));
    }
    const filtered = await publicCertificateRegistry({ tenantId: w.tenant._id, filters: { status: "active" }, page: 1, pageSize: 2, now });
    expect(filtered.result).toEqual(await listCertificates({ tenantId: w.tenant._id, filters: { status: "active" }, page: 1, pageSize: 2, now }));
    expect(filtered.result.total).toBe(5);
  });
});

describe("public JSON APIs", () => {
  it("answer 304 to a matching If-None-Match and a new ETag after a revocation", async () => {
    const w = await certificateWorld();
    const params = { code: w.certificate.verifyCode };
    const url = `/api/public/certificates/${w.certificate.verifyCode}`;
    const call = async (etag?: string) =>
      (await verifyApiLoader({ request: makeRequest(url, { headers: etag ? { "If-None-Match": etag } : {} }), params, context: {} })) as Response;
    const first = await call();
    expect(first.status).toBe(200);
    const etag = first.headers.get("ETag") ?? "";
    expect(etag).toMatch(/^".+"$/);
    expect(first.headers.get("Cache-Control")).toBe("public, no-cache");
    const again = await call(etag);
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect((await call('"other"')).status).toBe(200);
    await revokeCertificate({ tenantId: w.tenant._id, id: w.certificate._id, reason: "瞒报生产安全事故", grounds: ["concealedAccident"], actor: w.actor });
    const changed = await call(etag);
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ state: "REVOKED" });
  });
});

describe("public notices read model", () => {
  it("pages the notices 20 at a time, the soonest end first, and opens one objection form by ?object=", async () => {
    const w = await certificateWorld();
    const params = { slug: w.tenant.slug };
    const url = `/t/${w.tenant.slug}/notices`;
    const day = 24 * 3600 * 1000;
    const rows = Array.from({ length: 45 }, (_, i) => ({
      _id: new mongoose.Types.ObjectId(),
      tenantId: w.tenant._id,
      enterpriseName: `公示企业${i}`,
      industry: "machinery",
      endsAt: new Date(Date.UTC(2026, 11, 1) + i * day),
      version: 1,
    }));
    await PublicNotice.insertMany(rows);
    type NoticesData = { notices: Array<{ id: string; enterpriseName: string }>; total: number; page: number; pageSize: number; objecting: string | null };
    const first = (await callLoader(noticesLoader, url, params)).data as NoticesData;
    expect(PUBLIC_NOTICES_PAGE).toBe(20);
    expect(first.notices).toHaveLength(20);
    expect(first).toMatchObject({ total: 45, page: 1, pageSize: 20, objecting: null });
    expect(first.notices[0]?.enterpriseName).toBe("公示企业0");
    const third = (await callLoader(noticesLoader, `${url}?page=3&object=${String(rows[42]?._id)}`, params)).data as NoticesData;
    expect(third.notices.map((n) => n.enterpriseName)).toEqual(rows.slice(40).map((r) => r.enterpriseName));
    expect(third.objecting).toBe(String(rows[42]?._id));
  });

  it("caches a notices page under the notices' stamp: a repeat reads no rows, a written row shows at once", async () => {
    const w = await certificateWorld();
    const params = { slug: w.tenant.slug };
    const url = `/t/${w.tenant.slug}/notices`;
    const row = { tenantId: w.tenant._id, enterpriseName: "第一家", industry: "machinery" as const, version: 1 };
    await PublicNotice.create({ _id: new mongoose.Types.ObjectId(), ...row });
    expect((await callLoader(noticesLoader, url, params)).data).toMatchObject({ total: 1 });
    touched = [];
    expect((await callLoader(noticesLoader, url, params)).data).toMatchObject({ total: 1 });
    expect(touched).toContain("public_stamps");
    expect(touched).not.toContain("public_notices");
    // Another instance's write: the stamp in the database tells this process.
    await PublicNotice.create({ _id: new mongoose.Types.ObjectId(), ...row, enterpriseName: "第二家" });
    expect((await callLoader(noticesLoader, url, params)).data).toMatchObject({ total: 2 });
    await PublicNotice.deleteOne({ tenantId: w.tenant._id, enterpriseName: "第一家" });
    expect((await callLoader(noticesLoader, url, params)).data).toMatchObject({ total: 1, notices: [{ enterpriseName: "第二家" }] });
  });

  it("the page reads the slim rows only; reconcile restores a lost row and removes a stale one", async () => {
    const w = await certificateWorld();
    const url = `/t/${w.tenant.slug}/notices`;
    const params = { slug: w.tenant.slug };
    // A stale row: the certified application is not under notice.
    await PublicNotice.create({
      _id: w.app._id,
      tenantId: w.tenant._id,
      enterpriseName: "旧的公示",
      industry: "machinery",
      version: 1,
    });
    touched = [];
    expect((await callLoader(noticesLoader, url, params)).data).toMatchObject({ notices: [{ enterpriseName: "旧的公示" }] });
    expect(touched).toContain("public_notices");
    expect(touched).not.toContain("assessments");

    expect(await reconcilePublicNotices()).toBe(0);
    expect((await callLoader(noticesLoader, url, params)).data).toMatchObject({ notices: [] });

    // syncPublicNotice follows the stored state: not under notice, so no row.
    await syncPublicNotice({ tenantId: w.tenant._id, applicationId: w.app._id });
    expect(await PublicNotice.countDocuments({ tenantId: w.tenant._id })).toBe(0);
  });
});

import { createHash } from "node:crypto";
import mongoose, { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { RubricVersion } from "../../models/rubric-version";
import { Tenant } from "../../models/tenant";
import { casUpdate } from "~/data/cas.server";
import { canonicalJson, contentHash, countItems } from "~/data/rubrics.server";
import {
  EVIDENCE_BUCKET,
  missingRequiredEvidence,
  purgeOrphanEvidence,
} from "~/data/evidence.server";
import { validateRubric, type Rubric } from "~/lib/rubric/schema";
import { action as uploadAction } from "~/routes/t.$slug.assessments.$id.evidence";
import {
  action as fileAction,
  loader as downloadLoader,
} from "~/routes/t.$slug.assessments.$id.evidence.$fileId";
import { SAMPLES, pdfOfSize } from "../evidence-samples";
import { cookieFor, createMember, createTenant } from "../factories";

// ---------------------------------------------------------------------------------------------
// Fixtures

const RUBRIC = {
  $schemaVersion: 1,
  key: "evidence-test",
  version: "1",
  title: { zh: "证明材料测试细则" },
  standard: "GB/T 33000-2016",
  applicability: { industries: ["*"], sizeClasses: ["small", "micro"] },
  totalPoints: 30,
  levels: [{ key: "qualified", name: { zh: "达标" }, minScore: 60 }],
  vetoPolicy: "ineligible",
  elements: [
    {
      id: "E1",
      title: { zh: "目标职责" },
      subElements: [
        {
          id: "E1.1",
          title: { zh: "目标" },
          items: [
            { id: "E1.1.1", text: { zh: "制定安全生产目标" }, points: 10, evidenceRequired: true },
            {
              id: "E1.1.2",
              text: { zh: "目标分解落实" },
              points: 10,
              evidenceRequired: true,
              naAllowed: true,
            },
            { id: "E1.1.3", text: { zh: "目标考核" }, points: 10 },
          ],
        },
      ],
    },
  ],
};

function parsedRubric(): Rubric {
  const result = validateRubric(RUBRIC, "evidence-test");
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.value;
}

async function setup(
  options: {
    evidence?: { maxFileBytes?: number; maxFilesPerItem?: number; maxFilesPerAssessment?: number };
  } = {},
) {
  const tenant = await createTenant();
  if (options.evidence)
    await Tenant.updateOne(
      { _id: tenant._id },
      { $set: { "settings.evidence": options.evidence } },
    );
  const rubric = parsedRubric();
  const json = canonicalJson(rubric);
  const version = await RubricVersion.create({
    tenantId: tenant._id,
    key: rubric.key,
    version: rubric.version,
    title: { zh: rubric.title.zh, en: "" },
    standard: rubric.standard,
    status: "published",
    source: "tenant",
    contentJson: json,
    contentHash: contentHash(json),
    itemCount: countItems(rubric),
    totalPoints: rubric.totalPoints,
    industries: ["*"],
    sizeClasses: ["small", "micro"],
    publishedAt: new Date(),
  });
  const admin = await createMember(tenant._id, "enterprise_admin");
  if (!admin.enterpriseId) throw new Error("enterprise expected");
  const assessment = await Assessment.create({
    tenantId: tenant._id,
    enterpriseId: admin.enterpriseId,
    cycle: "2026",
    rubricVersionId: version._id,
    rubricKey: rubric.key,
    rubricVersion: rubric.version,
    createdBy: admin.user._id,
  });
  return { tenant, rubric, admin, cookie: await cookieFor(admin.user._id), assessment };
}

type Ctx = Awaited<ReturnType<typeof setup>>;

type Reply = { status: number; headers: Headers; json: Record<string, unknown> };

async function reply(response: unknown): Promise<Reply> {
  if (!(response instanceof Response))
    throw new Error(`expected a Response, got ${String(response)}`);
  const text = await response.text();
  let json: Record<string, unknown> = { text };
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) json = { ...parsed };
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, json };
}

function fileIdOf(r: Reply): string {
  const evidence = r.json.evidence;
  if (
    typeof evidence !== "object" ||
    evidence === null ||
    !("fileId" in evidence) ||
    typeof evidence.fileId !== "string"
  ) {
    throw new Error(`no evidence in ${JSON.stringify(r.json)}`);
  }
  return evidence.fileId;
}

async function upload(
  ctx: Ctx,
  file: { name: string; bytes: Uint8Array; itemId?: string },
  options: {
    cookie?: string;
    assessmentId?: string;
    headers?: Record<string, string>;
    expectedVersion?: number;
  } = {},
): Promise<Reply> {
  const form = new FormData();
  form.append("filename", file.name);
  if (options.expectedVersion !== undefined)
    form.append("expectedVersion", String(options.expectedVersion));
  form.append("file", new Blob([new Uint8Array(file.bytes)]), file.name.replace(/[;="]/g, "_"));
  const id = options.assessmentId ?? String(ctx.assessment._id);
  const request = new Request(
    `http://localhost:3000/t/${ctx.tenant.slug}/assessments/${id}/evidence?itemId=${encodeURIComponent(file.itemId ?? "E1.1.1")}`,
    {
      method: "POST",
      body: form,
      headers: {
        Cookie: options.cookie ?? ctx.cookie,
        "x-sg-client-ip": "127.0.0.1",
        ...options.headers,
      },
    },
  );
  try {
    return await reply(
      await uploadAction({ request, params: { slug: ctx.tenant.slug, id }, context: {} }),
    );
  } catch (thrown) {
    return reply(thrown);
  }
}

async function download(
  ctx: Ctx,
  fileId: string,
  options: { cookie?: string; query?: string } = {},
) {
  const id = String(ctx.assessment._id);
  const request = new Request(
    `http://localhost:3000/t/${ctx.tenant.slug}/assessments/${id}/evidence/${fileId}${options.query ?? ""}`,
    {
      headers: { Cookie: options.cookie ?? ctx.cookie },
    },
  );
  try {
    const response = await downloadLoader({
      request,
      params: { slug: ctx.tenant.slug, id, fileId },
      context: {},
    });
    return {
      status: response.status,
      headers: response.headers,
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  } catch (thrown) {
    if (thrown instanceof Response)
      return { status: thrown.status, headers: thrown.headers, bytes: Buffer.alloc(0) };
    throw thrown;
  }
}

async function remove(ctx: Ctx, fileId: string, options: { cookie?: string } = {}): Promise<Reply> {
  const id = String(ctx.assessment._id);
  const request = new Request(
    `http://localhost:3000/t/${ctx.tenant.slug}/assessments/${id}/evidence/${fileId}`,
    {
      method: "POST",
      body: new URLSearchParams({ intent: "delete" }),
      headers: { Cookie: options.cookie ?? ctx.cookie, "x-sg-client-ip": "127.0.0.1" },
    },
  );
  try {
    return await reply(
      await fileAction({ request, params: { slug: ctx.tenant.slug, id, fileId }, context: {} }),
    );
  } catch (thrown) {
    return reply(thrown);
  }
}

function gridfs() {
  const db = mongoose.connection.db;
  if (!db) throw new Error("no db");
  return {
    files: db.collection(`${EVIDENCE_BUCKET}.files`),
    chunks: db.collection(`${EVIDENCE_BUCKET}.chunks`),
    db,
  };
}

async function storedCounts() {
  const { files, chunks } = gridfs();
  return { files: await files.countDocuments({}), chunks: await chunks.countDocuments({}) };
}

async function refs(ctx: Ctx) {
  const doc = await Assessment.findOne({
    tenantId: ctx.tenant._id,
    _id: ctx.assessment._id,
  }).lean();
  return { evidence: doc?.evidence ?? [], version: doc?.version ?? -1 };
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

// ---------------------------------------------------------------------------------------------

describe("GridFS on the test database", () => {
  it("creates the GridFS indexes (files_id+n unique) through mongoose's driver", async () => {
    const ctx = await setup();
    expect((await upload(ctx, { name: "a.pdf", bytes: SAMPLES.pdf })).status).toBe(201);
    const indexes = await gridfs().chunks.indexes();
    expect(indexes.some((i) => i.key.files_id === 1 && i.key.n === 1 && i.unique === true)).toBe(
      true,
    );
  });
});

describe("evidence upload", () => {
  it("stores pdf, png, jpg, docx and xlsx samples with ownership metadata and a ref", async () => {
    const ctx = await setup();
    const cases = [
      { name: "安全生产目标责任书.pdf", bytes: SAMPLES.pdf, type: "application/pdf" },
      { name: "现场照片.PNG", bytes: SAMPLES.png, type: "image/png" },
      { name: "巡检.jpeg", bytes: SAMPLES.jpg, type: "image/jpeg" },
      {
        name: "管理制度.docx",
        bytes: SAMPLES.docx,
        type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      },
      {
        name: "台账.xlsx",
        bytes: SAMPLES.xlsx,
        type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      },
    ];
    for (const [i, c] of cases.entries()) {
      const res = await upload(ctx, {
        name: c.name,
        bytes: c.bytes,
        itemId: i < 3 ? "E1.1.1" : "E1.1.3",
      });
      expect(res.status, c.name).toBe(201);
      expect(res.json).toMatchObject({
        ok: true,
        evidence: { filename: c.name, contentType: c.type, size: c.bytes.length },
        version: i + 1,
      });
    }
    const { evidence, version } = await refs(ctx);
    expect(version).toBe(5);
    expect(evidence.map((e) => e.filename)).toEqual(cases.map((c) => c.name));
    const files = await gridfs().files.find({}).toArray();
    expect(files).toHaveLength(5);
    for (const c of cases) {
      const file = files.find((f) => f.filename === c.name);
      expect(file?.metadata).toMatchObject({
        itemId: expect.any(String),
        contentType: c.type,
        sha256: sha256(c.bytes),
      });
      expect(String(file?.metadata?.tenantId)).toBe(String(ctx.tenant._id));
      expect(String(file?.metadata?.assessmentId)).toBe(String(ctx.assessment._id));
      expect(String(file?.metadata?.uploadedBy)).toBe(String(ctx.admin.user._id));
    }
  });

  it("keeps names with ; = and Chinese characters intact (sent as a field)", async () => {
    const ctx = await setup();
    const name = "整改报告;第2版=最终.pdf";
    const res = await upload(ctx, { name, bytes: SAMPLES.pdf });
    expect(res.status).toBe(201);
    expect((await refs(ctx)).evidence[0]?.filename).toBe(name);
  });

  it("refuses PNG bytes named .pdf with 415 and stores nothing", async () => {
    const ctx = await setup();
    const res = await upload(ctx, { name: "scan.pdf", bytes: SAMPLES.png });
    expect(res.status).toBe(415);
    expect(res.json).toEqual({ ok: false, errors: { file: "evidence.errors.mismatch" } });
    expect(await storedCounts()).toEqual({ files: 0, chunks: 0 });
    expect((await refs(ctx)).evidence).toHaveLength(0);
  });

  it("refuses executables, plain zips and zips dressed as Office files with 415", async () => {
    const ctx = await setup();
    const exe = await upload(ctx, { name: "setup.exe", bytes: SAMPLES.exe });
    expect(exe.status).toBe(415);
    expect(exe.json).toEqual({ ok: false, errors: { file: "evidence.errors.type" } });
    expect((await upload(ctx, { name: "setup.pdf", bytes: SAMPLES.exe })).status).toBe(415);
    expect((await upload(ctx, { name: "archive.zip", bytes: SAMPLES.plainZip })).status).toBe(415);
    const fakeDocx = await upload(ctx, { name: "report.docx", bytes: SAMPLES.plainZip });
    expect(fakeDocx.status).toBe(415);
    expect(fakeDocx.json).toEqual({ ok: false, errors: { file: "evidence.errors.type" } });
    expect((await upload(ctx, { name: "table.xlsx", bytes: SAMPLES.docx })).status).toBe(415);
    expect(await storedCounts()).toEqual({ files: 0, chunks: 0 });
  });

  it("refuses an empty file, an unknown item and a missing file part with 400", async () => {
    const ctx = await setup();
    expect((await upload(ctx, { name: "empty.pdf", bytes: new Uint8Array(0) })).json).toEqual({
      ok: false,
      errors: { file: "evidence.errors.empty" },
    });
    const unknown = await upload(ctx, { name: "a.pdf", bytes: SAMPLES.pdf, itemId: "E9.9.9" });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({ ok: false, errors: { file: "evidence.errors.unknownItem" } });
    expect(await storedCounts()).toEqual({ files: 0, chunks: 0 });
  });

  it("over a small tenant limit (1 KB): 413 and no GridFS file or chunk left behind", async () => {
    const ctx = await setup({ evidence: { maxFileBytes: 1024 } });
    const res = await upload(ctx, { name: "big.pdf", bytes: pdfOfSize(5000) });
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ ok: false, errors: { file: "evidence.errors.tooLarge?max=1+KB" } });
    expect(await storedCounts()).toEqual({ files: 0, chunks: 0 });
    // Exactly at the limit is fine.
    expect((await upload(ctx, { name: "ok.pdf", bytes: pdfOfSize(1024) })).status).toBe(201);
  });

  it("cuts off a file that crosses the limit after chunks were written, and deletes them", async () => {
    const ctx = await setup({ evidence: { maxFileBytes: 600 * 1024 } });
    const res = await upload(ctx, { name: "big.pdf", bytes: pdfOfSize(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(await storedCounts()).toEqual({ files: 0, chunks: 0 });
    expect((await refs(ctx)).evidence).toHaveLength(0);
  });

  it("refuses at once when Content-Length already exceeds the limit", async () => {
    const ctx = await setup({ evidence: { maxFileBytes: 1024 } });
    const res = await upload(
      ctx,
      { name: "a.pdf", bytes: SAMPLES.pdf },
      { headers: { "Content-Length": String(10 * 1024 * 1024) } },
    );
    expect(res.status).toBe(413);
    expect(await storedCounts()).toEqual({ files: 0, chunks: 0 });
  });

  it("enforces the per-item and per-assessment count limits (409)", async () => {
    const ctx = await setup({ evidence: { maxFilesPerItem: 2, maxFilesPerAssessment: 3 } });
    expect((await upload(ctx, { name: "1.pdf", bytes: SAMPLES.pdf })).status).toBe(201);
    expect((await upload(ctx, { name: "2.pdf", bytes: SAMPLES.pdf })).status).toBe(201);
    const third = await upload(ctx, { name: "3.pdf", bytes: SAMPLES.pdf });
    expect(third.status).toBe(409);
    expect(third.json).toEqual({
      ok: false,
      errors: { file: "evidence.errors.tooManyForItem?max=2" },
    });
    expect(
      (await upload(ctx, { name: "4.pdf", bytes: SAMPLES.pdf, itemId: "E1.1.2" })).status,
    ).toBe(201);
    const fifth = await upload(ctx, { name: "5.pdf", bytes: SAMPLES.pdf, itemId: "E1.1.3" });
    expect(fifth.status).toBe(409);
    expect(fifth.json).toEqual({
      ok: false,
      errors: { file: "evidence.errors.tooManyForAssessment?max=3" },
    });
    expect(await storedCounts()).toMatchObject({ files: 3 });
  });

  it("holds the per-item limit under parallel uploads and leaves no orphan file", async () => {
    const ctx = await setup({ evidence: { maxFilesPerItem: 3 } });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => upload(ctx, { name: `p${i}.pdf`, bytes: SAMPLES.pdf })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.json).toEqual({
        ok: false,
        errors: { file: "evidence.errors.tooManyForItem?max=3" },
      });
    }
    const { evidence, version } = await refs(ctx);
    expect(evidence).toHaveLength(3);
    expect(version).toBe(3);
    expect((await storedCounts()).files).toBe(evidence.length);
  });

  it("loses neither uploads nor concurrent answer saves (both are compare-and-sets on version)", async () => {
    const ctx = await setup();
    // An autosave stand-in: re-read and retry until its compare-and-set wins.
    const save = async (i: number) => {
      for (;;) {
        const doc = await Assessment.findOne(
          { tenantId: ctx.tenant._id, _id: ctx.assessment._id },
          { version: 1 },
        ).lean();
        const ok = await casUpdate(
          Assessment,
          { _id: ctx.assessment._id, tenantId: ctx.tenant._id, expectedVersion: doc?.version ?? 0 },
          { $push: { answers: { itemId: `E1.1.${(i % 3) + 1}`, choice: "full", rev: i } } },
        );
        if (ok) return;
      }
    };
    const [uploads] = await Promise.all([
      Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          upload(ctx, { name: `u${i}.pdf`, bytes: SAMPLES.pdf, itemId: "E1.1.3" }),
        ),
      ),
      Promise.all(Array.from({ length: 4 }, (_, i) => save(i))),
    ]);
    expect(uploads.map((u) => u.status)).toEqual([201, 201, 201, 201]);
    const doc = await Assessment.findOne({
      tenantId: ctx.tenant._id,
      _id: ctx.assessment._id,
    }).lean();
    expect(doc?.evidence).toHaveLength(4);
    expect(doc?.answers).toHaveLength(4);
    expect(doc?.version).toBe(8);
  });

  it("refuses a stale expected version with 409 and keeps nothing", async () => {
    const ctx = await setup();
    expect(
      (await upload(ctx, { name: "a.pdf", bytes: SAMPLES.pdf }, { expectedVersion: 0 })).status,
    ).toBe(201);
    const stale = await upload(ctx, { name: "b.pdf", bytes: SAMPLES.pdf }, { expectedVersion: 0 });
    expect(stale.status).toBe(409);
    expect(stale.json).toEqual({ ok: false, errors: { file: "errors.conflict" } });
    expect((await storedCounts()).files).toBe(1);
  });

  it("refuses uploads once the assessment is no longer a draft", async () => {
    const ctx = await setup();
    await Assessment.updateOne(
      { tenantId: ctx.tenant._id, _id: ctx.assessment._id },
      { $set: { state: "submitted" } },
    );
    const res = await upload(ctx, { name: "a.pdf", bytes: SAMPLES.pdf });
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ ok: false, errors: { file: "evidence.errors.locked" } });
    expect(await storedCounts()).toEqual({ files: 0, chunks: 0 });
  });
});

describe("who may upload, download and delete", () => {
  it("another enterprise's member gets 404 for upload, download and delete", async () => {
    const ctx = await setup();
    const uploaded = await upload(ctx, { name: "a.pdf", bytes: SAMPLES.pdf });
    const fileId = fileIdOf(uploaded);
    const other = await createMember(ctx.tenant._id, "enterprise_admin");
    const cookie = await cookieFor(other.user._id);
    expect((await upload(ctx, { name: "b.pdf", bytes: SAMPLES.pdf }, { cookie })).status).toBe(404);
    expect((await download(ctx, fileId, { cookie })).status).toBe(404);
    expect((await remove(ctx, fileId, { cookie })).status).toBe(404);
    expect((await refs(ctx)).evidence).toHaveLength(1);
    expect((await storedCounts()).files).toBe(1);
  });

  it("a member of another tenant gets 404 even with the right ids", async () => {
    const ctx = await setup();
    const uploaded = await upload(ctx, { name: "a.pdf", bytes: SAMPLES.pdf });
    const fileId = fileIdOf(uploaded);
    const otherTenant = await createTenant();
    const stranger = await createMember(otherTenant._id, "regulator");
    const cookie = await cookieFor(stranger.user._id);
    // Logged in elsewhere only: this tenant does not know them, so the download asks them to log in here.
    const res = await download(ctx, fileId, { cookie });
    expect(res.status).toBe(302);
    expect(res.bytes.length).toBe(0);
  });

  it("a regulator (read:assessment:any) may download but not upload or delete", async () => {
    const ctx = await setup();
    const uploaded = await upload(ctx, { name: "a.pdf", bytes: SAMPLES.pdf });
    const fileId = fileIdOf(uploaded);
    const regulator = await createMember(ctx.tenant._id, "regulator");
    const cookie = await cookieFor(regulator.user._id);
    expect((await download(ctx, fileId, { cookie })).status).toBe(200);
    expect((await upload(ctx, { name: "b.pdf", bytes: SAMPLES.pdf }, { cookie })).status).toBe(403);
    expect((await remove(ctx, fileId, { cookie })).status).toBe(403);
  });

  it("an anonymous upload gets 401 JSON (the XHR client shows 'log in again')", async () => {
    const ctx = await setup();
    const res = await upload(ctx, { name: "a.pdf", bytes: SAMPLES.pdf }, { cookie: "" });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ ok: false, errors: { file: "evidence.errors.signedOut" } });
  });
});

describe("evidence download", () => {
  it("returns the same bytes with safe headers and an RFC 5987 file name", async () => {
    const ctx = await setup();
    const name = "消防检查记录（2026年3月）.xlsx";
    const uploaded = await upload(ctx, { name, bytes: SAMPLES.xlsx });
    const fileId = fileIdOf(uploaded);
    const res = await download(ctx, fileId);
    expect(res.status).toBe(200);
    expect(sha256(res.bytes)).toBe(sha256(SAMPLES.xlsx));
    expect(res.headers.get("Content-Type")).toBe(
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    expect(res.headers.get("Content-Length")).toBe(String(SAMPLES.xlsx.length));
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    const disposition = res.headers.get("Content-Disposition") ?? "";
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("filename*=UTF-8''")[1] ?? "")).toBe(name);
    expect(disposition).not.toMatch(/[()（）]/);
    expect(res.headers.get("ETag")).toBe(`"${sha256(SAMPLES.xlsx)}"`);
  });

  it("serves PDFs inline on request, never other types", async () => {
    const ctx = await setup();
    const pdf = await upload(ctx, { name: "a.pdf", bytes: SAMPLES.pdf });
    const docx = await upload(ctx, { name: "b.docx", bytes: SAMPLES.docx, itemId: "E1.1.3" });
    const pdfId = fileIdOf(pdf);
    const docxId = fileIdOf(docx);
    expect(
      (await download(ctx, pdfId, { query: "?inline=1" })).headers.get("Content-Disposition"),
    ).toMatch(/^inline;/);
    expect(
      (await download(ctx, docxId, { query: "?inline=1" })).headers.get("Content-Disposition"),
    ).toMatch(/^attachment;/);
  });

  it("404 for an unknown or malformed file id", async () => {
    const ctx = await setup();
    expect((await download(ctx, String(new Types.ObjectId()))).status).toBe(404);
    expect((await download(ctx, "not-an-id")).status).toBe(404);
  });
});

describe("evidence delete", () => {
  it("removes the ref and the GridFS file (files and chunks)", async () => {
    const ctx = await setup();
    const big = pdfOfSize(600 * 1024);
    const uploaded = await upload(ctx, { name: "a.pdf", bytes: big });
    expect(uploaded.status).toBe(201);
    const fileId = fileIdOf(uploaded);
    expect((await storedCounts()).chunks).toBeGreaterThan(1);
    const res = await remove(ctx, fileId);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, version: 2 });
    expect((await refs(ctx)).evidence).toHaveLength(0);
    expect(await storedCounts()).toEqual({ files: 0, chunks: 0 });
    expect((await download(ctx, fileId)).status).toBe(404);
    expect((await remove(ctx, fileId)).status).toBe(404);
  });

  it("keeps a file that a carried-over ref of another assessment still uses", async () => {
    const ctx = await setup();
    const uploaded = await upload(ctx, { name: "a.pdf", bytes: SAMPLES.pdf });
    const fileId = fileIdOf(uploaded);
    const [ref] = (await refs(ctx)).evidence;
    await Assessment.create({
      tenantId: ctx.tenant._id,
      enterpriseId: ctx.assessment.enterpriseId,
      cycle: "2027",
      rubricVersionId: ctx.assessment.rubricVersionId,
      rubricKey: ctx.assessment.rubricKey,
      rubricVersion: ctx.assessment.rubricVersion,
      createdBy: ctx.admin.user._id,
      evidence: [{ ...ref, carriedOver: true }],
      previousAssessmentId: ctx.assessment._id,
    });
    expect((await remove(ctx, fileId)).status).toBe(200);
    expect((await storedCounts()).files).toBe(1);
  });

  it("is refused once submitted", async () => {
    const ctx = await setup();
    const uploaded = await upload(ctx, { name: "a.pdf", bytes: SAMPLES.pdf });
    const fileId = fileIdOf(uploaded);
    await Assessment.updateOne(
      { tenantId: ctx.tenant._id, _id: ctx.assessment._id },
      { $set: { state: "submitted" } },
    );
    const res = await remove(ctx, fileId);
    expect(res.status).toBe(409);
    expect((await storedCounts()).files).toBe(1);
  });
});

describe("missingRequiredEvidence", () => {
  it("lists required items without files, skipping items answered not applicable", async () => {
    const ctx = await setup();
    const rubric = ctx.rubric;
    expect(missingRequiredEvidence(rubric, { evidence: [] })).toEqual(["E1.1.1", "E1.1.2"]);
    await upload(ctx, { name: "a.pdf", bytes: SAMPLES.pdf, itemId: "E1.1.1" });
    const doc = await Assessment.findOne({
      tenantId: ctx.tenant._id,
      _id: ctx.assessment._id,
    }).lean();
    if (!doc) throw new Error("assessment gone");
    expect(missingRequiredEvidence(rubric, doc)).toEqual(["E1.1.2"]);
    expect(
      missingRequiredEvidence(rubric, { ...doc, answers: [{ itemId: "E1.1.2", choice: "na" }] }),
    ).toEqual([]);
  });
});

describe("purgeOrphanEvidence", () => {
  it("deletes unreferenced files and stray chunks older than the cut-off, keeps referenced ones, and is idempotent", async () => {
    const ctx = await setup();
    const kept = await upload(ctx, { name: "kept.pdf", bytes: SAMPLES.pdf });
    expect(kept.status).toBe(201);
    const { db } = gridfs();
    const bucket = new mongoose.mongo.GridFSBucket(db, { bucketName: EVIDENCE_BUCKET });
    const orphan = bucket.openUploadStream("orphan.pdf", {
      metadata: { tenantId: ctx.tenant._id },
    });
    orphan.end(SAMPLES.pdf);
    await new Promise((resolve, reject) => orphan.on("finish", resolve).on("error", reject));
    // A crashed upload: chunks without a files document.
    await gridfs().chunks.insertOne({
      files_id: new Types.ObjectId(),
      n: 0,
      data: new mongoose.mongo.Binary(Buffer.from("x")),
    });

    const notYet = await purgeOrphanEvidence({ olderThan: new Date(Date.now() - 60 * 60 * 1000) });
    expect(notYet).toEqual({ files: 0, chunks: 0 });

    const future = new Date(Date.now() + 60 * 1000);
    const [first, second] = await Promise.all([
      purgeOrphanEvidence({ olderThan: future }),
      purgeOrphanEvidence({ olderThan: future }),
    ]);
    expect((first?.files ?? 0) + (second?.files ?? 0)).toBe(1);
    expect((first?.chunks ?? 0) + (second?.chunks ?? 0)).toBe(1);
    expect(await purgeOrphanEvidence({ olderThan: future })).toEqual({ files: 0, chunks: 0 });
    const left = await gridfs().files.find({}).toArray();
    expect(left.map((f) => f.filename)).toEqual(["kept.pdf"]);
    const fileId = fileIdOf(kept);
    expect(sha256((await download(ctx, fileId)).bytes)).toBe(sha256(SAMPLES.pdf));
  });
});

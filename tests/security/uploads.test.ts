/**
 * Upload bodies over HTTP against the real app: a multipart upload cut off before its closing
 * boundary is refused with 400 and a translated message; a chunked body (no Content-Length) over
 * the limit is refused with 413 while streaming; neither stores anything.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO_PASSWORD } from "../../scripts/lib/seed";

const baseUrl = inject("baseUrl");
const databaseUri = inject("databaseUri");
const origin = new URL(baseUrl).origin;
let cookie = "";
let uploadPath = "";
let itemId = "";

function firstItemId(node: unknown): string | null {
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = firstItemId(child);
      if (found) return found;
    }
    return null;
  }
  if (typeof node !== "object" || node === null) return null;
  const items: unknown = Reflect.get(node, "items");
  if (Array.isArray(items) && items.length > 0) {
    const id: unknown = Reflect.get(items[0] as object, "id");
    if (typeof id === "string") return id;
  }
  for (const value of Object.values(node)) {
    const found = firstItemId(value);
    if (found) return found;
  }
  return null;
}

async function counts() {
  const db = mongoose.connection.db;
  if (!db) throw new Error("no database");
  // GridFS buckets are created on first use: count them by name (0 while they do not exist).
  const out: Record<string, number> = {};
  for (const name of ["evidence.files", "evidence.chunks"])
    out[name] = await db.collection(name).countDocuments();
  const assessment = await db.collection("assessments").findOne({ _id: new mongoose.Types.ObjectId(uploadPath.split("/")[4]) });
  out.evidence = Array.isArray(assessment?.evidence) ? assessment.evidence.length : 0;
  return out;
}

beforeAll(async () => {
  await mongoose.connect(databaseUri);
  const login = await fetch(`${baseUrl}/t/chengdu/login`, {
    method: "POST",
    headers: { Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: "ent-admin@demo.safegrade.cn", password: DEMO_PASSWORD }),
    redirect: "manual",
  });
  cookie = login.headers.getSetCookie().find((c) => c.startsWith("__sg_session="))?.split(";")[0] ?? "";
  const db = mongoose.connection.db;
  if (!db) throw new Error("no database");
  const user = await db.collection("users").findOne({ email: "ent-admin@demo.safegrade.cn" });
  const membership = await db.collection("memberships").findOne({ userId: user?._id });
  const draft = () => db.collection("assessments").findOne({ enterpriseId: membership?.enterpriseId, state: "draft" });
  if (!(await draft())) {
    // Start one the way the enterprise does (the start form on the assessment list).
    const list = await (await fetch(`${baseUrl}/t/chengdu/assessments`, { headers: { Cookie: cookie } })).text();
    const rubricVersionId = /name="rubricVersionId"[^>]*>[\s\S]*?value="([0-9a-f]{24})"/.exec(list)?.[1] ?? /value="([0-9a-f]{24})"/.exec(list)?.[1] ?? "";
    const year = new Date().getUTCFullYear();
    for (const cycle of [year, year + 1, year - 1, year + 2]) {
      await fetch(`${baseUrl}/t/chengdu/assessments`, {
        method: "POST",
        headers: { Origin: origin, Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ intent: "start", cycle: String(cycle), rubricVersionId }),
        redirect: "manual",
      });
      if (await draft()) break;
    }
  }
  const assessment = await draft();
  if (!assessment) throw new Error("the demo enterprise has no draft assessment");
  const file = path.resolve(import.meta.dirname, `../../rubrics/${String(assessment.rubricKey)}@${String(assessment.rubricVersion)}.json`);
  itemId = firstItemId(JSON.parse(readFileSync(file, "utf8"))) ?? "";
  uploadPath = `/t/chengdu/assessments/${String(assessment._id)}/evidence?itemId=${encodeURIComponent(itemId)}`;
}, 60_000);

afterAll(() => mongoose.disconnect());

describe("upload bodies", () => {
  it("has a signed-in enterprise admin and a rubric item to upload to", () => {
    expect(cookie).not.toBe("");
    expect(itemId).not.toBe("");
  });

  it("refuses a multipart upload truncated before its closing boundary with 400, storing nothing", async () => {
    const before = await counts();
    const boundary = "----sgtruncated";
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="report.pdf"\r\nContent-Type: application/pdf\r\n\r\n` +
      `%PDF-1.4\n${"0123456789".repeat(5000)}`;
    const res = await fetch(`${baseUrl}${uploadPath}`, {
      method: "POST",
      headers: { Origin: origin, Cookie: cookie, "Content-Type": `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expect(res.status).toBe(400);
    // The evidence API answers message keys; the evidence panel translates them (like its other errors).
    const json = (await res.json()) as { errors?: { file?: string } };
    expect(json.errors?.file).toBe("security.malformedBody");
    expect(await counts()).toEqual(before);
  });

  it("refuses a chunked upload over the limit with 413 while streaming, storing nothing", async () => {
    const before = await counts();
    const boundary = "----sgchunked";
    const encoder = new TextEncoder();
    const chunk = new Uint8Array(1024 * 1024).fill(0x41);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0)
          controller.enqueue(
            encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`),
          );
        else if (sent > 200) {
          controller.enqueue(encoder.encode(`\r\n--${boundary}--\r\n`));
          controller.close();
          return;
        } else controller.enqueue(chunk);
        sent += 1;
      },
    });
    const res = await fetch(`${baseUrl}${uploadPath}`, {
      method: "POST",
      headers: { Origin: origin, Cookie: cookie, "Content-Type": `multipart/form-data; boundary=${boundary}` },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(200);
    expect(await counts()).toEqual(before);
  });
});

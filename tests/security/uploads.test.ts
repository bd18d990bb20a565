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
  const names = (await db.listCollections().toArray()).map((c) => c.name).filter((n) => n.endsWith(".files") || n.endsWith(".chunks"));
  const out: Record<string, number> = {};
  for (const name of names) out[name] = await db.collection(name).countDocuments();
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
  const assessment = await db.collection("assessments").findOne({ enterpriseId: membership?.enterpriseId, state: "draft" });
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
    const json = (await res.json()) as { file?: string; error?: string };
    expect(JSON.stringify(json)).toMatch(/[\u4e00-\u9fff]/);
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

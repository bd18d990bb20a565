/**
 * Page weight (issue 13 item 5, decision 028): the server HTML of the assessment, review and
 * application pages stays ≤ 120 KB with the largest shipped rubric fully answered (notes,
 * evidence names, a scored review sheet). Measured like the bench (bench/lib/http.ts): one real
 * request to the production server, the uncompressed document's bytes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../scripts/lib/app-process";
import { startHttpServer } from "../../scripts/lib/http-server";
import { pageWeightScenario } from "../page-weight-fixtures";

const KB = 1024;
const LIMIT = 120 * KB;

let server: Awaited<ReturnType<typeof startHttpServer>> | null = null;

beforeAll(async () => {
  buildApp();
  server = await startHttpServer({ port: 0, host: "127.0.0.1" });
}, 180_000);

afterAll(async () => {
  await server?.close();
});

async function documentBytes(path: string, cookie: string): Promise<{ status: number; bytes: number; html: string }> {
  const res = await fetch(`${server?.url}${path}`, { headers: { cookie, "accept-encoding": "identity" }, redirect: "manual" });
  const html = await res.text();
  return { status: res.status, bytes: Buffer.byteLength(html), html };
}

describe("page weight", () => {
  it("the assessment, review and application pages of a fully answered general rubric stay within their HTML budget", async () => {
    const s = await pageWeightScenario();
    const t = `/t/${s.slug}`;
    // A page that lost its content would be light too: each must show what it is for.
    const shows: Record<string, RegExp> = {
      "assessment element page": new RegExp(`data-item="${s.firstElement}\\.1\\.1"[\\s\\S]*台账（1）`),
      "review page (reviewer)": /data-item="[^"]+"/,
      "review page, largest element": new RegExp(`data-item="${s.largestElement}\\.`),
      "comparison (regulator)": /data-item|<table/,
      ...Object.fromEntries(
        s.largestElementParts.map((part) => [`element page, largest element part ${part}`, new RegExp(`data-part="${part}"[\\s\\S]*data-item="${s.largestElement}\\.`)]),
      ),
    };
    const pages: Array<[string, string, string, number]> = [
      ["assessment element page", `${t}/assessments/${s.draftId}/${s.firstElement}`, s.cookies.enterpriseAdmin, LIMIT],
      // A large element is shown in parts: every part of the largest element stays light too.
      ...s.largestElementParts.map((part): [string, string, string, number] => [
        `element page, largest element part ${part}`,
        `${t}/assessments/${s.draftId}/${s.largestElement}?part=${part}`,
        s.cookies.enterpriseAdmin,
        LIMIT,
      ]),
      ["assessment summary", `${t}/assessments/${s.draftId}/summary`, s.cookies.enterpriseAdmin, LIMIT],
      ["review page (reviewer)", `${t}/reviews/${s.reviewId}`, s.cookies.reviewer, LIMIT],
      // The review sheet pages a large element in parts: its largest element stays light too.
      ["review page, largest element", `${t}/reviews/${s.reviewId}?element=${s.largestElement}`, s.cookies.reviewer, LIMIT],
      ["one application (regulator)", `${t}/applications/${s.reviewId}`, s.cookies.regulator, LIMIT],
      ["one certified application (regulator)", `${t}/applications/${s.certifiedId}`, s.cookies.regulator, LIMIT],
      ["comparison (regulator)", `${t}/applications/${s.certifiedId}/comparison`, s.cookies.regulator, LIMIT],
    ];
    const lines: string[] = [];
    for (const [name, path, cookie, limit] of pages) {
      const r = await documentBytes(path, cookie);
      // PAGE_WEIGHT_DUMP=<dir> keeps each page's HTML for a look at where the bytes are.
      const dump = process.env.PAGE_WEIGHT_DUMP;
      if (dump) writeFileSync(join(dump, `${name.replace(/[^a-z]+/gi, "-")}.html`), r.html);
      lines.push(`${name}: ${(r.bytes / KB).toFixed(1)} KB (${r.status})`);
      expect.soft(r.status, `${name} ${path}`).toBe(200);
      const shown = shows[name];
      if (shown) expect.soft(r.html, `${name} shows its content`).toMatch(shown);
      expect.soft(r.bytes, `${name}: ${(r.bytes / KB).toFixed(1)} KB`).toBeLessThanOrEqual(limit);
    }
    // The measured sizes, for the decision record and the bench comparison.
    process.stdout.write(`page weight:\n  ${lines.join("\n  ")}\n`);
  }, 240_000);
});

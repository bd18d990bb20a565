/**
 * Issue 15 (Step 11): the credit-record CSV import stops reading at its row, line and cell limits
 * (a small file of many rows is never held as rows), and a chunked body without Content-Length is
 * cut off at the byte limit while it streams. Each refusal is a clear 4xx and writes nothing.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CreditRecord } from "../../models/credit-record";
import { Enterprise } from "../../models/enterprise";
import {
  IMPORT_MAX_BYTES,
  IMPORT_MAX_CELL_CHARS,
  IMPORT_MAX_LINES,
  IMPORT_MAX_ROWS,
  parseCsv,
} from "~/data/credit-import.server";
import { IMPORT_MAX_BYTES as ENTERPRISE_IMPORT_MAX_BYTES } from "~/data/enterprise-directory.server";
import { action } from "~/routes/t.$slug.credit.import";
import { action as enterpriseImportAction } from "~/routes/t.$slug.enterprises.import";
import { cookieFor, createMember, createTenant } from "../factories";

const HEADER = "主体名称,统一社会信用代码,主体类型,名单类型,列入情形,行政处罚决定书文号";
const LIMITS = { maxRows: IMPORT_MAX_ROWS + 1, maxCellChars: IMPORT_MAX_CELL_CHARS, maxLines: IMPORT_MAX_LINES };

async function setup() {
  const tenant = await createTenant();
  const regulator = await createMember(tenant._id, "regulator");
  return { tenant, cookie: await cookieFor(regulator.user._id) };
}
type Ctx = Awaited<ReturnType<typeof setup>>;

async function call(ctx: Ctx, request: Request, handler: typeof action = action): Promise<{ status: number; error?: string }> {
  try {
    const res = (await handler({ request, params: { slug: ctx.tenant.slug }, context: {} })) as unknown;
    if (res instanceof Response) return { status: res.status };
    const d = res as { data: { error?: string }; init: ResponseInit | null };
    return { status: d.init?.status ?? 200, error: d.data.error };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status };
    throw thrown;
  }
}

function uploadRequest(ctx: Ctx, content: string): Request {
  const fd = new FormData();
  fd.append("file", new File([content], "records.csv", { type: "text/csv" }));
  return new Request(`http://localhost:3000/t/${ctx.tenant.slug}/credit/import`, {
    method: "POST",
    body: fd,
    headers: { Cookie: ctx.cookie, "x-sg-client-ip": "127.0.0.1" },
  });
}

/** A 200 MB multipart upload sent chunked (no Content-Length), counting what the server pulled. */
function chunkedUpload(url: string, cookie: string): { request: Request; pulled: () => number } {
  const boundary = "----sgboundary";
  const encoder = new TextEncoder();
  const head = encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n${HEADER}\r\n`);
  const chunk = encoder.encode("某公司,91510100000000000X,enterprise,serious2023,c2023_no_licence,N\r\n".repeat(1000));
  const total = 200 * 1024 * 1024;
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === 0) controller.enqueue(head);
      if (pulled >= total) return controller.close();
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  const request = new Request(url, {
    method: "POST",
    body,
    duplex: "half",
    headers: { Cookie: cookie, "Content-Type": `multipart/form-data; boundary=${boundary}`, "x-sg-client-ip": "127.0.0.1" },
  } as RequestInit);
  return { request, pulled: () => pulled };
}

describe("credit import limits", () => {
  it("stops parsing at the row, line and cell limits instead of reading the whole file into rows", () => {
    const manyRows = `${HEADER}\n${"a,b\n".repeat(400_000)}`;
    const rows = parseCsv(manyRows, LIMITS);
    expect(rows.limit).toBe("rows");
    expect(rows.rows.length).toBe(IMPORT_MAX_ROWS + 2);

    const blankLines = `${HEADER}\n${"\n".repeat(1_500_000)}`;
    const blanks = parseCsv(blankLines, LIMITS);
    expect(blanks.limit).toBe("rows");
    expect(blanks.rows.length).toBe(IMPORT_MAX_LINES + 1);

    const hugeCell = `${HEADER}\n"${"x".repeat(1_000_000)}",b\n`;
    expect(parseCsv(hugeCell, LIMITS)).toMatchObject({ limit: "cell", rows: [expect.any(Array)] });
    // Within the limits nothing changes.
    expect(parseCsv(`${HEADER}\n"a,""b""",c\n`, LIMITS)).toMatchObject({ limit: null, rows: [expect.any(Array), ["a,\"b\"", "c"]] });
  });

  it("refuses a small file of too many rows, too many blank lines or a huge cell with a clear 400, writing nothing", async () => {
    const ctx = await setup();
    const many = `${HEADER}\r\n${"某公司,91510100000000000X,enterprise,serious2023,c2023_no_licence,N\r\n".repeat(IMPORT_MAX_ROWS + 10)}`;
    expect(many.length).toBeLessThan(IMPORT_MAX_BYTES);
    expect(await call(ctx, uploadRequest(ctx, many))).toEqual({ status: 400, error: `creditPublic.import.error.tooManyRows?max=${IMPORT_MAX_ROWS}` });
    const blanks = `${HEADER}\r\n${"\n".repeat(3 * IMPORT_MAX_LINES)}`;
    expect(await call(ctx, uploadRequest(ctx, blanks))).toEqual({ status: 400, error: `creditPublic.import.error.tooManyRows?max=${IMPORT_MAX_ROWS}` });
    const cell = `${HEADER}\r\n"${"长".repeat(IMPORT_MAX_CELL_CHARS + 1)}",a,b,c,d,e\r\n`;
    expect(await call(ctx, uploadRequest(ctx, cell))).toEqual({
      status: 400,
      error: `creditPublic.import.error.cellTooLong?max=${IMPORT_MAX_CELL_CHARS}`,
    });
    expect(await CreditRecord.countDocuments({ tenantId: ctx.tenant._id })).toBe(0);
  });

  it("cuts a chunked upload (no Content-Length) off at the byte limit while it streams: 413, nothing written (credit and enterprise import)", async () => {
    const ctx = await setup();
    for (const [target, handler, limit] of [
      ["credit/import", action, IMPORT_MAX_BYTES],
      ["enterprises/import", enterpriseImportAction, ENTERPRISE_IMPORT_MAX_BYTES],
    ] as const) {
      const chunked = chunkedUpload(`http://localhost:3000/t/${ctx.tenant.slug}/${target}`, ctx.cookie);
      expect(chunked.request.headers.get("Content-Length")).toBeNull();
      const result = await call(ctx, chunked.request, handler as typeof action);
      expect(result.status, target).toBe(413);
      if (target === "credit/import") expect(result.error).toMatch(/^creditPublic\.import\.error\.tooLarge/);
      // Reading stopped near the limit, not at the end of the 200 MB body.
      expect(chunked.pulled(), target).toBeLessThan(limit + 2 * 1024 * 1024);
    }
    expect(await CreditRecord.countDocuments({ tenantId: ctx.tenant._id })).toBe(0);
    expect(await Enterprise.countDocuments({ tenantId: ctx.tenant._id })).toBe(0);
  });

  it("refusing a 2 MB file of a million one-letter rows grows the heap by far less than parsing it whole would (child process)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-credit-import-"));
    const file = path.join(dir, "rows.csv");
    writeFileSync(file, `${HEADER}\n${"a\n".repeat(Math.floor((IMPORT_MAX_BYTES - 200) / 2))}`);
    const root = path.resolve(import.meta.dirname, "../..");
    const script = path.join(dir, "measure.mts");
    writeFileSync(
      script,
      `import { readFileSync } from "node:fs";
import { importCreditCsv } from ${JSON.stringify(path.join(root, "app/data/credit-import.server.ts"))};
const bytes = new Uint8Array(readFileSync(${JSON.stringify(file)}));
const base = process.memoryUsage().heapUsed;
let peak = 0;
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed - base); }, 2);
const report = await importCreditCsv({ tenantId: null as never, bytes, fileName: "rows.csv", actor: null as never, validOnly: false, defaultAuthority: "" });
peak = Math.max(peak, process.memoryUsage().heapUsed - base);
clearInterval(timer);
console.log(JSON.stringify({ fileError: report.fileError, peakMb: peak / 1024 / 1024 }));
process.exit(0);
`,
    );
    const tsx = path.join(root, "node_modules/.bin/tsx");
    const out = execFileSync(tsx, ["--tsconfig", path.join(root, "tsconfig.json"), script], { cwd: root, encoding: "utf8" });
    const { fileError, peakMb } = JSON.parse(out.trim().split("\n").pop() ?? "{}") as { fileError: string; peakMb: number };
    expect(fileError).toBe(`creditPublic.import.error.tooManyRows?max=${IMPORT_MAX_ROWS}`);
    // The text itself is ~4 MB in the heap (UTF-16); a million parsed rows would add well over 50 MB.
    expect(peakMb).toBeLessThan(25);
  }, 60_000);
});

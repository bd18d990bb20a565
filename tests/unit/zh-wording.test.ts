/**
 * Chinese wording as the rules and officials write it (issue 17): 您 (never 你), 定级/公告 (never
 * 认定), 撤销 for a revocation (吊销 only where a legal text speaks of a licence, 许可). Scans every
 * zh-CN message catalog and every email template rendered in Chinese from its sample data.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EMAIL_TEMPLATE_NAMES, renderSample } from "../../emails";

const MESSAGES_DIR = path.resolve(import.meta.dirname, "../../app/i18n/messages");

type Catalog = { "zh-CN": Record<string, string> };
function isCatalog(value: unknown): value is Catalog {
  return typeof value === "object" && value !== null && "zh-CN" in value && typeof value["zh-CN"] === "object";
}

/** Problems in one Chinese text; an empty list when the wording is right. */
export function wordingProblems(text: string): string[] {
  const problems: string[] = [];
  if (text.includes("你")) problems.push("你 (use 您)");
  if (text.includes("认定")) problems.push("认定 (use 定级 / 公告)");
  // 吊销 is the legal word for a licence (许可被吊销); a certificate or grading is 撤销.
  if (text.replace(/许可[^。；]*吊销/g, "").includes("吊销")) problems.push("吊销 (use 撤销)");
  return problems;
}

async function zhCatalogs(): Promise<Array<[string, Record<string, string>]>> {
  const out: Array<[string, Record<string, string>]> = [];
  for (const file of readdirSync(MESSAGES_DIR).filter((f) => f.endsWith(".ts"))) {
    const mod: Record<string, unknown> = await import(path.join(MESSAGES_DIR, file));
    for (const value of Object.values(mod)) if (isCatalog(value)) out.push([file, value["zh-CN"]]);
  }
  return out;
}

describe("Chinese wording", () => {
  it("the checker itself finds each wrong word and accepts licence wording", () => {
    expect(wordingProblems("你好")).toHaveLength(1);
    expect(wordingProblems("已认定为三级")).toHaveLength(1);
    expect(wordingProblems("证书已吊销")).toHaveLength(1);
    expect(wordingProblems("许可被依法撤销、吊销、注销后仍从事生产经营活动")).toEqual([]);
    expect(wordingProblems("您好，证书已撤销，定级结果已公告")).toEqual([]);
  });

  it("no zh-CN message uses 你, 认定 or 吊销 (for a revocation)", async () => {
    const catalogs = await zhCatalogs();
    expect(catalogs.length).toBeGreaterThan(10);
    const bad = catalogs.flatMap(([file, messages]) =>
      Object.entries(messages).flatMap(([key, text]) => wordingProblems(text).map((p) => `${file} ${key}: ${p} — ${text}`)),
    );
    expect(bad).toEqual([]);
  });

  it("no email template says it in Chinese either", () => {
    const ctx = { locale: "zh-CN" as const, tenantName: "成都市应急管理局", tenantSlug: "chengdu", appUrl: "http://127.0.0.1:3000" };
    const bad = EMAIL_TEMPLATE_NAMES.flatMap((name) => {
      const mail = renderSample(name, ctx);
      return wordingProblems(`${mail.subject}\n${mail.text}`).map((p) => `${name}: ${p}`);
    });
    expect(bad).toEqual([]);
  });
});

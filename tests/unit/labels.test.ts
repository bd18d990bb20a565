/** People read words, not keys (issue 17): audit actions and details, email template names. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EMAIL_TEMPLATE_NAMES } from "../../emails";
import { makeTranslator } from "~/i18n";
import { auditActionLabel, auditDetailsText, emailTemplateLabel } from "~/lib/labels";

const zh = makeTranslator("zh-CN");
const en = makeTranslator("en");
const DATA = path.resolve(import.meta.dirname, "../../app");

/** Every literal audit action the code records (`action: "x.y"` next to recordAudit). */
function recordedActions(): string[] {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.server\.ts$/.test(entry.name)) {
        const src = readFileSync(full, "utf8");
        if (!src.includes("recordAudit")) continue;
        for (const m of src.matchAll(/action: "([a-z]+\.[A-Za-z.]+)"/g)) if (m[1]) out.add(m[1]);
      }
    }
  };
  walk(DATA);
  return [...out].sort();
}

describe("labels", () => {
  it("every audit action the code records has words, in both languages", () => {
    const actions = [...recordedActions(), "certificate.suspended", "certificate.revoked", "certificate.reinstated", "credit.publish", "credit.send_notice", "outbox.retry"];
    expect(actions.length).toBeGreaterThan(15);
    for (const action of actions) {
      for (const t of [zh, en]) {
        const label = auditActionLabel(t, action);
        expect(label, action).not.toBe(t("labels.otherAction"));
        expect(label, action).not.toContain(action);
      }
    }
    expect(auditActionLabel(zh, "certificate.issued")).toBe("签发证书");
    expect(auditActionLabel(zh, "credit.publish")).toBe("信用记录：公开列入");
  });

  it("details are labelled, internal references left out, booleans and roles in words", () => {
    expect(auditDetailsText(zh, { sessionsEnded: 1 })).toBe("结束的会话：1");
    expect(auditDetailsText(zh, { parentId: "665f", contentHash: "abc", version: 3, reason: "瞒报事故" })).toBe("理由：瞒报事故");
    expect(auditDetailsText(zh, { sent: true, role: "enterprise_member" })).toBe("已发送邮件：是；角色：企业成员");
    expect(auditDetailsText(en, { from: "regulator", to: "reviewer" })).toBe(`From：${en("role.regulator")}；To：${en("role.reviewer")}`);
    expect(auditDetailsText(zh, { unknownKey: "值" })).toBe("值");
    expect(auditDetailsText(zh, null)).toBe("");
  });

  it("every email template has a name in both languages", () => {
    for (const name of EMAIL_TEMPLATE_NAMES) {
      expect(emailTemplateLabel(zh, name), name).not.toBe(zh("labels.otherAction"));
      expect(emailTemplateLabel(en, name), name).not.toBe(en("labels.otherAction"));
    }
    expect(emailTemplateLabel(zh, "password-reset")).toBe("重置密码");
  });
});

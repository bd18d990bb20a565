/**
 * Every email template renders from its sample data in both languages, escapes data, links
 * absolutely; and every template name the code can queue has a module (checked against the
 * exported name lists — no grep).
 */
import { describe, expect, it } from "vitest";
import {
  EMAIL_TEMPLATES,
  EMAIL_TEMPLATE_NAMES,
  EmailDataError,
  escapeHtml,
  renderEmail,
  renderSample,
  type EmailTemplateName,
} from "../../emails/index";
import {
  AUTH_EMAIL_TEMPLATES,
  CERTIFICATE_EMAIL_TEMPLATES,
  CREDIT_EMAIL_TEMPLATES,
  GRADING_JOB_EMAIL_TEMPLATES,
  PANEL_EMAIL_TEMPLATES,
  REGISTRATION_EMAIL_TEMPLATES,
} from "../../emails/names";
import { LOCALES, type Locale } from "~/i18n";
import { GRADING_EMAIL_TEMPLATES } from "~/workflows/grading.machine";

const ctx = (locale: Locale) => ({
  locale,
  tenantName: locale === "en" ? "Chengdu <Emergency> & Co" : "成都市<应急>管理局",
  tenantSlug: "chengdu",
  appUrl: "https://safegrade.example.cn",
});

/** Every message the issue lists, under the name the code queues it with. */
const ISSUE_MESSAGES: EmailTemplateName[] = [
  "invitation",
  "password-reset",
  "registration-approved",
  "registration-refused",
  "application-submitted",
  "application-accepted",
  "application-returned",
  "reviewers-assigned",
  "rectification-requested",
  "review-reported",
  "public-notice-started",
  "objection-received",
  "application-certified",
  "application-rejected",
  "certificate-expiry-reminder",
  "certificate-expired",
  "certificate-suspended",
  "certificate-revoked",
  "credit-notice",
  "credit-listed",
  "credit-repair-decided",
  "credit-removed",
];

describe("email template registry", () => {
  it("has a module for every template name any code path queues", () => {
    const queued = [
      ...AUTH_EMAIL_TEMPLATES,
      ...REGISTRATION_EMAIL_TEMPLATES,
      ...GRADING_EMAIL_TEMPLATES, // the workflow machine's email effects
      ...GRADING_JOB_EMAIL_TEMPLATES,
      ...CERTIFICATE_EMAIL_TEMPLATES,
      ...CREDIT_EMAIL_TEMPLATES,
      ...PANEL_EMAIL_TEMPLATES,
    ];
    for (const name of queued) expect(Object.keys(EMAIL_TEMPLATES), name).toContain(name);
    expect(Object.keys(EMAIL_TEMPLATES).sort()).toEqual([...EMAIL_TEMPLATE_NAMES].sort());
    for (const name of ISSUE_MESSAGES) expect(EMAIL_TEMPLATE_NAMES).toContain(name);
  });

  it("only the certification mail asks for the certificate PDF", () => {
    const withPdf = EMAIL_TEMPLATE_NAMES.filter((n) => EMAIL_TEMPLATES[n].attachCertificate);
    expect(withPdf).toEqual(["application-certified"]);
  });
});

describe.each(EMAIL_TEMPLATE_NAMES)("template %s", (name) => {
  it("renders subject, HTML and text in Chinese and English with an absolute link", () => {
    const [zh, en] = LOCALES.map((l) => renderSample(name, ctx(l)));
    for (const r of [zh, en]) {
      expect(r?.subject.length).toBeGreaterThan(3);
      expect(r?.subject).not.toMatch(/[\r\n]/);
      expect(r?.html).toMatch(/^<!doctype html>/);
      expect(r?.html).toMatch(/href="(https?:\/\/[^"]+)"/);
      expect(r?.text).toMatch(/https?:\/\/\S+/);
      expect(r?.text).not.toMatch(/undefined|\[object Object\]/);
      expect(r?.html).not.toMatch(/undefined|\[object Object\]/);
    }
    // Chinese is Chinese, English is English.
    expect(zh?.subject).toMatch(/[\u4e00-\u9fff]/);
    expect(zh?.html).toContain('lang="zh-CN"');
    expect(en?.html).toContain('lang="en"');
    expect(en?.subject).not.toBe(zh?.subject);
    // The tenant's name (escaped) is in both.
    expect(zh?.html).toContain("成都市&lt;应急&gt;管理局");
    expect(en?.html).toContain("Chengdu &lt;Emergency&gt; &amp; Co");
    expect(en?.html).not.toContain("<Emergency>");
  });

  it("escapes every string of its data in the HTML", () => {
    const evil = '<script>alert("x")</script>&\'';
    const sample = EMAIL_TEMPLATES[name].sample as Record<string, unknown>;
    // Replace every string field with markup (keeping ones whose format the schema checks).
    const data: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(sample)) {
      if (typeof value !== "string") data[key] = value;
      else if (key === "link") data[key] = `https://safegrade.example.cn/x?a=<b>&c="d"`;
      else if (key === "path" || key === "renewalPath") data[key] = `/t/chengdu/x?q=<i>"`;
      else if (/At$|Until$|Deadline$|^deadline$|dueAt/.test(key)) data[key] = value;
      else data[key] = evil;
    }
    for (const locale of LOCALES) {
      const r = renderEmail(name, data, ctx(locale));
      expect(r.html).not.toContain("<script>");
      expect(r.html).not.toContain('<b>');
      expect(r.html).not.toContain('"d"');
      if (Object.values(data).includes(evil)) expect(r.html).toContain(escapeHtml("<script>"));
    }
  });

  it("refuses data that does not fit its schema (a permanent failure, not a blank mail)", () => {
    expect(() => renderEmail(name, { nonsense: true }, ctx("zh-CN"))).toThrow(EmailDataError);
  });
});

it("an unknown template is an EmailDataError", () => {
  expect(() => renderEmail("no-such-mail", {}, ctx("en"))).toThrow(EmailDataError);
});

it("a credit notice names the condition from the credit catalog and links to the record", () => {
  const r = renderEmail(
    "credit-notice",
    {
      recordId: "abc123",
      subjectName: "某化工公司",
      creditCode: "91510100MA6CXXXX0X",
      conditionKey: "c2023_concealed_accident",
      defenceDeadline: "2026-07-15T15:59:59.999Z",
    },
    ctx("zh-CN"),
  );
  expect(r.text).toContain("瞒报、谎报生产安全事故");
  expect(r.text).toContain("2026-07-15");
  expect(r.text).toContain("https://safegrade.example.cn/t/chengdu/credit/abc123");
});

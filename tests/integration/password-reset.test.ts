/**
 * Password reset: no account enumeration, rate limits, hashed single-use expiring tokens bound to
 * the tenant, sessions revoked, translated errors with nothing changed.
 */
import type { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { Membership } from "../../models/membership";
import { AuditEvent } from "../../models/audit-event";
import { OutboxMessage } from "../../models/outbox-message";
import { PasswordReset } from "../../models/password-reset";
import { Session } from "../../models/session";
import { User } from "../../models/user";
import { RESET_LIMITS, RESET_TTL_MS, findPasswordReset, requestPasswordReset, resetPassword } from "~/data/password-reset.server";
import { hashToken } from "~/data/sessions.server";
import { action as forgotAction, loader as forgotLoader } from "~/routes/t.$slug.forgot-password";
import { action as resetAction, loader as resetLoader } from "~/routes/t.$slug.reset-password.$token";
import { cookieFor, createMember, createTenant, createUser, TEST_PASSWORD } from "../factories";
import { callAction, callLoader } from "../route-helpers";

const NEW = "Fresh-password-2026";

async function tokenFromOutbox(tenantId: Types.ObjectId): Promise<string> {
  const mail = await OutboxMessage.findOne({ tenantId, template: "password-reset" }).sort({ createdAt: -1 }).lean();
  return String(mail?.data.link ?? "").split("/").pop() ?? "";
}

describe("requesting a reset link", () => {
  it("answers the same for members, strangers, non-members and disabled users; only members get a mail", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const { user: member } = await createMember(tenant._id, "regulator");
    const { user: outsider } = await createMember(other._id, "regulator");
    const { user: disabled } = await createMember(tenant._id, "reviewer");
    await User.updateOne({ _id: disabled._id }, { $set: { disabled: true } });
    const url = `/t/${tenant.slug}/forgot-password`;
    const params = { slug: tenant.slug };
    expect((await callLoader(forgotLoader, url, params)).status).toBe(200);

    const answers = [];
    for (const email of [member.email, "nobody@example.com", outsider.email, disabled.email]) {
      answers.push(await callAction(forgotAction, url, params, { form: { email } }));
    }
    for (const a of answers) expect(a).toMatchObject({ status: 200, data: { sent: true } });
    const mails = await OutboxMessage.find({ template: "password-reset" }).setOptions({ crossTenant: true }).lean();
    expect(mails.map((m) => m.to)).toEqual([member.email]);
    expect(mails[0]?.data).toMatchObject({ expiresMinutes: RESET_TTL_MS / 60_000 });
    expect(String(mails[0]?.data.link)).toMatch(new RegExp(`^http://localhost:3000/t/${tenant.slug}/reset-password/[\\w-]{43}$`));
    expect(await AuditEvent.countDocuments({ tenantId: tenant._id, action: "password.resetRequested" })).toBe(4);

    const bad = await callAction(forgotAction, url, params, { form: { email: "not-an-email" } });
    expect(bad).toMatchObject({ status: 400, data: { errors: { email: "errors.email" } } });
  });

  it("limits mails per address silently and requests per IP visibly", async () => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "regulator");
    const now = new Date("2026-04-01T01:00:00Z");
    for (let i = 0; i < RESET_LIMITS.perEmail + 2; i += 1) {
      expect(await requestPasswordReset({ tenant, email: user.email, locale: "zh-CN", ip: `10.0.0.${i}`, now })).toEqual({ ok: true });
    }
    expect(await OutboxMessage.countDocuments({ tenantId: tenant._id })).toBe(RESET_LIMITS.perEmail);

    // Per IP (the route, on the real clock): the address is turned away with a translated error.
    for (let i = 0; i < RESET_LIMITS.perIp; i += 1) {
      expect((await requestPasswordReset({ tenant, email: `x${i}@example.com`, locale: "zh-CN", ip: "10.9.9.9" })).ok).toBe(true);
    }
    const res = await callAction(forgotAction, `/t/${tenant.slug}/forgot-password`, { slug: tenant.slug }, {
      form: { email: user.email },
      headers: { "x-sg-client-ip": "10.9.9.9" },
    });
    expect(res.status).toBe(429);
    expect((res.data as { errors: { _form: string } }).errors._form).toMatch(/^email\.reset\.rateLimited\?minutes=\d+$/);
  });
});

describe("using a reset link", () => {
  it("stores only the hash, expires, belongs to its tenant, works once and ends every session", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const { user } = await createMember(tenant._id, "regulator");
    await cookieFor(user._id);
    const t = new Date();
    await requestPasswordReset({ tenant, email: user.email, locale: "zh-CN", ip: "1.1.1.1", now: t });
    const token = await tokenFromOutbox(tenant._id);
    const stored = await PasswordReset.findOne({}).lean();
    expect(stored?._id).toBe(hashToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);

    expect(await findPasswordReset({ tenantId: tenant._id, token, now: t })).toMatchObject({ email: user.email });
    expect(await findPasswordReset({ tenantId: other._id, token, now: t })).toBeNull();
    expect(await findPasswordReset({ tenantId: tenant._id, token, now: new Date(t.getTime() + RESET_TTL_MS + 1) })).toBeNull();
    expect(await resetPassword({ tenantId: tenant._id, token, password: NEW, ip: "1.1.1.1", now: new Date(t.getTime() + RESET_TTL_MS + 1) })).toEqual({
      ok: false,
      error: "invalidLink",
    });

    const url = `/t/${tenant.slug}/reset-password/${token}`;
    const params = { slug: tenant.slug, token };
    const before = (await User.findById(user._id).lean())?.passwordHash;
    const mismatch = await callAction(resetAction, url, params, { form: { password: NEW, confirmPassword: "other" } });
    expect(mismatch).toMatchObject({ status: 400, data: { errors: { confirmPassword: "errors.password.mismatch" } } });
    const local = user.email.split("@")[0] ?? "";
    const containsEmail = await callAction(resetAction, url, params, { form: { password: `${local}-X9x`, confirmPassword: `${local}-X9x` } });
    expect(containsEmail).toMatchObject({ status: 400, data: { errors: { password: "email.reset.containsEmail" } } });
    // The current password is refused with a field error; the link stays usable.
    const same = await callAction(resetAction, url, params, { form: { password: TEST_PASSWORD, confirmPassword: TEST_PASSWORD } });
    expect(same).toMatchObject({ status: 400, data: { errors: { password: "email.reset.samePassword" } } });
    expect((await User.findById(user._id).lean())?.passwordHash).toBe(before);
    expect((await callLoader(resetLoader, url, params)).status).toBe(200);

    const ok = await callAction(resetAction, url, params, { form: { password: NEW, confirmPassword: NEW } });
    expect(ok).toMatchObject({ status: 200, data: { done: true } });
    expect((await User.findById(user._id).lean())?.passwordHash).not.toBe(before);
    expect(await Session.countDocuments({ userId: user._id })).toBe(0);
    expect(await AuditEvent.countDocuments({ tenantId: tenant._id, action: "password.reset" })).toBe(1);

    const again = await callAction(resetAction, url, params, { form: { password: "Another-pass-2026", confirmPassword: "Another-pass-2026" } });
    expect(again).toMatchObject({ status: 410, data: { errors: { _form: "email.reset.invalid" } } });
    // The page after a successful reset is rendered by the loader on the used link: 200, "used".
    expect(await callLoader(resetLoader, url, params)).toMatchObject({ status: 200, data: { valid: false, used: true } });
    expect((await callLoader(resetLoader, `/t/${tenant.slug}/reset-password/garbage`, { slug: tenant.slug, token: "garbage" })).status).toBe(410);
  });

  it("a reset ends the user's other outstanding links too", async () => {
    const tenant = await createTenant();
    const user = await createUser();
    await Membership.create({ tenantId: tenant._id, userId: user._id, role: "regulator", enterpriseId: null });
    await requestPasswordReset({ tenant, email: user.email, locale: "en", ip: "2.2.2.2" });
    const first = await tokenFromOutbox(tenant._id);
    await new Promise((r) => setTimeout(r, 5));
    await requestPasswordReset({ tenant, email: user.email, locale: "en", ip: "2.2.2.2" });
    const second = await tokenFromOutbox(tenant._id);
    expect(second).not.toBe(first);
    expect((await resetPassword({ tenantId: tenant._id, token: second, password: NEW, ip: "2.2.2.2" })).ok).toBe(true);
    expect(await findPasswordReset({ tenantId: tenant._id, token: first })).toBeNull();
  });
});

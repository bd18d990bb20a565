import type { Types } from "mongoose";
import { describe, expect, it, vi } from "vitest";
import { AuditEvent } from "../../models/audit-event";
import { Claim } from "../../models/claim";
import { Invitation } from "../../models/invitation";
import { Membership } from "../../models/membership";
import { OutboxMessage } from "../../models/outbox-message";
import { Session } from "../../models/session";
import { User } from "../../models/user";
import { LOGIN_LIMITS } from "~/auth.server";
import { hashToken } from "~/data/sessions.server";
import { verifyPassword } from "~/data/passwords.server";
import { loader as homeLoader } from "~/routes/t.$slug._index";
import { action as usersAction, loader as usersLoader } from "~/routes/t.$slug.admin.users";
import { action as inviteAction, loader as inviteLoader } from "~/routes/t.$slug.invite.$token";
import { callAction, callLoader } from "../route-helpers";
import {
  cookieFor,
  createEnterprise,
  createMember,
  createTenant,
  createUser,
  TEST_PASSWORD,
} from "../factories";

type Tenant = Awaited<ReturnType<typeof createTenant>>;
const NEW_PASSWORD = "Safety-first-2026";

async function adminOf(tenant: Tenant) {
  const { user } = await createMember(tenant._id, "tenant_admin");
  return { user, cookie: await cookieFor(user._id) };
}

async function invite(
  tenant: Tenant,
  cookie: string,
  form: { email: string; role: string; enterpriseId?: string },
) {
  return callAction(
    usersAction,
    `/t/${tenant.slug}/admin/users`,
    { slug: tenant.slug },
    {
      cookie,
      form: { intent: "invite", enterpriseId: "", ...form },
    },
  );
}

/** Invites and returns the raw token from the queued email (the page never shows the link). */
async function inviteToken(
  tenant: Tenant,
  cookie: string,
  form: { email: string; role: string; enterpriseId?: string },
) {
  const res = await invite(tenant, cookie, form);
  expect(res.status).toBe(200);
  expect(JSON.stringify(res.data)).not.toContain("/invite/");
  const mail = await OutboxMessage.findOne({
    tenantId: tenant._id,
    template: "invitation",
    to: form.email.trim().toLowerCase(),
  })
    .sort({ createdAt: -1, _id: -1 })
    .lean();
  const link = String(mail?.data.link ?? "");
  const token = new URL(link).pathname.split("/").pop() ?? "";
  expect(token.length).toBeGreaterThanOrEqual(43);
  return token;
}

function accept(tenant: Tenant, token: string, form: Record<string, string>) {
  return callAction(
    inviteAction,
    `/t/${tenant.slug}/invite/${token}`,
    { slug: tenant.slug, token },
    { form },
  );
}

const newUserForm = (overrides: Record<string, string> = {}) => ({
  mode: "new",
  name: "新成员 孙丽",
  password: NEW_PASSWORD,
  confirmPassword: NEW_PASSWORD,
  ...overrides,
});

async function counts(tenantId: Types.ObjectId) {
  const [users, memberships, sessions, accepted] = await Promise.all([
    User.countDocuments({}),
    Membership.countDocuments({ tenantId }),
    Session.countDocuments({}),
    AuditEvent.countDocuments({ tenantId, action: "invitation.accepted" }),
  ]);
  return { users, memberships, sessions, accepted };
}

describe("creating invitations", () => {
  it("stores only the token hash, queues the email, audits, and lists it as pending", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const token = await inviteToken(tenant, admin.cookie, {
      email: "  New.Regulator@Example.com ",
      role: "regulator",
    });

    const invitation = await Invitation.findOne({ tenantId: tenant._id }).lean();
    expect(invitation).toMatchObject({
      email: "new.regulator@example.com",
      role: "regulator",
      enterpriseId: null,
      usedAt: null,
    });
    expect(invitation?.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(invitation)).not.toContain(token);
    const ttl = (invitation?.expiresAt.getTime() ?? 0) - Date.now();
    expect(ttl).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
    expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600 * 1000);

    const outbox = await OutboxMessage.findOne({ tenantId: tenant._id }).lean();
    expect(outbox).toMatchObject({
      template: "invitation",
      idempotencyKey: `invitation:${String(invitation?._id)}`,
      to: "new.regulator@example.com",
      status: "pending",
      data: { role: "regulator", tenantName: tenant.name.zh },
    });
    expect(String(outbox?.data.link)).toMatch(new RegExp(`/t/${tenant.slug}/invite/${token}$`));

    const audit = await AuditEvent.findOne({
      tenantId: tenant._id,
      action: "invitation.created",
    }).lean();
    expect(audit).toMatchObject({
      actorEmail: admin.user.email,
      targetType: "invitation",
      targetLabel: "new.regulator@example.com",
    });

    const page = await callLoader(
      usersLoader,
      `/t/${tenant.slug}/admin/users`,
      { slug: tenant.slug },
      { cookie: admin.cookie },
    );
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({
      pending: { items: [{ email: "new.regulator@example.com", role: "regulator" }] },
    });
  });

  it("refuses a second pending invitation for the same email and role", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    await inviteToken(tenant, admin.cookie, { email: "twice@example.com", role: "reviewer" });
    const again = await invite(tenant, admin.cookie, {
      email: "twice@example.com",
      role: "reviewer",
    });
    expect(again.status).toBe(409);
    expect(again.data).toMatchObject({ errors: { email: "errors.invite.duplicate" } });
    expect(await Invitation.countDocuments({ tenantId: tenant._id })).toBe(1);
    // Another role for the same person is a different invitation.
    expect(
      (await invite(tenant, admin.cookie, { email: "twice@example.com", role: "regulator" }))
        .status,
    ).toBe(200);
  });

  it("refuses to invite someone who already has that role here", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const { user } = await createMember(tenant._id, "regulator");
    const res = await invite(tenant, admin.cookie, { email: user.email, role: "regulator" });
    expect(res.status).toBe(409);
    expect(res.data).toMatchObject({ errors: { email: "errors.invite.alreadyMember" } });
  });

  it("refuses to invite another enterprise's member into an enterprise of the same tenant (decision 016)", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const tianfu = await createEnterprise(tenant._id);
    const { user: jinchengAdmin } = await createMember(tenant._id, "enterprise_admin");
    const before = await Invitation.countDocuments({ tenantId: tenant._id });
    const res = await invite(tenant, admin.cookie, {
      email: jinchengAdmin.email,
      role: "enterprise_member",
      enterpriseId: String(tianfu._id),
    });
    expect(res.status).toBe(409);
    expect(res.data).toMatchObject({ errors: { email: "errors.invite.otherEnterprise" } });
    expect(await Invitation.countDocuments({ tenantId: tenant._id })).toBe(before);
    expect(await OutboxMessage.countDocuments({ tenantId: tenant._id, to: jinchengAdmin.email })).toBe(0);
  });

  it("refuses at accept time when the invitee joined another enterprise since the invitation", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const tianfu = await createEnterprise(tenant._id);
    const { user } = await createMember(tenant._id, "regulator", { email: "mover@example.com" });
    const token = await inviteToken(tenant, admin.cookie, {
      email: "mover@example.com",
      role: "enterprise_member",
      enterpriseId: String(tianfu._id),
    });
    // Meanwhile the person becomes a member of another enterprise of the tenant.
    const jincheng = await createEnterprise(tenant._id);
    await Membership.create({ tenantId: tenant._id, userId: user._id, role: "enterprise_member", enterpriseId: jincheng._id });
    const res = await accept(tenant, token, { mode: "existing", password: TEST_PASSWORD });
    expect(res.status).toBe(409);
    expect(res.data).toEqual({ errors: { _form: "errors.invite.otherEnterprise" } });
    expect(await Membership.countDocuments({ tenantId: tenant._id, userId: user._id, enterpriseId: tianfu._id })).toBe(0);
    expect((await Invitation.findOne({ tenantId: tenant._id, email: "mover@example.com" }).lean())?.usedAt).toBeNull();
  });

  it("validates the form: bad email 400, enterprise role without enterprise 400, other tenant's enterprise 404", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const foreign = await createEnterprise(other._id);
    const admin = await adminOf(tenant);

    const bad = await invite(tenant, admin.cookie, { email: "not-an-email", role: "nobody" });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({
      errors: { email: "errors.email", role: "errors.invalidChoice" },
    });

    const noEnterprise = await invite(tenant, admin.cookie, {
      email: "a@example.com",
      role: "enterprise_member",
    });
    expect(noEnterprise.status).toBe(400);
    expect(noEnterprise.data).toMatchObject({
      errors: { enterpriseId: "errors.invite.enterpriseRequired" },
    });

    const wrongTenant = await invite(tenant, admin.cookie, {
      email: "a@example.com",
      role: "enterprise_member",
      enterpriseId: String(foreign._id),
    });
    expect(wrongTenant.status).toBe(404);
    expect(await Invitation.countDocuments({ tenantId: { $in: [tenant._id, other._id] } })).toBe(0);
    expect(await OutboxMessage.countDocuments({ tenantId: { $in: [tenant._id, other._id] } })).toBe(
      0,
    );
  });

  it("lets an enterprise admin invite only members and admins of their own enterprise", async () => {
    const tenant = await createTenant();
    const { user, enterpriseId } = await createMember(tenant._id, "enterprise_admin");
    const otherEnterprise = await createEnterprise(tenant._id);
    const cookie = await cookieFor(user._id);

    for (const form of [
      { email: "x@example.com", role: "regulator" },
      { email: "x@example.com", role: "tenant_admin" },
      { email: "x@example.com", role: "reviewer" },
      {
        email: "x@example.com",
        role: "enterprise_member",
        enterpriseId: String(otherEnterprise._id),
      },
    ]) {
      const res = await invite(tenant, cookie, form);
      expect(res.status, JSON.stringify(form)).toBe(403);
    }
    expect(await Invitation.countDocuments({ tenantId: tenant._id })).toBe(0);

    // Their own enterprise is implied when they have only one.
    expect(
      (await invite(tenant, cookie, { email: "colleague@example.com", role: "enterprise_member" }))
        .status,
    ).toBe(200);
    const explicit = await invite(tenant, cookie, {
      email: "deputy@example.com",
      role: "enterprise_admin",
      enterpriseId: String(enterpriseId),
    });
    expect(explicit.status).toBe(200);
    const stored = await Invitation.find({ tenantId: tenant._id }).lean();
    expect(stored.map((i) => String(i.enterpriseId))).toEqual([
      String(enterpriseId),
      String(enterpriseId),
    ]);

    // Their page shows only their enterprise's invitations and offers only enterprise roles.
    const page = await callLoader(
      usersLoader,
      `/t/${tenant.slug}/admin/users`,
      { slug: tenant.slug },
      { cookie },
    );
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({
      scope: "own",
      canUpdate: false,
      roleOptions: ["enterprise_admin", "enterprise_member"],
    });
  });

  it("is 403 for roles without an invite permission", async () => {
    const tenant = await createTenant();
    const { user } = await createMember(tenant._id, "regulator");
    const cookie = await cookieFor(user._id);
    expect(
      (
        await callLoader(
          usersLoader,
          `/t/${tenant.slug}/admin/users`,
          { slug: tenant.slug },
          { cookie },
        )
      ).status,
    ).toBe(403);
    expect(
      (await invite(tenant, cookie, { email: "x@example.com", role: "regulator" })).status,
    ).toBe(403);
  });
});

describe("accepting invitations", () => {
  it("creates the user and membership, logs them in, audits, and cancels the queued email", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const enterprise = await createEnterprise(tenant._id, { name: "成都示范机械有限公司" });
    const token = await inviteToken(tenant, admin.cookie, {
      email: "member@example.com",
      role: "enterprise_member",
      enterpriseId: String(enterprise._id),
    });

    const page = await callLoader(inviteLoader, `/t/${tenant.slug}/invite/${token}`, {
      slug: tenant.slug,
      token,
    });
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({
      kind: "pending",
      email: "member@example.com",
      role: "enterprise_member",
      enterpriseName: "成都示范机械有限公司",
      hasAccount: false,
    });

    const res = await accept(tenant, token, newUserForm());
    expect(res.status).toBe(302);
    expect(res.location).toBe(`/t/${tenant.slug}`);
    const cookie = (res.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    expect(cookie).toMatch(/^__sg_session=/);

    const user = await User.findOne({ email: "member@example.com" }).lean();
    expect(user?.name).toBe("新成员 孙丽");
    expect(await verifyPassword(user?.passwordHash ?? "", NEW_PASSWORD)).toBe(true);
    const memberships = await Membership.find({ tenantId: tenant._id, userId: user?._id }).lean();
    expect(memberships).toMatchObject([
      { role: "enterprise_member", enterpriseId: enterprise._id, createdBy: admin.user._id },
    ]);
    const invitation = await Invitation.findOne({ tenantId: tenant._id }).lean();
    expect(invitation?.usedAt).toBeInstanceOf(Date);
    expect(String(invitation?.usedBy)).toBe(String(user?._id));
    expect(
      await AuditEvent.findOne({ tenantId: tenant._id, action: "invitation.accepted" }).lean(),
    ).toMatchObject({
      actorEmail: "member@example.com",
      details: { role: "enterprise_member", newUser: true },
    });
    expect((await OutboxMessage.findOne({ tenantId: tenant._id }).lean())?.status).toBe(
      "cancelled",
    );

    const home = await callLoader(
      homeLoader,
      `/t/${tenant.slug}`,
      { slug: tenant.slug },
      { cookie },
    );
    expect(home.data).toMatchObject({
      kind: "member",
      userName: "新成员 孙丽",
      roles: ["role.enterprise_member"],
    });
  });

  it("is single use: a second accept is 410 and writes nothing", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const token = await inviteToken(tenant, admin.cookie, {
      email: "once@example.com",
      role: "reviewer",
    });
    expect((await accept(tenant, token, newUserForm())).status).toBe(302);
    const before = await counts(tenant._id);

    const again = await accept(tenant, token, newUserForm({ name: "冒名者" }));
    expect(again.status).toBe(410);
    expect(again.data).toEqual({ errors: { _form: "errors.invite.used" } });
    const existing = await accept(tenant, token, { mode: "existing", password: NEW_PASSWORD });
    expect(existing.status).toBe(410);
    expect(await counts(tenant._id)).toEqual(before);

    const page = await callLoader(inviteLoader, `/t/${tenant.slug}/invite/${token}`, {
      slug: tenant.slug,
      token,
    });
    expect(page.status).toBe(410);
    expect(page.data).toMatchObject({ kind: "unavailable", reason: "errors.invite.used" });
  });

  // As many racers as the account's per-address login limit (LOGIN_LIMITS.perAccount): a sixth
  // simultaneous password try from one address is rightly refused with 429 before the race.
  it("lets exactly one of five simultaneous accepts win", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const existing = await createUser({ email: "racer@example.com" });
    const token = await inviteToken(tenant, admin.cookie, {
      email: existing.email,
      role: "regulator",
    });
    const form = { mode: "existing", password: TEST_PASSWORD };
    const racers = LOGIN_LIMITS.perAccount;
    const results = await Promise.all(Array.from({ length: racers }, () => accept(tenant, token, form)));
    expect(results.map((r) => r.status).sort()).toEqual([302, ...Array(racers - 1).fill(410)]);
    expect(await Membership.countDocuments({ tenantId: tenant._id, userId: existing._id })).toBe(1);
    expect(
      await AuditEvent.countDocuments({ tenantId: tenant._id, action: "invitation.accepted" }),
    ).toBe(1);
  });

  it("never leaves a used invitation without a membership when accept races a revoke", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    for (let i = 0; i < 4; i++) {
      const email = `race${i}@example.com`;
      const token = await inviteToken(tenant, admin.cookie, { email, role: "reviewer" });
      const invitation = await Invitation.findOne({ tenantId: tenant._id, email }).lean();
      await Promise.all([
        accept(tenant, token, newUserForm()),
        callAction(
          usersAction,
          `/t/${tenant.slug}/admin/users`,
          { slug: tenant.slug },
          {
            cookie: admin.cookie,
            form: { intent: "revoke", invitationId: String(invitation?._id) },
          },
        ),
      ]);
      const after = await Invitation.findOne({ tenantId: tenant._id, email }).lean();
      const user = await User.findOne({ email }).lean();
      const membership = user
        ? await Membership.exists({ tenantId: tenant._id, userId: user._id })
        : null;
      // Exactly one side wins, and the data agrees with the winner.
      expect(Boolean(after?.usedAt) !== Boolean(after?.revokedAt)).toBe(true);
      expect(Boolean(after?.usedAt)).toBe(Boolean(membership));
      expect(Boolean(after?.usedAt)).toBe(Boolean(user));
    }
  });

  it("undoes the new user and membership when the claim loses to a revoke that lands mid-way", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const token = await inviteToken(tenant, admin.cookie, {
      email: "midway@example.com",
      role: "reviewer",
    });
    const invitation = await Invitation.findOne({ tenantId: tenant._id }).lean();
    const insertClaim = Claim.create.bind(Claim);
    // The admin's revoke runs after acceptInvitation checked the invitation and wrote the user and
    // membership, just before it inserts its claim (the revoke's own claim insert is the real one).
    vi.spyOn(Claim, "create").mockImplementationOnce((async (doc: object) => {
      const revoked = await callAction(
        usersAction,
        `/t/${tenant.slug}/admin/users`,
        { slug: tenant.slug },
        {
          cookie: admin.cookie,
          form: { intent: "revoke", invitationId: String(invitation?._id) },
        },
      );
      expect(revoked.status).toBe(200);
      return insertClaim(doc);
    }) as unknown as typeof Claim.create);

    const res = await accept(tenant, token, newUserForm());
    expect(res.status).toBe(410);
    expect(res.data).toEqual({ errors: { _form: "errors.invite.revoked" } });
    expect(await User.countDocuments({ email: "midway@example.com" })).toBe(0);
    expect(await Membership.countDocuments({ tenantId: tenant._id, role: "reviewer" })).toBe(0);
    expect(
      await AuditEvent.countDocuments({ tenantId: tenant._id, action: "invitation.accepted" }),
    ).toBe(0);
    const after = await Invitation.findOne({ tenantId: tenant._id }).lean();
    expect(after?.usedAt).toBeNull();
    expect(after?.revokedAt).toBeInstanceOf(Date);
  });

  it("takes over a stale claim left by a crashed writer, but not a fresh one", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const token = await inviteToken(tenant, admin.cookie, {
      email: "crash@example.com",
      role: "reviewer",
    });
    const invitation = await Invitation.findOne({ tenantId: tenant._id }).lean();
    const key = `invitation:${String(invitation?._id)}:use`;

    await Claim.create({ _id: key, at: new Date(), owner: "accept:someone-in-flight" });
    const blocked = await accept(tenant, token, newUserForm());
    expect(blocked.status).toBe(410);
    expect(await User.countDocuments({ email: "crash@example.com" })).toBe(0);

    await Claim.updateOne({ _id: key }, { $set: { at: new Date(Date.now() - 5 * 60_000) } });
    const res = await accept(tenant, token, newUserForm());
    expect(res.status).toBe(302);
    expect((await Invitation.findOne({ tenantId: tenant._id }).lean())?.usedAt).toBeInstanceOf(
      Date,
    );
  });

  it("refuses an expired link with 410 and creates no user", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const token = await inviteToken(tenant, admin.cookie, {
      email: "late@example.com",
      role: "regulator",
    });
    await Invitation.updateOne(
      { tenantId: tenant._id },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );

    const page = await callLoader(inviteLoader, `/t/${tenant.slug}/invite/${token}`, {
      slug: tenant.slug,
      token,
    });
    expect(page.status).toBe(410);
    expect(page.data).toMatchObject({ kind: "unavailable", reason: "errors.invite.expired" });
    const res = await accept(tenant, token, newUserForm());
    expect(res.status).toBe(410);
    expect(res.data).toEqual({ errors: { _form: "errors.invite.expired" } });
    expect(await User.countDocuments({ email: "late@example.com" })).toBe(0);
    expect(await Membership.countDocuments({ tenantId: tenant._id })).toBe(1);
    // An expired invitation is no longer pending, so the admin can invite again.
    expect(
      (await invite(tenant, admin.cookie, { email: "late@example.com", role: "regulator" })).status,
    ).toBe(200);
  });

  it("refuses a revoked link with 410; revoking is audited and cancels the email", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const token = await inviteToken(tenant, admin.cookie, {
      email: "withdrawn@example.com",
      role: "regulator",
    });
    const invitation = await Invitation.findOne({ tenantId: tenant._id }).lean();
    const revoke = () =>
      callAction(
        usersAction,
        `/t/${tenant.slug}/admin/users`,
        { slug: tenant.slug },
        {
          cookie: admin.cookie,
          form: { intent: "revoke", invitationId: String(invitation?._id) },
        },
      );
    const res = await revoke();
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ notice: "admin.users.inviteRevoked" });
    expect(
      await AuditEvent.countDocuments({ tenantId: tenant._id, action: "invitation.revoked" }),
    ).toBe(1);
    expect((await OutboxMessage.findOne({ tenantId: tenant._id }).lean())?.status).toBe(
      "cancelled",
    );
    expect((await revoke()).status).toBe(409);

    const accepted = await accept(tenant, token, newUserForm());
    expect(accepted.status).toBe(410);
    expect(accepted.data).toEqual({ errors: { _form: "errors.invite.revoked" } });
    expect(await User.countDocuments({ email: "withdrawn@example.com" })).toBe(0);
  });

  it("is 404 for an unknown token and for another tenant's token", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const adminB = await adminOf(b);
    const tokenB = await inviteToken(b, adminB.cookie, {
      email: "b@example.com",
      role: "regulator",
    });
    const unknown = "x".repeat(43);
    expect(
      (
        await callLoader(inviteLoader, `/t/${a.slug}/invite/${unknown}`, {
          slug: a.slug,
          token: unknown,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await callLoader(inviteLoader, `/t/${a.slug}/invite/${tokenB}`, {
          slug: a.slug,
          token: tokenB,
        })
      ).status,
    ).toBe(404);
    expect((await accept(a, tokenB, newUserForm())).status).toBe(404);
    expect(await User.countDocuments({ email: "b@example.com" })).toBe(0);
  });

  it("rejects weak passwords with 400 and field errors, writing nothing", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const token = await inviteToken(tenant, admin.cookie, {
      email: "weakling@example.com",
      role: "reviewer",
    });
    const before = await counts(tenant._id);
    const cases: Array<[Record<string, string>, Record<string, string>]> = [
      [{ password: "short1", confirmPassword: "short1" }, { password: "errors.password.tooShort" }],
      [
        { password: "onlyletters", confirmPassword: "onlyletters" },
        { password: "errors.password.classes" },
      ],
      [
        { password: "Weakling-2026x", confirmPassword: "Weakling-2026x" },
        { password: "errors.password.containsEmail" },
      ],
      [{ confirmPassword: "Something-else-1" }, { confirmPassword: "errors.password.mismatch" }],
      [{ name: "  " }, { name: "errors.required" }],
    ];
    for (const [overrides, errors] of cases) {
      const res = await accept(tenant, token, newUserForm(overrides));
      expect(res.status, JSON.stringify(overrides)).toBe(400);
      expect(res.data).toMatchObject({ errors });
    }
    expect(await counts(tenant._id)).toEqual(before);
    expect((await Invitation.findOne({ tenantId: tenant._id }).lean())?.usedAt).toBeNull();
  });

  it("handles an email that got an account after the invitation: sign-up refused, password login joins", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const admin = await adminOf(tenant);
    const token = await inviteToken(tenant, admin.cookie, {
      email: "both@example.com",
      role: "reviewer",
    });
    // Meanwhile the same person joins another jurisdiction.
    const { user } = await createMember(other._id, "reviewer", { email: "both@example.com" });

    const signUp = await accept(tenant, token, newUserForm());
    expect(signUp.status).toBe(409);
    expect(signUp.data).toEqual({ errors: { _form: "errors.invite.accountExists" } });
    expect(await User.countDocuments({ email: "both@example.com" })).toBe(1);
    expect((await Invitation.findOne({ tenantId: tenant._id }).lean())?.usedAt).toBeNull();

    const page = await callLoader(inviteLoader, `/t/${tenant.slug}/invite/${token}`, {
      slug: tenant.slug,
      token,
    });
    expect(page.data).toMatchObject({ kind: "pending", hasAccount: true });

    const wrong = await accept(tenant, token, { mode: "existing", password: "not-the-password-1" });
    expect(wrong.status).toBe(401);
    expect(wrong.data).toEqual({ errors: { password: "errors.invite.wrongPassword" } });
    expect(await Membership.countDocuments({ tenantId: tenant._id, userId: user._id })).toBe(0);

    const ok = await accept(tenant, token, { mode: "existing", password: TEST_PASSWORD });
    expect(ok.status).toBe(302);
    expect(
      await Membership.countDocuments({ tenantId: tenant._id, userId: user._id, role: "reviewer" }),
    ).toBe(1);
    expect(await User.countDocuments({ email: "both@example.com" })).toBe(1);
    expect(
      await AuditEvent.findOne({ tenantId: tenant._id, action: "invitation.accepted" }).lean(),
    ).toMatchObject({
      details: { newUser: false },
    });
  });

  it("asks for a new account when the form says existing but there is none", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const token = await inviteToken(tenant, admin.cookie, {
      email: "fresh@example.com",
      role: "reviewer",
    });
    const res = await accept(tenant, token, { mode: "existing", password: "whatever-123" });
    expect(res.status).toBe(409);
    expect(res.data).toEqual({ errors: { _form: "errors.invite.noAccount" } });
  });
});

describe("tenant isolation of invitations", () => {
  it("tenant A's admin gets 404 revoking tenant B's invitation, which stays pending", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const adminA = await adminOf(a);
    const adminB = await adminOf(b);
    await inviteToken(b, adminB.cookie, { email: "b-only@example.com", role: "regulator" });
    const invitationB = await Invitation.findOne({ tenantId: b._id }).lean();

    for (const invitationId of [String(invitationB?._id), "not-an-id", ""]) {
      const res = await callAction(
        usersAction,
        `/t/${a.slug}/admin/users`,
        { slug: a.slug },
        {
          cookie: adminA.cookie,
          form: { intent: "revoke", invitationId },
        },
      );
      expect(res.status, invitationId).toBe(invitationId === "" ? 400 : 404);
    }
    expect((await Invitation.findOne({ tenantId: b._id }).lean())?.revokedAt).toBeNull();
    const listA = await callLoader(
      usersLoader,
      `/t/${a.slug}/admin/users`,
      { slug: a.slug },
      { cookie: adminA.cookie },
    );
    expect(listA.data).toMatchObject({ pending: { items: [] } });
  });

  it("an enterprise admin gets 404 revoking another enterprise's invitation", async () => {
    const tenant = await createTenant();
    const admin = await adminOf(tenant);
    const other = await createEnterprise(tenant._id);
    await inviteToken(tenant, admin.cookie, {
      email: "o@example.com",
      role: "enterprise_member",
      enterpriseId: String(other._id),
    });
    const invitation = await Invitation.findOne({ tenantId: tenant._id }).lean();
    const { user } = await createMember(tenant._id, "enterprise_admin");
    const res = await callAction(
      usersAction,
      `/t/${tenant.slug}/admin/users`,
      { slug: tenant.slug },
      {
        cookie: await cookieFor(user._id),
        form: { intent: "revoke", invitationId: String(invitation?._id) },
      },
    );
    expect(res.status).toBe(404);
    expect((await Invitation.findOne({ tenantId: tenant._id }).lean())?.revokedAt).toBeNull();
  });
});

import { randomBytes } from "node:crypto";
import { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { AuditEvent } from "../../models/audit-event";
import { Enterprise } from "../../models/enterprise";
import { Membership } from "../../models/membership";
import { OutboxMessage } from "../../models/outbox-message";
import { Registration } from "../../models/registration";
import { User } from "../../models/user";
import type { Role } from "~/lib/domain";
import { action as loginAction } from "~/routes/t.$slug.login";
import { action as registerAction, loader as registerLoader } from "~/routes/t.$slug.register";
import { action as decideAction, loader as listLoader } from "~/routes/t.$slug.registrations";
import { callAction, callLoader } from "../route-helpers";
import { listRegistrations } from "~/data/registrations.server";
import {
  cookieFor,
  createEnterprise,
  createMember,
  createTenant,
  createUser,
  randomCreditCode,
} from "../factories";

type TenantLike = { _id: Types.ObjectId; slug: string };
const PASSWORD = "Safe-grade-2026";
/** Full-width forms, as typed with a Chinese input method. */
const fullWidth = (text: string) =>
  text.replace(/[!-~]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));

function registrationForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    name: "成都示例化工有限公司",
    creditCode: randomCreditCode(),
    industry: "chemical",
    sizeClass: "small",
    districtCode: "510105",
    address: "青羊区示例路 8 号",
    contactName: "李安全",
    contactPhone: "028-86660000",
    adminName: "李安全",
    adminEmail: `applicant-${randomBytes(3).toString("hex")}@example.com`,
    password: PASSWORD,
    confirmPassword: PASSWORD,
    ...overrides,
  };
}

function submit(tenant: TenantLike, form: Record<string, string>, ip = "10.1.1.1") {
  return callAction(
    registerAction,
    `/t/${tenant.slug}/register`,
    { slug: tenant.slug },
    { form, headers: { "x-sg-client-ip": ip } },
  );
}

async function staff(tenant: TenantLike, role: Role = "regulator") {
  const { user } = await createMember(tenant._id, role);
  return { user, cookie: await cookieFor(user._id) };
}

function decide(tenant: TenantLike, cookie: string, form: Record<string, string>) {
  return callAction(
    decideAction,
    `/t/${tenant.slug}/registrations`,
    { slug: tenant.slug },
    { cookie, form },
  );
}

async function submitted(tenant: TenantLike, overrides: Record<string, string> = {}) {
  const form = registrationForm(overrides);
  const res = await submit(tenant, form);
  expect(res.status).toBe(302);
  const reg = await Registration.findOne({
    tenantId: tenant._id,
    "enterprise.creditCode": form.creditCode,
  }).lean();
  if (!reg) throw new Error("registration not stored");
  return { form, reg, id: String(reg._id) };
}

async function countWrites(tenantId: Types.ObjectId) {
  return {
    registrations: await Registration.countDocuments({ tenantId }),
    enterprises: await Enterprise.countDocuments({ tenantId }),
    users: await User.countDocuments({}),
    memberships: await Membership.countDocuments({ tenantId }),
    outbox: await OutboxMessage.countDocuments({ tenantId }),
    audit: await AuditEvent.countDocuments({ tenantId }),
  };
}

describe("self-registration", () => {
  it("stores a pending registration with a password hash only, audits it and redirects to the notice", async () => {
    const tenant = await createTenant();
    const form = registrationForm({
      creditCode: fullWidth("91110000100010433l"),
      adminEmail: "Boss@Example.COM",
      // A Beijing code in a Chengdu district: confirmed past the region warning (Step 12).
      confirmRegion: "1",
    });
    const res = await submit(tenant, form);
    expect(res.status).toBe(302);
    expect(res.location).toBe(`/t/${tenant.slug}/register?submitted=1`);

    const reg = await Registration.findOne({ tenantId: tenant._id }).lean();
    expect(reg).toMatchObject({
      status: "pending",
      enterprise: {
        creditCode: "91110000100010433L",
        name: form.name,
        districtCode: "510105",
        industry: "chemical",
      },
      admin: { email: "boss@example.com", name: "李安全", locale: "zh-CN" },
      enterpriseId: null,
    });
    expect(reg?.admin.passwordHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(reg)).not.toContain(PASSWORD);
    expect(
      await AuditEvent.countDocuments({ tenantId: tenant._id, action: "registration.submitted" }),
    ).toBe(1);
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(0);
    expect(await User.countDocuments({ email: "boss@example.com" })).toBe(0);

    const page = await callLoader(registerLoader, `/t/${tenant.slug}/register?submitted=1`, {
      slug: tenant.slug,
    });
    expect(page.data).toMatchObject({
      submitted: true,
      districts: [{ code: "510104" }, { code: "510105" }],
    });
  });

  it.each([
    ["91440300I92203821Z", "errors.creditCode.character?position=9&character=I"],
    ["914403001922038217", "errors.creditCode.checksum?expected=6&actual=7"],
    ["91440300192203821", "errors.creditCode.length?length=17"],
  ])(
    "a bad credit code %s is a 400 naming the problem, and nothing is written",
    async (creditCode, key) => {
      const tenant = await createTenant();
      const res = await submit(tenant, registrationForm({ creditCode }));
      expect(res.status).toBe(400);
      expect(res.data).toEqual({ errors: { creditCode: key } });
      expect(await countWrites(tenant._id)).toMatchObject({ registrations: 0, audit: 0 });
    },
  );

  it("validates the admin account fields", async () => {
    const tenant = await createTenant();
    const res = await submit(
      tenant,
      registrationForm({
        adminName: "",
        adminEmail: "not-an-email",
        password: "short",
        confirmPassword: "different",
      }),
    );
    expect(res.status).toBe(400);
    expect(res.data).toEqual({
      errors: {
        adminName: "errors.required",
        adminEmail: "errors.email",
        password: "errors.password.tooShort",
        confirmPassword: "errors.password.mismatch",
      },
    });
    const mismatch = await submit(tenant, registrationForm({ confirmPassword: "Safe-grade-2027" }));
    expect(mismatch.status).toBe(400);
    expect(mismatch.data).toEqual({ errors: { confirmPassword: "errors.password.mismatch" } });
    const containsEmail = await submit(
      tenant,
      registrationForm({
        adminEmail: "zhangwei@example.com",
        password: "zhangwei-2026",
        confirmPassword: "zhangwei-2026",
      }),
    );
    expect(containsEmail.data).toEqual({ errors: { password: "errors.password.containsEmail" } });
    const district = await submit(tenant, registrationForm({ districtCode: "440305" }));
    expect(district.data).toEqual({ errors: { districtCode: "errors.invalidChoice" } });
    expect(await countWrites(tenant._id)).toMatchObject({ registrations: 0, audit: 0 });
  });

  it("an email that already has an account gets the same answer as a new one; its owner is emailed (decision 016)", async () => {
    const tenant = await createTenant();
    const existing = await createUser({ email: "taken@example.com" });
    const fresh = await submit(tenant, registrationForm({ adminEmail: "fresh-owner@example.com" }));
    const res = await submit(tenant, registrationForm({ adminEmail: "TAKEN@example.com" }));
    expect(res.status).toBe(fresh.status);
    expect(res.location).toBe(fresh.location);
    expect(res.data).toEqual(fresh.data);
    expect(await Registration.countDocuments({ tenantId: tenant._id, "admin.email": "taken@example.com" })).toBe(0);
    const mails = await OutboxMessage.find({ tenantId: tenant._id, to: "taken@example.com" }).lean();
    expect(mails).toMatchObject([{ template: "registration-email-exists" }]);
    expect(existing.email).toBe("taken@example.com");
  });

  it("an email waiting in another registration (any tenant) is taken too", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await submitted(a, { adminEmail: "waiting@example.com" });
    const res = await submit(b, registrationForm({ adminEmail: "waiting@example.com" }));
    expect(res.status).toBe(302);
    expect(await Registration.countDocuments({ tenantId: b._id })).toBe(0);
    expect(await OutboxMessage.countDocuments({ tenantId: b._id, template: "registration-email-exists" })).toBe(1);
  });

  it("a pending registration for the same code is errors.registration.pendingExists (409)", async () => {
    const tenant = await createTenant();
    const { form } = await submitted(tenant);
    const res = await submit(
      tenant,
      registrationForm({ creditCode: form.creditCode?.toLowerCase() ?? "" }),
    );
    expect(res.status).toBe(409);
    expect(res.data).toEqual({ errors: { creditCode: "errors.registration.pendingExists" } });
    expect(await countWrites(tenant._id)).toMatchObject({ registrations: 1, audit: 1 });
  });

  it("an enterprise that already exists with the code is errors.creditCode.taken (409)", async () => {
    const tenant = await createTenant();
    const e = await createEnterprise(tenant._id);
    const res = await submit(tenant, registrationForm({ creditCode: e.creditCode }));
    expect(res.status).toBe(409);
    expect(res.data).toEqual({ errors: { creditCode: "errors.creditCode.taken" } });
    expect(await countWrites(tenant._id)).toMatchObject({ registrations: 0, audit: 0 });
  });

  it("throttles one address submitting many registrations", async () => {
    const tenant = await createTenant();
    for (let i = 0; i < 10; i++)
      expect((await submit(tenant, registrationForm(), "10.7.7.7")).status).toBe(302);
    const blocked = await submit(tenant, registrationForm(), "10.7.7.7");
    expect(blocked.status).toBe(429);
    expect(blocked.data).toMatchObject({
      errors: { _form: expect.stringMatching(/^errors\.login\.rateLimited\?minutes=\d+$/) },
    });
    expect(await Registration.countDocuments({ tenantId: tenant._id })).toBe(10);
  });
});

describe("deciding registrations", () => {
  it("approve creates enterprise, admin user and membership, queues the email, audits, and the admin can log in", async () => {
    const tenant = await createTenant();
    const regulator = await staff(tenant);
    const { form, id } = await submitted(tenant);

    const res = await decide(tenant, regulator.cookie, { intent: "approve", id });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ ok: true, notice: "registration.approved", id });

    const reg = await Registration.findOne({ tenantId: tenant._id, _id: id }).lean();
    expect(reg).toMatchObject({ status: "approved", decidedBy: regulator.user._id });
    expect(reg?.admin.passwordHash).toBe("");
    const enterprise = await Enterprise.findOne({
      tenantId: tenant._id,
      creditCode: form.creditCode,
    }).lean();
    expect(enterprise).toMatchObject({
      _id: reg?.enterpriseId,
      name: form.name,
      districtCode: "510105",
      version: 0,
    });
    const user = await User.findOne({ email: form.adminEmail }).lean();
    expect(user).toMatchObject({ _id: reg?.userId, name: "李安全" });
    expect(await Membership.find({ tenantId: tenant._id, userId: user?._id }).lean()).toMatchObject(
      [{ role: "enterprise_admin", enterpriseId: enterprise?._id }],
    );
    const mail = await OutboxMessage.find({ tenantId: tenant._id }).lean();
    expect(mail).toMatchObject([
      {
        template: "registration-approved",
        idempotencyKey: `registration:${id}:approved`,
        to: form.adminEmail,
        status: "pending",
      },
    ]);
    expect(
      await AuditEvent.countDocuments({ tenantId: tenant._id, action: "registration.approved" }),
    ).toBe(1);

    const login = await callAction(
      loginAction,
      `/t/${tenant.slug}/login`,
      { slug: tenant.slug },
      {
        form: { email: form.adminEmail ?? "", password: PASSWORD, redirectTo: `/t/${tenant.slug}` },
      },
    );
    expect(login.status).toBe(302);
    expect(login.headers.get("Set-Cookie")).toMatch(/__sg_session=/);
  });

  it("refusing needs a reason (400, nothing written); with one it refuses, queues the email and audits", async () => {
    const tenant = await createTenant();
    const regulator = await staff(tenant, "tenant_admin");
    const { id, form } = await submitted(tenant);
    const before = await countWrites(tenant._id);

    const noReason = await decide(tenant, regulator.cookie, {
      intent: "refuse",
      id,
      reason: "   ",
    });
    expect(noReason.status).toBe(400);
    expect(noReason.data).toMatchObject({
      ok: false,
      id,
      errors: { reason: "errors.reasonRequired" },
    });
    expect(await countWrites(tenant._id)).toEqual(before);
    expect((await Registration.findOne({ tenantId: tenant._id, _id: id }).lean())?.status).toBe(
      "pending",
    );

    const res = await decide(tenant, regulator.cookie, {
      intent: "refuse",
      id,
      reason: "营业执照信息与填报不一致",
    });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ ok: true, notice: "registration.refused" });
    const reg = await Registration.findOne({ tenantId: tenant._id, _id: id }).lean();
    expect(reg).toMatchObject({
      status: "refused",
      reason: "营业执照信息与填报不一致",
      enterpriseId: null,
    });
    expect(reg?.admin.passwordHash).toBe("");
    expect(await OutboxMessage.find({ tenantId: tenant._id }).lean()).toMatchObject([
      {
        template: "registration-refused",
        idempotencyKey: `registration:${id}:refused`,
        to: form.adminEmail,
        data: { reason: "营业执照信息与填报不一致" },
      },
    ]);
    expect(
      await AuditEvent.countDocuments({ tenantId: tenant._id, action: "registration.refused" }),
    ).toBe(1);
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(0);
    // The same code may be submitted again after a refusal.
    expect(
      (await submit(tenant, registrationForm({ creditCode: form.creditCode ?? "" }))).status,
    ).toBe(302);
  });

  it.each([
    ["approve", "approve"],
    ["approve", "refuse"],
    ["refuse", "approve"],
    ["refuse", "refuse"],
  ])(
    "a second decision (%s then %s) is 409 errors.registration.notPending and changes nothing",
    async (first, second) => {
      const tenant = await createTenant();
      const regulator = await staff(tenant);
      const { id } = await submitted(tenant);
      expect(
        (await decide(tenant, regulator.cookie, { intent: first, id, reason: "第一次" })).status,
      ).toBe(200);
      const before = await countWrites(tenant._id);
      const again = await decide(tenant, regulator.cookie, {
        intent: second,
        id,
        reason: "第二次",
      });
      expect(again.status).toBe(409);
      expect(again.data).toMatchObject({
        ok: false,
        errors: { _form: "errors.registration.notPending" },
      });
      expect(await countWrites(tenant._id)).toEqual(before);
      expect((await Registration.findOne({ tenantId: tenant._id, _id: id }).lean())?.status).toBe(
        first === "approve" ? "approved" : "refused",
      );
    },
  );

  it("finishes a half-done approval (enterprise and user created, then a crash) without duplicates", async () => {
    const tenant = await createTenant();
    const regulator = await staff(tenant);
    const { reg, id, form } = await submitted(tenant);
    // What the first attempt left behind: registration claimed with its planned ids, records created.
    const enterpriseId = new Types.ObjectId();
    const userId = new Types.ObjectId();
    await Registration.updateOne(
      { tenantId: tenant._id, _id: reg._id },
      { $set: { status: "approving", enterpriseId, userId, version: 1 } },
    );
    await Enterprise.create({ _id: enterpriseId, tenantId: tenant._id, ...reg.enterprise });
    await User.create({
      _id: userId,
      email: reg.admin.email,
      name: reg.admin.name,
      passwordHash: reg.admin.passwordHash,
    });

    // Refusing now would undercut the approval in progress.
    const refuse = await decide(tenant, regulator.cookie, {
      intent: "refuse",
      id,
      reason: "太晚了",
    });
    expect(refuse.status).toBe(409);

    const res = await decide(tenant, regulator.cookie, { intent: "approve", id });
    expect(res.status).toBe(200);
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(1);
    expect(await User.countDocuments({ email: form.adminEmail })).toBe(1);
    expect(
      await Membership.find({ tenantId: tenant._id, role: "enterprise_admin" }).lean(),
    ).toMatchObject([{ userId, enterpriseId }]);
    expect(await Registration.findOne({ tenantId: tenant._id, _id: id }).lean()).toMatchObject({
      status: "approved",
      enterpriseId,
      userId,
    });
    const audit = await AuditEvent.find({
      tenantId: tenant._id,
      action: "registration.approved",
    }).lean();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toMatchObject({ resumed: true });
    expect(await OutboxMessage.countDocuments({ tenantId: tenant._id })).toBe(1);
  });

  it("lists the open registrations of both open states oldest first; the to-do counts them without the decided ones", async () => {
    const tenant = await createTenant();
    const regulator = await staff(tenant);
    const first = await submitted(tenant);
    const second = await submitted(tenant);
    const third = await submitted(tenant);
    const at = (minutes: number) => new Date(Date.UTC(2026, 10, 1, 8, minutes));
    // The second is being approved; the third is the oldest; the first was refused.
    // `createdAt` is immutable through the model (timestamps): set it on the collection.
    await Registration.collection.updateOne({ _id: second.reg._id }, { $set: { status: "approving", createdAt: at(2) } });
    await Registration.collection.updateOne({ _id: third.reg._id }, { $set: { createdAt: at(1) } });
    await Registration.updateOne({ tenantId: tenant._id, _id: first.reg._id }, { $set: { status: "refused", decidedAt: at(5), reason: "材料不全" } });
    const listed = await listRegistrations({ tenantId: tenant._id });
    expect(listed.open.map((r) => String(r._id))).toEqual([third.id, second.id]);
    expect(listed.recent.map((r) => String(r._id))).toEqual([first.id]);
    const forTodo = await listRegistrations({ tenantId: tenant._id, recentLimit: 0 });
    expect(forTodo).toEqual({ open: listed.open, recent: [] });
    const page = await callLoader(listLoader, `/t/${tenant.slug}/registrations`, { slug: tenant.slug }, { cookie: regulator.cookie });
    expect(page.data).toMatchObject({ open: [{ id: third.id }, { id: second.id, status: "approving" }] });
  });

  it("finishes an approval that stopped right after claiming (nothing created yet)", async () => {
    const tenant = await createTenant();
    const regulator = await staff(tenant);
    const { reg, id } = await submitted(tenant);
    const enterpriseId = new Types.ObjectId();
    await Registration.updateOne(
      { tenantId: tenant._id, _id: reg._id },
      { $set: { status: "approving", enterpriseId, userId: new Types.ObjectId(), version: 1 } },
    );
    const page = await callLoader(
      listLoader,
      `/t/${tenant.slug}/registrations`,
      { slug: tenant.slug },
      { cookie: regulator.cookie },
    );
    expect(page.data).toMatchObject({ open: [{ id, status: "approving" }] });
    expect((await decide(tenant, regulator.cookie, { intent: "approve", id })).status).toBe(200);
    expect(await Enterprise.find({ tenantId: tenant._id }).lean()).toMatchObject([
      { _id: enterpriseId },
    ]);
  });

  it("two regulators approving at the same moment create everything once", async () => {
    const tenant = await createTenant();
    const a = await staff(tenant);
    const b = await staff(tenant, "tenant_admin");
    const { id, form } = await submitted(tenant);
    const results = await Promise.all([
      decide(tenant, a.cookie, { intent: "approve", id }),
      decide(tenant, b.cookie, { intent: "approve", id }),
      decide(tenant, a.cookie, { intent: "approve", id }),
    ]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(2);
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(1);
    expect(await User.countDocuments({ email: form.adminEmail })).toBe(1);
    expect(
      await Membership.countDocuments({ tenantId: tenant._id, role: "enterprise_admin" }),
    ).toBe(1);
    expect(await OutboxMessage.countDocuments({ tenantId: tenant._id })).toBe(1);
    expect(
      await AuditEvent.countDocuments({ tenantId: tenant._id, action: "registration.approved" }),
    ).toBe(1);
    expect((await Registration.findOne({ tenantId: tenant._id, _id: id }).lean())?.status).toBe(
      "approved",
    );
  });

  it("an approve and a refuse at the same moment: exactly one decision wins", async () => {
    const tenant = await createTenant();
    const regulator = await staff(tenant);
    const { id } = await submitted(tenant);
    const [approve, refuse] = await Promise.all([
      decide(tenant, regulator.cookie, { intent: "approve", id }),
      decide(tenant, regulator.cookie, { intent: "refuse", id, reason: "同时拒绝" }),
    ]);
    expect([approve.status, refuse.status].sort()).toEqual([200, 409]);
    const reg = await Registration.findOne({ tenantId: tenant._id, _id: id }).lean();
    expect(reg?.status).toBe(approve.status === 200 ? "approved" : "refused");
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(
      approve.status === 200 ? 1 : 0,
    );
    expect(await OutboxMessage.countDocuments({ tenantId: tenant._id })).toBe(1);
  });

  it("if the code was taken after submission, approval is a 409 that creates nothing and leaves it refusable", async () => {
    const tenant = await createTenant();
    const regulator = await staff(tenant);
    const { id, form } = await submitted(tenant);
    await createEnterprise(tenant._id, { creditCode: form.creditCode });
    const res = await decide(tenant, regulator.cookie, { intent: "approve", id });
    expect(res.status).toBe(409);
    expect(res.data).toMatchObject({ errors: { _form: "errors.creditCode.taken" } });
    expect(await User.countDocuments({ email: form.adminEmail })).toBe(0);
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(1);
    expect((await Registration.findOne({ tenantId: tenant._id, _id: id }).lean())?.status).toBe(
      "pending",
    );
    expect(
      (await decide(tenant, regulator.cookie, { intent: "refuse", id, reason: "企业已存在" }))
        .status,
    ).toBe(200);
  });

  it("if the email got an account after submission, approval is a 409 and creates nothing", async () => {
    const tenant = await createTenant();
    const regulator = await staff(tenant);
    const { id, form } = await submitted(tenant);
    await createUser({ email: form.adminEmail });
    const res = await decide(tenant, regulator.cookie, { intent: "approve", id });
    expect(res.status).toBe(409);
    expect(res.data).toMatchObject({ errors: { _form: "errors.emailTaken" } });
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(0);
    expect(
      await Membership.countDocuments({ tenantId: tenant._id, role: "enterprise_admin" }),
    ).toBe(0);
    expect((await Registration.findOne({ tenantId: tenant._id, _id: id }).lean())?.status).toBe(
      "pending",
    );
  });

  it("lists open and recently decided registrations without password hashes", async () => {
    const tenant = await createTenant();
    const regulator = await staff(tenant);
    const first = await submitted(tenant);
    const second = await submitted(tenant);
    await decide(tenant, regulator.cookie, { intent: "refuse", id: second.id, reason: "资料不全" });
    const res = await callLoader(
      listLoader,
      `/t/${tenant.slug}/registrations`,
      { slug: tenant.slug },
      { cookie: regulator.cookie },
    );
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      open: [
        { id: first.id, status: "pending", district: "青羊区", adminEmail: first.form.adminEmail },
      ],
      recent: [{ id: second.id, status: "refused", reason: "资料不全" }],
    });
    expect(JSON.stringify(res.data)).not.toMatch(/argon2|passwordHash/);
  });

  it("only people who approve registrations can see or decide them", async () => {
    const tenant = await createTenant();
    const { id } = await submitted(tenant);
    for (const role of ["enterprise_admin", "enterprise_member", "reviewer"] as const) {
      const { cookie } = await staff(tenant, role);
      expect(
        (
          await callLoader(
            listLoader,
            `/t/${tenant.slug}/registrations`,
            { slug: tenant.slug },
            { cookie },
          )
        ).status,
      ).toBe(403);
      expect((await decide(tenant, cookie, { intent: "approve", id })).status).toBe(403);
    }
    expect((await decide(tenant, "", { intent: "approve", id })).status).toBe(302);
    expect((await Registration.findOne({ tenantId: tenant._id, _id: id }).lean())?.status).toBe(
      "pending",
    );
  });

  it("unknown or malformed ids are 404", async () => {
    const tenant = await createTenant();
    const regulator = await staff(tenant);
    for (const id of [String(new Types.ObjectId()), "nonsense"]) {
      expect((await decide(tenant, regulator.cookie, { intent: "approve", id })).status).toBe(404);
      expect(
        (await decide(tenant, regulator.cookie, { intent: "refuse", id, reason: "x" })).status,
      ).toBe(404);
    }
  });
});

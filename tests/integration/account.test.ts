import { describe, expect, it } from "vitest";
import { AuditEvent } from "../../models/audit-event";
import { Session } from "../../models/session";
import { User } from "../../models/user";
import { verifyPassword } from "~/data/passwords.server";
import { action as accountAction, loader as accountLoader } from "~/routes/t.$slug.account";
import { action as loginAction } from "~/routes/t.$slug.login";
import { callAction, callLoader } from "../route-helpers";
import { cookieFor, createMember, createTenant, TEST_PASSWORD } from "../factories";

const NEW_PASSWORD = "Rotated-password-77";

async function setup() {
  const tenant = await createTenant();
  const { user } = await createMember(tenant._id, "regulator");
  const [current, laptop, phone] = [
    await cookieFor(user._id),
    await cookieFor(user._id),
    await cookieFor(user._id),
  ];
  const post = (form: Record<string, string>, cookie = current) =>
    callAction(accountAction, `/t/${tenant.slug}/account`, { slug: tenant.slug }, { cookie, form });
  const load = (cookie = current) =>
    callLoader(accountLoader, `/t/${tenant.slug}/account`, { slug: tenant.slug }, { cookie });
  return { tenant, user, current, laptop, phone, post, load };
}

describe("account page", () => {
  it("shows the account and the number of active sessions", async () => {
    const { user, load } = await setup();
    const res = await load();
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ email: user.email, name: user.name, sessionCount: 3 });
  });

  it("sends anonymous visitors to the login page", async () => {
    const tenant = await createTenant();
    const res = await callLoader(accountLoader, `/t/${tenant.slug}/account`, { slug: tenant.slug });
    expect(res.status).toBe(302);
    expect(res.location).toBe(
      `/t/${tenant.slug}/login?redirectTo=${encodeURIComponent(`/t/${tenant.slug}/account`)}`,
    );
  });

  it("changes the display name and audits it; an empty name is a 400", async () => {
    const { tenant, user, post } = await setup();
    const res = await post({ intent: "profile", name: "  监管员 陈立（新）  " });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ notice: "auth.account.profileSaved" });
    expect((await User.findById(user._id).lean())?.name).toBe("监管员 陈立（新）");
    expect(
      await AuditEvent.findOne({ tenantId: tenant._id, action: "profile.updated" }).lean(),
    ).toMatchObject({
      details: { from: user.name, to: "监管员 陈立（新）" },
    });

    const empty = await post({ intent: "profile", name: "   " });
    expect(empty.status).toBe(400);
    expect(empty.data).toMatchObject({ errors: { name: "errors.required" } });
  });

  it("changing the password re-hashes it, ends the other sessions and keeps this one", async () => {
    const { tenant, user, current, laptop, post, load } = await setup();
    const oldHash = (await User.findById(user._id).lean())?.passwordHash;
    const res = await post({
      intent: "password",
      currentPassword: TEST_PASSWORD,
      password: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ notice: "auth.account.passwordChanged" });

    const stored = await User.findById(user._id).lean();
    expect(stored?.passwordHash).not.toBe(oldHash);
    expect(await verifyPassword(stored?.passwordHash ?? "", NEW_PASSWORD)).toBe(true);
    expect(await verifyPassword(stored?.passwordHash ?? "", TEST_PASSWORD)).toBe(false);
    expect(stored?.passwordChangedAt).toBeInstanceOf(Date);

    expect(await Session.countDocuments({ userId: user._id })).toBe(1);
    expect((await load(current)).status).toBe(200);
    expect((await load(laptop)).status).toBe(302);
    expect(
      await AuditEvent.findOne({ tenantId: tenant._id, action: "password.changed" }).lean(),
    ).toMatchObject({
      actorEmail: user.email,
      details: { sessionsEnded: 2 },
    });

    // The new password logs in; the old one does not.
    const login = (password: string) =>
      callAction(
        loginAction,
        `/t/${tenant.slug}/login`,
        { slug: tenant.slug },
        { form: { email: user.email, password } },
      );
    expect((await login(TEST_PASSWORD)).status).toBe(401);
    expect((await login(NEW_PASSWORD)).status).toBe(302);
  });

  it("refuses a wrong current password, a weak or email-like new one, and an unchanged one", async () => {
    const { user, post } = await setup();
    const oldHash = (await User.findById(user._id).lean())?.passwordHash;
    const local = user.email.split("@")[0] ?? "";
    const cases: Array<[Record<string, string>, number, Record<string, string>]> = [
      [
        {
          currentPassword: "not-my-password-1",
          password: NEW_PASSWORD,
          confirmPassword: NEW_PASSWORD,
        },
        400,
        { currentPassword: "errors.password.wrong" },
      ],
      [
        { currentPassword: TEST_PASSWORD, password: "short1", confirmPassword: "short1" },
        400,
        { password: "errors.password.tooShort" },
      ],
      [
        {
          currentPassword: TEST_PASSWORD,
          password: NEW_PASSWORD,
          confirmPassword: "different-1234",
        },
        400,
        { confirmPassword: "errors.password.mismatch" },
      ],
      [
        {
          currentPassword: TEST_PASSWORD,
          password: `${local}-2026A`,
          confirmPassword: `${local}-2026A`,
        },
        400,
        { password: "errors.password.containsEmail" },
      ],
      [
        { currentPassword: TEST_PASSWORD, password: TEST_PASSWORD, confirmPassword: TEST_PASSWORD },
        400,
        { password: "errors.password.unchanged" },
      ],
    ];
    for (const [form, status, errors] of cases) {
      const res = await post({ intent: "password", ...form });
      expect(res.status, JSON.stringify(form)).toBe(status);
      expect(res.data).toMatchObject({ errors });
    }
    expect((await User.findById(user._id).lean())?.passwordHash).toBe(oldHash);
    expect(await Session.countDocuments({ userId: user._id })).toBe(3);
  });

  it("limits guessing the current password like the login form does", async () => {
    const { user, post } = await setup();
    for (let i = 0; i < 5; i++) {
      const res = await post({
        intent: "password",
        currentPassword: `guess-${i}-password`,
        password: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      });
      expect(res.status).toBe(400);
    }
    const blocked = await post({
      intent: "password",
      currentPassword: TEST_PASSWORD,
      password: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(blocked.status).toBe(429);
    expect(
      await verifyPassword(
        (await User.findById(user._id).lean())?.passwordHash ?? "",
        TEST_PASSWORD,
      ),
    ).toBe(true);
  });

  it("log out everywhere deletes every session of the user, including this one, and audits it", async () => {
    const { tenant, user, current, phone, post, load } = await setup();
    const { user: someoneElse } = await createMember(tenant._id, "regulator");
    await cookieFor(someoneElse._id);

    const res = await post({ intent: "logoutEverywhere" });
    expect(res.status).toBe(302);
    expect(res.location).toBe(`/t/${tenant.slug}/login`);
    expect(res.headers.get("Set-Cookie")).toMatch(/__sg_session=;.*Max-Age=0/i);
    expect(await Session.countDocuments({ userId: user._id })).toBe(0);
    expect(await Session.countDocuments({ userId: someoneElse._id })).toBe(1);
    expect((await load(current)).status).toBe(302);
    expect((await load(phone)).status).toBe(302);
    expect(
      await AuditEvent.countDocuments({
        tenantId: tenant._id,
        action: "logout.everywhere",
        actorEmail: user.email,
      }),
    ).toBe(1);
  });

  it("rejects an unknown intent with 400", async () => {
    const { post } = await setup();
    const res = await post({ intent: "delete-everything" });
    expect(res.status).toBe(400);
  });
});

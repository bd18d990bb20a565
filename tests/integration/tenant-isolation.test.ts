/**
 * Staff of tenant A must not reach tenant B's records through any enterprise or registration route:
 * another tenant's id behaves exactly like an id that does not exist (404), for loaders and actions.
 */
import { randomBytes } from "node:crypto";
import type { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { Enterprise } from "../../models/enterprise";
import { Registration } from "../../models/registration";
import { hashPassword } from "~/data/passwords.server";
import type { Role } from "~/lib/domain";
import { action as detailAction, loader as detailLoader } from "~/routes/t.$slug.enterprises.$id";
import { loader as listLoader } from "~/routes/t.$slug.enterprises._index";
import {
  action as decideAction,
  loader as registrationsLoader,
} from "~/routes/t.$slug.registrations";
import { callAction, callLoader } from "../route-helpers";
import {
  cookieFor,
  createEnterprise,
  createMember,
  createTenant,
  randomCreditCode,
} from "../factories";

type TenantLike = { _id: Types.ObjectId; slug: string };

async function setup() {
  const a = await createTenant();
  const b = await createTenant();
  const enterpriseB = await createEnterprise(b._id, { name: "乙辖区企业有限公司" });
  const registrationB = await Registration.create({
    tenantId: b._id,
    enterprise: {
      name: "乙辖区申请企业",
      creditCode: randomCreditCode(),
      industry: "machinery",
      sizeClass: "small",
      districtCode: "510104",
    },
    admin: {
      email: `b-${randomBytes(3).toString("hex")}@example.com`,
      name: "乙",
      passwordHash: await hashPassword("Pw-for-b-12345"),
    },
  });
  return { a, b, enterpriseB, registrationB };
}

async function cookieOf(tenant: TenantLike, role: Role) {
  const { user } = await createMember(tenant._id, role);
  return cookieFor(user._id);
}

function editForm(e: {
  name: string;
  creditCode: string;
  industry: string;
  sizeClass: string;
  districtCode: string;
}) {
  return {
    intent: "update",
    version: "0",
    name: "被篡改的名称",
    creditCode: e.creditCode,
    industry: e.industry,
    sizeClass: e.sizeClass,
    districtCode: e.districtCode,
    address: "",
    contactName: "",
    contactPhone: "",
  };
}

describe.each(["regulator", "tenant_admin"] as const)(
  "a %s of tenant A against tenant B",
  (role) => {
    it("gets 404 for B's enterprise on the detail loader and action, and B's enterprise is untouched", async () => {
      const { a, enterpriseB } = await setup();
      const cookie = await cookieOf(a, role);
      const id = String(enterpriseB._id);
      const url = `/t/${a.slug}/enterprises/${id}`;
      expect((await callLoader(detailLoader, url, { slug: a.slug, id }, { cookie })).status).toBe(
        404,
      );
      expect(
        (
          await callAction(
            detailAction,
            url,
            { slug: a.slug, id },
            { cookie, form: editForm(enterpriseB) },
          )
        ).status,
      ).toBe(404);
      const stored = await Enterprise.findOne({
        tenantId: enterpriseB.tenantId,
        _id: enterpriseB._id,
      }).lean();
      expect(stored).toMatchObject({ name: "乙辖区企业有限公司", version: 0 });
    });

    it("does not see B's enterprises in the list, even searching for B's exact code or name", async () => {
      const { a, enterpriseB } = await setup();
      await createEnterprise(a._id, { name: "甲辖区企业有限公司" });
      const cookie = await cookieOf(a, role);
      for (const q of ["", enterpriseB.creditCode, "乙辖区"]) {
        const res = await callLoader(
          listLoader,
          `/t/${a.slug}/enterprises?q=${encodeURIComponent(q)}`,
          { slug: a.slug },
          { cookie },
        );
        const ids = (res.data as { items: Array<{ id: string }> }).items.map((i) => i.id);
        expect(ids).not.toContain(String(enterpriseB._id));
      }
    });

    it("gets 404 approving or refusing B's registration, which stays pending, and does not list it", async () => {
      const { a, registrationB } = await setup();
      const cookie = await cookieOf(a, role);
      const id = String(registrationB._id);
      const url = `/t/${a.slug}/registrations`;
      expect(
        (
          await callAction(
            decideAction,
            url,
            { slug: a.slug },
            { cookie, form: { intent: "approve", id } },
          )
        ).status,
      ).toBe(404);
      expect(
        (
          await callAction(
            decideAction,
            url,
            { slug: a.slug },
            { cookie, form: { intent: "refuse", id, reason: "越权" } },
          )
        ).status,
      ).toBe(404);
      const stored = await Registration.findOne({
        tenantId: registrationB.tenantId,
        _id: registrationB._id,
      }).lean();
      expect(stored).toMatchObject({ status: "pending", version: 0, enterpriseId: null });
      expect(await Enterprise.countDocuments({ tenantId: a._id })).toBe(0);

      const list = await callLoader(registrationsLoader, url, { slug: a.slug }, { cookie });
      expect(list.status).toBe(200);
      expect(list.data).toMatchObject({ open: [], recent: [] });
    });
  },
);

describe("members of one tenant in another tenant's URL space", () => {
  it("an enterprise admin of A cannot open their own enterprise id under B's slug", async () => {
    const { a, b } = await setup();
    const { user, enterpriseId } = await createMember(a._id, "enterprise_admin");
    const cookie = await cookieFor(user._id);
    const id = String(enterpriseId);
    // Not a member of B at all: sent to B's login page, learning nothing about the id.
    const res = await callLoader(
      detailLoader,
      `/t/${b.slug}/enterprises/${id}`,
      { slug: b.slug, id },
      { cookie },
    );
    expect(res.status).toBe(302);
    expect(res.location).toMatch(new RegExp(`^/t/${b.slug}/login`));
  });

  it("a regulator of B gets 404 for A's enterprise id under B's slug (loader and action)", async () => {
    const { a, b } = await setup();
    const enterpriseA = await createEnterprise(a._id);
    const { user } = await createMember(b._id, "regulator");
    const cookie = await cookieFor(user._id);
    const id = String(enterpriseA._id);
    expect(
      (
        await callLoader(
          detailLoader,
          `/t/${b.slug}/enterprises/${id}`,
          { slug: b.slug, id },
          { cookie },
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await callAction(
          detailAction,
          `/t/${b.slug}/enterprises/${id}`,
          { slug: b.slug, id },
          { cookie, form: editForm(enterpriseA) },
        )
      ).status,
    ).toBe(404);
  });
});

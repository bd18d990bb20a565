/** The tenant's stored calendar overrides reach the working-day deadlines on top of the statutory calendar. */
import { describe, expect, it } from "vitest";
import { Tenant } from "../../models/tenant";
import { gradingSettingsOf } from "~/data/grading.server";
import { addWorkingDays } from "~/workflows/working-days";
import { createTenant } from "../factories";

const cst = (date: string) => new Date(`${date}T10:00:00+08:00`);
const endOf = (date: string) => new Date(`${date}T23:59:59.999+08:00`).toISOString();

describe("tenant working calendar", () => {
  it("a new tenant's deadlines follow the State Council calendar (Spring Festival, make-up Saturday)", async () => {
    const created = await createTenant();
    const tenant = await Tenant.findOne({ _id: created._id }).lean();
    if (!tenant) throw new Error("missing tenant");
    expect(tenant.settings.extraWorkdays).toEqual([]);
    const { calendar } = gradingSettingsOf(tenant.settings);
    expect(addWorkingDays(cst("2026-02-13"), 5, calendar).toISOString()).toBe(endOf("2026-02-27"));
  });

  it("stored local overrides change the deadline", async () => {
    const created = await createTenant();
    await Tenant.updateOne(
      { _id: created._id },
      { $set: { "settings.holidays": ["2026-10-10"], "settings.extraWorkdays": ["2026-10-02"] } },
    );
    const tenant = await Tenant.findOne({ _id: created._id }).lean();
    if (!tenant) throw new Error("missing tenant");
    const { calendar } = gradingSettingsOf(tenant.settings);
    // 2 Oct is a local workday; 10 Oct (statutory make-up Saturday) a local holiday.
    expect(addWorkingDays(cst("2026-09-30"), 1, calendar).toISOString()).toBe(endOf("2026-10-02"));
    expect(addWorkingDays(cst("2026-09-30"), 4, calendar).toISOString()).toBe(endOf("2026-10-12"));
  });
});

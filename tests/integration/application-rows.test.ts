/**
 * The applications' slim list view (decision 027): every write through the Assessment model keeps
 * `application_rows` equal to what the assessment says, the start-up fill rebuilds missing rows,
 * and a row carries no answers.
 */
import mongoose from "mongoose";
import { beforeEach, describe, expect, it } from "vitest";
import { ApplicationRow } from "../../models/application-row";
import { rowFromAssessment } from "../../models/application-row-sync";
import { casUpdate } from "~/data/cas.server";
import { AppMigration } from "../../models/app-migration";
import { Assessment } from "../../models/assessment";
import { fillApplicationRows } from "~/data/grading/application-rows.server";
import { listApplicationQueues } from "~/data/grading-views.server";
import { importRubricFiles } from "~/data/rubrics.server";
import type { TodoItem } from "~/lib/todo";
import { loader as homeLoader } from "~/routes/t.$slug._index";
import { cookieFor } from "../factories";
import {
  T0,
  days,
  expectOk,
  gradingSetup,
  readyApplication,
  send,
  type GradingSetup,
} from "../grading-fixtures";
import { callLoader } from "../route-helpers";

beforeEach(async () => {
  expect((await importRubricFiles()).errors).toEqual([]);
});

async function expectRowInStep(s: GradingSetup, id: GradingSetup["tenant"]["_id"]) {
  const assessment = await Assessment.findOne({ tenantId: s.tenant._id, _id: id }).lean();
  const row = await ApplicationRow.findOne({ tenantId: s.tenant._id, _id: id }).lean();
  expect(assessment).not.toBeNull();
  expect(row).not.toBeNull();
  if (!assessment || !row) return;
  const expected = rowFromAssessment(assessment);
  expect({ ...row, deadlines: JSON.stringify(row.deadlines) }).toEqual({
    ...expected,
    deadlines: JSON.stringify(expected.deadlines),
  });
  expect(row).not.toHaveProperty("answers");
}

describe("application rows", () => {
  it("follow create, answers, workflow transitions (casUpdate) and delete", async () => {
    const s = await gradingSetup();
    const app = await readyApplication(s);
    await expectRowInStep(s, app._id);
    expect(
      (await ApplicationRow.findOne({ tenantId: s.tenant._id, _id: app._id }).lean())?.state,
    ).toBe("draft");

    await expectOk(
      await send(s, app._id, s.m.admin, { type: "SUBMIT", appliedLevel: "qualified" }, T0),
    );
    await expectRowInStep(s, app._id);
    const submitted = await ApplicationRow.findOne({ tenantId: s.tenant._id, _id: app._id }).lean();
    expect(submitted?.state).toBe("submitted");
    expect(submitted?.submittedAt?.toISOString()).toBe(T0.toISOString());

    await expectOk(await send(s, app._id, s.m.regulator, { type: "ACCEPT" }, days(1)));
    await expectRowInStep(s, app._id);
    const queues = await listApplicationQueues({
      tenantId: s.tenant._id,
      queue: "acceptance",
      now: days(1),
    });
    expect(queues.items.map((i) => i.id)).not.toContain(String(app._id));

    // An updateMany without `_id` (the district backfill's shape) is followed too.
    await Assessment.updateMany(
      { tenantId: s.tenant._id, enterpriseId: s.enterprise._id },
      { $set: { districtCode: "510104" } },
    );
    expect(
      (await ApplicationRow.findOne({ tenantId: s.tenant._id, _id: app._id }).lean())?.districtCode,
    ).toBe("510104");

    await Assessment.deleteOne({ tenantId: s.tenant._id, _id: app._id });
    expect(
      await ApplicationRow.findOne({ tenantId: s.tenant._id, _id: app._id }).lean(),
    ).toBeNull();
  });

  it("stay in step under 12 writers racing compare-and-sets, and never fail a write that landed", async () => {
    const s = await gradingSetup();
    const app = await readyApplication(s);
    const key = { tenantId: s.tenant._id, _id: app._id };
    const before = (await Assessment.findOne(key).lean())?.answers.length ?? 0;
    let lost = 0;
    const writer = async (i: number) => {
      for (let n = 0; n < 4; ) {
        const doc = await Assessment.findOne(key, { version: 1 }).lean();
        const won = await casUpdate(
          Assessment,
          { ...key, expectedVersion: doc?.version ?? 0 },
          { $push: { answers: { itemId: `E1.1.${(i % 3) + 1}`, choice: "full", rev: i * 10 + n } } },
        );
        if (won) n += 1;
        else lost += 1;
      }
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => writer(i)));
    expect(lost).toBeGreaterThan(0);
    const final = await Assessment.findOne(key).lean();
    expect(final?.answers).toHaveLength(before + 48);
    await expectRowInStep(s, app._id);
  });

  it("are filled at start-up for assessments written before them, once", async () => {
    const s = await gradingSetup();
    const app = await readyApplication(s);
    await ApplicationRow.deleteMany({ tenantId: s.tenant._id });
    await AppMigration.deleteMany({});
    expect(await fillApplicationRows()).toBe(1);
    await expectRowInStep(s, app._id);
    expect(await fillApplicationRows()).toBe(0);
  });

  it("are filled again over 120 existing rows without stalling FerretDB (≥ 50 matched statements in one command would)", async () => {
    const s = await gradingSetup();
    const app = await readyApplication(s);
    const source = await Assessment.findOne({ tenantId: s.tenant._id, _id: app._id }).lean();
    expect(source).not.toBeNull();
    if (!source) return;
    // Written past the model (no row sync), as a database from before the rows would hold them.
    await Assessment.collection.insertMany(
      Array.from({ length: 119 }, () => ({ ...source, _id: new mongoose.Types.ObjectId(), enterpriseId: new mongoose.Types.ObjectId() })),
    );
    await ApplicationRow.deleteMany({ tenantId: s.tenant._id });
    await AppMigration.deleteMany({});
    expect(await fillApplicationRows()).toBe(120);
    expect(await ApplicationRow.countDocuments({ tenantId: s.tenant._id })).toBe(120);
    // Again over the existing rows: every statement now matches a row, and FerretDB keeps each
    // matched statement's PostgreSQL connection until its command ends (50 in its pool).
    await AppMigration.deleteMany({});
    expect(await fillApplicationRows()).toBe(120);
    await expectRowInStep(s, app._id);
  }, 60_000);

  it("give the regulator's home the public notices ending within three days", async () => {
    const s = await gradingSetup();
    const app = await readyApplication(s);
    const soon = new Date(Date.now() + 2 * 86_400_000);
    await Assessment.updateOne(
      { tenantId: s.tenant._id, _id: app._id },
      { $set: { state: "publicNotice.running", deadlines: { noticeEndsAt: soon } } },
    );
    const home = async () => {
      const res = await callLoader(
        homeLoader,
        `/t/${s.tenant.slug}`,
        { slug: s.tenant.slug },
        { cookie: await cookieFor(s.regulator.user._id) },
      );
      expect(res.status).toBe(200);
      return (res.data as { todos: TodoItem[] }).todos.find(
        (t) => t.key === "regulator.noticesEnding",
      );
    };
    const ending = await home();
    expect(ending?.count).toBe(1);
    expect(ending?.entries[0]?.label).toBe(s.enterprise.name);
    expect(ending?.entries[0]?.deadline).toBe(soon.toISOString());
    // Ending later than three days from now: not listed.
    await Assessment.updateOne(
      { tenantId: s.tenant._id, _id: app._id },
      { $set: { deadlines: { noticeEndsAt: new Date(Date.now() + 5 * 86_400_000) } } },
    );
    expect((await home())?.count ?? 0).toBe(0);
  });
});

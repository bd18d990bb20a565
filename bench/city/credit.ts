/**
 * City scenario, credit lists: the city's own records (cloned from the demo records the app wrote,
 * in every state; the publications of the published ones filled by the app's own repair function),
 * and, for the public registry's search figure, the published records of two more cities with
 * their publications (what `syncCreditPublication` writes for each, in bulk).
 */
import { Types } from "mongoose";
import { CreditPublication } from "../../models/credit-publication";
import { CreditRecord, type CreditRecordDoc } from "../../models/credit-record";
import { Tenant } from "../../models/tenant";
import { reconcileCreditPublications, toCreditPublication } from "../../app/data/credit-publication.server";
import { creditSearchFields } from "../../app/lib/credit";
import type { CityPeople } from "./people";
import { companyName, creditCodeFor } from "./synthetic";

const DAY = 86_400_000;
const BATCH = 2000;

function cloneRecord(t: CreditRecordDoc, input: { tenantId: Types.ObjectId; subjectName: string; creditCode: string; enterpriseId: Types.ObjectId | null; shiftDays: number }) {
  const shift = (d: Date | null) => (d ? new Date(d.getTime() - input.shiftDays * DAY) : null);
  return {
    ...t,
    _id: new Types.ObjectId(),
    tenantId: input.tenantId,
    subjectName: input.subjectName,
    creditCode: input.creditCode,
    enterpriseId: input.enterpriseId,
    search: creditSearchFields(input.subjectName, input.creditCode),
    noticeAt: shift(t.noticeAt),
    defenceDeadline: shift(t.defenceDeadline),
    decidedAt: shift(t.decidedAt),
    listedAt: shift(t.listedAt),
    endsAt: shift(t.endsAt),
    removedAt: shift(t.removedAt),
    listedYear: t.listedAt ? (shift(t.listedAt) as Date).getUTCFullYear() : null,
    createdAt: shift(t.createdAt),
    updatedAt: shift(t.updatedAt),
  };
}

export async function seedCredit(input: {
  tenantId: Types.ObjectId;
  people: CityPeople;
  records: number;
  publications: number;
  progress: (line: string) => void;
}): Promise<void> {
  const { tenantId, people } = input;
  const templates = await CreditRecord.find({ tenantId }).lean<CreditRecordDoc[]>();
  if (templates.length === 0) throw new Error("city seed: the demo credit records are missing");
  // Half the subjects are registered enterprises of the second half of the list (the first half,
  // whose applications the bench opens, stays unlisted); the others are not registered here.
  const half = Math.floor(people.enterprises.length / 2);
  const docs = Array.from({ length: input.records - templates.length }, (_, k) => {
    const e = k % 2 === 0 ? people.enterprises[half + (k % half)] : undefined;
    const t = templates[k % templates.length] as CreditRecordDoc;
    return {
      ...cloneRecord(t, {
        tenantId,
        subjectName: e?.name ?? companyName(500_000 + k, "成都"),
        creditCode: e?.creditCode ?? creditCodeFor(500_000 + k, "92510100"),
        enterpriseId: e?._id ?? null,
        shiftDays: (k * 7) % 900,
      }),
      // As the workflow leaves a record whose publication is still to be written.
      publicationPending: t.status === "published" || t.status === "removed",
    };
  });
  for (let b = 0; b < docs.length; b += BATCH) await CreditRecord.insertMany(docs.slice(b, b + BATCH), { ordered: false });
  // The app's own repair path writes the publications of the city's records.
  const repaired = await reconcileCreditPublications({ limit: docs.length + templates.length });
  input.progress(`credit records ${input.records} (publications written by the repair job: ${repaired.synced})`);

  // Other cities' published records, for a province-wide registry of `publications` entries.
  const published = templates.find((t) => t.status === "published");
  if (!published) throw new Error("city seed: no published demo credit record");
  const others = await Tenant.insertMany(
    [
      { slug: "mianyang", zh: "绵阳市应急管理局", en: "Mianyang Emergency Management Bureau" },
      { slug: "deyang", zh: "德阳市应急管理局", en: "Deyang Emergency Management Bureau" },
    ].map((t) => ({ slug: t.slug, name: { zh: t.zh, en: t.en }, authority: { zh: t.zh, en: t.en }, regionCode: "510700" })),
  );
  const existing = await CreditPublication.estimatedDocumentCount();
  const extra = Math.max(0, input.publications - existing);
  for (let b = 0; b < extra; b += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, extra - b) }, (_, k) => {
      const j = b + k;
      const tenant = others[j % others.length];
      return cloneRecord(published, {
        tenantId: tenant?._id as Types.ObjectId,
        subjectName: companyName(j, j % 2 === 0 ? "绵阳" : "德阳"),
        creditCode: creditCodeFor(j, j % 2 === 0 ? "91510700" : "91510600"),
        enterpriseId: null,
        shiftDays: j % 1000,
      });
    });
    // Copies of a record the app wrote, and what the app's toCreditPublication() makes of each.
    await CreditRecord.insertMany(batch, { ordered: false, lean: true });
    await CreditPublication.insertMany(batch.map((d) => toCreditPublication(d as CreditRecordDoc)), { ordered: false, lean: true });
    if ((b + BATCH) % 20_000 === 0 || b + BATCH >= extra) input.progress(`credit publications ${existing + Math.min(extra, b + BATCH)}/${input.publications}`);
  }
}

/**
 * Start-up fill of the applications' list view (`application_rows`, decision 027) for a database
 * from before it: once per database and row shape (a mark in `app_migrations`, read by `_id`).
 * Afterwards every write through the Assessment model keeps the rows in step
 * (models/application-row-sync.ts). Several instances starting together may each run it: it only
 * replaces rows with what the assessments say.
 */
import { AppMigration } from "../../../models/app-migration";
import {
  ROW_SOURCE_FIELDS,
  writeApplicationRows,
  type RowSource,
} from "../../../models/application-row-sync";
import { Assessment } from "../../../models/assessment";
import { connectDb } from "../../db.server";

const ROWS_MARK = "application-rows:1";
const BATCH = 200;

/** Returns how many rows were written (0 when the mark says it already ran). */
export async function fillApplicationRows(): Promise<number> {
  await connectDb();
  if (await AppMigration.exists({ _id: ROWS_MARK })) return 0;
  // Read every slim source first, then write: a cursor left open across writes stalled on
  // FerretDB/PostgreSQL at 3,000 applications (the bench's city fill never returned). The
  // projection is applied by the server, so the array holds slim rows only.
  const sources = await Assessment.find({})
    .setOptions({ crossTenant: true })
    .select(ROW_SOURCE_FIELDS)
    .lean<RowSource[]>();
  for (let i = 0; i < sources.length; i += BATCH) await writeApplicationRows(sources.slice(i, i + BATCH));
  const written = sources.length;
  await AppMigration.updateOne({ _id: ROWS_MARK }, { $set: { at: new Date() } }, { upsert: true });
  return written;
}

/**
 * A unique index refused the write. MongoDB (and FerretDB on insert) report E11000; FerretDB 1.24
 * reports a unique violation caused by an *update* as code 1 (InternalError) carrying its backend's
 * message instead: SQLite's "UNIQUE constraint failed", PostgreSQL's "duplicate key value violates
 * unique constraint … (SQLSTATE 23505)".
 */
export function isDuplicateKeyError(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  if (error.code === 11000) return true;
  return (
    error.code === 1 && error instanceof Error && /UNIQUE constraint failed|violates unique constraint|SQLSTATE 23505/.test(error.message)
  );
}

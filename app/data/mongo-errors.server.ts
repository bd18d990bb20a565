/** E11000: a unique index refused the write. The unique indexes are our guards (no transactions). */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === 11000;
}

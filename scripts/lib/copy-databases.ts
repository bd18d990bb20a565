/**
 * Copies every database and collection (GridFS buckets included: they are plain collections) from
 * one MongoDB-protocol server to another with the driver, with their secondary indexes, and
 * verifies the document count of every collection afterwards.
 */
import { BSON, MongoClient, type Db, type Document } from "mongodb";

const SYSTEM_DATABASES = new Set(["admin", "local", "config"]);
/** Keep each insertMany well under the 16 MB message limit (GridFS chunks are 255 KB each). */
const BATCH_BYTES = 4 * 1024 * 1024;
const BATCH_DOCS = 500;

export type CollectionCopy = { database: string; collection: string; documents: number };

export class CopyError extends Error {}

async function copyIndexes(source: Db, target: Db, name: string): Promise<void> {
  const indexes = await source.collection(name).listIndexes().toArray();
  for (const index of indexes) {
    if (index.name === "_id_") continue;
    const { key, name: indexName, unique, sparse } = index as Document & { key: Document; name: string };
    await target.collection(name).createIndex(key, { name: indexName, ...(unique ? { unique: true } : {}), ...(sparse ? { sparse: true } : {}) });
  }
}

async function copyCollection(source: Db, target: Db, name: string): Promise<number> {
  await target.createCollection(name).catch((error: unknown) => {
    // Already there (an index created it): fine.
    if (!(typeof error === "object" && error !== null && "code" in error && error.code === 48)) throw error;
  });
  await copyIndexes(source, target, name);
  let batch: Document[] = [];
  let bytes = 0;
  let copied = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await target.collection(name).insertMany(batch, { ordered: true });
    copied += batch.length;
    batch = [];
    bytes = 0;
  };
  for await (const doc of source.collection(name).find({}, { sort: { _id: 1 }, batchSize: 200 })) {
    const size = BSON.calculateObjectSize(doc);
    if (batch.length > 0 && (bytes + size > BATCH_BYTES || batch.length >= BATCH_DOCS)) await flush();
    batch.push(doc);
    bytes += size;
  }
  await flush();
  return copied;
}

/**
 * Copies everything. Refuses when a target database already holds documents, unless `replace`
 * (then that database is dropped first: the case of a copy that stopped half-way).
 */
export async function copyAllDatabases(
  sourceUri: string,
  targetUri: string,
  options: { replace?: boolean; log?: (line: string) => void } = {},
): Promise<CollectionCopy[]> {
  const log = options.log ?? (() => {});
  const source = new MongoClient(sourceUri);
  const target = new MongoClient(targetUri);
  try {
    await source.connect();
    await target.connect();
    const { databases } = await source.db("admin").admin().listDatabases({ nameOnly: true });
    const names = databases.map((d) => d.name).filter((n) => !SYSTEM_DATABASES.has(n)).sort();
    for (const dbName of names) {
      const existing = await target.db(dbName).listCollections({}, { nameOnly: true }).toArray();
      let documents = 0;
      for (const c of existing) documents += await target.db(dbName).collection(c.name).estimatedDocumentCount();
      if (documents === 0) continue;
      if (!options.replace) {
        throw new CopyError(
          `The new database already holds data in "${dbName}" (${documents} documents), probably from a copy that stopped half-way. ` +
            `Run again with --replace to drop it and copy again.`,
        );
      }
      log(`Dropping the earlier partial copy of "${dbName}"…`);
      await target.db(dbName).dropDatabase();
    }
    const copies: CollectionCopy[] = [];
    for (const dbName of names) {
      const collections = (await source.db(dbName).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
      for (const name of collections) {
        const documents = await copyCollection(source.db(dbName), target.db(dbName), name);
        const [expected, actual] = await Promise.all([
          source.db(dbName).collection(name).countDocuments({}),
          target.db(dbName).collection(name).countDocuments({}),
        ]);
        if (expected !== actual || documents !== expected) {
          throw new CopyError(`${dbName}.${name}: ${expected} documents in the old store, ${actual} after the copy.`);
        }
        log(`  ${dbName}.${name}: ${actual} documents`);
        copies.push({ database: dbName, collection: name, documents: actual });
      }
    }
    return copies;
  } finally {
    await source.close().catch(() => {});
    await target.close().catch(() => {});
  }
}

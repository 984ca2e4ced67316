import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { traceClient } from '#tracer';

/** What S3 lists per page and deletes per request. */
export const OBJECT_PAGE_SIZE = 1000;

/**
 * Object storage: S3 on AWS; in the sandbox (`OBJECTS_DIR` set) a local folder per bucket, as the embedded
 * default promises. Only what the system needs: read, write (webhook bodies too large for a queue message; SDK
 * uploads are written by API Gateway on AWS; the data lake), delete, and listing by prefix (the lake's erasure, the
 * sandbox's recorded bus entries).
 */
export interface ObjectStore {
  /** The object's bytes; undefined when there is no such object. */
  get(bucket: string, key: string): Promise<Buffer | undefined>;
  put(bucket: string, key: string, body: Buffer): Promise<void>;
  /** Idempotent: deleting what is gone is fine. */
  delete(bucket: string, key: string): Promise<void>;
  /** The keys starting with `prefix`, in key order, a page (at most OBJECT_PAGE_SIZE keys) at a time. */
  list(bucket: string, prefix: string): AsyncIterable<string[]>;
  /** Deletes up to OBJECT_PAGE_SIZE objects in one request; idempotent. */
  deleteMany(bucket: string, keys: readonly string[]): Promise<void>;
}

type S3Sdk = typeof import('@aws-sdk/client-s3');

class S3Store implements ObjectStore {
  /**
   * The S3 client, the heaviest of the SDK, loads on first use: most functions holding a store touch it rarely (a
   * webhook body over 200 KB, the optional data lake), so their cold starts skip it.
   */
  private loaded: Promise<{ sdk: S3Sdk; client: InstanceType<S3Sdk['S3Client']> }> | undefined;

  private s3() {
    this.loaded ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: traceClient(new sdk.S3Client({})),
    }));
    return this.loaded;
  }

  async get(bucket: string, key: string) {
    const { sdk, client } = await this.s3();
    try {
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (error) {
      if (error instanceof sdk.NoSuchKey) return undefined;
      throw error;
    }
  }

  async put(bucket: string, key: string, body: Buffer) {
    const { sdk, client } = await this.s3();
    await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  async delete(bucket: string, key: string) {
    const { sdk, client } = await this.s3();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  async *list(bucket: string, prefix: string) {
    const { sdk, client } = await this.s3();
    let token: string | undefined;
    do {
      const out = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const keys = (out.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
      if (keys.length > 0) yield keys;
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  async deleteMany(bucket: string, keys: readonly string[]) {
    if (keys.length === 0) return;
    if (keys.length > OBJECT_PAGE_SIZE) throw new Error(`At most ${OBJECT_PAGE_SIZE} keys per delete`);
    const { sdk, client } = await this.s3();
    const out = await client.send(
      new sdk.DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    // A partial failure is a failure: the caller (erasure) retries the whole page.
    if (out.Errors?.length) {
      const [first] = out.Errors;
      throw new Error(`S3 could not delete ${out.Errors.length} objects (${first?.Code}: ${first?.Message})`);
    }
  }
}

class FolderStore implements ObjectStore {
  constructor(private readonly root: string) {}

  /** The file of an object; a key that would leave its bucket's folder is refused. */
  private path(bucket: string, key: string): string {
    const folder = resolve(this.root, bucket);
    const file = resolve(folder, key);
    if (!file.startsWith(folder + sep)) throw new Error(`Object key outside its bucket: ${key}`);
    return file;
  }

  async get(bucket: string, key: string) {
    try {
      return await readFile(this.path(bucket, key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async put(bucket: string, key: string, body: Buffer) {
    const file = this.path(bucket, key);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, body);
  }

  async delete(bucket: string, key: string) {
    await rm(this.path(bucket, key), { force: true });
  }

  async *list(bucket: string, prefix: string) {
    const folder = resolve(this.root, bucket);
    // Walk only the folder the prefix names: `events/user_id=u/` lists one user's tree, not the bucket.
    const start = prefix.includes('/')
      ? this.path(bucket, prefix.slice(0, prefix.lastIndexOf('/') + 1))
      : folder;
    let entries: Dirent[];
    try {
      entries = await readdir(start, { recursive: true, withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const keys = entries
      .filter((entry) => entry.isFile())
      .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join('/'))
      .filter((key) => key.startsWith(prefix))
      .sort();
    for (let at = 0; at < keys.length; at += OBJECT_PAGE_SIZE) yield keys.slice(at, at + OBJECT_PAGE_SIZE);
  }

  /** Also removes the folders it empties: S3 has no folders, so nothing of a key (a user id) may stay behind. */
  async deleteMany(bucket: string, keys: readonly string[]) {
    const folder = resolve(this.root, bucket);
    for (const key of keys) {
      const file = this.path(bucket, key);
      await rm(file, { force: true });
      for (let dir = dirname(file); dir !== folder && dir.startsWith(folder + sep); dir = dirname(dir)) {
        try {
          await rmdir(dir);
        } catch {
          break; // not empty (or already gone): its parents are not empty either
        }
      }
    }
  }
}

let store: ObjectStore | undefined;
let storeRoot: string | undefined;

/** The object store of this environment (a folder under `OBJECTS_DIR` when set, else S3). */
export function objectStore(): ObjectStore {
  const root = process.env.OBJECTS_DIR;
  if (!store || root !== storeRoot) {
    store = root ? new FolderStore(join(root)) : new S3Store();
    storeRoot = root;
  }
  return store;
}

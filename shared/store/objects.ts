import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

/**
 * Object storage: S3 on AWS; in the sandbox (`OBJECTS_DIR` set) a local folder per bucket, as the embedded
 * default promises. Only what the system needs: read, write (webhook bodies too large for a queue message; SDK
 * uploads are written by API Gateway on AWS) and delete.
 */
export interface ObjectStore {
  /** The object's bytes; undefined when there is no such object. */
  get(bucket: string, key: string): Promise<Buffer | undefined>;
  put(bucket: string, key: string, body: Buffer): Promise<void>;
  /** Idempotent: deleting what is gone is fine. */
  delete(bucket: string, key: string): Promise<void>;
}

class S3Store implements ObjectStore {
  private readonly client = new S3Client({});

  async get(bucket: string, key: string) {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }

  async put(bucket: string, key: string, body: Buffer) {
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  async delete(bucket: string, key: string) {
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
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

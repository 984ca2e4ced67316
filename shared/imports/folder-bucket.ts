import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { type FileHandle, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import {
  BucketRequestError,
  type CompletedPart,
  type ImportBucket,
  type ObjectRead,
  type PartTarget,
} from '#shared/imports/bucket.js';
import { presignPartWith, presignPostWith } from '#shared/imports/s3-bucket.js';

/**
 * The imports bucket of the sandbox: objects are files under `<OBJECTS_DIR>/<bucket>/`, open multipart uploads
 * folders under `<OBJECTS_DIR>/.multipart/<bucket>/<upload id>/`. Presigned URLs are made by the real AWS
 * presigners for the sandbox's local upload endpoint (`IMPORTS_UPLOAD_ENDPOINT`, shared/sandbox/local-bucket.ts),
 * which checks them and writes here. Every object created notifies as S3 would (`onObjectCreated`).
 *
 * Like S3, an object is replaced whole (written aside, then renamed over the old one: a read already open goes on
 * in the old file) and has an ETag, kept in `<OBJECTS_DIR>/.etags/<bucket>/<key>` with the file's inode so that a
 * read can tell whether the ETag is the one of the file it opened. A file put there by hand (tests, the
 * benchmark) has the ETag S3 gives a single-part upload: the MD5 of its bytes.
 */

type Notify = (bucket: string, key: string, etag: string, size: number) => Promise<void>;
let notify: Notify | undefined;

/** The sandbox's stand-in for the bucket's S3 event notification. */
export function onObjectCreated(handler: Notify | undefined): void {
  notify = handler;
}

const UPLOAD_ID = /^[A-Za-z0-9-]{1,64}$/;
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest();

export class FolderBucket implements ImportBucket {
  private readonly presigner: S3Client;

  constructor(
    private readonly root: string,
    readonly name: string,
  ) {
    this.presigner = new S3Client({ endpoint: process.env.IMPORTS_UPLOAD_ENDPOINT, forcePathStyle: true });
  }

  private inside(folder: string, name: string): string {
    const file = resolve(folder, name);
    if (!file.startsWith(folder + sep))
      throw new BucketRequestError(400, `Object key outside its bucket: ${name}`);
    return file;
  }

  objectPath(key: string): string {
    return this.inside(resolve(this.root, this.name), key);
  }

  private etagPath(key: string): string {
    return this.inside(resolve(this.root, '.etags', this.name), key);
  }

  private tempPath(): string {
    return resolve(this.root, '.tmp', randomUUID());
  }

  private uploadFolder(uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId))
      throw new BucketRequestError(404, 'Multipart upload not found: NoSuchUpload');
    return resolve(this.root, '.multipart', this.name, uploadId);
  }

  private async openUpload(key: string, uploadId: string): Promise<string> {
    const folder = this.uploadFolder(uploadId);
    const meta = await readFile(resolve(folder, 'upload.json'), 'utf8').catch(() => undefined);
    if (!meta || JSON.parse(meta).key !== key) {
      throw new BucketRequestError(404, 'Multipart upload not found: NoSuchUpload');
    }
    return folder;
  }

  /** Puts the written file `temp` in place of `key`'s object, with its ETag, and notifies. */
  private async install(key: string, temp: string, etag: string): Promise<void> {
    const file = this.objectPath(key);
    const sidecar = this.etagPath(key);
    const { ino, size } = await stat(temp);
    const sidecarTemp = this.tempPath();
    await writeFile(sidecarTemp, JSON.stringify({ etag, ino }));
    await mkdir(dirname(file), { recursive: true });
    await mkdir(dirname(sidecar), { recursive: true });
    await rename(sidecarTemp, sidecar);
    await rename(temp, file);
    await notify?.(this.name, key, `"${etag}"`, size);
  }

  /** The ETag of the file open in `handle`; undefined while a replacement is half installed. */
  private async etagOf(key: string, handle: FileHandle): Promise<string | undefined> {
    const { ino } = await handle.stat();
    const sidecar = await readFile(this.etagPath(key), 'utf8').catch(() => undefined);
    if (sidecar === undefined) {
      const hash = createHash('md5');
      for await (const chunk of handle.createReadStream({ start: 0, autoClose: false })) hash.update(chunk);
      return hash.digest('hex');
    }
    const recorded = JSON.parse(sidecar) as { etag: string; ino: number };
    return recorded.ino === ino ? recorded.etag : undefined;
  }

  presignPost(key: string, options: { maxBytes: number; expiresIn: number }) {
    return presignPostWith(this.presigner, this.name, key, options);
  }

  async createMultipart(key: string) {
    this.objectPath(key);
    const uploadId = randomUUID();
    const folder = this.uploadFolder(uploadId);
    await mkdir(folder, { recursive: true });
    await writeFile(resolve(folder, 'upload.json'), JSON.stringify({ key }));
    return uploadId;
  }

  presignPart(part: PartTarget, expiresIn: number) {
    return presignPartWith(this.presigner, this.name, part, expiresIn);
  }

  /** What S3 does on a part PUT: stores it, answers its ETag (the MD5 of its bytes, quoted). */
  async writePart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<string> {
    const folder = await this.openUpload(key, uploadId);
    await writeFile(resolve(folder, `part-${partNumber}`), body);
    return `"${md5(body).toString('hex')}"`;
  }

  async completeMultipart(key: string, uploadId: string, parts: CompletedPart[]) {
    const folder = await this.openUpload(key, uploadId);
    const ordered = [...parts].sort((a, b) => a.part_number - b.part_number);
    this.objectPath(key);
    const temp = this.tempPath();
    await mkdir(dirname(temp), { recursive: true });
    const digests: Buffer[] = [];
    const out = createWriteStream(temp);
    try {
      for (const part of ordered) {
        const bytes = await readFile(resolve(folder, `part-${part.part_number}`)).catch(() => undefined);
        const digest = bytes && md5(bytes);
        if (!bytes || !digest || digest.toString('hex') !== part.etag.trim().replace(/"/g, '')) {
          throw new BucketRequestError(400, 'Failed to complete multipart upload: InvalidPart');
        }
        digests.push(digest);
        if (!out.write(bytes)) await new Promise<void>((done) => out.once('drain', () => done()));
      }
    } catch (error) {
      out.destroy();
      await rm(temp, { force: true });
      throw error;
    }
    await new Promise<void>((done, fail) =>
      out.end((error?: Error | null) => (error ? fail(error) : done())),
    );
    await rm(folder, { recursive: true, force: true });
    await this.install(key, temp, `${md5(Buffer.concat(digests)).toString('hex')}-${digests.length}`);
  }

  async abortMultipart(key: string, uploadId: string) {
    const folder = this.uploadFolder(uploadId);
    const meta = await readFile(resolve(folder, 'upload.json'), 'utf8').catch(() => undefined);
    if (meta && JSON.parse(meta).key === key) await rm(folder, { recursive: true, force: true });
  }

  async put(key: string, body: Buffer) {
    this.objectPath(key);
    const temp = this.tempPath();
    await mkdir(dirname(temp), { recursive: true });
    await writeFile(temp, body);
    await this.install(key, temp, md5(body).toString('hex'));
  }

  async read(key: string, from: number, etag: string): Promise<ObjectRead | 'missing' | 'changed'> {
    const file = this.objectPath(key);
    for (let attempt = 0; attempt < 3; attempt++) {
      const handle = await open(file, 'r').catch(() => undefined);
      if (!handle) return 'missing';
      const current = await this.etagOf(key, handle).catch(async (error) => {
        await handle.close();
        throw error;
      });
      if (current === etag) {
        const { size } = await handle.stat();
        return { size, body: handle.createReadStream({ start: Math.min(from, size) }) };
      }
      await handle.close();
      if (current !== undefined) return 'changed';
      await new Promise((settle) => setTimeout(settle, 10));
    }
    return 'changed';
  }
}

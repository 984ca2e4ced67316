import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { BucketRequestError, type CompletedPart, type ImportBucket } from '#shared/imports/bucket.js';
import { presignPartWith, presignPostWith } from '#shared/imports/s3-bucket.js';

/**
 * The imports bucket of the sandbox: objects are files under `<OBJECTS_DIR>/<bucket>/`, open multipart uploads
 * folders under `<OBJECTS_DIR>/.multipart/<bucket>/<upload id>/`. Presigned URLs are made by the real AWS
 * presigners for the sandbox's local upload endpoint (`IMPORTS_UPLOAD_ENDPOINT`, shared/sandbox/local-bucket.ts),
 * which checks them and writes here. Every object created notifies as S3 would (`onObjectCreated`).
 */

type Notify = (bucket: string, key: string, etag: string) => Promise<void>;
let notify: Notify | undefined;

/** The sandbox's stand-in for the bucket's S3 event notification. */
export function onObjectCreated(handler: Notify | undefined): void {
  notify = handler;
}

const UPLOAD_ID = /^[A-Za-z0-9-]{1,64}$/;

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

  presignPost(key: string, options: { maxBytes: number; expiresIn: number }) {
    return presignPostWith(this.presigner, this.name, key, options);
  }

  async createMultipart(key: string, contentType: string) {
    this.objectPath(key);
    const uploadId = randomUUID();
    const folder = this.uploadFolder(uploadId);
    await mkdir(folder, { recursive: true });
    await writeFile(resolve(folder, 'upload.json'), JSON.stringify({ key, contentType }));
    return uploadId;
  }

  presignPart(key: string, uploadId: string, partNumber: number, expiresIn: number) {
    return presignPartWith(this.presigner, this.name, key, uploadId, partNumber, expiresIn);
  }

  /** What S3 does on a part PUT: stores it, answers its ETag (the MD5 of its bytes, quoted). */
  async writePart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<string> {
    const folder = await this.openUpload(key, uploadId);
    await writeFile(resolve(folder, `part-${partNumber}`), body);
    return `"${createHash('md5').update(body).digest('hex')}"`;
  }

  async completeMultipart(key: string, uploadId: string, parts: CompletedPart[]) {
    const folder = await this.openUpload(key, uploadId);
    const ordered = [...parts].sort((a, b) => a.part_number - b.part_number);
    const file = this.objectPath(key);
    await mkdir(dirname(file), { recursive: true });
    const digests: Buffer[] = [];
    const out = createWriteStream(file);
    try {
      for (const part of ordered) {
        const bytes = await readFile(resolve(folder, `part-${part.part_number}`)).catch(() => undefined);
        const md5 = bytes && createHash('md5').update(bytes).digest();
        if (!bytes || !md5 || `"${md5.toString('hex')}"` !== `"${part.etag.trim().replace(/"/g, '')}"`) {
          throw new BucketRequestError(400, 'Failed to complete multipart upload: InvalidPart');
        }
        digests.push(md5);
        if (!out.write(bytes)) await new Promise<void>((done) => out.once('drain', () => done()));
      }
    } catch (error) {
      out.destroy();
      await rm(file, { force: true });
      throw error;
    }
    await new Promise<void>((done, fail) =>
      out.end((error?: Error | null) => (error ? fail(error) : done())),
    );
    await rm(folder, { recursive: true, force: true });
    const etag = `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}"`;
    await notify?.(this.name, key, etag);
  }

  async abortMultipart(key: string, uploadId: string) {
    const folder = this.uploadFolder(uploadId);
    const meta = await readFile(resolve(folder, 'upload.json'), 'utf8').catch(() => undefined);
    if (meta && JSON.parse(meta).key === key) await rm(folder, { recursive: true, force: true });
  }

  async put(key: string, body: Buffer) {
    const file = this.objectPath(key);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, body);
    await notify?.(this.name, key, `"${createHash('md5').update(body).digest('hex')}"`);
  }

  async read(key: string, from: number) {
    const file = this.objectPath(key);
    const info = await stat(file).catch(() => undefined);
    if (!info) return undefined;
    return { size: info.size, body: createReadStream(file, { start: Math.min(from, info.size) }) };
  }
}

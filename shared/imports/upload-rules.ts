import { createHash } from 'node:crypto';

/**
 * The limits of Apple Health export uploads. S3's multipart limits are protocol facts (parts of 5 MiB..5 GiB, the
 * last one smaller, at most 10,000); the export itself is capped at 1 GiB like the reference's presigned POST.
 */
export const XML_CONTENT_TYPE = 'application/xml';
export const MAX_IMPORT_BYTES = 1024 * 1024 * 1024;
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;
const DEFAULT_PART_SIZE = 100 * 1024 * 1024;
const MIB = 1024 * 1024;

/** The default part size, grown (in whole MiB) only when the file would need more than 10,000 parts. */
export function partSize(fileSize: number): number {
  const needed = Math.ceil(fileSize / MAX_PARTS);
  return Math.max(
    MIN_PART_SIZE,
    needed > DEFAULT_PART_SIZE ? Math.ceil(needed / MIB) * MIB : DEFAULT_PART_SIZE,
  );
}

/**
 * `<user id>/raw/<file name>`: the name keeps letters, digits, `.`, `-` and `_` (the reference's rule); an empty
 * result becomes the UTC time of the request, `2024-01-02T07-08-09-123Z.xml`.
 */
export function importKey(userId: string, filename: string, now = new Date()): string {
  const clean = [...filename]
    .filter((c) => /^[\p{L}\p{N}._-]$/u.test(c))
    .join('')
    .slice(0, 200);
  const name = clean.replace(/^\.+$/, '') || `${now.toISOString().replace(/[:.]/g, '-')}.xml`;
  return `${userId}/raw/${name}`;
}

/** The user of an import key, `<user id>/raw/<file name>`; undefined for any other key. */
export function importUser(key: string): string | undefined {
  return /^([^/]{1,64})\/raw\/[^/]{1,255}$/.exec(key)?.[1];
}

/** The sync run of an import: the same for every notification of one upload (the direct route answers it). */
export const runIdOf = (upload: { key: string; etag: string }) =>
  `xml_${createHash('sha256').update(`${upload.key}\u0000${upload.etag}`).digest('hex').slice(0, 16)}`;

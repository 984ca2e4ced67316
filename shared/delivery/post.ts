import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { guardedLookup } from '#shared/delivery/url-guard.js';
import { ATTEMPT_RESPONSE_BYTES } from '#shared/store/webhook-attempts.js';

/** After the status line, how long the first bytes of the answer are waited for before the attempt settles. */
export const BODY_GRACE_MS = 1_000;

export const USER_AGENT = 'open-wearables-webhooks/1';

export interface PostOutcome {
  /** The receiver answered 2xx. */
  ok: boolean;
  /** The receiver's status code; null when none arrived (timeout, refused, reset). */
  statusCode: number | null;
  /** The first 1 KB of the answer, or what went wrong when there was none. */
  response: string;
  durationMs: number;
}

export interface PostOptions {
  /** Connecting, sending and the receiver's status line must fit in this time. */
  timeoutMs: number;
  /** Whether loopback, private and link-local addresses may be connected to (checked after DNS resolution). */
  allowPrivate: boolean;
}

/**
 * Up to ATTEMPT_RESPONSE_BYTES of the answer, as much as arrives within `graceMs`: the status code already
 * decided the outcome, so a long or never-ending answer is cut off rather than waited for.
 */
function readHead(response: IncomingMessage, graceMs: number): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const done = () => {
      clearTimeout(grace);
      if (!response.complete) response.destroy();
      resolve(Buffer.concat(parts).subarray(0, ATTEMPT_RESPONSE_BYTES).toString('utf8'));
    };
    const grace = setTimeout(done, graceMs);
    response.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      size += chunk.length;
      if (size >= ATTEMPT_RESPONSE_BYTES) done();
    });
    response.on('end', done);
    response.on('error', done);
    response.on('close', done);
  });
}

/**
 * POSTs `body` to `url` with the signature headers. The status code settles the outcome (2xx: delivered), with
 * the first bytes of the answer read for at most BODY_GRACE_MS more. Never throws: no status line within the
 * timeout, or a connection failure, is an unsuccessful outcome (status code null). Redirects are not followed:
 * a 3xx is a failure, as with Svix.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: PostOptions,
): Promise<PostOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    // Once the status line is in, ending the connection early (readHead) is ours, not a failure.
    let answered = false;
    const settle = (outcome: Omit<PostOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: elapsed() });
    };
    const request = send(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': USER_AGENT,
        },
        lookup: guardedLookup(options.allowPrivate),
      },
      (response) => {
        answered = true;
        clearTimeout(timer);
        const status = response.statusCode ?? 0;
        readHead(response, BODY_GRACE_MS).then((text) =>
          settle({ ok: status >= 200 && status < 300, statusCode: status, response: text }),
        );
      },
    );
    const timer = setTimeout(() => {
      settle({ ok: false, statusCode: null, response: `timed out after ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (error) => {
      if (!answered) {
        settle({ ok: false, statusCode: null, response: error.message.slice(0, ATTEMPT_RESPONSE_BYTES) });
      }
    });
    request.end(body);
  });
}

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { guardedLookup } from '#shared/delivery/url-guard.js';

/** What an attempt records of the receiver's answer: enough to debug, never a whole page. */
export const RESPONSE_BODY_BYTES = 1024;

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
  /** The whole exchange (connect, send, answer) must finish within this time. */
  timeoutMs: number;
  /** Whether loopback, private and link-local addresses may be connected to (checked after DNS resolution). */
  allowPrivate: boolean;
}

/** Up to RESPONSE_BODY_BYTES of the answer; a longer answer is cut off rather than waited for. */
function readHead(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(parts).subarray(0, RESPONSE_BODY_BYTES).toString('utf8'));
    response.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      size += chunk.length;
      if (size >= RESPONSE_BODY_BYTES) {
        response.destroy();
        done();
      }
    });
    response.on('end', done);
    response.on('error', done);
    response.on('close', done);
  });
}

/**
 * POSTs `body` to `url` with the signature headers. Never throws: a timeout or a connection failure is an
 * unsuccessful outcome (status code null). Redirects are not followed: a 3xx is a failure, as with Svix.
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
    let statusCode: number | null = null;
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
        const status = response.statusCode ?? 0;
        statusCode = status;
        readHead(response).then((text) =>
          settle({ ok: status >= 200 && status < 300, statusCode: status, response: text }),
        );
      },
    );
    const timer = setTimeout(() => {
      // An answer whose body never ends counts as a timeout too, with the status it announced.
      settle({ ok: false, statusCode, response: `timed out after ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (error) =>
      settle({ ok: false, statusCode, response: error.message.slice(0, RESPONSE_BODY_BYTES) }),
    );
    request.end(body);
  });
}

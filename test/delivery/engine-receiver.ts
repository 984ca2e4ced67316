import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * What a receiver does with a request: answer (status, body; `endless`: the body never ends), or hold it without
 * a status line (`hang`) until `answer` or `close`.
 */
export type Behaviour = { status: number; body?: string; endless?: boolean } | 'hang';

/**
 * An integrator's endpoint on 127.0.0.1: every request is recorded; each path answers as scripted (a queue of
 * behaviours, the last one repeating; default 200). Waits are event-driven (`next`).
 */
export interface Receiver {
  url(path: string): string;
  requests: Received[];
  script(path: string, ...behaviours: Behaviour[]): void;
  /** Resolves with the next request to `path` (or one already received beyond `after`). */
  next(path: string, after?: number): Promise<Received>;
  /** Answers every request held (`hang`) at `path`; returns how many there were. */
  answer(path: string, status: number, body?: string): number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const scripts = new Map<string, Behaviour[]>();
  const waiters: Array<() => void> = [];
  const held: Array<{ path: string; res: ServerResponse }> = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      requests.push({ path, headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
      for (const wake of waiters.splice(0)) wake();
      const queue = scripts.get(path) ?? [];
      const behaviour = (queue.length > 1 ? queue.shift() : queue[0]) ?? { status: 200 };
      if (behaviour === 'hang') {
        held.push({ path, res });
        return;
      }
      res.writeHead(behaviour.status, { 'content-type': 'text/plain' });
      if (!behaviour.endless) {
        res.end(behaviour.body ?? 'ok');
        return;
      }
      res.write(behaviour.body ?? 'ok');
      held.push({ path, res });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const seen = (path: string, after: number) => requests.slice(after).filter((r) => r.path === path);
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    script: (path, ...behaviours) => scripts.set(path, behaviours),
    next: async (path, after = requests.length) => {
      for (;;) {
        const [found] = seen(path, after);
        if (found) return found;
        await new Promise<void>((wake) => waiters.push(wake));
      }
    },
    answer: (path, status, body = 'ok') => {
      const answered = held.filter((h) => h.path === path && !h.res.headersSent);
      for (const { res } of answered) {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(body);
      }
      return answered.length;
    },
    close: async () => {
      for (const { res } of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

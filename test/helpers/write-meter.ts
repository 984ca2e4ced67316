import { afterEach, beforeEach } from 'vitest';
import { db } from '#shared/store/client.js';

export interface MeteredWrite {
  command: string;
  /** The sort-key prefix (up to the first `#`) of every item the command writes or checks. */
  kinds: string[];
  /** Write units, as DynamoDB Local returns them (ReturnConsumedCapacity). */
  units: number;
}

const NAME = 'test-write-meter';
const READS = /^(Get|BatchGet|Query|Scan|TransactGet)/;

const skKinds = (input: Record<string, unknown>): string[] => {
  const kindOf = (item: unknown) => String((item as { SK?: unknown } | undefined)?.SK ?? '?').split('#')[0]!;
  if (input.Item || input.Key) return [kindOf(input.Item ?? input.Key)];
  if (Array.isArray(input.TransactItems)) {
    return input.TransactItems.map((entry: Record<string, { Item?: unknown; Key?: unknown }>) => {
      const [op] = Object.values(entry);
      return kindOf(op?.Item ?? op?.Key);
    });
  }
  const requests = Object.values((input.RequestItems ?? {}) as Record<string, unknown[]>).flat();
  return requests.map((r) => {
    const request = r as { PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } };
    return kindOf(request.PutRequest?.Item ?? request.DeleteRequest?.Key);
  });
};

/** Meters every write command the document client sends during each test; `take()` returns and forgets them. */
export function useWriteMeter() {
  let writes: MeteredWrite[] = [];
  beforeEach(() => {
    writes = [];
    db().doc.middlewareStack.add(
      (next, context) => async (args) => {
        const command = (context.commandName ?? '').replace(/Command$/, '');
        const input = args.input as Record<string, unknown>;
        if (READS.test(command)) return next(args);
        input.ReturnConsumedCapacity = 'TOTAL';
        const kinds = skKinds(input);
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        const units = [consumed ?? []]
          .flat()
          .reduce((n: number, c) => n + ((c as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
        writes.push({ command, kinds, units });
        return result;
      },
      { step: 'initialize', name: NAME },
    );
  });
  afterEach(() => {
    db().doc.middlewareStack.remove(NAME);
  });
  return {
    take(): MeteredWrite[] {
      const taken = writes;
      writes = [];
      return taken;
    },
  };
}

/** Total write units of `writes`. */
export const unitsOf = (writes: MeteredWrite[]) => writes.reduce((n, w) => n + w.units, 0);

/** The sort-key kinds written (guards included), each once, sorted. */
export const kindsOf = (writes: MeteredWrite[]) => [...new Set(writes.flatMap((w) => w.kinds))].sort();

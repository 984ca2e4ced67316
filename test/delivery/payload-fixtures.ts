import type { SyncFacts } from '#shared/delivery/payloads.js';

/** The user the payload tests build events for, and the moment they are built at. */
export const USER = '5b0c3a52-8a4f-4c1e-9d3b-2f6e7a8b9c0d';
export const AT = Date.UTC(2026, 2, 2, 7, 0, 0);

/** A sync status event at `stage` of run-1 (an incremental Oura pull, recorded AT), with `fields` over it. */
export const syncFacts = (stage: string, fields: Partial<SyncFacts> = {}): SyncFacts => ({
  event_id: `evt-${stage}`,
  run_id: 'run-1',
  user_id: USER,
  provider: 'oura',
  source: 'pull',
  stage,
  status: stage === 'failed' ? 'failed' : stage === 'completed' ? 'success' : 'in_progress',
  message: 'm',
  items_processed: 12,
  error: null,
  metadata: { mode: 'incremental' },
  timestamp: new Date(AT).toISOString(),
  ...fields,
});

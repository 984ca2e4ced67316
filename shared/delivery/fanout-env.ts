import * as z from 'zod/mini';
import { baseEnvSchema, commaList } from '#shared/config/env.js';
import { setting } from '#shared/config/settings.js';
import { EVENT_TYPES, unknownEventTypes, wantsEventType } from '#shared/delivery/catalogue.js';
import { endpointSettingsEnvSchema, lakeEnvSchema } from '#shared/delivery/env.js';
import { queueProducerEnv } from '#shared/jobs/queue-env.js';

// Apart from shared/delivery/env.ts, which every emitting function imports: only the fan-out checks
// EVENT_BUS_EVENT_TYPES against the catalogue when it starts.

/** The fan-out worker: endpoints to match, deliveries to queue, and the two AWS-native sinks when configured. */
export const eventFanoutEnvSchema = z.extend(baseEnvSchema, {
  ...endpointSettingsEnvSchema.shape,
  ...queueProducerEnv.webhookDeliveries.shape,
  /** The EventBridge bus the events are put on; unset: none. */
  EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
  // EventBridge bills every event put, matched by a rule or not: an integrator's rules may need only a few types.
  EVENT_BUS_EVENT_TYPES: setting(
    z.optional(
      z.pipe(z.string().check(z.maxLength(2048)), z.transform(commaList)).check(
        z.superRefine((list, ctx) => {
          const unknown = unknownEventTypes(list);
          const problem =
            unknown.length > 0
              ? `not event types of GET /api/v1/webhooks/event-types: ${unknown.join(', ')}`
              : list.length > 0 && EVENT_TYPES.some((type) => wantsEventType(list, type))
                ? undefined
                : 'leaves no event type for the bus (to turn it off: -c eventBus=false)';
          if (problem) ctx.addIssue({ code: 'custom', input: list, message: problem });
        }),
      ),
    ),
    'event types put on the event bus, comma-separated: names or prefixes ending in `*` (`sync.*`), `!` to leave out (`!series.*`); unset: every event',
  ),
  ...lakeEnvSchema.shape,
});

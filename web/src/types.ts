import type { components } from '@open-wearables/client';

type Schemas = components['schemas'];

/** The API's documented shapes the dashboard passes between its functions. */
export type TimeSeriesSample = Schemas['TimeSeriesSample'];
export type SleepSession = Schemas['SleepSession'];

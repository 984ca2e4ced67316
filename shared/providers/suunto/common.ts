import { accountSource } from '#shared/providers/output.js';

export const DEFAULT_SOURCE_NAME = 'Suunto';

/** 24/7 data names no device: it is the account's, written as "Suunto" (a workout without `gear` is the same). */
export const SUUNTO_SOURCE = accountSource('suunto', DEFAULT_SOURCE_NAME);

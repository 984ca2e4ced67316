import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod/mini sets no locale (the classic API sets English when imported): without one every issue reads "Invalid
 * input". Imported for its effect by the env schemas (every function) and the HTTP layer's validation.
 */
z.config(en());

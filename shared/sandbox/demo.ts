import { generateActivities, startFakeFitbit } from '#test/fakes/fitbit.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { startFakeUltrahuman } from '#test/fakes/ultrahuman.js';

/**
 * `npm start -- --demo`: fake Fitbit and Ultrahuman servers (speaking the real OAuth and data formats, with a
 * consent page) on this machine, and the provider settings pointing at them, so a full connect can be clicked
 * through in a browser without real credentials.
 */
export async function startDemoProviders() {
  const [fitbit, ultrahuman] = await Promise.all([startFakeFitbit(), startFakeUltrahuman()]);
  fitbit.setActivities('FAKE01', generateActivities({ days: 120, end: Date.now() }));
  return {
    env: { ...fakeProviderEnv('FITBIT', fitbit), ...fakeProviderEnv('ULTRAHUMAN', ultrahuman) },
    describe: () => [`  Demo providers: fake Fitbit at ${fitbit.url}, fake Ultrahuman at ${ultrahuman.url}`],
    stop: () => Promise.all([fitbit.stop(), ultrahuman.stop()]),
  };
}

import { createOpenWearablesClient, errorMessage } from '@open-wearables/client';

const DAY_MS = 86_400_000;

/**
 * Your backend, with an API key: create a user and get the consent URL to send their browser to. After the
 * provider's consent page, the browser lands on `redirectUri` and the first sync starts.
 */
export async function connectUser(baseUrl: string, apiKey: string, redirectUri: string) {
  const client = createOpenWearablesClient({ baseUrl, apiKey });

  const user = await client.POST('/api/v1/users', {
    body: { email: 'jane@example.com', first_name: 'Jane', external_user_id: 'jane-42' },
  });
  if (user.error) throw new Error(errorMessage(user.error));

  const authorize = await client.GET('/api/v1/oauth/{provider}/authorize', {
    params: {
      path: { provider: 'strava' },
      query: { user_id: user.data.id, redirect_uri: redirectUri },
    },
  });
  if (authorize.error) throw new Error(errorMessage(authorize.error));

  return { userId: user.data.id, authorizationUrl: authorize.data.authorization_url };
}

/** Once the user has connected: their workouts of the last 30 days, newest first. */
export async function recentWorkouts(baseUrl: string, apiKey: string, userId: string) {
  const client = createOpenWearablesClient({ baseUrl, apiKey });
  const now = Date.now();

  const workouts = await client.GET('/api/v1/users/{user_id}/events/workouts', {
    params: {
      path: { user_id: userId },
      query: {
        start_date: new Date(now - 30 * DAY_MS).toISOString(),
        end_date: new Date(now).toISOString(),
        limit: 100,
      },
    },
  });
  if (workouts.error) throw new Error(errorMessage(workouts.error));

  return workouts.data.data.map((workout) => ({
    type: workout.type,
    start: workout.start_time,
    minutes: Math.round((workout.duration_seconds ?? 0) / 60),
    provider: workout.source.provider,
  }));
}

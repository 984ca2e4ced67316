/**
 * Periodic jobs, shared by the CDK stack (one EventBridge Scheduler schedule each, invoking `functions/<worker>.ts`)
 * and the sandbox (a timer each).
 */
export const SCHEDULES = {
  sleepFinaliser: {
    worker: 'sleep-finaliser',
    rateMinutes: 15,
    timeoutSeconds: 300,
  },
} as const;

export type ScheduleName = keyof typeof SCHEDULES;

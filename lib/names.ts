/** `sleepFinaliser` -> `SleepFinaliser`: construct ids from registry keys. */
export function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

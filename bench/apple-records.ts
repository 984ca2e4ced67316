/** The Apple Watch that the benches' SDK pushes come from. */
export const benchWatch = {
  appId: 'com.apple.health.bench',
  deviceName: 'Apple Watch',
  deviceModel: 'Watch7,1',
};

/** A maker of instantaneous HealthKit quantity records from `source`, as the SDK pushes them. */
export const quantityRecords =
  <S>(source: S) =>
  (type: string, at: number, value: number, unit: string) => ({
    type: `HKQuantityTypeIdentifier${type}`,
    startDate: new Date(at).toISOString(),
    endDate: new Date(at).toISOString(),
    zoneOffset: '+01:00',
    source,
    value,
    unit,
  });

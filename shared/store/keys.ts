/**
 * Single-table key layout. Every item of one user lives in partition `USER#<id>` or carries
 * `GSI1PK = USER#<id>` (items that must be found by another key, such as refresh tokens), so erasing
 * a user is "delete that partition and that GSI1 partition".
 */
export const keys = {
  developer: (id: string) => ({ PK: `DEV#${id}`, SK: 'DEV' }),
  developerEmail: (email: string) => ({ PK: `DEVEMAIL#${email.toLowerCase()}`, SK: 'EMAIL' }),
  apiKey: (id: string) => ({ PK: `APIKEY#${id}`, SK: 'KEY' }),
  apiKeyHash: (hash: string) => ({ PK: `APIKEYHASH#${hash}`, SK: 'KEY' }),
  application: (appId: string) => ({ PK: `APP#${appId}`, SK: 'APP' }),
  user: (id: string) => ({ PK: `USER#${id}`, SK: 'PROFILE' }),
  userPartition: (id: string) => `USER#${id}`,
  connection: (userId: string, provider: string) => ({ PK: `USER#${userId}`, SK: `CONN#${provider}` }),
  refreshToken: (hash: string) => ({ PK: `RT#${hash}`, SK: 'RT' }),
  tokenFamily: (familyId: string) => ({ PK: `RTFAMILY#${familyId}`, SK: 'FAMILY' }),
  invitationCode: (codeHash: string) => ({ PK: `INVCODE#${codeHash}`, SK: 'CODE' }),
  invitation: (id: string) => ({ PK: `INVITE#${id}`, SK: 'INVITE' }),
  invitationToken: (hash: string) => ({ PK: `INVITETOKEN#${hash}`, SK: 'TOKEN' }),
} as const;

/** GSI1 partitions. */
export const gsi1 = {
  allUsers: 'USERS',
  allApiKeys: 'APIKEYS',
  allDevelopers: 'DEVELOPERS',
  allInvitations: 'INVITES',
  developerApps: (developerId: string) => `DEVAPPS#${developerId}`,
  ownedByUser: (userId: string) => `USER#${userId}`,
} as const;

/** Epoch seconds for the table's TTL attribute. */
export const ttlAt = (date: Date) => Math.floor(date.getTime() / 1000);

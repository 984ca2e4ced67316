/**
 * Withings' Notify service for the fake: per-user subscriptions (`subscribe` probes the callback with a HEAD
 * first and refuses an unreachable one), `revoke`, `list`, `get`, and the notifications themselves, form-encoded
 * POSTs of `userid`, `appli` and the data window to every callback subscribed for that user and category.
 */

export interface WithingsSubscription {
  userid: number;
  appli: number;
  callbackurl: string;
  comment: string;
}

export interface WithingsProbe {
  url: string;
  /** 0 for a network failure or timeout. */
  status: number;
  error?: string;
}

export interface WithingsNotification {
  url: string;
  fields: Record<string, string>;
  /** 0 for a network failure or timeout. */
  status: number;
  body: string;
  error?: string;
}

/** The envelope answer of a Notify action. */
export type Envelope = { status: number; body?: unknown; error?: string };

const ok = (body: unknown = {}): Envelope => ({ status: 0, body });
const NO_SUCH_SUBSCRIPTION: Envelope = {
  status: 294,
  body: {},
  error: 'Invalid Params: no such subscription',
};
/** The categories Withings documents for the Public Health Data API. */
const KNOWN_APPLIS = new Set([1, 2, 4, 16, 44, 46, 50, 51, 52, 53, 54, 55, 58]);

export class WithingsNotify {
  readonly subscriptions: WithingsSubscription[] = [];
  readonly probes: WithingsProbe[] = [];
  readonly notifications: WithingsNotification[] = [];

  constructor(private readonly timeoutMs: number) {}

  /** `action=subscribe|revoke|list|get` of one user with the request's parameters. */
  async answer(userid: number, action: string, params: URLSearchParams): Promise<Envelope> {
    const callbackurl = params.get('callbackurl') ?? '';
    const appli = Number(params.get('appli') ?? (action === 'get' ? '1' : 'NaN'));
    const mine = (s: WithingsSubscription) => s.userid === userid;
    if (action === 'list') {
      const profiles = this.subscriptions
        .filter((s) => mine(s) && (params.get('appli') === null || s.appli === appli))
        .map(({ appli, callbackurl, comment }) => ({ appli, callbackurl, comment, expires: 2147483647 }));
      return ok({ profiles });
    }
    const same = (s: WithingsSubscription) => mine(s) && s.callbackurl === callbackurl && s.appli === appli;
    if (action === 'get') {
      const found = this.subscriptions.find(same);
      return found ? ok({ appli, callbackurl, comment: found.comment }) : NO_SUCH_SUBSCRIPTION;
    }
    if (action === 'revoke') {
      const index = this.subscriptions.findIndex(same);
      if (index < 0) return NO_SUCH_SUBSCRIPTION;
      this.subscriptions.splice(index, 1);
      return ok();
    }
    if (action !== 'subscribe') return { status: 2554, body: {}, error: 'Not implemented' };
    if (!/^https?:\/\//.test(callbackurl) || !KNOWN_APPLIS.has(appli)) {
      return { status: 293, body: {}, error: 'Invalid Params: callbackurl or appli' };
    }
    const probe = await this.probe(callbackurl);
    if (probe.status < 200 || probe.status >= 300) {
      return { status: 293, body: {}, error: `Invalid Params: callback answered HEAD with ${probe.status}` };
    }
    if (!this.subscriptions.some(same)) {
      this.subscriptions.push({ userid, appli, callbackurl, comment: params.get('comment') ?? '' });
    }
    return ok();
  }

  private async probe(url: string): Promise<WithingsProbe> {
    const probe: WithingsProbe = { url, status: 0 };
    this.probes.push(probe);
    try {
      const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(this.timeoutMs) });
      probe.status = response.status;
    } catch (error) {
      probe.error = (error as Error).message;
    }
    return probe;
  }

  /** POSTs `fields` form-encoded to `url` (any URL: a test may send a wrong token). */
  async send(url: string, fields: Record<string, string | number>): Promise<WithingsNotification> {
    const form = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
    const delivery: WithingsNotification = { url, fields: form, status: 0, body: '' };
    this.notifications.push(delivery);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      delivery.status = response.status;
      delivery.body = await response.text();
    } catch (error) {
      delivery.error = (error as Error).message;
    }
    return delivery;
  }

  /** One notification to every callback `userid` subscribed for `appli`. */
  notify(
    userid: number,
    appli: number,
    fields: Record<string, string | number>,
  ): Promise<WithingsNotification[]> {
    const targets = this.subscriptions.filter((s) => s.userid === userid && s.appli === appli);
    return Promise.all(targets.map((s) => this.send(s.callbackurl, { userid, appli, ...fields })));
  }

  /** The user's subscriptions end (an unlink ends them at Withings). */
  dropUser(userid: number): void {
    for (let i = this.subscriptions.length - 1; i >= 0; i--)
      if (this.subscriptions[i]!.userid === userid) this.subscriptions.splice(i, 1);
  }
}

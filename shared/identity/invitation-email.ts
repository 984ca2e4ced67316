import * as z from 'zod/mini';
import { env, positiveInt } from '#shared/config/env.js';
import { setting } from '#shared/config/settings.js';
import { logger } from '#shared/observability.js';

/**
 * Team invitation email. AWS offers no mail server by default, so the invitation's token goes back to the inviter
 * (who passes the link on); with `INVITATION_EMAIL_SENDER` (an SES-verified identity) the function also emails the
 * link itself through SES, with no queue in between (one message, a few hundred milliseconds).
 */
export const invitationEnvSchema = z.object({
  INVITATION_EXPIRE_DAYS: setting(positiveInt(7, 90), 'lifetime of team invitations (at most 90)'),
  INVITATION_EMAIL_SENDER: setting(
    z.optional(z.email()),
    'From address of team invitation emails, an SES-verified identity (unset: the inviter passes the link on)',
  ),
  INVITATION_ACCEPT_URL: setting(
    z.optional(z.url()),
    'your accept page (the dashboard has none); invitation emails link to <url>?token=<token> (needed to send them)',
  ),
});

export const invitationSettings = () => env(invitationEnvSchema);

/** The link an invitee follows; null when no accept page is configured. */
export function invitationLink(token: string): string | null {
  const page = invitationSettings().INVITATION_ACCEPT_URL;
  if (!page) return null;
  const url = new URL(page);
  url.searchParams.set('token', token);
  return url.toString();
}

/** Whether an email goes out at all (status `sent`/`failed`), or the inviter hands the link on (`pending`). */
export const emailConfigured = () => {
  const { INVITATION_EMAIL_SENDER, INVITATION_ACCEPT_URL } = invitationSettings();
  return INVITATION_EMAIL_SENDER !== undefined && INVITATION_ACCEPT_URL !== undefined;
};

/**
 * Sends the invitation through SES v2 (the SDK is loaded only here: most deployments never send). True when SES
 * accepted it; a failure is logged and reported as false, never thrown: the invitation stands and can be resent.
 */
export async function sendInvitationEmail(
  to: string,
  token: string,
  invitedBy: string | null,
): Promise<boolean> {
  const sender = invitationSettings().INVITATION_EMAIL_SENDER;
  const link = invitationLink(token);
  if (!sender || !link) return false;
  const { SESv2Client, SendEmailCommand } = await import('@aws-sdk/client-sesv2');
  // Not traced: a refusal's message can name the recipient.
  const client = new SESv2Client({});
  const who = invitedBy ? `${invitedBy} has invited you` : 'You have been invited';
  const days = invitationSettings().INVITATION_EXPIRE_DAYS;
  try {
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: sender,
        Destination: { ToAddresses: [to] },
        Content: {
          Simple: {
            Subject: { Data: 'Your invitation to Open Wearables' },
            Body: {
              Text: {
                Data: `${who} to join the Open Wearables developer team.\n\nAccept within ${days} days: ${link}\n`,
              },
            },
          },
        },
      }),
    );
    return true;
  } catch (error) {
    logger.error('invitation email not sent', { error: error as Error });
    return false;
  } finally {
    client.destroy();
  }
}

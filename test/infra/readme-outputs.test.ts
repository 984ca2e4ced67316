import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { synth } from './template.js';

/**
 * The stack's outputs as the README names them (issue 12: a README output name did not match the template). Built
 * with every option that adds one: the lake, both custom domains (without a hosted zone, so the DNS targets too).
 */
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
const EDGE_CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
const { json } = synth({
  dataLake: 'true',
  domainName: 'api.example.com',
  certificateArn: CERT,
  dashboardDomainName: 'dashboard.example.com',
  dashboardCertificateArn: EDGE_CERT,
});
const outputs = Object.keys(json.Outputs as Record<string, unknown>);
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
/** What the README writes in backticks that reads as an output name. */
const named = [
  ...new Set(
    [...readme.matchAll(/`([A-Z][A-Za-z]*(?:Url|Arn|Name|Bucket|Table|Target))`/g)].map(([, name]) => name!),
  ),
];

describe('README outputs', () => {
  it('names only outputs the template has', () => {
    expect(named.length).toBeGreaterThanOrEqual(15);
    expect(named.filter((name) => !outputs.includes(name))).toEqual([]);
  });

  it('documents every output, the per-provider ones by their pattern', () => {
    const documented = (output: string) =>
      named.includes(output) ||
      (/CallbackUrl$/.test(output) && readme.includes('`<Provider>CallbackUrl`')) ||
      (/WebhookUrl$/.test(output) && readme.includes('`<Provider>WebhookUrl`'));
    expect(outputs.filter((output) => !documented(output))).toEqual([]);
  });
});

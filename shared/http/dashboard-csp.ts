/**
 * The dashboard's Content-Security-Policy: its own files only, `connect-src` adds the API's origins. No inline
 * script or style (Preact and uPlot set styles through the DOM, which CSP does not govern). CloudFront sends it
 * (lib/dashboard.ts) and the sandbox can send the same (`dashboardCsp([])`: the API is on its own origin there).
 */
export function dashboardCsp(apiSources: string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    ["connect-src 'self'", ...apiSources].join(' '),
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * Whether a page may open the chat socket (cross-site WebSocket hijacking: a hostile page opening
 * a socket in a visitor's browser). Allowed: the gateway's own pages (Origin's host is the Host
 * the browser connected to), and the listed origins. A request without Origin is not from a
 * browser (browsers always send it on a WebSocket upgrade) and is let through: Origin is a browser
 * control, not authentication. Takes the allowed list as an argument so that a per-widget list
 * from the database can replace the env list without changing the check.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // "null" (sandboxed iframes, file://) and garbage
  }
  if (host && parsed.host.toLowerCase() === host.toLowerCase()) return true;
  return allowed.some((a) => {
    try {
      return new URL(a).origin === parsed.origin;
    } catch {
      return false;
    }
  });
}

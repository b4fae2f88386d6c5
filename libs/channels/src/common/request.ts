/**
 * What an encoder produces: a description of one provider HTTP request. It never carries
 * credentials (no access token, no bot token), so it can be logged, recorded and compared in tests;
 * the transport adds `Authorization` (Meta) or the `/bot<token>` prefix (Telegram).
 */
export interface ProviderRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };

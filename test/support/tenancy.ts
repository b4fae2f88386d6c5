/** What the tenancy e2e suites share: calling the router's API with a key, and onboarding a tenant. */
export interface ApiAnswer {
  status: number;
  json: unknown;
}

export async function apiCall(baseUrl: string, method: string, path: string, key: string, body?: unknown): Promise<ApiAnswer> {
  const res = await fetch(`${baseUrl}${path}`, {
    method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json: unknown = await res.json().catch(() => null);
  return { status: res.status, json };
}

/** Creates `tenant` with the operator key (201 expected) and returns an admin key of its own. */
export async function onboardTenant(baseUrl: string, operatorKey: string, tenant: string): Promise<string> {
  const created = await apiCall(baseUrl, 'POST', '/v1/tenants', operatorKey, { id: tenant, name: tenant, homeRegion: 'local', languages: ['en'], timeZone: 'UTC' });
  if (created.status !== 201) throw new Error(`POST /v1/tenants ${tenant}: ${created.status} ${JSON.stringify(created.json)}`);
  const key = await apiCall(baseUrl, 'POST', `/v1/tenants/${tenant}/api-keys`, operatorKey, { role: 'admin' });
  if (key.status !== 201) throw new Error(`POST /v1/tenants/${tenant}/api-keys: ${key.status} ${JSON.stringify(key.json)}`);
  return (key.json as { key: string }).key;
}

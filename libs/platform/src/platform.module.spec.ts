import { accessLogRequest } from './platform.module';

describe('the access log’s request', () => {
  it('keeps the path and drops the query string and the parsed query (signed links, tokens)', () => {
    const req = { id: 7, method: 'GET', url: '/media-links/default/abc?exp=1767225600000&sig=9f8e7d', query: { exp: '1767225600000', sig: '9f8e7d' }, headers: {} };
    const logged = accessLogRequest(req);
    expect(logged).toEqual({ id: 7, method: 'GET', url: '/media-links/default/abc', headers: {} });
    expect(JSON.stringify(logged)).not.toMatch(/9f8e7d|exp=/);
  });
});

import { originAllowed } from './origin';

describe('originAllowed (issue 15 #3)', () => {
  const allowed = ['https://shop.example', 'http://localhost:8080'];

  it.each([
    ['a listed origin', 'https://shop.example', 'gateway.example'],
    ['a listed origin with a port', 'http://localhost:8080', 'gateway.example'],
    ['the gateway’s own page (the demo)', 'http://127.0.0.1:3000', '127.0.0.1:3000'],
    ['no Origin (not a browser)', undefined, 'gateway.example'],
  ])('lets in %s', (_name, origin, host) => {
    expect(originAllowed(origin, host, allowed)).toBe(true);
  });

  it.each([
    ['another site', 'https://evil.example'],
    ['a listed host on another scheme', 'http://shop.example'],
    ['a listed host on another port', 'https://shop.example:8443'],
    ['a look-alike suffix', 'https://shop.example.evil.example'],
    ['a sandboxed frame', 'null'],
    ['garbage', 'not a url'],
  ])('keeps out %s', (_name, origin) => {
    expect(originAllowed(origin, 'gateway.example', allowed)).toBe(false);
  });

  it('keeps out every other site when nothing is listed', () => {
    expect(originAllowed('https://shop.example', 'gateway.example', [])).toBe(false);
  });
});

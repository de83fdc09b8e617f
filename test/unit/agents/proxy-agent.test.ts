import { describe, expect, it } from 'vitest';
import { bypassesProxy, proxyAgentFor } from '../../../server/src/agents/proxy-agent.js';

describe('the proxy an agent dials the hub through', () => {
  it('takes HTTPS_PROXY for an https hub and HTTP_PROXY for an http one', () => {
    expect(proxyAgentFor('https://hub.example', { HTTPS_PROXY: 'http://proxy:3128' })).toBeDefined();
    expect(proxyAgentFor('https://hub.example', { HTTP_PROXY: 'http://proxy:3128' })).toBeUndefined();
    expect(proxyAgentFor('http://hub.example', { http_proxy: 'http://proxy:3128' })).toBeDefined();
    expect(proxyAgentFor('http://hub.example', {})).toBeUndefined();
  });

  it('leaves hosts of NO_PROXY alone', () => {
    expect(proxyAgentFor('https://hub.lan', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.lan' })).toBeUndefined();
    expect(bypassesProxy('hub.example', 'example')).toBe(true);
    expect(bypassesProxy('hub.example', 'other.example,hub.example:443')).toBe(true);
    expect(bypassesProxy('hub.example', 'xample')).toBe(false);
    expect(bypassesProxy('anything', '*')).toBe(true);
    expect(bypassesProxy('hub.example', '')).toBe(false);
  });
});

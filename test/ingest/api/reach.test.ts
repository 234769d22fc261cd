import { describe, expect, it } from 'vitest';
import {
  checkReach,
  isPrivateAddress,
  type Lookup,
  privateAddressesFor,
} from '../../../src/ingest/api/reach.js';

const table: Record<string, string[]> = {
  'public.test': ['203.0.113.1'],
  'mixed.test': ['203.0.113.1', '10.0.0.1'],
  'lan.test': ['192.168.1.20'],
};
const lookup: Lookup = async (host) => {
  const found = table[host];
  if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('where a remote source may reach', () => {
  it('classes loopback, private, link-local, shared and mapped addresses as private, and others as public', () => {
    for (const a of [
      '127.0.0.1',
      '10.2.3.4',
      '172.20.0.1',
      '192.168.0.5',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '[::1]',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['203.0.113.1', '8.8.8.8', '172.32.0.1', '2001:db8::1', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it('refuses private addresses for a root on a public host, and allows them for a local or private root', async () => {
    expect(await privateAddressesFor('https://public.test/', 'auto', lookup)).toBe('refuse');
    expect(await privateAddressesFor('https://mixed.test/', 'auto', lookup)).toBe('refuse');
    expect(await privateAddressesFor('https://unknown.test/', 'auto', lookup)).toBe('refuse');
    expect(await privateAddressesFor('https://8.8.8.8/', 'auto', lookup)).toBe('refuse');
    expect(await privateAddressesFor('http://127.0.0.1:8080/', 'auto', lookup)).toBe('allow');
    expect(await privateAddressesFor('http://localhost:8080/', 'auto', lookup)).toBe('allow');
    expect(await privateAddressesFor('http://lan.test/', 'auto', lookup)).toBe('allow');
    expect(await privateAddressesFor('http://lan.test/', 'refuse', lookup)).toBe('refuse');
    expect(await privateAddressesFor('https://public.test/', 'allow', lookup)).toBe('allow');
  });

  it('checks a URL before it is requested: http(s) only, and no private address when refusing', async () => {
    await expect(checkReach('file:///etc/passwd', 'allow', lookup)).rejects.toThrow(
      /only http\(s\) is reachable/,
    );
    await expect(checkReach('http://[::1]:9/x', 'refuse', lookup)).rejects.toThrow(
      /::1 is a private or loopback address/,
    );
    await expect(checkReach('http://mixed.test/x', 'refuse', lookup)).rejects.toThrow(
      /10\.0\.0\.1 is a private/,
    );
    await expect(checkReach('http://localhost/x', 'refuse', lookup)).rejects.toThrow(/private or loopback/);
    await expect(checkReach('http://public.test/x', 'refuse', lookup)).resolves.toBeUndefined();
    await expect(checkReach('http://127.0.0.1/x', 'allow', lookup)).resolves.toBeUndefined();
  });
});

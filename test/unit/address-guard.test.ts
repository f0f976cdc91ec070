import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAddressAllowed } from '../../src/source/guard';

/**
 * The address rule of the download guard, over a table: with ALLOW_PRIVATE_SOURCE_ADDRESSES off only globally
 * routable unicast passes (also when an IPv6 form carries the IPv4 address it leads to); with it on, loopback and
 * private ranges pass too, but never unspecified, link-local, metadata, multicast or reserved addresses.
 */

const PUBLIC = true;
const LOCAL = 'private only';
const NEVER = false;
type Verdict = typeof PUBLIC | typeof LOCAL | typeof NEVER;

const TABLE: Array<[address: string, verdict: Verdict, what: string]> = [
  ['8.8.8.8', PUBLIC, 'public IPv4'],
  ['93.184.216.34', PUBLIC, 'public IPv4'],
  ['2606:4700:4700::1111', PUBLIC, 'public IPv6'],
  ['::ffff:8.8.8.8', PUBLIC, 'IPv4-mapped public'],
  ['::ffff:808:808', PUBLIC, 'IPv4-mapped public, hex form'],
  ['64:ff9b::808:808', PUBLIC, 'NAT64 of a public IPv4'],
  ['2002:808:808::1', PUBLIC, '6to4 of a public IPv4'],
  ['2001:0:808:808::fefe:fefe', PUBLIC, 'Teredo: server 8.8.8.8, client 1.1.1.1'],

  ['127.0.0.1', LOCAL, 'loopback'],
  ['127.0.0.2', LOCAL, 'loopback, not .1'],
  ['10.0.0.1', LOCAL, 'RFC 1918'],
  ['172.16.5.4', LOCAL, 'RFC 1918'],
  ['192.168.1.1', LOCAL, 'RFC 1918'],
  ['100.64.0.1', LOCAL, 'carrier-grade NAT'],
  ['::1', LOCAL, 'IPv6 loopback'],
  ['::ffff:127.0.0.1', LOCAL, 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', LOCAL, 'IPv4-mapped loopback, hex form (as URLs write it)'],
  ['::ffff:10.1.2.3', LOCAL, 'IPv4-mapped RFC 1918'],
  ['fc00::1', LOCAL, 'unique local'],
  ['fd12:3456::1', LOCAL, 'unique local'],
  ['64:ff9b::7f00:1', LOCAL, 'NAT64 of loopback'],
  ['2002:7f00:1::1', LOCAL, '6to4 of loopback'],
  ['2002:c0a8:101::1', LOCAL, '6to4 of 192.168.1.1'],
  ['2001:0:7f00:1::fefe:fefe', LOCAL, 'Teredo with server 127.0.0.1'],
  ['2001:0:808:808::80ff:fffe', LOCAL, 'Teredo with client 127.0.0.1'],

  ['0.0.0.0', NEVER, 'unspecified (reaches this machine on Linux)'],
  ['0.1.2.3', NEVER, '"this network"'],
  ['::', NEVER, 'IPv6 unspecified (reaches this machine on Linux)'],
  ['169.254.169.254', NEVER, 'metadata (AWS, GCP, Azure)'],
  ['169.254.0.1', NEVER, 'link-local'],
  ['100.100.100.200', NEVER, 'metadata (Alibaba), inside carrier-grade NAT'],
  ['fd00:ec2::254', NEVER, 'metadata (AWS IPv6), inside unique local'],
  ['::ffff:169.254.169.254', NEVER, 'IPv4-mapped metadata'],
  ['::ffff:0.0.0.0', NEVER, 'IPv4-mapped unspecified'],
  ['64:ff9b::a9fe:a9fe', NEVER, 'NAT64 of metadata'],
  ['64:ff9b:1::808:808', NEVER, 'local-use NAT64 prefix (RFC 8215)'],
  ['2002:a9fe:a9fe::1', NEVER, '6to4 of metadata'],
  ['::127.0.0.1', NEVER, 'IPv4-compatible (deprecated)'],
  ['::8.8.8.8', NEVER, 'IPv4-compatible, even of a public address'],
  ['224.0.0.1', NEVER, 'multicast'],
  ['239.255.255.250', NEVER, 'multicast (SSDP)'],
  ['255.255.255.255', NEVER, 'broadcast'],
  ['240.0.0.1', NEVER, 'reserved 240.0.0.0/4'],
  ['198.18.0.1', NEVER, 'benchmarking 198.18.0.0/15'],
  ['198.19.255.254', NEVER, 'benchmarking 198.18.0.0/15'],
  ['192.0.2.10', NEVER, 'documentation'],
  ['192.0.0.8', NEVER, 'IETF protocol assignments'],
  ['fe80::1', NEVER, 'IPv6 link-local'],
  ['fe80::1%eth0', NEVER, 'IPv6 link-local with a zone'],
  ['fec0::1', NEVER, 'deprecated site-local'],
  ['ff02::1', NEVER, 'IPv6 multicast'],
  ['ff05::1:3', NEVER, 'IPv6 multicast'],
  ['2001:db8::1', NEVER, 'IPv6 documentation'],
  ['100::1', NEVER, 'IPv6 discard prefix'],
  ['localhost', NEVER, 'not an address'],
  ['0x7f.1', NEVER, 'not a canonical address'],
  ['', NEVER, 'empty'],
];

test('address rule, switch off: only globally routable unicast', () => {
  const wrong = TABLE.filter(([address, verdict]) => isAddressAllowed(address, false) !== (verdict === PUBLIC));
  assert.deepEqual(wrong.map(([a, v, what]) => `${a} (${what}): expected ${v === PUBLIC ? 'allowed' : 'refused'}`), []);
});

test('address rule, switch on (local emulators): loopback and private too, never the rest', () => {
  const wrong = TABLE.filter(([address, verdict]) => isAddressAllowed(address, true) !== (verdict !== NEVER));
  assert.deepEqual(wrong.map(([a, v, what]) => `${a} (${what}): expected ${v !== NEVER ? 'allowed' : 'refused'}`), []);
});

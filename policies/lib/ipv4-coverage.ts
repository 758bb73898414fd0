// How much of the IPv4 address space a list of CIDR blocks opens, judged by the addresses they cover together (their
// union), not by how they are spelled: ["0.0.0.0/1", "128.0.0.0/1"] opens all of it, as "0.0.0.0/0" does.
// Pure arithmetic, shared by the program's config validation (settings/resolve.ts) and the pack (rule S7).

export const IPV4_ADDRESSES = 2 ** 32;

/** Default largest share of IPv4 a public endpoint may open outside dev: one /16 (65,536 addresses). */
export const DEFAULT_MAX_PUBLIC_SHARE = 2 ** 16 / IPV4_ADDRESSES;

export interface Ipv4Coverage {
  /** Distinct addresses covered by the union of the blocks. */
  readonly addresses: number;
  /** addresses / 2^32. */
  readonly share: number;
  /** Blocks that are not IPv4 CIDRs (a.b.c.d/n), left out of the count. */
  readonly unparsed: string[];
}

/** [first, last] address of a CIDR block (host bits ignored, as AWS masks them), or undefined when not IPv4. */
function rangeOf(cidr: string): [number, number] | undefined {
  const match = /^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})\s*$/.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(address / size) * size;
  return [first, first + size - 1];
}

export function ipv4Coverage(cidrs: ReadonlyArray<string>): Ipv4Coverage {
  const unparsed: string[] = [];
  const ranges: [number, number][] = [];
  for (const cidr of cidrs) {
    const range = rangeOf(cidr);
    if (range) ranges.push(range);
    else unparsed.push(cidr);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let addresses = 0;
  let end = -1;
  for (const [first, last] of ranges) {
    if (last <= end) continue;
    addresses += last - Math.max(first, end + 1) + 1;
    end = last;
  }
  return { addresses, share: addresses / IPV4_ADDRESSES, unparsed };
}

/** "65,536 addresses (0.0015% of IPv4)". */
export function describeCoverage(addresses: number): string {
  const percent = (addresses / IPV4_ADDRESSES) * 100;
  const shown = percent >= 1 ? percent.toFixed(0) : percent >= 0.01 ? percent.toFixed(2) : percent.toPrecision(2);
  return `${addresses.toLocaleString("en-US")} addresses (${shown}% of IPv4)`;
}

/** Addresses in one IPv4 CIDR block (2^(32 - prefix)), or undefined when it is not one. */
export function cidrAddresses(cidr: string): number | undefined {
  const range = rangeOf(cidr);
  return range ? range[1] - range[0] + 1 : undefined;
}

// IPv4 CIDR arithmetic and the subnet layout carved from the VPC range.
import * as pulumi from "@pulumi/pulumi";

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

/** AWS VPC User Guide, "VPC CIDR blocks" and "Subnet sizing": VPCs and subnets span /16 to /28. */
export const AWS_LARGEST_PREFIX = 16;
export const AWS_SMALLEST_PREFIX = 28;

/** EKS network requirements: the cluster needs subnets in at least two Availability Zones. */
export const MIN_ZONES = 2;
/** The layout below gives each private subnet a quarter of the VPC and keeps the last quarter for public subnets. */
export const MAX_ZONES = 3;

export function parseIpv4Cidr(text: string, key: string): Ipv4Cidr {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : NaN;
  if (!match || octets.some((o) => o > 255) || prefix > 32) {
    throw new pulumi.RunError(`${key} "${text}" is not an IPv4 CIDR block; expected a.b.c.d/n, e.g. "10.0.0.0/16"`);
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const base = networkAddress(address, prefix);
  if (base !== address) {
    throw new pulumi.RunError(
      `${key} "${text}" has host bits set; the network address for /${prefix} is "${formatIpv4Cidr({ base, prefix })}"`,
    );
  }
  return { base, prefix };
}

export function formatIpv4Cidr(cidr: Ipv4Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.base / 2 ** shift) % 256);
  return `${octets.join(".")}/${cidr.prefix}`;
}

export function cidrSize(cidr: Ipv4Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

function networkAddress(address: number, prefix: number): number {
  const size = 2 ** (32 - prefix);
  return Math.floor(address / size) * size;
}

/** The `index`-th block of `parent` split into blocks `extraBits` longer (Terraform's cidrsubnet). */
export function subdivide(parent: Ipv4Cidr, extraBits: number, index: number): Ipv4Cidr {
  const prefix = parent.prefix + extraBits;
  if (index < 0 || index >= 2 ** extraBits) {
    throw new RangeError(`block ${index} does not exist when splitting /${parent.prefix} into /${prefix}`);
  }
  return { base: parent.base + index * 2 ** (32 - prefix), prefix };
}

export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.base >= outer.base && inner.base + cidrSize(inner) <= outer.base + cidrSize(outer);
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

export interface SubnetPlan {
  /** Index-aligned with the zones. */
  private: string[];
  public: string[];
}

/**
 * Private subnets take one quarter of the VPC each (they hold every pod IP: the VPC CNI gives pods VPC addresses);
 * the last quarter is split in four for the public subnets, which only hold NAT gateways and load balancers.
 * A /16 gives 3 x /18 private (16,384 addresses each) and 3 x /20 public.
 */
export function planSubnetCidrs(vpcCidr: string, zoneCount: number): SubnetPlan {
  if (!Number.isInteger(zoneCount) || zoneCount < MIN_ZONES || zoneCount > MAX_ZONES) {
    throw new pulumi.RunError(
      `availabilityZones has ${zoneCount} entries; ${MIN_ZONES} or ${MAX_ZONES} are allowed ` +
        `(EKS needs subnets in at least two zones; this layout carves at most three)`,
    );
  }
  const vpc = parseIpv4Cidr(vpcCidr, "vpcCidr");
  if (vpc.prefix < AWS_LARGEST_PREFIX || vpc.prefix > AWS_SMALLEST_PREFIX) {
    throw new pulumi.RunError(
      `vpcCidr "${vpcCidr}" has prefix /${vpc.prefix}; AWS allows VPC blocks from /${AWS_LARGEST_PREFIX} to /${AWS_SMALLEST_PREFIX}`,
    );
  }
  const publicPrefix = vpc.prefix + 4;
  if (publicPrefix > AWS_SMALLEST_PREFIX) {
    throw new pulumi.RunError(
      `vpcCidr "${vpcCidr}" is too small for ${zoneCount * 2} subnets (a private and a public one per zone): ` +
        `it would need private /${vpc.prefix + 2} and public /${publicPrefix} subnets, but AWS subnets must be ` +
        `/${AWS_SMALLEST_PREFIX} or larger; use a VPC prefix of /${AWS_SMALLEST_PREFIX - 4} or shorter, e.g. "10.0.0.0/16"`,
    );
  }
  const publicQuarter = subdivide(vpc, 2, 3);
  const zones = Array.from({ length: zoneCount }, (_, i) => i);
  return {
    private: zones.map((i) => formatIpv4Cidr(subdivide(vpc, 2, i))),
    public: zones.map((i) => formatIpv4Cidr(subdivide(publicQuarter, 2, i))),
  };
}

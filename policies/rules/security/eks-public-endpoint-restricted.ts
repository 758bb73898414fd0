// In staging and prod the EKS API must not be reachable from the whole internet.
import { describeEnvironment } from "../../lib/environment";
import { environmentScopedRule, EnvironmentScopedConfig } from "../../lib/scoped-rule";
import { TYPES } from "../../lib/types";
import { DEFAULT_MAX_PUBLIC_SHARE, describeCoverage, IPV4_ADDRESSES, ipv4Coverage } from "../../lib/ipv4-coverage";
import { isUnknown } from "../../lib/unknown";

interface Config extends EnvironmentScopedConfig {
  maxPublicShare: number;
}

/** IPv6 blocks EKS accepts in publicAccessCidrs are judged by spelling: only the all-addresses block is refused. */
const OPEN_IPV6 = "::/0";

export const eksPublicEndpointRestricted = environmentScopedRule<Config>(
  {
    name: "eks-public-endpoint-restricted",
    rule: "S7",
    description:
      "In staging and prod the EKS public API endpoint must be disabled or restricted to known CIDRs opening at most maxPublicShare of IPv4 together (one /16 by default)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set vpcConfig.endpointPublicAccess: false (with endpointPrivateAccess: true), or list only the office/VPN/CI egress CIDRs in vpcConfig.publicAccessCidrs.",
    url: "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html (@pulumi/aws eks.Cluster vpcConfig: public access defaults to true and 0.0.0.0/0)",
    tags: ["security", "aws", "eks"],
    judgedPerResource: true,
    configSchema: {
      properties: {
        maxPublicShare: {
          type: "number",
          exclusiveMinimum: 0,
          maximum: 1,
          default: DEFAULT_MAX_PUBLIC_SHARE,
          description: "Largest share of the IPv4 space the CIDRs may open together",
        },
      },
    },
  },
  ["staging", "prod"],
  (stack, ctx, env) => {
    for (const cluster of stack.ofType(TYPES.eksCluster)) {
      const vpc = cluster.props.get("vpcConfig");
      const publicAccess = vpc.get("endpointPublicAccess").boolean();
      const cidrs = vpc.get("publicAccessCidrs").items();
      ctx.known([publicAccess ?? true, cidrs ?? []], (isPublic, cidrNodes) => {
        if (!isPublic) return;
        const values = cidrNodes.map((n) => n.string());
        const unknown = values.find(isUnknown);
        if (unknown) return ctx.inconclusive(unknown);
        // Judged by the addresses the blocks open together, not by spelling (0.0.0.0/1 + 128.0.0.0/1 is 0.0.0.0/0).
        const cidrs = values.length === 0 ? ["0.0.0.0/0"] : (values as string[]);
        const opened = ipv4Coverage(cidrs.filter((c) => c !== OPEN_IPV6));
        const ipv6Open = cidrs.includes(OPEN_IPV6);
        const allowed = Math.floor(ctx.config.maxPublicShare * IPV4_ADDRESSES);
        if (opened.addresses <= allowed && !ipv6Open) return;
        const shown = values.length === 0 ? "none (EKS default 0.0.0.0/0)" : cidrs.join(", ");
        ctx.violation(
          `EKS Cluster "${cluster.name}" vpcConfig.endpointPublicAccess=${publicAccess ?? "true (default)"} with publicAccessCidrs ${shown} ` +
            `opening ${ipv6Open ? "every IPv6 address and " : ""}${describeCoverage(opened.addresses)} in ${describeEnvironment(env)}, more than the ${describeCoverage(allowed)} allowed (maxPublicShare): ` +
            `the Kubernetes API of this environment is reachable from ${opened.share >= 0.5 || ipv6Open ? "most of the internet" : "far more networks than its operators"}. ` +
            `Fix: set endpointPublicAccess: false or restrict publicAccessCidrs to known networks.`,
          cluster.urn,
        );
      });
    }
  },
);

// In staging and prod the EKS API must not be reachable from the whole internet.
import { enforcedEnvironmentsSchema, Environment, environmentOverrideSchema } from "../../lib/config";
import { describeEnvironment, ruleApplies, stackEnvironment } from "../../lib/environment";
import { stackRule } from "../../lib/policy";
import { TYPES } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

interface Config {
    environment?: Environment;
    environments: Environment[];
}

const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];

export const eksPublicEndpointRestricted = stackRule<Config>(
    {
        name: "eks-public-endpoint-restricted",
        rule: "S7",
        description: "In staging and prod the EKS public API endpoint must be disabled or restricted to known CIDRs (not 0.0.0.0/0)",
        enforcementLevel: "mandatory",
        severity: "high",
        remediationSteps: "Set vpcConfig.endpointPublicAccess: false (with endpointPrivateAccess: true), or list the office/VPN CIDRs in vpcConfig.publicAccessCidrs.",
        url: "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html (@pulumi/aws eks.Cluster vpcConfig: public access defaults to true and 0.0.0.0/0)",
        tags: ["security", "aws", "eks"],
        judgedPerResource: true,
        configSchema: { properties: { environment: environmentOverrideSchema, environments: enforcedEnvironmentsSchema(["staging", "prod"]) } },
    },
    (stack, ctx) => {
        const env = stackEnvironment(stack, ctx.config.environment);
        if (!ruleApplies(env, ctx.config.environments)) return;
        for (const cluster of stack.ofType(TYPES.eksCluster)) {
            const vpc = cluster.props.get("vpcConfig");
            const publicAccess = vpc.get("endpointPublicAccess").boolean();
            const cidrs = vpc.get("publicAccessCidrs").items();
            ctx.known([publicAccess ?? true, cidrs ?? []], (isPublic, cidrNodes) => {
                if (!isPublic) return;
                const values = cidrNodes.map((n) => n.string());
                const unknown = values.find(isUnknown);
                if (unknown) return ctx.inconclusive(unknown);
                const open = values.length === 0 ? ["0.0.0.0/0 (EKS default when publicAccessCidrs is empty)"] : (values as string[]).filter((c) => OPEN_CIDRS.includes(c));
                if (open.length === 0) return;
                ctx.violation(
                    `EKS Cluster "${cluster.name}" vpcConfig.endpointPublicAccess=${publicAccess ?? "true (default)"} with publicAccessCidrs ${open.join(", ")} in ${describeEnvironment(env)}: ` +
                        `the Kubernetes API of this environment is reachable from the whole internet. Fix: set endpointPublicAccess: false or restrict publicAccessCidrs to known networks.`,
                    cluster.urn,
                );
            });
        }
    },
);

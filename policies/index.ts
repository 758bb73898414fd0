// The CrossGuard pack: `pulumi preview --policy-pack policies [--policy-pack-config <file>]`.
// Only builds the pack; the policies live in rules/ (see README.md for what each checks and how to configure it).
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./rules";

new PolicyPack("observability-stack", {
  description:
    "Rejects observability-stack configurations whose components contradict each other (Kafka vs Mimir, retention chain, Loki, S3 and EKS security).",
  enforcementLevel: "advisory",
  policies,
});

// K24 (HARD, Kafka never reconciles): a Kafka CR that turns off Strimzi's own certificate authority must come with
// the CA's Secrets.
// - `spec.clusterCa.generateCertificateAuthority: false` (or `clientsCa`) tells the operator to use a user-provided
//   CA: it reads the Secrets `<cluster>-cluster-ca-cert` and `<cluster>-cluster-ca` (`<cluster>-clients-ca-cert`,
//   `<cluster>-clients-ca`) from the Kafka namespace (strimzi-kafka-operator api KafkaResources
//   clusterCaCertificateSecretName / clusterCaKeySecretName / clientsCa*). Without them every reconcile fails with
//   InvalidResourceException "Cluster CA should not be generated, but the secrets were not found." (cluster-operator
//   assembly/CustomCaProvider.java createAndReconcileCa), so no broker or controller pod is created or rolled, the
//   KafkaTopic and KafkaUser never become ready and Mimir has no Kafka to write to.
// - The Strimzi docs ("Installing your own CA certificates and private keys") create both Secrets before the Kafka
//   resource. The stack must therefore declare them (kubernetes:core/v1:Secret in the Kafka namespace): a stack that
//   relies on Secrets made by hand outside it cannot be recreated, and a new stack fails on its first update.
import { stackRule } from "../../lib/policy";
import { TYPES } from "../../lib/types";
import { known } from "../../lib/unknown";

const CAS = [
  { field: "clusterCa", role: "Cluster CA", secrets: (c: string) => [`${c}-cluster-ca-cert`, `${c}-cluster-ca`] },
  { field: "clientsCa", role: "Clients CA", secrets: (c: string) => [`${c}-clients-ca-cert`, `${c}-clients-ca`] },
] as const;

export const customCaSecretsDeclared = stackRule<object>(
  {
    name: "kafka-custom-ca-secrets-declared",
    rule: "K24",
    description:
      "A Kafka CR with clusterCa or clientsCa generateCertificateAuthority: false comes with that CA's two Secrets, declared by the stack in the Kafka namespace",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Keep generateCertificateAuthority true (Strimzi's default), or declare the CA's Secrets <cluster>-cluster-ca-cert (ca.crt) and " +
      "<cluster>-cluster-ca (ca.key) (clients: -clients-ca-cert, -clients-ca) in the Kafka namespace, labelled for the cluster as Strimzi's docs show.",
    url: "https://strimzi.io/docs/operators/latest/deploying#installing-your-own-ca-certificates-str (CustomCaProvider.createAndReconcileCa)",
    tags: ["kafka", "strimzi", "security"],
  },
  (stack, ctx) => {
    const declared = new Set<string>();
    for (const secret of stack.ofType(TYPES.kubernetesSecret)) {
      const meta = secret.props.get("metadata");
      const name = meta.get("name").isUnknown ? undefined : known(meta.get("name").string());
      const ns = meta.get("namespace").isUnknown ? undefined : known(meta.get("namespace").string());
      if (name) declared.add(`${ns || "default"}/${name}`);
    }
    for (const kafka of stack.strimzi("Kafka")) {
      const namespace = kafka.namespace ?? "default";
      for (const ca of CAS) {
        const node = kafka.spec.at(`${ca.field}.generateCertificateAuthority`);
        const generate = node.boolean();
        if (generate === undefined || known(generate) !== false) continue;
        const missing = ca.secrets(kafka.name).filter((s) => !declared.has(`${namespace}/${s}`));
        if (missing.length === 0) continue;
        ctx.violation(
          `${node.where}=false but the stack declares no Secret ${missing.join(" or ")} in namespace ${namespace}: Strimzi then ` +
            `refuses every reconcile of ${kafka.label} ("${ca.role} should not be generated, but the secrets were not found."), ` +
            `so no broker or controller pod is created or rolled, its topics and users never become ready and Mimir cannot write. ` +
            `Fix: remove ${ca.field}.generateCertificateAuthority (Strimzi generates the CA), or declare both Secrets in the stack.`,
          kafka.resource.urn,
        );
      }
    }
  },
);

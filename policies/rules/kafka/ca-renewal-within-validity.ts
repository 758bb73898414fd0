// K29 (HARD, endless rolling restart): a CA Strimzi generates must be valid for longer than its renewal period.
// - Strimzi 1.2.0 operator-common ca/CaConfig: validityDays and renewalDays come from the Kafka CR's spec.clusterCa /
//   spec.clientsCa when > 0, else api CertificateAuthority.DEFAULT_CERTS_VALIDITY_DAYS (365) and
//   DEFAULT_CERTS_RENEWAL_DAYS (30); the CRD (040-Crd-kafka.yaml) only asks for minimum 1 each and, unlike KafkaUser's,
//   has no rule relating them.
// - ca/InternalCa.certNeedsRenewal: renewal is due when now is after notAfter - renewalDays. With renewalDays >=
//   validityDays that instant is at or before the certificate's issue, so every reconciliation (the operator's default
//   STRIMZI_FULL_RECONCILIATION_INTERVAL_MS is 2 minutes) finds the new CA certificate "Within renewal period" and
//   renews it again (InternalCa renewalType RENEW_CERT, or REPLACE_KEY with certificateExpirationPolicy replace-key;
//   only postponed to maintenanceTimeWindows when those are set).
// - Each renewal rolls every broker and controller to trust it (cluster-operator ReconcilerUtils reasonsToRestartPod:
//   RestartReason CA_CERT_RENEWED / CA_CERT_HAS_OLD_GENERATION): a rolling restart that never ends, partition leaders
//   moving all the time and Mimir's distributors and ingesters reconnecting and retrying.
// - A CA the user provides (generateCertificateAuthority: false) is not renewed by Strimzi (it only warns), so it is
//   not judged here.
import { stackRule } from "../../lib/policy";

/** api CertificateAuthority DEFAULT_CERTS_VALIDITY_DAYS / DEFAULT_CERTS_RENEWAL_DAYS (Strimzi 1.2.0). */
export const STRIMZI_CA_DEFAULTS = { validityDays: 365, renewalDays: 30 } as const;

export const caRenewalWithinValidity = stackRule<object>(
  {
    name: "kafka-ca-renewal-within-validity",
    rule: "K29",
    description:
      "A cluster or clients CA Strimzi generates is valid for longer than its renewal period (validityDays > renewalDays, defaults 365 and 30): otherwise Strimzi renews it on every reconciliation and rolls every Kafka pod each time",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep spec.clusterCa / spec.clientsCa renewalDays well below validityDays (e.g. validityDays 90 with renewalDays 30, or lower renewalDays with a short validity).",
    url: "https://github.com/strimzi/strimzi-kafka-operator/blob/1.2.0/operator-common/src/main/java/io/strimzi/operator/common/ca/InternalCa.java (certNeedsRenewal)",
    tags: ["kafka", "strimzi", "security"],
  },
  (stack, ctx) => {
    for (const kafka of stack.strimzi("Kafka")) {
      for (const field of ["clusterCa", "clientsCa"] as const) {
        const ca = kafka.spec.get(field);
        const generate = ca.get("generateCertificateAuthority");
        const validityNode = ca.get("validityDays");
        const renewalNode = ca.get("renewalDays");
        const unknown = [generate, validityNode, renewalNode].find((n) => n.isUnknown);
        if (unknown) {
          ctx.inconclusive(unknown.unknown());
          continue;
        }
        if (generate.boolean() === false) continue;
        const validity = validityNode.number();
        const renewal = renewalNode.number();
        // CaConfig: a value <= 0 (or absent) falls back to the default.
        const v = typeof validity === "number" && validity > 0 ? validity : STRIMZI_CA_DEFAULTS.validityDays;
        const r = typeof renewal === "number" && renewal > 0 ? renewal : STRIMZI_CA_DEFAULTS.renewalDays;
        if (r < v) continue;
        const vText =
          typeof validity === "number" && validity > 0
            ? `${validityNode.where}=${v}`
            : `validityDays ${v} (Strimzi default)`;
        const rText =
          typeof renewal === "number" && renewal > 0
            ? `${renewalNode.where}=${r}`
            : `renewalDays ${r} (Strimzi default)`;
        ctx.violation(
          `${vText} is not longer than ${rText}: Strimzi renews the ${field === "clusterCa" ? "cluster" : "clients"} CA certificate once ` +
            `now is after its expiry minus renewalDays (InternalCa.certNeedsRenewal), which is already true when it is issued, so every ` +
            `reconciliation of ${kafka.label} (every 2 minutes by default) renews it again and rolls the Kafka pods to trust ` +
            `it (RestartReason CA_CERT_RENEWED): a rolling restart that never ends, with partition leaders moving and Mimir's writers and ` +
            `ingesters reconnecting. Fix: set renewalDays below validityDays (e.g. validityDays ${Math.max(v, r + 30)} with renewalDays ${r}, ` +
            `or renewalDays ${Math.max(1, Math.floor(v / 3))} with validityDays ${v}).`,
          kafka.resource.urn,
        );
      }
    }
  },
);

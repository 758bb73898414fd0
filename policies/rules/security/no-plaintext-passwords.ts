// Passwords belong in Kubernetes Secrets (referenced by existingSecret, secretKeyRef or ${VAR} expansion), not in values.
import { findCredentials } from "../../lib/credentials";
import { mimirReleases, MIMIR_CHART_DEFAULTS } from "../../lib/mimir";
import { stackRule } from "../../lib/policy";

export const noPlaintextPasswords = stackRule<object>(
  {
    name: "no-plaintext-passwords",
    rule: "S5",
    description: "No plaintext passwords in Helm values or Kubernetes resources (chart defaults included)",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Keep the password in a Kubernetes Secret and reference it (grafana.admin.existingSecret, env valueFrom.secretKeyRef, or ${VAR} with -config.expand-env); " +
      "set minio.enabled: false in mimir-distributed on AWS.",
    url: "https://kubernetes.io/docs/concepts/configuration/secret/ (charts.md: grafana.admin.existingSecret; mimir-distributed minio defaults)",
    tags: ["security"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    const scanned = findCredentials(stack);
    scanned.unknowns.forEach((u) => ctx.inconclusive(u));
    for (const finding of scanned.findings.filter((f) => f.kind === "password")) {
      ctx.violation(
        `${finding.where} ${finding.detail} (value not shown): Helm stores values in its release record and the chart renders them into ConfigMaps or pod specs, ` +
          `readable by anyone with read access to the namespace. Fix: move it into a Kubernetes Secret and reference it.`,
        finding.urn,
      );
    }
    // mimir-distributed 6.0.x: minio.enabled defaults to true with rootPassword "supersecret" (values excerpt), wired into Mimir's storage config.
    for (const mimir of mimirReleases(stack)) {
      ctx.known(
        [mimir.release.values.at("minio.enabled").boolean() ?? MIMIR_CHART_DEFAULTS.minioEnabled],
        (enabled) => {
          if (!enabled) return;
          ctx.violation(
            `${mimir.label} values.minio.enabled is ${mimir.release.values.at("minio.enabled").isPresent ? "true" : "absent (chart default true)"}: the chart deploys its bundled MinIO ` +
              `with the default rootPassword from its values and writes the matching static keys into Mimir's config. Fix: set minio.enabled: false and use S3 through IRSA.`,
            mimir.urn,
          );
        },
      );
    }
  },
);

// S13 (HARD, every object operation refused): Mimir and Loki must reach the stack's buckets over HTTPS.
// - Every bucket of the stack denies requests without TLS (bucket policy Deny s3:* on aws:SecureTransport false: S3
//   requires it and the program writes it, components/buckets/policy.ts). S3 answers such a request 403 AccessDenied
//   (AWS docs, "Amazon S3 condition key examples": aws:SecureTransport).
// - `insecure: true` makes the clients speak plain HTTP: Mimir's S3 client "use http:// for the S3 endpoint instead
//   of https://" (Mimir configuration reference, -<prefix>.s3.insecure; grafana/mimir pkg/storage/bucket/s3/config.go),
//   Loki's "Disable https on s3 connection" (Loki configuration reference, aws_storage_config insecure; the loki
//   chart 18.11.0 passes loki.storage.s3.insecure through to common.storage.s3 and the ruler's s3 config,
//   templates/_helpers.tpl loki.lokiStorageConfig.s3).
// - Then ingesters cannot ship blocks or chunks, store-gateways and queriers cannot read, the compactor stops, and
//   rules and alertmanager state cannot be loaded: data piles up on local disks until it is lost.
import { BucketView, bucketViews } from "../../lib/buckets";
import { lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { PropNode } from "../../lib/node";
import { deniesPlainHttp, parsePolicyDocument, statements } from "../../lib/policy-document";
import { RuleContext, stackRule } from "../../lib/policy";
import { BucketRole } from "../../lib/types";
import { known } from "../../lib/unknown";

/** The stack's bucket a client names (by name; by role when the name is not set or not known yet). */
function bucketFor(buckets: BucketView[], name: PropNode[], role: BucketRole): BucketView | undefined {
  const text = name.map((n) => (n.isUnknown ? undefined : known(n.string()))).find((v) => v);
  return text ? buckets.find((b) => b.name === text) : buckets.find((b) => b.role === role);
}

/** Whether the bucket denies plain HTTP (an undecided policy document counts as not known: no finding). */
function tlsOnly(ctx: RuleContext<object>, bucket: BucketView): boolean {
  let denies = false;
  for (const policy of bucket.policies)
    ctx.known([parsePolicyDocument(policy)], (document) => {
      const name = typeof bucket.name === "string" ? bucket.name : undefined;
      if (statements(document).some((s) => deniesPlainHttp(s, name))) denies = true;
    });
  return denies;
}

function firstTrue(nodes: PropNode[]): PropNode | undefined {
  return nodes.find((n) => !n.isUnknown && known(n.boolean()) === true);
}

const CONSEQUENCE =
  "S3 refuses every plain-HTTP request to it (403 AccessDenied), so no block or chunk is shipped or read, the compactor " +
  "stops and rules cannot load: data piles up on the components' disks until it is lost.";

export const storageClientsUseTls = stackRule<object>(
  {
    name: "storage-clients-use-tls",
    rule: "S13",
    description:
      "Mimir's and Loki's S3 clients must not set insecure: true (plain HTTP) against the stack's buckets, which deny every request without TLS",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Remove `insecure: true` from the Mimir storage sections (common.storage.s3, blocks_storage.s3, ruler_storage.s3, alertmanager_storage.s3) " +
      "and from Loki's loki.storage.s3 / storage_config.aws / common.storage.s3: S3 speaks HTTPS.",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html#example-bucket-policies-use-case-7 (aws:SecureTransport)",
    tags: ["security", "s3", "mimir", "loki"],
  },
  (stack, ctx) => {
    const buckets = bucketViews(stack);
    // One finding per setting, naming every bucket it cuts off.
    const found = new Map<string, { urn: string; reached: string[] }>();
    const judge = (flag: PropNode | undefined, bucket: BucketView | undefined, urn: string, who: string) => {
      if (!flag || !bucket || !tlsOnly(ctx, bucket)) return;
      const entry = found.get(flag.where) ?? { urn, reached: [] };
      entry.reached.push(`${who} to ${bucket.label}`);
      found.set(flag.where, entry);
    };
    for (const mimir of mimirReleases(stack)) {
      const sections: Array<[string, BucketRole]> = [
        ["blocks_storage", "mimirBlocks"],
        ["ruler_storage", "mimirRuler"],
        ["alertmanager_storage", "mimirAlertmanager"],
      ];
      for (const [section, role] of sections) {
        const own = mimir.structuredNode(`${section}.s3`);
        const common = mimir.structuredNode("common.storage.s3");
        // A section's own value wins over common.storage (Mimir common config, "inherited unless set").
        const flag = own.get("insecure").isPresent
          ? firstTrue([own.get("insecure")])
          : firstTrue([common.get("insecure")]);
        judge(
          flag,
          bucketFor(buckets, [own.get("bucket_name"), common.get("bucket_name")], role),
          mimir.urn,
          `Mimir's ${section}`,
        );
      }
    }
    for (const loki of lokiReleases(stack)) {
      const values = loki.values;
      const flag = firstTrue([
        values.at("loki.storage.s3.insecure"),
        values.at("loki.structuredConfig.common.storage.s3.insecure"),
        values.at("loki.structuredConfig.storage_config.aws.insecure"),
      ]);
      const chunks = values.at("loki.storage.bucketNames.chunks");
      judge(flag, bucketFor(buckets, [chunks], "lokiChunks"), loki.urn, "Loki");
    }
    for (const [where, { urn, reached }] of found)
      ctx.violation(
        `${where}=true makes ${reached.join(", ")} speak plain HTTP, but the stack's bucket policies deny requests without TLS ` +
          `(aws:SecureTransport false): ${CONSEQUENCE} Fix: remove insecure (false, the default).`,
        urn,
      );
  },
);

// R2 (HARD data loss, INFERRED for Mimir): S3 must not expire Mimir blocks the bucket index still lists,
// nor the cluster seed, ruler or alertmanager objects.
import { BucketView, bucketViews, expirationRules, findBucket, prefixesOverlap } from "../../lib/buckets";
import { DAY_MS, formatDuration } from "../../lib/duration";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { Maybe, show, showDuration, Sourced } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { BucketRole } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

interface Config {
  safetyMarginDays: number;
}

type Section = "blocks_storage" | "ruler_storage" | "alertmanager_storage";
const ROLE: Record<Section, BucketRole> = {
  blocks_storage: "mimirBlocks",
  ruler_storage: "mimirRuler",
  alertmanager_storage: "mimirAlertmanager",
};

function joinPrefix(prefix: string, rest: string): string {
  return prefix === "" ? rest : `${prefix.replace(/\/+$/, "")}/${rest}`;
}

function sectionBucket(
  ctx: RuleContext<Config>,
  mimir: MimirRelease,
  section: Section,
  buckets: BucketView[],
): { bucket?: BucketView; prefix: string } | undefined {
  const name = [
    mimir.structuredNode(`${section}.s3.bucket_name`),
    mimir.structuredNode("common.storage.s3.bucket_name"),
  ]
    .map((n) => n.string())
    .find((v) => v !== undefined && v !== "");
  const prefix = mimir.string(`${section}.storage_prefix`);
  if (isUnknown(prefix)) return void ctx.inconclusive(prefix);
  const bucket = findBucket(buckets, name, ROLE[section]);
  if (!bucket && isUnknown(name)) return void ctx.inconclusive(name);
  return { bucket, prefix: prefix.value };
}

/** Retention that applies under a rule prefix: the tenant's override when the prefix names one tenant, else the longest. 0 = forever. */
function retentionFor(
  rulePrefix: string,
  blocksPrefix: string,
  retentions: Array<{ tenant?: string; value: Sourced<number> }>,
): Sourced<number> & { tenant?: string } {
  const rest = rulePrefix.startsWith(joinPrefix(blocksPrefix, ""))
    ? rulePrefix.slice(joinPrefix(blocksPrefix, "").length)
    : "";
  const tenant = rest.includes("/") ? rest.split("/")[0] : undefined;
  const own = tenant === undefined ? undefined : retentions.find((r) => r.tenant === tenant);
  if (own) return { ...own.value, tenant };
  const candidates = tenant === undefined ? retentions : retentions.filter((r) => r.tenant === undefined);
  return (
    candidates.find((r) => r.value.value === 0)?.value ??
    candidates.reduce((a, b) => (b.value.value > a.value.value ? b : a)).value
  );
}

export const mimirBucketLifecycleOutlivesRetention = stackRule<Config>(
  {
    name: "mimir-bucket-lifecycle-outlives-retention",
    rule: "R2",
    description:
      "An S3 lifecycle expiration on Mimir's blocks bucket must outlive retention + deletion_delay + cleanup_interval + 1 day, and never touch __mimir_cluster/, ruler or alertmanager objects",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Remove the expiration (Mimir's compactor applies compactor_blocks_retention_period itself) or make it longer than retention + compactor.deletion_delay + " +
      "compactor.cleanup_interval + bucket_index.max_stale_period, scoped to tenant prefixes; never expire __mimir_cluster/, ruler or alertmanager storage.",
    url: "https://grafana.com/docs/mimir/latest/manage/mimir-runbooks/#err-mimir-store-consistency-check-failed (conflict-rules.md R2, INFERRED)",
    tags: ["mimir", "retention", "s3"],
    configSchema: {
      properties: {
        safetyMarginDays: {
          type: "integer",
          minimum: 0,
          default: 0,
          description:
            "Days added to retention + deletion_delay + cleanup_interval + the bucket index's max_stale_period (a margin of your own: S3 only ever expires later than that).",
        },
      },
    },
  },
  (stack, ctx) => {
    const buckets = bucketViews(stack);
    for (const mimir of mimirReleases(stack)) {
      const blocks = sectionBucket(ctx, mimir, "blocks_storage", buckets);
      if (!blocks?.bucket) continue;
      const others = (["ruler_storage", "alertmanager_storage"] as const).map((section) => ({
        section,
        at: sectionBucket(ctx, mimir, section, buckets),
      }));
      const protectedPrefixes: Array<{ prefix: string; what: string }> = [
        { prefix: joinPrefix(blocks.prefix, "__mimir_cluster/"), what: "__mimir_cluster/ (the cluster seed)" },
      ];
      for (const { section, at } of others) {
        if (!at?.bucket) continue;
        if (at.bucket === blocks.bucket)
          protectedPrefixes.push({
            prefix: at.prefix === "" ? "" : joinPrefix(at.prefix, ""),
            what: `${section} objects${at.prefix ? ` under ${at.prefix}/` : ""}`,
          });
        else checkNeverExpired(ctx, mimir, { bucket: at.bucket, prefix: at.prefix }, section);
      }
      const retentionInputs: Array<{ tenant?: string; value: Maybe<Sourced<number>> }> = [
        { value: mimir.duration("limits.compactor_blocks_retention_period") },
        ...mimir.tenantDurations("compactor_blocks_retention_period"),
      ];
      // A block past retention is marked within one cleanup_interval, deleted deletion_delay later, and the bucket
      // index without it reaches the queriers within max_stale_period (Mimir config descriptor: queriers refuse an
      // older index, "bucket index is too old"). S3 counts days from the object's creation, never before the block's
      // data ends, and rounds up to midnight UTC (AWS docs, "Lifecycle configuration elements"), so it expires later.
      const delays = [
        mimir.duration("compactor.deletion_delay"),
        mimir.duration("compactor.cleanup_interval"),
        mimir.duration("blocks_storage.bucket_store.bucket_index.max_stale_period"),
      ] as const;
      for (const lifecycle of blocks.bucket.lifecycles) {
        ctx.known(
          [expirationRules(lifecycle), delays[0], delays[1], delays[2], ...retentionInputs.map((r) => r.value)],
          (rules, deletionDelay, cleanup, stale, ...retentionValues) => {
            const retentions = retentionInputs.map((r, i) => ({
              tenant: r.tenant,
              value: retentionValues[i] as Sourced<number>,
            }));
            for (const rule of rules) {
              const hit = protectedPrefixes.find((p) => prefixesOverlap(rule.prefix.value, p.prefix));
              if (hit) {
                ctx.violation(
                  `INFERRED: ${rule.where} on ${blocks.bucket!.label} (${show(rule.prefix)}, ${show(rule.days)} days) also expires ${hit.what}, ` +
                    `which Mimir never rewrites: once S3 deletes it, ${hit.what.startsWith("__mimir") ? "Mimir loses its cluster identity" : "rules, alerts or silences are lost"}. ` +
                    `Fix: scope the rule to tenant block prefixes (filter.prefix "<tenant>/") that exclude it.`,
                  lifecycle.urn,
                );
                continue;
              }
              const retention = retentionFor(rule.prefix.value, blocks.prefix, retentions);
              const tenantText = retention.tenant ? ` for tenant "${retention.tenant}"` : "";
              if (retention.value === 0) {
                ctx.violation(
                  `INFERRED: ${rule.where} on ${blocks.bucket!.label} expires objects after ${rule.days.value} days, but ${show(retention)}${tenantText} keeps blocks forever: ` +
                    `S3 deletes blocks the bucket index still lists and queries fail with err-mimir-store-consistency-check-failed. ` +
                    `Fix: remove the expiration, or set compactor_blocks_retention_period and keep the expiration longer than it.`,
                  lifecycle.urn,
                );
                continue;
              }
              const neededMs =
                retention.value +
                deletionDelay.value +
                cleanup.value +
                stale.value +
                ctx.config.safetyMarginDays * DAY_MS;
              if (rule.days.value * DAY_MS > neededMs) continue;
              ctx.violation(
                `INFERRED: ${show(rule.days)} days on ${blocks.bucket!.label} <= ${showDuration(retention)}${tenantText} + ${show(deletionDelay)} + ${show(cleanup)} + ` +
                  `${show(stale)}${ctx.config.safetyMarginDays > 0 ? ` + ${ctx.config.safetyMarginDays}d margin` : ""} = ${formatDuration(neededMs)}: S3 deletes blocks the compactor has not yet removed from the bucket ` +
                  `index, and queries fail with err-mimir-store-consistency-check-failed. Fix: expire after more than ${Math.ceil(neededMs / DAY_MS)} days or remove the rule.`,
                lifecycle.urn,
              );
            }
          },
        );
      }
    }
  },
);

/**
 * Where Mimir writes in the rule and alertmanager stores, under the store's storage_prefix:
 * pkg/ruler/rulestore/bucketclient/bucket_client.go RulesPrefix "rules" (rules/<tenant>/<namespace>/<group>);
 * pkg/alertmanager/alertstore/bucketclient/bucket_client.go AlertsPrefix "alerts" (alerts/<tenant>),
 * AlertmanagerPrefix "alertmanager" (alertmanager/<tenant>/fullstate), GrafanaAlertmanagerPrefix
 * "grafana_alertmanager". A rule scoped elsewhere (say to "<tenant>/") matches none of Mimir's objects.
 */
const STORE_OBJECT_PREFIXES: Record<"ruler_storage" | "alertmanager_storage", string[]> = {
  ruler_storage: ["rules/"],
  alertmanager_storage: ["alerts/", "alertmanager/", "grafana_alertmanager/"],
};

function checkNeverExpired(
  ctx: RuleContext<Config>,
  mimir: MimirRelease,
  store: { bucket: BucketView; prefix: string },
  section: "ruler_storage" | "alertmanager_storage",
): void {
  const objectPrefixes = STORE_OBJECT_PREFIXES[section].map((p) => joinPrefix(store.prefix, p));
  for (const lifecycle of store.bucket.lifecycles) {
    ctx.known([expirationRules(lifecycle)], (rules) => {
      for (const rule of rules) {
        if (!objectPrefixes.some((p) => prefixesOverlap(rule.prefix.value, p))) continue;
        ctx.violation(
          `INFERRED: ${rule.where} (${show(rule.prefix)}) expires objects of ${store.bucket.label}, the ${section} of ${mimir.label}, after ${rule.days.value} days: ` +
            `Mimir keeps ${section === "ruler_storage" ? "rule groups" : "alertmanager configurations and silences"} under ${objectPrefixes.join(", ")} until changed, so they would silently disappear. ` +
            `Fix: remove the expiration from this bucket.`,
          lifecycle.urn,
        );
      }
    });
  }
}

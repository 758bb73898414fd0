// M19 (HARD, data loss): ingesters must ship their TSDB blocks to object storage.
// - blocks_storage.tsdb.ship_interval: "How frequently the TSDB blocks are scanned and new ones are shipped to the
//   storage. 0 means shipping is disabled." (Mimir config descriptor, default 1m; pkg/storage/tsdb/config.go
//   `IsBlocksShippingEnabled() bool { return cfg.ShipInterval > 0 }`, so a negative value disables it too).
// - Without a shipper an ingester deletes its local blocks once they are older than the TSDB retention
//   (pkg/ingester/user_tsdb.go blocksToDelete: with `u.shipper == nil` every block created before
//   `now - blockMinRetention` is deletable; with a shipper only blocks already shipped are).
// So with shipping off no block ever reaches the bucket: store-gateways and the compactor see nothing, and every
// sample older than blocks_storage.tsdb.retention_period (13h by default) is deleted for good. Mimir starts fine.
import { formatDuration, parseDurationMs } from "../../lib/duration";
import { mimirReleases } from "../../lib/mimir";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

const KEY = "blocks_storage.tsdb.ship_interval";
const FLAG = "blocks-storage.tsdb.ship-interval";

export const mimirBlocksShippedToStorage = stackRule<object>(
  {
    name: "mimir-blocks-shipped-to-storage",
    rule: "M19",
    description:
      "Mimir blocks_storage.tsdb.ship_interval must be above 0: 0 disables shipping, so no block reaches object storage and ingesters delete every block once it is older than the TSDB retention",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Remove blocks_storage.tsdb.ship_interval (default 1m) or set it to a positive Go duration.",
    url: "https://github.com/grafana/mimir/blob/main/pkg/storage/tsdb/config.go (IsBlocksShippingEnabled); pkg/ingester/user_tsdb.go (blocksToDelete)",
    tags: ["mimir", "data-loss"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      // The ingesters' value: a CLI flag in ingester.extraArgs wins over the config file.
      const flag = mimir.values.at("ingester.extraArgs").get(FLAG);
      const node = flag.isPresent ? flag : mimir.structuredNode(KEY);
      const raw = node.raw();
      if (isUnknown(raw)) {
        ctx.inconclusive(raw);
        continue;
      }
      if (raw === undefined || raw === null) continue;
      const ms = typeof raw === "string" || typeof raw === "number" ? parseDurationMs(String(raw), "go") : undefined;
      // A value that is not a Go duration stops Mimir at config loading; M13's parse checks own that class.
      if (ms === undefined || ms > 0) continue;
      const retention = mimir.setting("blocks_storage.tsdb.retention_period");
      const kept =
        retention && !isUnknown(retention) && typeof retention.value === "string"
          ? formatDuration(parseDurationMs(retention.value, "go") ?? 13 * 3_600_000)
          : "13h";
      ctx.violation(
        `${node.where}=${String(raw)}: ingesters never ship TSDB blocks to object storage (0 or less disables the shipper), ` +
          `so store-gateways and the compactor never see a block, and each ingester deletes its local blocks once they are older ` +
          `than blocks_storage.tsdb.retention_period (${kept}): every sample older than that is lost for good, and queries past ` +
          `query_ingesters_within return nothing. Fix: remove ${KEY} (default 1m) or set it to a positive duration.`,
        mimir.urn,
      );
    }
  },
);

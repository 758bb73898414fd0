// M11 (SOFT): with ingest storage the ruler must evaluate through the query-frontend, which enforces the read
// consistency the ruler asks for; evaluating against ingesters directly reads what they have consumed so far (Mimir
// docs, "About ingest storage architecture": it "requires the ruler remote evaluation to be enabled"; the Mimir jsonnet
// ingest-storage.libsonnet asserts it). Mimir itself starts either way, so nothing reports the stale reads.
import { mimirReleases } from "../../lib/mimir";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

export const mimirRulerEvaluatesRemotely = stackRule<object>(
  {
    name: "mimir-ruler-evaluates-remotely",
    rule: "M11",
    description:
      "With Mimir ingest storage, the ruler should evaluate rules through the query-frontend (ruler.query_frontend.address)",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
      "Set mimir.structuredConfig.ruler.query_frontend.address to the query-frontend's gRPC address (dns:///<release>-query-frontend.<namespace>.svc:9095).",
    url: "https://grafana.com/docs/mimir/latest/get-started/about-grafana-mimir-architecture/about-ingest-storage-architecture/",
    tags: ["mimir"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const enabled = mimir.boolean("ingest_storage.enabled");
      if (isUnknown(enabled) || !enabled.value) continue;
      const ruler = mimir.release.values.at("ruler.enabled").raw();
      if (ruler === false) continue;
      const node = mimir.structuredNode("ruler.query_frontend.address");
      const address = node.raw();
      if (isUnknown(address)) continue;
      if (typeof address === "string" && address !== "") continue;
      ctx.advisory(
        `${mimir.label} runs ingest storage (${enabled.where}) but ${node.where} is not set: the ruler evaluates against ingesters directly and reads ` +
          `only what they have consumed from Kafka, so recording rules and alerts may miss the newest samples. Fix: set it to the query-frontend's gRPC address.`,
        mimir.urn,
      );
    }
  },
);

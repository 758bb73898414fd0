import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { planStack } from "../../../tools/planning";
import { runStack } from "../../support/program";

/**
 * The pod model counts what the pinned chart renders. The facts come from real `helm template` output of the loki
 * 18.11.0 chart with the values the check writes for each shipped stack (test/fixtures/rendered/extract-workloads.js
 * says how to re-make them); the chart itself is not committed. Re-render when the chart or the Loki values move.
 */
interface RenderedWorkload {
  kind: string;
  name: string;
  replicas: number | null;
  zone: string | null;
}

/** The chart's workload names (release "loki") to the pod model's components. */
const COMPONENT: Record<string, string> = {
  loki: "single-binary",
  "loki-canary": "loki-canary",
  "loki-chunks-cache": "chunksCache",
  "loki-results-cache": "resultsCache",
  "loki-compactor": "compactor",
  "loki-distributor": "distributor",
  "loki-gateway": "gateway",
  "loki-index-gateway": "indexGateway",
  "loki-querier": "querier",
  "loki-query-frontend": "queryFrontend",
  "loki-query-scheduler": "queryScheduler",
  "loki-ruler": "ruler",
  "loki-ingester-zone-a": "ingester (zone-a)",
  "loki-ingester-zone-b": "ingester (zone-b)",
  "loki-ingester-zone-c": "ingester (zone-c)",
};

describe("the pod model counts Loki's pods as the pinned chart renders them", function () {
  this.timeout(180_000);
  for (const stack of ["dev", "staging", "prod"]) {
    it(`${stack}: every rendered workload, its replicas and its zone`, async () => {
      const rendered: RenderedWorkload[] = JSON.parse(
        fs.readFileSync(path.join(__dirname, `../../fixtures/rendered/loki-18.11.0-${stack}.workloads.json`), "utf8"),
      );
      const pods = planStack((await runStack(stack)).captured).capacity.pods.filter(
        (g) => g.owner === 'loki release "loki"',
      );
      const modelled = Object.fromEntries(
        pods.map((g) => [
          g.component,
          {
            replicas: g.placement.kind === "daemonset" ? null : g.replicas,
            zone: g.placement.kind === "zones" && g.placement.zones?.length === 1 ? g.placement.zones[0] : null,
          },
        ]),
      );
      const expected = Object.fromEntries(
        rendered
          .filter((w) => w.replicas !== 0)
          .map((w) => [COMPONENT[w.name] ?? w.name, { replicas: w.replicas, zone: w.zone }]),
      );
      assert.deepEqual(modelled, expected);
    });
  }
});

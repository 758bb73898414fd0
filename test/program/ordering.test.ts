// The order the engine creates things in, where names are passed as known strings instead of outputs (so that a
// first preview sees them): what lives in a namespace waits for it, and Mimir and Loki wait for hardened buckets.
import { strict as assert } from "assert";
import { runShippedStacks, T, type ProgramRun } from "../support/program";

/** Every URN a resource waits for, directly or through what it waits for. */
function waitsFor(run: ProgramRun): (urn: string) => Set<string> {
  const direct = new Map(run.captured.resources.map((r) => [r.urn, r.dependencies]));
  return (urn) => {
    const seen = new Set<string>();
    const visit = (u: string) => (direct.get(u) ?? []).forEach((d) => !seen.has(d) && (seen.add(d), visit(d)));
    visit(urn);
    return seen;
  };
}

describe("creation order with names known at preview", function () {
  this.timeout(300_000);
  let runs: Awaited<ReturnType<typeof runShippedStacks>>;
  before(async () => (runs = await runShippedStacks()));

  it("creates every namespaced Kubernetes object and Helm release after its Namespace", () => {
    for (const [stack, run] of Object.entries(runs)) {
      const closure = waitsFor(run);
      const namespaces = new Map(
        run.ofType("kubernetes:core/v1:Namespace").map((ns) => [ns.plain.metadata.name, ns.urn]),
      );
      const namespaced = run.resources.filter(
        (r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:"),
      );
      let checked = 0;
      for (const resource of namespaced) {
        const namespace = resource.type === T.release ? resource.plain.namespace : resource.plain.metadata?.namespace;
        if (!namespaces.has(namespace)) continue;
        assert.ok(
          closure(resource.urn).has(namespaces.get(namespace)!),
          `${stack}: ${resource.type} ${resource.name} does not wait for namespace ${namespace}`,
        );
        checked++;
      }
      assert.ok(checked >= 15, `${stack}: ${checked} namespaced resources`);
    }
  });

  it("starts Mimir and Loki only once their buckets are hardened (policy, encryption, lifecycle, logging)", () => {
    const { prod } = runs;
    const closure = waitsFor(prod);
    for (const chart of ["mimir-distributed", "loki"]) {
      const release = prod.ofType(T.release).find((r) => r.plain.chart === chart)!;
      const waited = closure(release.urn);
      const bucketNames: string[] =
        JSON.stringify(release.plain.values).match(/prod-[a-z-]+-123456789012-eu-west-1/g) ?? [];
      assert.ok(bucketNames.length > 0, chart);
      for (const type of [
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLogging:BucketLogging",
      ]) {
        for (const settingsOf of prod.ofType(type).filter((r) => bucketNames.includes(r.plain.bucket))) {
          assert.ok(waited.has(settingsOf.urn), `${chart} does not wait for ${type} of ${settingsOf.plain.bucket}`);
        }
      }
    }
  });
});

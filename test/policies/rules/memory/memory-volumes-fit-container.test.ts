import { strict as assert } from "assert";
import { memoryVolumesFitContainer } from "../../../../policies/rules/memory/memory-volumes-fit-container";
import { compliantStack, mutateValues } from "../../support/fixture";
import { ResourceRecord, runStackPolicy } from "../../support/harness";

/** The prod profile's workload (settings/profiles.ts). */
const WORKLOAD = { activeSeries: 2_000_000, samplesPerSecond: 133_334, logsGBPerDay: 200, queriesPerSecond: 40 };
const run = (records: ResourceRecord[], workload: Record<string, number> = WORKLOAD) =>
  runStackPolicy(memoryVolumesFitContainer, records, { workload });

const prometheus = (spec: Record<string, unknown>) => {
  let records = compliantStack();
  for (const [key, value] of Object.entries({ resources: { limits: { memory: "12Gi" } }, ...spec }))
    records = mutateValues(records, "kube-prometheus-stack", `prometheus.prometheusSpec.${key}`, value);
  return records;
};

const lokiIngester = (persistence: Record<string, unknown>, limit = "8Gi") => {
  let records = mutateValues(compliantStack(), "loki", "ingester.persistence", persistence);
  records = mutateValues(records, "loki", "ingester.resources", { limits: { memory: limit } });
  return records;
};

describe("policy memory-volumes-fit-container (B6)", () => {
  it("passes the compliant fixture and the TSDB and WAL on volumes", async () => {
    assert.deepEqual((await run(compliantStack())).violations, []);
    const onVolume = prometheus({
      storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "300Gi" } } } } },
      retention: "15d",
    });
    const result = await run(onVolume);
    assert.deepEqual(result.violations, []);
    assert.deepEqual(result.advisories, []);
  });

  it("rejects the Prometheus TSDB on a tmpfs holding days of blocks (t20: OOM by construction)", async () => {
    const result = await run(
      prometheus({
        retention: "15d",
        retentionSize: "240GiB",
        storageSpec: {
          emptyDir: { medium: "Memory" },
          volumeClaimTemplate: { spec: { resources: { requests: { storage: "300Gi" } } } },
        },
      }),
    );
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /values\.prometheus\.prometheusSpec\.storageSpec\.emptyDir\.medium=Memory puts the TSDB on a tmpfs counted against .*resources\.limits\.memory=12Gi .*: it reaches .*retention=15d x policy config workload\.samplesPerSecond=133,334 x 1 byte per sample .* = 160\.9 GiB of blocks.*OOM-killed/,
    );
  });

  it("rejects a sizeLimit below the data retention keeps, and uses retentionSize when it is lower", async () => {
    const capped = await run(
      prometheus({ retention: "15d", storageSpec: { emptyDir: { medium: "Memory", sizeLimit: "4Gi" } } }),
    );
    assert.match(capped.violations[0].message, /sizeLimit=4\.0 GiB: the TSDB on this tmpfs reaches .*ENOSPC/);
    const bySize = await run(
      prometheus({ retention: "15d", retentionSize: "20GiB", storageSpec: { emptyDir: { medium: "Memory" } } }),
    );
    assert.match(
      bySize.violations[0].message,
      /retentionSize=20GiB: 20\.0 GiB of blocks before Prometheus deletes any/,
    );
  });

  it("accepts a disk-backed emptyDir, a tmpfs small retention keeps within the limit, no limit and no workload", async () => {
    const disk = prometheus({ retention: "15d", storageSpec: { emptyDir: {} } });
    assert.deepEqual((await run(disk)).violations, []);
    const small = prometheus({ retention: "2h", storageSpec: { emptyDir: { medium: "Memory" } } });
    assert.deepEqual((await run(small)).violations, []);
    const noWorkload = prometheus({ retention: "15d", storageSpec: { emptyDir: { medium: "Memory" } } });
    assert.deepEqual((await runStackPolicy(memoryVolumesFitContainer, noWorkload)).violations, []);
  });

  it("judges Loki's in-memory ingester WAL only when the chart renders it (persistence off)", async () => {
    // loki 18.11.0 templates/_pod.tpl: inMemory has no effect while persistence.enabled is true.
    const ignored = await run(lokiIngester({ enabled: true, inMemory: true }));
    assert.deepEqual(ignored.violations, []);
    assert.deepEqual(ignored.advisories, []);
    // Rendered, with room for the checkpoint interval's WAL: advisory (the limit holds the chunks twice).
    const soft = await run(lokiIngester({ enabled: false, inMemory: true }));
    assert.deepEqual(soft.violations, []);
    assert.equal(soft.advisories.length, 1);
    assert.match(
      soft.advisories[0].message,
      /values\.ingester\.persistence\.inMemory=true \(with .*ingester\.persistence\.enabled not true\) makes ingester's \/var\/loki, where the ingester keeps its WAL, a tmpfs counted against .*limits\.memory=8Gi.*2\.31 MB\/s per ingester.*5m \(Loki default\): at least 0\.6 GiB.*twice/,
    );
  });

  it("rejects Loki's WAL on a tmpfs the checkpoint interval alone outgrows", async () => {
    const result = await run(lokiIngester({ enabled: false, inMemory: true }, "512Mi"));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /the WAL alone reaches .*at least 0\.6 GiB, at or above the limit.*OOM-killed/,
    );
    const viaParameters = await run(
      lokiIngester({ enabled: false, dataVolumeParameters: { emptyDir: { medium: "Memory", sizeLimit: "100Mi" } } }),
    );
    assert.match(
      viaParameters.violations[0].message,
      /dataVolumeParameters\.emptyDir\.medium=Memory .*sizeLimit=0\.1 GiB caps that tmpfs below the WAL/,
    );
  });
});

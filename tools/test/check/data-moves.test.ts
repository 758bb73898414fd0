// `--baseline` calls out the value changes that strand data the stack already stored: what the pack cannot judge
// because the engine gives it no old state.
import { strict as assert } from "assert";
import { dataMoves } from "../../../tools/check/data-moves";

const TODAY = "2026-12-07";

const loki = (periods: Array<Record<string, string>>) =>
  new Map(
    periods.flatMap((period, i) =>
      Object.entries(period).map(([field, value]) => [`loki loki.schemaConfig.configs[${i}].${field}`, value] as const),
    ),
  );
const V13 = { from: "2024-04-01", schema: "v13", store: "tsdb", object_store: "s3", "index.prefix": "index_" };

describe("data moves against the baseline", () => {
  it("calls out a Loki schema period added with a from date that has already started", () => {
    const moves = dataMoves(loki([V13]), loki([V13, { ...V13, from: "2026-11-01", "index.prefix": "loki_" }]), TODAY);
    assert.deepEqual(
      moves.map((m) => [m.where, m.before]),
      [["loki loki.schemaConfig.configs period from 2026-11-01", "(no such period)"]],
    );
    assert.match(moves[0].consequence, /logs already written unreadable/);
    assert.match(moves[0].consequence, /from` in the future/);
  });

  it("counts a period dated today as started (it begins at 00:00 UTC)", () => {
    assert.equal(dataMoves(loki([V13]), loki([V13, { ...V13, from: TODAY }]), TODAY).length, 1);
  });

  it("lets a period dated in the future pass: that is how a schema is upgraded", () => {
    assert.deepEqual(dataMoves(loki([V13]), loki([V13, { ...V13, from: "2026-12-08" }]), TODAY), []);
  });

  it("calls out a started period changed in place or removed", () => {
    const changed = dataMoves(loki([V13]), loki([{ ...V13, schema: "v12" }]), TODAY);
    assert.deepEqual(
      changed.map((m) => m.after),
      ["from=2024-04-01, index.prefix=index_, object_store=s3, schema=v12, store=tsdb"],
    );
    const removed = dataMoves(loki([V13, { ...V13, from: "2025-01-01" }]), loki([V13]), TODAY);
    assert.deepEqual(
      removed.map((m) => [m.where, m.after]),
      [["loki loki.schemaConfig.configs period from 2025-01-01", "(removed)"]],
    );
  });

  it("calls out a moved Mimir storage prefix or bucket and a Loki bucket, with what happens to the data", () => {
    const key = (k: string) => `mimir mimir.structuredConfig.${k}`;
    const before = new Map([
      [key("blocks_storage.s3.bucket_name"), "blocks-a"],
      [key("ruler_storage.backend"), "s3"],
      ["loki loki.storage.bucketNames.chunks", "chunks-a"],
      [key("limits.compactor_blocks_retention_period"), "90d"],
    ]);
    const after = new Map([
      [key("blocks_storage.s3.bucket_name"), "blocks-b"],
      [key("blocks_storage.storage_prefix"), "blocks"],
      [key("ruler_storage.backend"), "s3"],
      ["loki loki.storage.bucketNames.chunks", "chunks-b"],
      [key("limits.compactor_blocks_retention_period"), "120d"],
    ]);
    const moves = dataMoves(before, after, TODAY);
    assert.deepEqual(
      moves.map((m) => [m.where, m.before, m.after]),
      [
        ["loki loki.storage.bucketNames.chunks", "chunks-a", "chunks-b"],
        [key("blocks_storage.s3.bucket_name"), "blocks-a", "blocks-b"],
        [key("blocks_storage.storage_prefix"), "(not set)", "blocks"],
      ],
      "a retention change strands nothing; a prefix the baseline did not set was none",
    );
    assert.match(moves[0].consequence, /no longer read/);
  });

  it("calls out a storage prefix changed or removed, and a new ingest topic", () => {
    const key = (k: string) => `mimir mimir.structuredConfig.${k}`;
    const before = new Map([
      [key("blocks_storage.storage_prefix"), "blocks"],
      [key("ruler_storage.storage_prefix"), "rules"],
      [key("ingest_storage.kafka.topic"), "mimir-ingest"],
    ]);
    const after = new Map([
      [key("blocks_storage.storage_prefix"), "blocks-v2"],
      [key("ingest_storage.kafka.topic"), "mimir-ingest-v2"],
    ]);
    const moves = dataMoves(before, after, TODAY);
    assert.deepEqual(
      moves.map((m) => m.where),
      [key("blocks_storage.storage_prefix"), key("ingest_storage.kafka.topic"), key("ruler_storage.storage_prefix")],
    );
    assert.equal(moves[2].after, "(not set)");
    assert.match(moves[1].consequence, /not consumed are never read/);
  });
});

import { strict as assert } from "assert";
import { formatBytes, parseBase2Bytes, parseQuantityBytes } from "../../../policies/lib/bytes";

describe("policies/lib/bytes", () => {
  it("parses Kubernetes quantities with binary, decimal and exponent suffixes", () => {
    assert.equal(parseQuantityBytes("6Gi"), 6 * 2 ** 30);
    assert.equal(parseQuantityBytes("1500M"), 1_500_000_000);
    assert.equal(parseQuantityBytes("1.5Gi"), 1.5 * 2 ** 30);
    assert.equal(parseQuantityBytes("1e9"), 1_000_000_000);
    assert.equal(parseQuantityBytes("512"), 512);
    assert.equal(parseQuantityBytes(1073741824), 1073741824);
    assert.equal(parseQuantityBytes("1500m"), 2); // milli-bytes round up, as the Mimir chart's siToBytes does
  });

  it("rejects malformed quantities", () => {
    assert.equal(parseQuantityBytes("6GB"), undefined);
    assert.equal(parseQuantityBytes("two gigs"), undefined);
    assert.equal(parseQuantityBytes(""), undefined);
  });

  it("parses Alloy sizes as base 2 (KB = KiB)", () => {
    assert.equal(parseBase2Bytes("1MiB"), 2 ** 20);
    assert.equal(parseBase2Bytes("1MB"), 2 ** 20);
    assert.equal(parseBase2Bytes("512KB"), 512 * 1024);
    assert.equal(parseBase2Bytes("1.5 MiB"), 1.5 * 2 ** 20);
    assert.equal(parseBase2Bytes("8 potatoes"), undefined);
  });

  it("formats exact binary sizes", () => {
    assert.equal(formatBytes(2 ** 30), "1Gi (1073741824 bytes)");
    assert.equal(formatBytes(1000), "1000 bytes");
  });
});

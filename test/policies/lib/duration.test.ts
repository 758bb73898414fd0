import { strict as assert } from "assert";
import { formatDuration, isGoDuration, isPrometheusDuration, parseDurationMs } from "../../../policies/lib/duration";

describe("policies/lib/duration", () => {
  it("parses Go durations, including fractions and compound units", () => {
    assert.equal(parseDurationMs("13h", "go"), 13 * 3_600_000);
    assert.equal(parseDurationMs("1h30m", "go"), 5_400_000);
    assert.equal(parseDurationMs("1.5h", "go"), 5_400_000);
    assert.equal(parseDurationMs("1.s", "go"), 1_000, "Go reads a bare point as a whole number");
    assert.equal(parseDurationMs("500ms", "go"), 500);
    assert.equal(parseDurationMs("0", "go"), 0);
  });

  it("refuses day units and bare numbers in Go format", () => {
    assert.equal(parseDurationMs("1d", "go"), undefined);
    assert.equal(parseDurationMs("10", "go"), undefined);
    assert.equal(isGoDuration("7d"), false);
    assert.equal(isGoDuration("90m"), true);
  });

  it("parses Prometheus durations with y = 365 days (not parse-duration's 365.25)", () => {
    assert.equal(parseDurationMs("10d", "prometheus"), 10 * 86_400_000);
    assert.equal(parseDurationMs("1y", "prometheus"), 365 * 86_400_000);
    assert.equal(parseDurationMs("1w2d", "prometheus"), 9 * 86_400_000);
    assert.equal(parseDurationMs("168h", "prometheus"), 7 * 86_400_000);
  });

  it("refuses out-of-order units and fractions in Prometheus format", () => {
    assert.equal(isPrometheusDuration("30m1h"), false);
    assert.equal(isPrometheusDuration("1.5h"), false);
    assert.equal(isPrometheusDuration(""), false);
    assert.equal(parseDurationMs("1h30m", "prometheus"), 5_400_000);
  });

  it("formats durations compactly", () => {
    assert.equal(formatDuration(90_000_000), "1d1h");
    assert.equal(formatDuration(365 * 86_400_000 + 2 * 3_600_000 + 15 * 60_000), "365d2h15m");
    assert.equal(formatDuration(0), "0s");
  });
});

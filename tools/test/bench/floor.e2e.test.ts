import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { REPO_ROOT, runStack, SHIPPED_STACKS } from "../../../test/support/program";

describe("bench floor (programs and pack start, no policies)", () => {
  it("evaluates every shipped stack in one program process while the pack starts, and times both", async () => {
    const result = spawnSync(process.execPath, [path.join(REPO_ROOT, "tools", "bench", "floor.js")], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
    const measured = JSON.parse(result.stdout) as { programsMs: number; packReadyMs: number; resources: number };
    const stacks = await Promise.all(SHIPPED_STACKS.map((stack) => runStack(stack)));
    assert.equal(
      measured.resources,
      stacks.reduce((n, run) => n + run.captured.resources.length, 0),
    );
    assert.ok(measured.programsMs > 0 && measured.packReadyMs > 0, result.stdout);
  });
});

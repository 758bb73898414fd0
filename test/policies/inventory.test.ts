// The pack's three read models of itself must agree: the registered policies (policies/rules/index.ts), the policy
// table of policies/README.md (one anchored row per policy, giving its rule id) and the constraint inventory
// policies/CONSTRAINTS.md (each constraint links the rule that enforces it). A policy added without its row, two
// policies given one rule id, or an inventory link to a rule that does not exist fails here, before a reader meets it.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../../policies/rules/index";

const POLICIES_DIR = path.join(__dirname, "../../policies");
const read = (file: string) => fs.readFileSync(path.join(POLICIES_DIR, file), "utf8");

/** `| <a id="k1"></a>\`name\` | K1 | ...` rows of the policy table. */
function readmeRows(): Array<{ anchor: string; name: string; rule: string }> {
  const rows = [];
  for (const match of read("README.md").matchAll(/^\| <a id="([a-z0-9]+)"><\/a>`([a-z0-9-]+)` \| ([A-Z][0-9]+) \|/gm)) {
    rows.push({ anchor: match[1], name: match[2], rule: match[3] });
  }
  return rows;
}

/** `name: "...", rule: "..."` of every rule file (the metadata stackRule and resourceRule take). */
function sourceRules(): Map<string, string> {
  const rules = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith(".ts"))
        for (const match of fs.readFileSync(file, "utf8").matchAll(/name: "([a-z0-9-]+)",\s*rule: "([A-Z][0-9]+)"/g))
          rules.set(match[1], match[2]);
    }
  };
  walk(path.join(POLICIES_DIR, "rules"));
  return rules;
}

describe("the pack's inventory", () => {
  const rows = readmeRows();

  it("gives every registered policy exactly one README row, under the rule id its source declares", () => {
    const declared = sourceRules();
    for (const policy of policies) {
      const own = rows.filter((row) => row.name === policy.name);
      assert.equal(own.length, 1, `${policy.name}: ${own.length} anchored rows in policies/README.md`);
      assert.equal(own[0].rule, declared.get(policy.name), `${policy.name}: README rule id vs the source's`);
      assert.equal(own[0].anchor, own[0].rule.toLowerCase(), `${policy.name}: anchor ${own[0].anchor}`);
    }
    const registered = new Set(policies.map((policy) => policy.name));
    assert.deepEqual(
      rows.filter((row) => !registered.has(row.name)).map((row) => row.name),
      [],
      "README rows of policies the pack does not register",
    );
  });

  it("gives every policy its own rule id and name", () => {
    const duplicates = (list: string[]) => list.filter((item, i) => list.indexOf(item) !== i);
    assert.deepEqual(duplicates(rows.map((row) => row.rule)), []);
    assert.deepEqual(duplicates(policies.map((policy) => policy.name)), []);
  });

  it("links every constraint of CONSTRAINTS.md to a rule of the README table", () => {
    const anchors = new Set(rows.map((row) => row.anchor));
    const links = [...read("CONSTRAINTS.md").matchAll(/\]\(README\.md#([a-z0-9]+)\)/g)].map((match) => match[1]);
    assert.ok(links.length > 100, `${links.length} links`);
    assert.deepEqual(
      links.filter((anchor) => !anchors.has(anchor)),
      [],
    );
  });
});

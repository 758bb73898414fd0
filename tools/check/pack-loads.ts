/**
 * `npm run check:pack [-- DIR]`: proves the policy pack loads the way the engine loads it. Starts
 * `run-policy-pack` in the pack folder (ts-node type-checks the pack there), reads the port it prints, asks for its
 * policies over gRPC, prints them and stops it. Exit 0 when it served its policies, 3 when it did not.
 */
import * as path from "path";
import { startPolicyPack } from "../harness/analyzer";
import { EXIT } from "./outcome";
import { REPO_ROOT } from "./options";

export async function checkPackLoads(packDir: string, out: (line: string) => void): Promise<number> {
  const pack = await startPolicyPack(packDir);
  try {
    const info = await pack.getAnalyzerInfo();
    out(
      `policy pack ${info.name} ${info.version} from ${packDir}: started in ${(pack.startupMs / 1000).toFixed(1)} s (pid ${pack.pid}), serving ${info.policies.length} policies over gRPC`,
    );
    for (const policy of info.policies) {
      out(
        `  ${policy.name.padEnd(52)} ${policy.type.padEnd(8)} ${policy.enforcementLevel.padEnd(9)} ${policy.severity ?? ""}`,
      );
    }
    if (info.policies.length === 0) {
      out("the pack serves no policies");
      return EXIT.broken;
    }
    return EXIT.clean;
  } finally {
    await pack.close();
  }
}

if (require.main === module) {
  const packDir = path.resolve(process.argv[2] ?? path.join(REPO_ROOT, "policies"));
  checkPackLoads(packDir, (line) => process.stdout.write(`${line}\n`)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `policy pack at ${packDir} did not load: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exitCode = EXIT.broken;
    },
  );
}

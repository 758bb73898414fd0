/**
 * `npm run bench`: the median time of `check --all` against the median time of loading the SDKs alone, and their
 * ratio (target: within 3x). Each measurement is a fresh process, as a user runs it; one untimed warm-up run of each
 * fills the disk caches first. Before that, one run with a temporary TMPDIR (so that nobody else's files are touched)
 * shows the first run after a checkout or a change.
 * Alongside, the floor (floor.ts): the programs evaluated and the pack started, with no policy run and no report,
 * which is what no scheduling of the check can go below on the machine at hand.
 *
 *   npm run bench -- [--runs N] [--jobs N]
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { median, run, type Sample } from "./measure";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const SDKS = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/kubernetes", "@pulumi/random", "@pulumi/policy"];
const TARGET_RATIO = 3;

interface Options {
  runs: number;
  jobs?: string;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { runs: 5 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--runs" && /^[1-9]\d*$/.test(argv[i + 1] ?? "")) options.runs = Number(argv[++i]);
    else if (argv[i] === "--jobs" && /^[1-9]\d*$/.test(argv[i + 1] ?? "")) options.jobs = argv[++i];
    else throw new Error(`bench: unexpected argument ${argv[i]} (usage: npm run bench -- [--runs N] [--jobs N])`);
  }
  return options;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function summarize(label: string, samples: Sample[]): { wall: number; cpu?: number } {
  const wall = median(samples.map((s) => s.wallMs));
  const cpus = samples.map((s) => s.cpuMs).filter((c): c is number => c !== undefined);
  const cpu = cpus.length === samples.length ? median(cpus) : undefined;
  const runs = samples.map((s) => (s.wallMs / 1000).toFixed(2)).join(", ");
  process.stdout.write(
    `${label.padEnd(26)} median ${seconds(wall)} wall${cpu !== undefined ? `, ${seconds(cpu)} CPU (all processes)` : ""}   runs: ${runs}\n`,
  );
  return { wall, cpu };
}

/** The pack's startup as the check reports it on stderr ("... ready: N policies (startup 0.8 s, from ...)"). */
function packStartupMs(sample: Sample): number | undefined {
  const found = /\(startup (\d+(?:\.\d+)?) s[,)]/.exec(sample.stderr);
  return found ? Number(found[1]) * 1000 : undefined;
}

/** The pack's CPU over the whole check as the check reports it on stderr ("policy pack used 1.6 s of CPU"), Linux only. */
function packCpuMs(sample: Sample): number | undefined {
  const found = /policy pack used (\d+(?:\.\d+)?) s of CPU/.exec(sample.stderr);
  return found ? Number(found[1]) * 1000 : undefined;
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "check-bench-"));
  const checkArgs = [
    path.join(REPO_ROOT, "tools", "check", "main.js"),
    "--all",
    "--out",
    out,
    ...(options.jobs ? ["--jobs", options.jobs] : []),
  ];
  const floorArgs = [
    path.join(REPO_ROOT, "tools", "bench", "floor.js"),
    ...(options.jobs ? ["--jobs", options.jobs] : []),
  ];
  const sdkArgs = ["-e", SDKS.map((sdk) => `require(${JSON.stringify(sdk)});`).join("")];
  process.stdout.write(
    `bench: ${options.runs} runs each on ${os.availableParallelism?.() ?? os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "unknown CPU"}), ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}\n`,
  );
  const coldTmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-bench-cold-"));
  try {
    run(process.execPath, sdkArgs, REPO_ROOT);
    const cold = run(process.execPath, checkArgs, REPO_ROOT, { ...process.env, TMPDIR: coldTmp });
    const warmup = run(process.execPath, checkArgs, REPO_ROOT);
    if (warmup.status !== 0) {
      throw new Error(
        `check --all exited with ${warmup.status}; the bench measures a clean run only.\n${warmup.stderr}\n${warmup.stdout}`,
      );
    }
    const sdk: Sample[] = [];
    const check: Sample[] = [];
    const floor: Sample[] = [];
    // Interleaved, so that a change in the machine's load affects every series alike.
    for (let i = 0; i < options.runs; i++) {
      sdk.push(run(process.execPath, sdkArgs, REPO_ROOT));
      check.push(run(process.execPath, checkArgs, REPO_ROOT));
      floor.push(run(process.execPath, floorArgs, REPO_ROOT));
    }
    const failed = check.find((s) => s.status !== 0);
    if (failed)
      throw new Error(`check --all exited with ${failed.status} during the bench.\n${failed.stderr}\n${failed.stdout}`);
    const floorFailed = floor.find((s) => s.status !== 0);
    if (floorFailed)
      throw new Error(
        `the floor measurement exited with ${floorFailed.status}.\n${floorFailed.stderr}\n${floorFailed.stdout}`,
      );

    const sdkTime = summarize("SDK load (5 SDKs)", sdk);
    const checkTime = summarize("check --all", check);
    if (cold.status === 0) {
      process.stdout.write(
        `${"  with a cold cache".padEnd(26)} ${seconds(cold.wallMs)} wall${cold.cpuMs !== undefined ? `, ${seconds(cold.cpuMs)} CPU` : ""} (one run, fresh TMPDIR: the first run after a checkout or a change)\n`,
      );
    }
    const startups = check.map(packStartupMs).filter((ms): ms is number => ms !== undefined);
    if (startups.length > 0) {
      process.stdout.write(
        `${"  policy pack startup".padEnd(26)} median ${seconds(median(startups))} (run-policy-pack on the pack's JavaScript build, inside check --all)\n`,
      );
    }
    const packCpu = check.map(packCpuMs).filter((ms): ms is number => ms !== undefined);
    if (packCpu.length > 0) {
      const cpu = median(packCpu);
      process.stdout.write(
        `${"  policy pack CPU".padEnd(26)} median ${seconds(cpu)}, ${(cpu / sdkTime.wall).toFixed(1)}x the SDK load in one single-threaded process ` +
          `(its start, then every stack's analysis in turn)\n`,
      );
    }
    const floorTime = summarize("floor (no policies)", floor);
    process.stdout.write(
      `${"".padEnd(26)} ${(floorTime.wall / sdkTime.wall).toFixed(1)}x the SDK load: the programs evaluated and the pack ready, nothing analysed or written; ` +
        `the policies and the report take the other ${seconds(checkTime.wall - floorTime.wall)}\n`,
    );
    const ratio = checkTime.wall / sdkTime.wall;
    const verdict = ratio <= TARGET_RATIO ? "within" : "ABOVE";
    process.stdout.write(`ratio check/SDK load: ${ratio.toFixed(1)}x wall (${verdict} the ${TARGET_RATIO}x target)`);
    if (checkTime.cpu !== undefined && sdkTime.cpu !== undefined) {
      process.stdout.write(`, ${(checkTime.cpu / sdkTime.cpu).toFixed(1)}x CPU`);
    }
    process.stdout.write("\n");
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(coldTmp, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}

/**
 * The report's read model: the policy pack's own view of the captured stack (`StackView`, built by
 * tools/planning/capture-view.ts, the view planning and the policies read), so that every section finds the same
 * releases, custom resources and Kafka the rules judge. Values are shown as the artifacts show them: unknowns as
 * "[unknown]", secrets replaced wherever they appear (the artifacts' own scrubbing).
 */
import {
  type PropNode,
  type CustomResource,
  type HelmRelease,
  type StackView,
  type CHARTS,
} from "../../../policies/model";
import { scrubSecrets, stackSecrets } from "../artifacts";
import { readable, UNKNOWN_MARKER, type Plain } from "../readable";
import type { CapturedStack } from "../../harness/capture-types";
import type { WireValue } from "../../harness/wire";
import { stackViewOf } from "../../planning/capture-view";

type Chart = (typeof CHARTS)[keyof typeof CHARTS];

export class ReportView {
  private constructor(
    readonly view: StackView,
    private readonly secrets: string[],
  ) {}

  static of(captured: CapturedStack): ReportView {
    return new ReportView(stackViewOf(captured), stackSecrets(captured));
  }

  /** What the report prints for a value: undefined when absent, "[unknown]" before the update, secrets scrubbed. */
  shown(node: PropNode): Plain | undefined {
    if (node.isUnknown) return UNKNOWN_MARKER;
    const raw = node.raw();
    return raw === undefined ? undefined : scrubSecrets(readable(raw as WireValue), this.secrets);
  }

  releases(chart?: Chart): HelmRelease[] {
    return this.view.helmReleases(chart);
  }

  /** The first release of a chart (the stack installs each chart once). */
  release(chart: Chart): HelmRelease | undefined {
    return this.releases(chart)[0];
  }

  strimzi(kind: CustomResource["kind"]): CustomResource[] {
    return this.view.strimzi(kind);
  }
}

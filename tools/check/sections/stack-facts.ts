/**
 * Lookups over a stack's readable resources: Helm releases by chart, Strimzi custom resources, bucket lifecycle
 * rules and node groups. What the resources carry, not what the settings meant them to carry: an override that
 * changed a value shows up here.
 */
import type { ResourceRecord } from "../artifacts";
import { HELM_RELEASE_TYPE } from "../artifacts";
import { at, isPlainObject, type Plain } from "../readable";

export interface Release {
  record: ResourceRecord;
  /** Helm release name (`name` input), else the logical name. */
  name: string;
  chart: string;
  values: Plain;
}

export interface StrimziResource {
  record: ResourceRecord;
  kind: string;
  name: string;
  spec: Plain;
}

const STRIMZI_TYPE = /^kubernetes:kafka\.strimzi\.io\/[^:]+:(Kafka|KafkaNodePool|KafkaTopic|KafkaUser)$/;
const LIFECYCLE_TYPE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const NODE_GROUP_TYPE = "aws:eks/nodeGroup:NodeGroup";

function stringOr(value: Plain | undefined, fallback: string): string {
  return typeof value === "string" && value !== "" ? value : fallback;
}

/** "grafana/mimir-distributed" or "oci://…/loki" -> the chart's base name. */
function chartName(chart: Plain | undefined): string {
  return typeof chart === "string" ? (chart.split("/").pop() ?? chart) : "";
}

export class StackFacts {
  constructor(readonly resources: ResourceRecord[]) {}

  ofType(type: string): ResourceRecord[] {
    return this.resources.filter((r) => r.type === type);
  }

  inputs(record: ResourceRecord): { [key: string]: Plain } {
    return isPlainObject(record.inputs) ? record.inputs : {};
  }

  releases(chart?: string): Release[] {
    return this.ofType(HELM_RELEASE_TYPE)
      .map((record) => {
        const inputs = this.inputs(record);
        return {
          record,
          name: stringOr(inputs.name, record.name),
          chart: chartName(inputs.chart),
          values: inputs.values ?? {},
        };
      })
      .filter((release) => chart === undefined || release.chart === chart);
  }

  /** The first release of a chart (the stack installs each chart once). */
  release(chart: string): Release | undefined {
    return this.releases(chart)[0];
  }

  strimzi(kind: string): StrimziResource[] {
    return this.resources
      .filter((r) => STRIMZI_TYPE.exec(r.type)?.[1] === kind)
      .map((record) => {
        const inputs = this.inputs(record);
        return { record, kind, name: stringOr(at(inputs, "metadata.name"), record.name), spec: inputs.spec ?? {} };
      });
  }

  lifecycles(): { record: ResourceRecord; bucket: string; rules: Plain[] }[] {
    return this.ofType(LIFECYCLE_TYPE).map((record) => {
      const inputs = this.inputs(record);
      return {
        record,
        bucket: stringOr(inputs.bucket, record.name),
        rules: Array.isArray(inputs.rules) ? inputs.rules : [],
      };
    });
  }

  nodeGroups(): ResourceRecord[] {
    return this.ofType(NODE_GROUP_TYPE);
  }
}

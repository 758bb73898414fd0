import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { buildKubeconfig } from "../../../components/cluster/kubeconfig";

const CA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString("base64");
const input = {
  clusterName: "obs-prod",
  endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
  certificateAuthorityData: CA,
};

describe("buildKubeconfig", () => {
  const config = parse(buildKubeconfig({ ...input, region: "eu-west-1" }));

  it("is a YAML kubeconfig pointing at the cluster endpoint with its CA", () => {
    assert.equal(config.kind, "Config");
    assert.equal(config["current-context"], "obs-prod");
    assert.equal(config.clusters[0].cluster.server, input.endpoint);
    assert.equal(config.clusters[0].cluster["certificate-authority-data"], CA);
    assert.deepEqual(config.contexts[0].context, { cluster: "obs-prod", user: "obs-prod" });
  });

  it("gets tokens from `aws eks get-token` for this cluster and region, embedding no credential", () => {
    const { user } = config.users[0];
    assert.deepEqual(Object.keys(user), ["exec"]);
    assert.equal(user.exec.command, "aws");
    assert.equal(user.exec.apiVersion, "client.authentication.k8s.io/v1beta1");
    assert.deepEqual(user.exec.args, [
      "eks",
      "get-token",
      "--cluster-name",
      "obs-prod",
      "--output",
      "json",
      "--region",
      "eu-west-1",
    ]);
  });

  it("leaves the region to the AWS CLI's own configuration when none is given, and passes a profile as AWS_PROFILE", () => {
    const exec = parse(buildKubeconfig({ ...input, profile: "observability" })).users[0].user.exec;
    assert.ok(!exec.args.includes("--region"));
    assert.deepEqual(exec.env, [{ name: "AWS_PROFILE", value: "observability" }]);
  });

  it("rejects an endpoint that is not https and CA data that is not base64", () => {
    assert.throws(
      () => buildKubeconfig({ ...input, endpoint: "http://abc" }),
      /endpoint "http:\/\/abc" is not an https URL/,
    );
    assert.throws(
      () => buildKubeconfig({ ...input, certificateAuthorityData: "" }),
      /certificateAuthorityData for obs-prod is empty or not base64/,
    );
    assert.throws(() => buildKubeconfig({ ...input, certificateAuthorityData: "-----BEGIN" }), /not base64/);
  });
});

// The namespace a component owns, and how what lives in it refers to it.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { NamespacePodSecurity, podSecurityMetadata } from "./pod-security";

/** Kubernetes sets this label on every namespace to its name (NamespaceDefaultLabelName, Kubernetes 1.22+). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export interface ComponentNamespace {
  resource: k8s.core.v1.Namespace;
  /**
   * The name as given. Consumers use it rather than the Namespace's output: that output stays unknown in the first
   * preview of a new stack (the Kubernetes provider is not configured yet: policies/lib/analyzed.ts), and the policy
   * pack must see where each release and custom resource goes.
   */
  name: string;
  /** Options for what lives in the namespace: the same parent and provider, created after it (as an output would). */
  inNamespace: pulumi.CustomResourceOptions;
}

/** Creates the namespace with its Pod Security Admission labels (pod-security.ts). */
export function componentNamespace(
  resourceName: string,
  name: string,
  podSecurity: NamespacePodSecurity,
  opts: pulumi.CustomResourceOptions,
): ComponentNamespace {
  const resource = new k8s.core.v1.Namespace(
    resourceName,
    { metadata: { name, ...podSecurityMetadata(podSecurity) } },
    opts,
  );
  const { dependsOn: _namespaceOwn, ...inherited } = opts;
  return { resource, name, inNamespace: { ...inherited, dependsOn: [resource] } };
}

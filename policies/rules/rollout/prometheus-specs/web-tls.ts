// U7: prometheus-operator's web TLS check.
import { Obj, obj, set, text } from "./common";

/** WebTLSConfig.Validate (pkg/apis/monitoring/v1/types.go), in its order. */
export function webTlsError(tls: Obj): string | undefined {
  const som = (value: unknown) => {
    const o = obj(value);
    return {
      any: !!o && (set(o, "secret") || set(o, "configMap")),
      both: !!o && set(o, "secret") && set(o, "configMap"),
    };
  };
  const clientCA = som(tls.clientCA);
  const cert = som(tls.cert);
  const keySecret = obj(tls.keySecret);
  const hasKeySecret = !!keySecret && (text(keySecret.name) !== "" || text(keySecret.key) !== "");
  if (clientCA.any) {
    if (text(tls.clientCAFile) !== "") return "cannot specify both clientCAFile and clientCA";
    if (clientCA.both) return "invalid client CA: cannot specify both Secret and ConfigMap";
  }
  if (cert.any) {
    if (text(tls.certFile) !== "") return "cannot specify both cert and certFile";
    if (cert.both) return "invalid TLS certificate: cannot specify both Secret and ConfigMap";
  }
  if (text(tls.keyFile) !== "" && hasKeySecret) return "cannot specify both keyFile and keySecret";
  if (text(tls.keyFile) === "" && !hasKeySecret) return "TLS private key must be defined";
  if (text(tls.certFile) === "" && !cert.any) return "TLS certificate must be defined";
  return undefined;
}

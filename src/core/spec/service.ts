/** Kubernetes v1 Service, with `targetPort` defaulting to `port` and protocol TCP. */
import type { ManifestBase, Service, ServicePort } from './types.js';
import { DEFAULT_PROTOCOL, DEFAULT_SERVICE_TYPE } from './defaults.js';
import type { Field } from './fields.js';

/** Reads a v1 Service: selector, ports (targetPort defaults to port) and type. */
export function readService(f: Field, base: Omit<ManifestBase<string>, 'kind'>): Service {
  const spec = f.get('spec');
  spec.object();
  const ports: ServicePort[] = spec
    .get('ports')
    .list()
    .map((p) => {
      const port = p.get('port').int({ required: true, min: 1, max: 65535 }) ?? 0;
      const out: ServicePort = {
        port,
        // Kubernetes `SetDefaults_Service`: targetPort defaults to port.
        targetPort: p.get('targetPort').intOrString() ?? port,
        protocol: p.get('protocol').string() ?? DEFAULT_PROTOCOL,
      };
      const name = p.get('name').string();
      if (name !== undefined) out.name = name;
      return out;
    });
  return {
    ...base,
    kind: 'Service',
    spec: {
      selector: spec.get('selector').stringMap(),
      ports,
      type: spec.get('type').string() ?? DEFAULT_SERVICE_TYPE,
    },
  };
}

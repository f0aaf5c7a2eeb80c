/**
 * Kubernetes v1 Secret: `data` (base64) and `stringData` (plain text), merged as the API server
 * merges them on write (`stringData` wins on a shared key). Values are decoded here, once, and
 * never reported: a problem names the key, not its value.
 */
import type { Field, Reporter } from './fields.js';
import type { ManifestBase, ManifestSet, Secret } from './types.js';

/** RFC 4648 base64 as Kubernetes accepts it in `data` (standard alphabet, padding required). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes base64 to UTF-8 text; undefined when `text` is not base64. */
export function decodeBase64(text: string): string | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) return undefined;
  const binary = atob(compact);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Reads a v1 Secret's `data` and `stringData`. */
export function readSecret(f: Field, base: Omit<ManifestBase<string>, 'kind'>): Secret {
  const data: Record<string, string> = {};
  const encoded = f.get('data');
  if (encoded.object()) {
    for (const key of encoded.keys()) {
      const field = encoded.get(key);
      const text = field.string({ required: true });
      if (text === undefined) continue;
      const value = decodeBase64(text);
      if (value === undefined) field.error('invalid-value', `data.${key}: is not base64`, 'data values are base64 (echo -n value | base64); put plain text under stringData');
      else data[key] = value;
    }
  }
  const plain = f.get('stringData');
  if (plain.object()) {
    for (const key of plain.keys()) {
      const value = plain.get(key).scalarString({ required: true });
      if (value !== undefined) data[key] = value;
    }
  }
  return { ...base, kind: 'Secret', data };
}

/**
 * Every AnalysisTemplate arg read through `valueFrom.secretKeyRef` must name a Secret and key
 * given with the manifests, or the run it starts is `Error` (Argo `resolveArgs`). A key missing
 * from a Secret that is given is an error; a Secret absent from the files is a warning, since a
 * cluster may hold it, but a run on this machine cannot read it.
 */
export function checkSecretRefs(set: ManifestSet, reporterOf: (manifest: object) => Reporter | undefined): void {
  const secrets = set.secrets ?? [];
  for (const template of [...set.analysisTemplates, ...set.clusterAnalysisTemplates]) {
    const reporter = reporterOf(template);
    if (!reporter) continue;
    template.spec.args.forEach((arg, i) => {
      const ref = arg.valueFrom?.secretKeyRef;
      if (!ref || !ref.name) return;
      const path = ['spec', 'args', i, 'valueFrom', 'secretKeyRef'];
      const namespace = template.kind === 'AnalysisTemplate' ? template.metadata.namespace : undefined;
      const secret = secrets.find((s) => s.metadata.name === ref.name && (namespace === undefined || s.metadata.namespace === undefined || s.metadata.namespace === namespace));
      if (!secret) {
        reporter.warning(
          'secret-not-found',
          [...path, 'name'],
          `Secret "${ref.name}" (arg "${arg.name}") is not in the given files`,
          'add the v1 Secret to the files, or pass the value from the Rollout; a run on this machine is Error without it',
        );
        return;
      }
      if (!(ref.key in secret.data)) {
        const keys = Object.keys(secret.data);
        reporter.error(
          'secret-key-not-found',
          [...path, 'key'],
          `Secret "${ref.name}" has no key "${ref.key}" (arg "${arg.name}")`,
          keys.length ? `its keys: ${keys.join(', ')}` : 'the Secret has no data or stringData',
        );
      }
    });
  }
}

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { podTemplateHash } from '../rollout/index.js';
import { setImages, setRestartedAt, setTemplate } from './edit.js';
import { parseManifests } from './load.js';

const dir = 'examples/tbyte/manifests';
const files = readdirSync(dir).map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
const FRONTEND = { kind: 'Rollout' as const, name: 'tbyte-microservices-frontend' };
const BACKEND = { kind: 'Deployment' as const, name: 'tbyte-microservices-backend' };

describe('manifest edits', () => {
  it('set image changes one container image and keeps the rest of the file, comments included', () => {
    const out = setImages(files, FRONTEND, { frontend: 'tbyte/frontend:v9' });
    const before = files.find((f) => f.path.endsWith('frontend-rollout.yaml'))?.text ?? '';
    const after = out.find((f) => f.path.endsWith('frontend-rollout.yaml'))?.text ?? '';
    expect(after).toContain('image: tbyte/frontend:v9');
    expect(after).toContain('# Progressive traffic splitting');
    expect(after.replace('tbyte/frontend:v9', 'tbyte/frontend:v1')).toBe(before);
    expect(out.filter((f, i) => f.text !== files[i]?.text)).toHaveLength(1);
  });

  it('names the containers there are when one does not exist, and the workload when it is missing', () => {
    expect(() => setImages(files, FRONTEND, { sidecar: 'x' })).toThrow(/has no container "sidecar" \(containers: frontend\)/);
    expect(() => setImages(files, { kind: 'Rollout', name: 'nope' }, { a: 'b' })).toThrow(/no Rollout named "nope"/);
  });

  it('restart of a Deployment sets restartedAt, a new template hash', () => {
    const parse = (fs: typeof files): string => podTemplateHash(parseManifests(fs).set.deployments[0]!.spec.template);
    const out = setRestartedAt(files, BACKEND, '2026-11-29T00:00:00.000Z');
    expect(out.find((f) => f.path.endsWith('backend.yaml'))?.text).toContain("kubectl.kubernetes.io/restartedAt: 2026-11-29T00:00:00.000Z");
    expect(parse(out)).not.toBe(parse(files));
  });

  it('undo writes a typed template back so it parses to the same template hash', () => {
    const set = parseManifests(files).set;
    const template = set.rollouts[0]!.spec.template!;
    const changed = setImages(files, FRONTEND, { frontend: 'tbyte/frontend:v2' });
    const back = setTemplate(changed, FRONTEND, template);
    const parsed = parseManifests(back);
    expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(podTemplateHash(parsed.set.rollouts[0]!.spec.template!)).toBe(podTemplateHash(template));
  });
});

import { describe, expect, it } from 'vitest';
import { parseManifests } from './load.js';
import { objectAsFile, objectKey, planApply, splitObjects, type ManifestObject } from './objects.js';

const svc = (name: string, ns?: string): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}spec:\n  selector: {app: ${name}}\n  ports: [{port: 80}]\n`;
const file = (path: string, ...docs: string[]): ManifestObject[] => splitObjects({ path, text: docs.join('---\n') });

describe('splitObjects', () => {
  it('gives each document its identity, its text and the line it starts on; namespace default when none', () => {
    const objs = splitObjects({ path: '/m/a.yaml', text: `# the frontend\n${svc('web', 'shop')}---\n${svc('api')}---\n# nothing here\n` });
    expect(objs.map((o) => [objectKey(o), o.line])).toEqual([
      ['Service/shop/web', 1],
      ['Service/default/api', 10],
    ]);
    expect(objs[0]?.text.startsWith('# the frontend\n')).toBe(true);
    // Parsed alone, an object reports the lines it had in its file.
    const whole = { path: '/m/b.yaml', text: `${svc('a')}---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec:\n  ports: [{port: "x"}]\n` };
    const errors = (files: { path: string; text: string }[]): [string, number][] =>
      parseManifests(files).diagnostics.filter((d) => d.severity === 'error').map((d) => [d.file, d.line]);
    expect(errors(splitObjects(whole).map(objectAsFile))).toEqual([['/m/b.yaml', 13]]);
    expect(errors([whole])).toEqual([['/m/b.yaml', 13]]);
  });
});

describe('planApply', () => {
  const inForce = [...file('/m/front.yaml', svc('front'), svc('front-canary')), ...file('/m/back.yaml', svc('back'))];

  it('merges: the files create and change their objects, every other object stays', () => {
    const applied = file('/m/back.yaml', svc('back').replace('port: 80', 'port: 81'), svc('back-admin'));
    const plan = planApply(inForce, applied);
    expect(plan.objects.map(objectKey)).toEqual(['Service/default/front', 'Service/default/front-canary', 'Service/default/back', 'Service/default/back-admin']);
    expect(plan.configured.map(objectKey)).toEqual(['Service/default/back']);
    expect(plan.created.map(objectKey)).toEqual(['Service/default/back-admin']);
    expect(plan.kept.map(objectKey)).toEqual(['Service/default/front', 'Service/default/front-canary']);
    expect(plan.pruned).toEqual([]);
    // An unchanged object keeps the instance in force (its parse stays cached).
    const same = planApply(inForce, file('/m/back.yaml', svc('back')));
    expect(same.unchanged[0]).toBe(inForce[2]);
    expect(same.objects[2]).toBe(inForce[2]);
  });

  it('prunes only when asked, and never from an empty set', () => {
    const plan = planApply(inForce, file('/m/back.yaml', svc('back')), { prune: true });
    expect(plan.objects.map(objectKey)).toEqual(['Service/default/back']);
    expect(plan.pruned.map(objectKey)).toEqual(['Service/default/front', 'Service/default/front-canary']);
    expect(() => planApply(inForce, [], { prune: true })).toThrow(expect.objectContaining({ code: 'prune-empty' }) as Error);
    expect(planApply(inForce, []).objects).toEqual(inForce);
  });

  it('refuses one object given twice', () => {
    expect(() => planApply([], [...file('/m/a.yaml', svc('x')), ...file('/m/b.yaml', svc('x', 'default'))])).toThrow(expect.objectContaining({ code: 'duplicate-object' }) as Error);
  });
});

/**
 * The local meaning of a pod template's first container (docs/local-runtime.md): the argv,
 * working directory and environment of its process, and which port a probe or hook means.
 */
import { isAbsolute, resolve } from 'node:path';
import { InvalidInputError } from '../../../core/errors.js';
import type { Container, IntOrString, PodTemplateSpec } from '../../../core/spec/types.js';

/** What the process of one pod is started with. */
export interface PodProcessSpec {
  argv: [string, ...string[]];
  cwd: string;
  /** The pod's own variables, added to the supervisor's environment. */
  env: Record<string, string>;
}

export interface PodIdentity {
  owner: string;
  name: string;
  namespace: string;
  port: number;
  labels: Record<string, string>;
}

/** The container Baton runs: the first one. */
export function firstContainer(template: PodTemplateSpec, owner: string): Container {
  const c = template.spec.containers[0];
  if (!c) throw new InvalidInputError('no-container', `${owner}: spec.template.spec.containers is empty`, { owner });
  return c;
}

/**
 * `$(VAR)` references in command and args, expanded from the container's environment as the
 * kubelet does (`third_party/forked/golang/expansion`): `$$` is a literal `$`, an unknown
 * `$(NAME)` stays as written. Nothing else is interpreted: the argv goes to the OS as is.
 */
export function expandVars(s: string, env: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== '$' || i + 1 >= s.length) {
      out += ch;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = s.indexOf(')', i + 2);
      if (close < 0) {
        out += s.slice(i);
        break;
      }
      const name = s.slice(i + 2, close);
      out += Object.hasOwn(env, name) ? env[name] : s.slice(i, close + 1);
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

/** A `fieldRef` the local runtime can answer; anything else is an error naming the variable. */
function fieldValue(id: PodIdentity, varName: string, ref: Record<string, unknown>): string {
  const path = typeof ref.fieldPath === 'string' ? ref.fieldPath : '';
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label?.[1] !== undefined) return id.labels[label[1]] ?? '';
  switch (path) {
    case 'metadata.name':
      return id.name;
    case 'metadata.namespace':
      return id.namespace;
    case 'status.podIP':
    case 'status.hostIP':
      return '127.0.0.1';
    case 'spec.nodeName':
      return 'localhost';
    default:
      throw new InvalidInputError(
        'unsupported-env',
        `${id.owner}: env ${varName}: valueFrom.fieldRef.fieldPath "${path}" has no local meaning`,
        { owner: id.owner, env: varName, hint: 'use value, or fieldRef metadata.name, metadata.namespace, metadata.labels[...], status.podIP' },
      );
  }
}

/**
 * argv, cwd and environment of a pod's process. `baseDir` is the manifest's directory, which a
 * relative `workingDir` is resolved against. Baton's own variables (`PORT`, `BATON_IMAGE`,
 * `POD_NAME`, `POD_NAMESPACE`) win over the manifest's, since `PORT` is the port Baton routes to.
 */
export function podProcessSpec(template: PodTemplateSpec, id: PodIdentity, baseDir: string): PodProcessSpec {
  const c = firstContainer(template, id.owner);
  const env: Record<string, string> = {};
  for (const e of c.env) {
    if (e.value !== undefined || e.valueFrom === undefined) {
      env[e.name] = expandVars(e.value ?? '', env);
      continue;
    }
    const ref = e.valueFrom.fieldRef;
    if (typeof ref !== 'object' || ref === null) {
      throw new InvalidInputError('unsupported-env', `${id.owner}: env ${e.name}: only valueFrom.fieldRef has a local meaning`, {
        owner: id.owner,
        env: e.name,
      });
    }
    env[e.name] = fieldValue(id, e.name, ref as Record<string, unknown>);
  }
  env.PORT = String(id.port);
  env.BATON_IMAGE = c.image;
  env.POD_NAME = id.name;
  env.POD_NAMESPACE = id.namespace;
  const argv = [...c.command, ...c.args].map((a) => expandVars(a, env));
  const [file, ...rest] = argv;
  if (file === undefined || file === '') {
    throw new InvalidInputError(
      'no-command',
      `${id.owner}: container "${c.name}" has no command: Baton runs command + args as a local process`,
      { owner: id.owner, container: c.name, hint: 'set command (e.g. [node, server.js])' },
    );
  }
  const cwd = c.workingDir ? (isAbsolute(c.workingDir) ? c.workingDir : resolve(baseDir, c.workingDir)) : baseDir;
  return { argv: [file, ...rest], cwd, env };
}

/**
 * The port a probe or hook means on this machine. A value equal to a declared `containerPort`,
 * or naming one, is the port Baton picked; so is any value when the container declares no ports
 * (the only port it has is `PORT`) and an unset one. Other numbers are used as written.
 */
export function localPort(port: IntOrString | undefined, container: Container, picked: number): number {
  if (port === undefined || container.ports.length === 0) return picked;
  if (typeof port === 'string') {
    if (container.ports.some((p) => p.name === port)) return picked;
    const n = Number(port);
    if (Number.isInteger(n) && n > 0) return container.ports.some((p) => p.containerPort === n) ? picked : n;
    return picked;
  }
  return container.ports.some((p) => p.containerPort === port) ? picked : port;
}

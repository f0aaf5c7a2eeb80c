/**
 * Kubernetes shapes shared by Rollouts, Deployments and Job metrics: object metadata, label
 * selectors and pod templates with their containers and probes, defaults as Kubernetes applies
 * them (`pkg/apis/core/v1/defaults.go`).
 */
import type {
  Container,
  ContainerPort,
  EnvVar,
  HttpGetAction,
  LabelSelector,
  LifecycleHandler,
  ObjectMeta,
  PodTemplateSpec,
  Probe,
} from './types.js';
import { DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, PROBE_DEFAULTS } from './defaults.js';
import type { Field } from './fields.js';

/** Kubernetes object names: a DNS-1123 subdomain (`apimachinery/pkg/util/validation`). */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Service names: a DNS-1035 label, since they become DNS names of their own. */
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Reads `metadata`; `kind` selects the name rule (Services are stricter than other objects). */
export function readObjectMeta(f: Field, kind?: string): ObjectMeta {
  f.object({ required: true });
  const nameField = f.get('name');
  const name = nameField.string({ required: true }) ?? '';
  if (name) {
    if (kind === 'Service' && (!DNS1035_LABEL.test(name) || name.length > 63)) {
      nameField.error('invalid-name', `"${name}" is not a valid Service name`, 'lowercase letters, digits and "-", starting with a letter, at most 63 characters');
    } else if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) {
      nameField.error('invalid-name', `"${name}" is not a valid object name`, 'lowercase letters, digits, "-" and ".", starting and ending with a letter or digit');
    }
  }
  const meta: ObjectMeta = {
    name,
    labels: f.get('labels').stringMap(),
    annotations: f.get('annotations').stringMap(),
  };
  const ns = f.get('namespace').string();
  if (ns !== undefined) meta.namespace = ns;
  return meta;
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
type Operator = (typeof OPERATORS)[number];

/** `matchLabels` and `matchExpressions`; an empty selector is an error, as in Kubernetes. */
export function readLabelSelector(f: Field): LabelSelector | undefined {
  if (!f.object()) return undefined;
  const selector: LabelSelector = { matchLabels: f.get('matchLabels').stringMap(), matchExpressions: [] };
  for (const e of f.get('matchExpressions').list()) {
    const key = e.get('key').string({ required: true });
    const op = e.get('operator').string({ required: true });
    const values = e.get('values').stringList();
    if (op !== undefined && !(OPERATORS as readonly string[]).includes(op)) {
      e.get('operator').error('invalid-value', `"${op}" is not a selector operator`, 'use In, NotIn, Exists or DoesNotExist');
      continue;
    }
    if (key === undefined || op === undefined) continue;
    const operator = op as Operator;
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      e.get('values').error('missing-field', `must be non-empty for operator ${operator}`);
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      e.get('values').error('invalid-value', `must be empty for operator ${operator}`);
    }
    selector.matchExpressions.push({ key, operator, values });
  }
  if (Object.keys(selector.matchLabels).length + selector.matchExpressions.length === 0) {
    f.error('invalid-selector', 'empty selector is invalid', 'add matchLabels that the pod template carries');
  }
  return selector;
}

/** Kubernetes label-selector semantics (`apimachinery/pkg/labels`). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !e.values.includes(value ?? '')) return false;
        break;
      case 'NotIn':
        if (has && e.values.includes(value ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default: {
        const never: never = e.operator;
        return never;
      }
    }
  }
  return true;
}

function readHttpGet(f: Field): HttpGetAction | undefined {
  if (!f.object()) return undefined;
  const action: HttpGetAction = { path: f.get('path').string() ?? '/' };
  const port = f.get('port').intOrString({ required: true });
  if (port !== undefined) action.port = port;
  const scheme = f.get('scheme').string();
  action.scheme = scheme ?? 'HTTP';
  const headers = f.get('httpHeaders').list();
  if (headers.length > 0) {
    action.httpHeaders = headers.map((h) => ({
      name: h.get('name').string({ required: true }) ?? '',
      value: h.get('value').scalarString() ?? '',
    }));
  }
  return action;
}

function readExec(f: Field): { command: string[] } | undefined {
  if (!f.object()) return undefined;
  const command = f.get('command').stringList();
  if (command.length === 0) f.get('command').error('missing-field', 'exec needs a command');
  return { command };
}

function readProbe(f: Field): Probe | undefined {
  if (!f.object()) return undefined;
  const probe: Probe = {
    initialDelaySeconds: f.get('initialDelaySeconds').int({ min: 0 }) ?? PROBE_DEFAULTS.initialDelaySeconds,
    periodSeconds: f.get('periodSeconds').int({ min: 1 }) ?? PROBE_DEFAULTS.periodSeconds,
    timeoutSeconds: f.get('timeoutSeconds').int({ min: 1 }) ?? PROBE_DEFAULTS.timeoutSeconds,
    successThreshold: f.get('successThreshold').int({ min: 1 }) ?? PROBE_DEFAULTS.successThreshold,
    failureThreshold: f.get('failureThreshold').int({ min: 1 }) ?? PROBE_DEFAULTS.failureThreshold,
  };
  const handlers = ['httpGet', 'exec', 'tcpSocket', 'grpc'].filter((k) => f.get(k).present);
  if (handlers.length === 0) f.error('invalid-probe', 'a probe needs one handler', 'set httpGet, exec or tcpSocket');
  if (handlers.length > 1) f.error('invalid-probe', `a probe may have only one handler, found ${handlers.join(', ')}`);
  const httpGet = readHttpGet(f.get('httpGet'));
  if (httpGet) probe.httpGet = httpGet;
  const exec = readExec(f.get('exec'));
  if (exec) probe.exec = exec;
  const tcp = f.get('tcpSocket');
  if (tcp.object()) {
    const port = tcp.get('port').intOrString({ required: true });
    if (port !== undefined) probe.tcpSocket = { port };
  }
  if (f.get('grpc').present) f.get('grpc').warning('unsupported', 'grpc probes are not supported by Baton', 'use httpGet, exec or tcpSocket');
  return probe;
}

function readLifecycleHandler(f: Field): LifecycleHandler | undefined {
  if (!f.object()) return undefined;
  const h: LifecycleHandler = {};
  const exec = readExec(f.get('exec'));
  if (exec) h.exec = exec;
  const sleep = f.get('sleep');
  if (sleep.object()) h.sleep = { seconds: sleep.get('seconds').int({ required: true, min: 0 }) ?? 0 };
  const httpGet = readHttpGet(f.get('httpGet'));
  if (httpGet) h.httpGet = httpGet;
  return h;
}

function readEnv(f: Field): EnvVar {
  const env: EnvVar = { name: f.get('name').string({ required: true }) ?? '' };
  const value = f.get('value').scalarString();
  if (value !== undefined) env.value = value;
  const from = f.get('valueFrom').object();
  if (from) env.valueFrom = from;
  return env;
}

function readPort(f: Field): ContainerPort {
  const port: ContainerPort = { containerPort: f.get('containerPort').int({ required: true, min: 1, max: 65535 }) ?? 0 };
  const name = f.get('name').string();
  if (name !== undefined) port.name = name;
  port.protocol = f.get('protocol').string() ?? 'TCP';
  return port;
}

/** One container: name and image required, probes with their defaults. */
export function readContainer(f: Field): Container {
  f.object({ required: true });
  const name = f.get('name').string({ required: true }) ?? '';
  // Kubernetes: a container name is a DNS-1123 label.
  if (name && (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63)) {
    f.get('name').error('invalid-name', `"${name}" is not a valid container name`, 'lowercase letters, digits and "-", at most 63 characters');
  }
  const c: Container = {
    name,
    image: f.get('image').string({ required: true }) ?? '',
    command: f.get('command').stringList(),
    args: f.get('args').stringList(),
    env: f.get('env').list().map(readEnv),
    ports: f.get('ports').list().map(readPort),
  };
  const wd = f.get('workingDir').string();
  if (wd !== undefined) c.workingDir = wd;
  for (const key of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    const probe = readProbe(f.get(key));
    if (probe) c[key] = probe;
  }
  const lifecycle = f.get('lifecycle');
  if (lifecycle.object()) {
    c.lifecycle = {};
    const preStop = readLifecycleHandler(lifecycle.get('preStop'));
    if (preStop) c.lifecycle.preStop = preStop;
    const postStart = readLifecycleHandler(lifecycle.get('postStart'));
    if (postStart) c.lifecycle.postStart = postStart;
  }
  return c;
}

/** A pod template; `required` reports a missing one at `f`'s path. */
export function readPodTemplate(f: Field, opts?: { required?: boolean }): PodTemplateSpec | undefined {
  if (!f.object(opts)) return undefined;
  const meta = f.get('metadata');
  const spec = f.get('spec');
  const specObj = spec.object({ required: true }) ?? {};
  const containers = spec.get('containers').list({ required: true }).map(readContainer);
  if (spec.get('containers').present && containers.length === 0) {
    spec.get('containers').error('missing-field', 'a pod needs at least one container');
  }
  const names = new Set<string>();
  containers.forEach((c, i) => {
    if (c.name && names.has(c.name)) spec.get('containers').get(i).get('name').error('duplicate-name', `duplicate container name "${c.name}"`);
    names.add(c.name);
  });
  const raw: Record<string, unknown> = { ...specObj };
  delete raw.containers;
  delete raw.terminationGracePeriodSeconds;
  return {
    metadata: { labels: meta.get('labels').stringMap(), annotations: meta.get('annotations').stringMap() },
    spec: {
      containers,
      terminationGracePeriodSeconds:
        spec.get('terminationGracePeriodSeconds').int({ min: 0 }) ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
      raw,
    },
  };
}

/**
 * Istio networking VirtualService, DestinationRule and Gateway (v1alpha3, v1beta1 and v1 share
 * these fields). Only the fields Baton's gateway and router read are typed; the rest is kept.
 */
import type {
  DestinationRule,
  IstioDestination,
  IstioGateway,
  IstioHttpMatch,
  IstioHttpRoute,
  IstioRouteDestination,
  ManifestBase,
  StringMatch,
  VirtualService,
} from './types.js';
import { ISTIO_SINGLE_DESTINATION_WEIGHT } from './defaults.js';
import { parseGoDuration } from './duration.js';
import type { Field } from './fields.js';

/** Istio StringMatch: exactly one of exact, prefix, regex. */
export function readStringMatch(f: Field): StringMatch | undefined {
  if (!f.object()) return undefined;
  const m: StringMatch = {};
  const set: string[] = [];
  for (const key of ['exact', 'prefix', 'regex'] as const) {
    const v = f.get(key).scalarString();
    if (v !== undefined) {
      m[key] = v;
      set.push(key);
    }
  }
  if (set.length !== 1) {
    f.error(
      'invalid-match',
      set.length === 0
        ? 'StringMatch value missed, match value must have one of the following: exact, regex, prefix'
        : 'StringMatch match value must have exactly one of the following: exact, regex, prefix',
    );
  }
  return m;
}

function readStringMatchMap(f: Field): Record<string, StringMatch> | undefined {
  if (!f.object()) return undefined;
  const out: Record<string, StringMatch> = {};
  for (const key of f.keys()) {
    const m = readStringMatch(f.get(key));
    if (m) out[key] = m;
  }
  return out;
}

/** A route destination: `host` required, `subset` and `port` optional. */
export function readDestination(f: Field): IstioDestination | undefined {
  if (!f.object({ required: true })) return undefined;
  const d: IstioDestination = { host: f.get('host').string({ required: true }) ?? '' };
  const subset = f.get('subset').string();
  if (subset !== undefined) d.subset = subset;
  const port = f.get('port');
  if (port.object()) {
    d.port = {};
    const n = port.get('number').int({ min: 1, max: 65535 });
    if (n !== undefined) d.port.number = n;
    const name = port.get('name').string();
    if (name !== undefined) d.port.name = name;
  }
  return d;
}

function readMatch(f: Field): IstioHttpMatch {
  const m: IstioHttpMatch = {};
  const name = f.get('name').string();
  if (name !== undefined) m.name = name;
  for (const key of ['uri', 'scheme', 'method', 'authority'] as const) {
    const sm = readStringMatch(f.get(key));
    if (sm) m[key] = sm;
  }
  const headers = readStringMatchMap(f.get('headers'));
  if (headers) m.headers = headers;
  const query = readStringMatchMap(f.get('queryParams'));
  if (query) m.queryParams = query;
  if (f.get('ignoreUriCase').present) m.ignoreUriCase = f.get('ignoreUriCase').bool(false);
  return m;
}

function readHttpRoute(f: Field): IstioHttpRoute {
  const r: IstioHttpRoute = { match: f.get('match').list().map(readMatch), route: [] };
  const name = f.get('name').string();
  if (name !== undefined) r.name = name;
  const dests = f.get('route').list();
  if (dests.length === 0 && !['redirect', 'directResponse', 'delegate'].some((k) => f.get(k).present)) {
    f.error('invalid-route', 'HTTP route or redirect is required', 'add route: [{destination: {host: ...}}]');
  }
  for (const d of dests) {
    const destination = readDestination(d.get('destination'));
    if (!destination) continue;
    const rd: IstioRouteDestination = { destination };
    const w = d.get('weight').int({ min: 0, max: 100 });
    if (w !== undefined) rd.weight = w;
    r.route.push(rd);
  }
  if (r.route.length === 1 && r.route[0] && r.route[0].weight === undefined) {
    r.route[0].weight = ISTIO_SINGLE_DESTINATION_WEIGHT;
  }
  if (r.route.length > 1) {
    const total = r.route.reduce((sum, d) => sum + (d.weight ?? 0), 0);
    if (total !== 100) f.get('route').warning('route-weights', `destination weights add up to ${total}`, 'Istio expects the weights of a route to total 100');
  }
  const rewrite = f.get('rewrite');
  if (rewrite.object()) {
    r.rewrite = {};
    const uri = rewrite.get('uri').string();
    if (uri !== undefined) r.rewrite.uri = uri;
    const authority = rewrite.get('authority').string();
    if (authority !== undefined) r.rewrite.authority = authority;
  }
  const timeout = f.get('timeout').string();
  if (timeout !== undefined) {
    const ms = parseGoDuration(timeout);
    if (ms === undefined || ms < 0) f.get('timeout').error('invalid-duration', `"${timeout}" is not a duration`, 'use 5s, 500ms, 1m');
    else r.timeout = ms / 1000;
  }
  if (f.get('mirror').present) {
    const mirror = readDestination(f.get('mirror'));
    if (mirror) r.mirror = mirror;
  }
  const mp = f.get('mirrorPercentage');
  if (mp.object()) {
    const value = mp.get('value').number({ min: 0, max: 100 });
    if (value !== undefined) r.mirrorPercentage = { value };
  }
  const retries = f.get('retries').object();
  if (retries) r.retries = retries;
  const headers = f.get('headers').object();
  if (headers) r.headers = headers;
  return r;
}

function rawList(f: Field): unknown[] {
  f.list();
  return Array.isArray(f.value) ? (f.value as unknown[]) : [];
}

/** Istio requires at least one host on a VirtualService. */
function readHosts(f: Field): string[] {
  const hosts = f.stringList();
  if (hosts.length === 0) f.error('missing-field', 'a VirtualService needs at least one host', 'add hosts: [<service or domain>]');
  return hosts;
}

/** Reads a VirtualService: hosts, gateways and http routes (tls/tcp kept as written). */
export function readVirtualService(f: Field, base: Omit<ManifestBase<string>, 'kind'>): VirtualService {
  const spec = f.get('spec');
  spec.object({ required: true });
  const http = spec.get('http').list().map(readHttpRoute);
  return {
    ...base,
    kind: 'VirtualService',
    spec: {
      hosts: readHosts(spec.get('hosts')),
      gateways: spec.get('gateways').stringList(),
      http,
      tls: rawList(spec.get('tls')),
      tcp: rawList(spec.get('tcp')),
    },
  };
}

/** Reads a DestinationRule: host and named subsets. */
export function readDestinationRule(f: Field, base: Omit<ManifestBase<string>, 'kind'>): DestinationRule {
  const spec = f.get('spec');
  spec.object({ required: true });
  const out: DestinationRule = {
    ...base,
    kind: 'DestinationRule',
    spec: {
      host: spec.get('host').string({ required: true }) ?? '',
      subsets: spec
        .get('subsets')
        .list()
        .map((s) => ({ name: s.get('name').string({ required: true }) ?? '', labels: s.get('labels').stringMap() })),
    },
  };
  const tp = spec.get('trafficPolicy').object();
  if (tp) out.spec.trafficPolicy = tp;
  return out;
}

/** Reads an Istio Gateway: selector and servers. */
export function readGateway(f: Field, base: Omit<ManifestBase<string>, 'kind'>): IstioGateway {
  const spec = f.get('spec');
  spec.object({ required: true });
  return {
    ...base,
    kind: 'Gateway',
    spec: {
      selector: spec.get('selector').stringMap(),
      servers: spec
        .get('servers')
        .list()
        .map((s) => {
          const port = s.get('port');
          port.object({ required: true });
          const p: IstioGateway['spec']['servers'][number]['port'] = {
            number: port.get('number').int({ required: true, min: 1, max: 65535 }) ?? 0,
            protocol: port.get('protocol').string({ required: true }) ?? '',
          };
          const name = port.get('name').string();
          if (name !== undefined) p.name = name;
          return { port: p, hosts: s.get('hosts').stringList() };
        }),
    },
  };
}

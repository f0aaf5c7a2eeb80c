/**
 * A cache of one resource type kept current by list + watch, as client-go's reflector keeps it:
 * list, then watch from the list's resourceVersion (with bookmarks, so a quiet watch still
 * advances it); when the stream ends, watch again from the last version seen; when the server
 * answers 410 Gone (the version was compacted away), list again and report the differences as
 * events; when the server cannot be reached, retry with a capped exponential back-off. Handlers
 * see each change once, in order, after the cache holds it.
 */
import { isGone, KubeApiError, type KubeClient, type WatchEvent } from './client.js';
import { objectKey, type KubeObject, type ResourceType } from './resources.js';
import { abortableSleep as sleep } from './abortable-sleep.js';

export type InformerEventType = 'added' | 'updated' | 'deleted';
export type InformerHandler<T extends KubeObject> = (type: InformerEventType, obj: T, old: T | undefined) => void;

export interface InformerOptions {
  /** Watch one namespace; all when unset. */
  namespace?: string;
  labelSelector?: string;
  /** Server-side watch timeout; the watch is reopened after it (default 300 s, client-go's 5-10 min range). */
  watchTimeoutSeconds?: number;
  /** Back-off after a failed list or watch: first delay and cap (default 200 ms, 5 s). */
  backoffMs?: { initial: number; max: number };
  /** Reports failures the informer retries by itself. */
  onError?: (e: unknown) => void;
}

/** The list + watch cache of one resource type (see the file comment). */
export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandler<T>[] = [];
  private resourceVersion = '';
  private readonly stopper = new AbortController();
  private running: Promise<void> | undefined;
  private syncedResolve!: () => void;
  /** Resolves after the first list has filled the cache. */
  readonly synced: Promise<void> = new Promise((r) => (this.syncedResolve = r));
  /** Lists made (the first one and every relist), for tests and metrics. */
  lists = 0;

  constructor(
    private readonly client: KubeClient,
    readonly resource: ResourceType,
    private readonly opts: InformerOptions = {},
  ) {}

  onChange(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.running;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace && this.resource.namespaced ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): T[] {
    const all = [...this.cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** The last resourceVersion seen (of a list, an event or a bookmark). */
  get version(): string {
    return this.resourceVersion;
  }

  /**
   * Puts an object the caller just wrote into the cache at once (when it is newer than the one
   * cached), so the next read sees the write before the watch delivers it. No handler runs.
   */
  remember(obj: T): void {
    const key = objectKey(obj);
    const cur = this.cache.get(key);
    if (!cur || newerThan(obj, cur)) this.cache.set(key, obj);
  }

  /** Forgets an object the caller just deleted. */
  forget(namespace: string | undefined, name: string): void {
    this.cache.delete(namespace && this.resource.namespaced ? `${namespace}/${name}` : name);
  }

  private async run(): Promise<void> {
    const { initial, max } = this.opts.backoffMs ?? { initial: 200, max: 5_000 };
    let delay = initial;
    const signal = this.stopper.signal;
    while (!signal.aborted) {
      try {
        if (!this.resourceVersion) await this.relist();
        await this.watchOnce(signal);
        delay = initial;
      } catch (e) {
        if (signal.aborted) break;
        if (isGone(e)) {
          // Compacted past our version: only a fresh list can say what changed meanwhile.
          this.resourceVersion = '';
          continue;
        }
        this.opts.onError?.(e);
        await sleep(delay, signal);
        delay = Math.min(max, delay * 2);
      }
    }
  }

  private query(): Record<string, string> {
    return this.opts.labelSelector ? { labelSelector: this.opts.labelSelector } : {};
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.client.list<T>(this.resource, this.opts.namespace, this.query());
    this.lists += 1;
    const kind = this.resource.kind;
    const apiVersion = this.resource.group ? `${this.resource.group}/${this.resource.version}` : this.resource.version;
    const seen = new Set<string>();
    for (const item of items) {
      // List items carry no kind/apiVersion; watch events do. Make them alike.
      const obj = { apiVersion, kind, ...item } as T;
      const key = objectKey(obj);
      seen.add(key);
      const old = this.cache.get(key);
      if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.cache.set(key, obj);
      this.emit(old ? 'updated' : 'added', obj, old);
    }
    for (const [key, old] of [...this.cache]) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.emit('deleted', old, old);
    }
    this.resourceVersion = resourceVersion;
    this.syncedResolve();
  }

  private async watchOnce(signal: AbortSignal): Promise<void> {
    const timeout = String(this.opts.watchTimeoutSeconds ?? 300);
    let gone: Error | undefined;
    const inner = new AbortController();
    const both = AbortSignal.any([signal, inner.signal]);
    await this.client.watch<T>(this.resource, this.opts.namespace, { ...this.query(), resourceVersion: this.resourceVersion, timeoutSeconds: timeout }, (e) => {
      if (gone) return;
      gone = this.handle(e);
      if (gone) inner.abort();
    }, both);
    if (gone) throw gone;
  }

  /** Applies one event; returns an error to end the watch with. */
  private handle(e: WatchEvent<T>): Error | undefined {
    if (e.type === 'ERROR') {
      // A Status object; a 410 in the stream means what a 410 answer means: relist.
      const status = e.object as unknown as { code?: number; reason?: string; message?: string };
      return new KubeApiError(status.code ?? 500, status.reason ?? '', `watch ${this.resource.plural}: ${status.message ?? 'error event'}`);
    }
    const obj = e.object;
    if (obj.metadata.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
    if (e.type === 'BOOKMARK') return undefined;
    const key = objectKey(obj);
    const old = this.cache.get(key);
    if (e.type === 'DELETED') {
      this.cache.delete(key);
      this.emit('deleted', obj, old);
      return undefined;
    }
    // A write the caller remembered may already be newer than this event: keep it, but still
    // report the change (the remembered object includes it: the server applied writes in order),
    // or a change someone else made just before our write would never reach a handler.
    if (old && newerThan(old, obj)) {
      this.emit('updated', old, old);
      return undefined;
    }
    this.cache.set(key, obj);
    this.emit(old ? 'updated' : 'added', obj, old);
    return undefined;
  }

  private emit(type: InformerEventType, obj: T, old: T | undefined): void {
    for (const h of this.handlers) {
      try {
        h(type, obj, old);
      } catch (e) {
        this.opts.onError?.(e);
      }
    }
  }
}

/**
 * resourceVersions are opaque strings, but etcd-backed servers hand out increasing integers;
 * compared as such when both parse, else treated as different (the event wins).
 */
function newerThan(a: KubeObject, b: KubeObject): boolean {
  const x = Number(a.metadata.resourceVersion);
  const y = Number(b.metadata.resourceVersion);
  return Number.isSafeInteger(x) && Number.isSafeInteger(y) && x > y;
}

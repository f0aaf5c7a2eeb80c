/**
 * The pod-template hash that names a revision, as Kubernetes' `controller.ComputeHash` and Argo's
 * `hash.ComputePodTemplateHash` build it: FNV-1a 32 over the template, the decimal sum rendered
 * with `rand.SafeEncodeString` (k8s.io/apimachinery/pkg/util/rand), whose alphabet has no vowels
 * and no look-alike characters so a hash never spells a word.
 *
 * Kubernetes hashes the Go struct with `DeepHashObject` (spew); Baton hashes canonical JSON (keys
 * sorted, undefined dropped) instead, so the value is deterministic across runs and processes but
 * is not byte-for-byte the hash a cluster would compute.
 */
import type { PodTemplateSpec } from '../spec/types.js';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Deterministic JSON: object keys sorted, `undefined` members dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** FNV-1a, 32 bit, over the UTF-8 bytes of `text` (Go's `hash/fnv.New32a`). */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    // Multiply by the FNV prime 16777619 modulo 2^32.
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * `rand.SafeEncodeString`: each byte of `s` picks `alphabet[byte % 27]`.
 * Worked example: "12" -> bytes 49, 50 -> 49 % 27 = 22 -> '5', 50 % 27 = 23 -> '6' -> "56".
 */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** The hash of a pod template, e.g. `6d4f8b9c7`; equal templates give equal hashes. */
export function podTemplateHash(template: PodTemplateSpec): string {
  return jsonHash(template);
}

/**
 * Hashes by object identity: manifests are read once and never mutated, and the engine
 * reconciles the same template and steps thousands of times (a 24 h simulation).
 */
const hashes = new WeakMap<object, string>();

/** A short stable hash of any JSON value (the canary steps, for Argo's `currentStepHash`). */
export function jsonHash(value: unknown): string {
  if (typeof value !== 'object' || value === null) return safeEncodeString(String(fnv1a32(canonicalJson(value))));
  let h = hashes.get(value);
  if (h === undefined) {
    h = safeEncodeString(String(fnv1a32(canonicalJson(value))));
    hashes.set(value, h);
  }
  return h;
}

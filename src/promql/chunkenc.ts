/**
 * Gorilla ("XOR") chunk encoding of float samples, as Prometheus' tsdb/chunkenc/xor.go does it:
 * timestamps as delta-of-delta in buckets of 0/14/17/20/64 bits behind a 1-4 bit prefix, values
 * XORed with the previous value and written as the meaningful bits between its leading and
 * trailing zeros, reusing the previous window when it fits. Two departures from the Go layout,
 * neither of which changes what is stored: the sample count lives beside the bytes instead of in
 * a 2-byte header, and the first timestamp is written as 64 raw bits and the first delta as a
 * delta-of-delta against 0 instead of varints. Values are written as their exact 64-bit pattern,
 * so NaN payloads (the stale marker, 0x7ff0000000000002), -0 and infinities round-trip exactly.
 * Timestamps are integer milliseconds within ±2^53.
 */

const TWO32 = 4294967296;

// Scratch views to move between a float and its bit pattern (little-endian: [lo, hi]).
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** The high and low 32 bits of a float's IEEE-754 pattern, written into `out`. */
export function floatBits(v: number, out: { hi: number; lo: number }): void {
  f64[0] = v;
  out.lo = u32[0] as number;
  out.hi = u32[1] as number;
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Leading zeros of a 64-bit value given as two uint32 halves. */
function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

/** Trailing zeros of a non-zero 64-bit value given as two uint32 halves. */
function ctz64(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

/**
 * Appends samples to one chunk's bit stream. The buffer grows by doubling while the chunk is
 * open; `seal()` returns the bytes trimmed to their length.
 */
export class XorAppender {
  private buf: Uint8Array;
  /** Bits written. */
  private pos = 0;
  /** Samples written. */
  count = 0;
  /** The last sample's time and value bits (read by the series for its order checks). */
  lastT = 0;
  lastHi = 0;
  lastLo = 0;
  private tDelta = 0;
  // 0xff: no window yet (xor.go's sentinel).
  private leading = 0xff;
  private trailing = 0;

  constructor(initialBytes = 32) {
    this.buf = new Uint8Array(initialBytes);
  }

  /** The bytes written so far (a view on the live buffer, valid until the next append). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, (this.pos + 7) >>> 3);
  }

  /** Bytes held, unused capacity included. */
  capacity(): number {
    return this.buf.byteLength;
  }

  /** A copy of the bytes written, exactly as long as needed. */
  seal(): Uint8Array {
    return this.buf.slice(0, (this.pos + 7) >>> 3);
  }

  /** Copies the bytes written into a shared slab; returns where they are. */
  sealInto(slab: ChunkSlab): { buf: Uint8Array; off: number } {
    return slab.store(this.bytes());
  }

  /** Appends a sample whose value is given by its bit pattern; `t` must not be below the last one. */
  append(t: number, hi: number, lo: number): void {
    // Worst case per sample: 4 + 64 timestamp bits and 2 + 5 + 6 + 64 value bits.
    if (this.pos + 160 > this.buf.length * 8) {
      const next = new Uint8Array(this.buf.length * 2 + 24);
      next.set(this.buf);
      this.buf = next;
    }
    if (this.count === 0) {
      this.writeInt64(t);
      this.writeBits(hi, 32);
      this.writeBits(lo, 32);
    } else {
      const tDelta = t - this.lastT;
      this.writeDod(tDelta - this.tDelta);
      this.tDelta = tDelta;
      this.writeValue(hi, lo);
    }
    this.lastT = t;
    this.lastHi = hi;
    this.lastLo = lo;
    this.count++;
  }

  private writeDod(dod: number): void {
    if (dod === 0) this.writeBits(0, 1);
    else if (dod >= -8191 && dod <= 8192) {
      this.writeBits(0b10, 2);
      this.writeBits(dod & 0x3fff, 14);
    } else if (dod >= -65535 && dod <= 65536) {
      this.writeBits(0b110, 3);
      this.writeBits(dod & 0x1ffff, 17);
    } else if (dod >= -524287 && dod <= 524288) {
      this.writeBits(0b1110, 4);
      this.writeBits(dod & 0xfffff, 20);
    } else {
      this.writeBits(0b1111, 4);
      this.writeInt64(dod);
    }
  }

  private writeValue(hi: number, lo: number): void {
    const xh = (hi ^ this.lastHi) >>> 0;
    const xl = (lo ^ this.lastLo) >>> 0;
    if (xh === 0 && xl === 0) {
      this.writeBits(0, 1);
      return;
    }
    this.writeBits(1, 1);
    let leading = clz64(xh, xl);
    const trailing = ctz64(xh, xl);
    // The leading count is written in 5 bits.
    if (leading >= 32) leading = 31;
    if (this.leading !== 0xff && leading >= this.leading && trailing >= this.trailing) {
      this.writeBits(0, 1);
      this.writeShifted(xh, xl, this.trailing, 64 - this.leading - this.trailing);
      return;
    }
    this.leading = leading;
    this.trailing = trailing;
    this.writeBits(1, 1);
    this.writeBits(leading, 5);
    const sig = 64 - leading - trailing;
    // 64 significant bits are written as 0 (6 bits overflow), as xor.go does.
    this.writeBits(sig & 63, 6);
    this.writeShifted(xh, xl, trailing, sig);
  }

  /** Writes the low `n` bits of (hi:lo >> shift). */
  private writeShifted(hi: number, lo: number, shift: number, n: number): void {
    let h = hi;
    let l = lo;
    if (shift >= 32) {
      l = hi >>> (shift - 32);
      h = 0;
    } else if (shift > 0) {
      l = ((lo >>> shift) | (hi << (32 - shift))) >>> 0;
      h = hi >>> shift;
    }
    if (n > 32) {
      this.writeBits(h, n - 32);
      this.writeBits(l, 32);
    } else this.writeBits(l, n);
  }

  /** Writes a safe integer as 64-bit two's complement. */
  private writeInt64(x: number): void {
    const hi = Math.floor(x / TWO32);
    this.writeBits(hi >>> 0, 32);
    this.writeBits(x - hi * TWO32, 32);
  }

  /** Writes the low `n` (1..32) bits of `value`, most significant first. */
  private writeBits(value: number, n: number): void {
    const buf = this.buf;
    let pos = this.pos;
    let left = n;
    while (left > 0) {
      const free = 8 - (pos & 7);
      const take = free < left ? free : left;
      const bits = (value >>> (left - take)) & ((1 << take) - 1);
      const i = pos >>> 3;
      buf[i] = (buf[i] as number) | (bits << (free - take));
      left -= take;
      pos += take;
    }
    this.pos = pos;
  }
}

/** Reads a chunk's bit stream. */
class BitReader {
  pos: number;
  constructor(
    private readonly buf: Uint8Array,
    byteOffset: number,
  ) {
    this.pos = byteOffset * 8;
  }

  /** Reads `n` (1..32) bits as an unsigned integer. */
  read(n: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let left = n;
    let out = 0;
    while (left > 0) {
      const avail = 8 - (pos & 7);
      const take = avail < left ? avail : left;
      const byte = buf[pos >>> 3];
      if (byte === undefined) throw new RangeError('chunk ended early');
      const bits = (byte >>> (avail - take)) & ((1 << take) - 1);
      out = out * (1 << take) + bits;
      left -= take;
      pos += take;
    }
    this.pos = pos;
    return out;
  }

  readInt64(): number {
    const hi = this.read(32) | 0;
    return hi * TWO32 + this.read(32);
  }
}

/**
 * Decodes the first `count` samples of a chunk (its bytes start at `byteOffset` of `bytes`) into
 * `ts`/`vs` starting at index `at`, keeping only
 * those with t >= `fromT`; returns the index after the last one written. Values are written
 * through `vbits` (a Uint32Array over `vs`' buffer) so NaN payloads stay intact.
 */
export function decodeChunk(
  bytes: Uint8Array,
  count: number,
  fromT: number,
  ts: Float64Array,
  vbits: Uint32Array,
  at: number,
  byteOffset = 0,
): number {
  const r = new BitReader(bytes, byteOffset);
  let j = at;
  let t = 0;
  let tDelta = 0;
  let hi = 0;
  let lo = 0;
  let leading = 0;
  let trailing = 0;
  for (let k = 0; k < count; k++) {
    if (k === 0) {
      t = r.readInt64();
      hi = r.read(32);
      lo = r.read(32);
    } else {
      tDelta += readDod(r);
      t += tDelta;
      if (r.read(1) === 1) {
        let sig: number;
        if (r.read(1) === 1) {
          leading = r.read(5);
          sig = r.read(6);
          if (sig === 0) sig = 64;
          trailing = 64 - leading - sig;
        } else sig = 64 - leading - trailing;
        let xh = 0;
        let xl: number;
        if (sig > 32) {
          xh = r.read(sig - 32);
          xl = r.read(32);
        } else xl = r.read(sig);
        // Shift the meaningful bits back into place.
        if (trailing >= 32) {
          xh = xl << (trailing - 32);
          xl = 0;
        } else if (trailing > 0) {
          xh = (xh << trailing) | (xl >>> (32 - trailing));
          xl = xl << trailing;
        }
        hi = (hi ^ xh) >>> 0;
        lo = (lo ^ xl) >>> 0;
      }
    }
    if (t < fromT) continue;
    ts[j] = t;
    vbits[2 * j] = lo;
    vbits[2 * j + 1] = hi;
    j++;
  }
  return j;
}

/** Timestamps only: counts samples of a chunk with a <= t < b. */
export function countInRange(bytes: Uint8Array, count: number, a: number, b: number, byteOffset = 0): number {
  const r = new BitReader(bytes, byteOffset);
  let t = 0;
  let tDelta = 0;
  let leading = 0;
  let trailing = 0;
  let n = 0;
  for (let k = 0; k < count; k++) {
    if (k === 0) {
      t = r.readInt64();
      r.pos += 64;
    } else {
      tDelta += readDod(r);
      t += tDelta;
      if (r.read(1) === 1) {
        let sig: number;
        if (r.read(1) === 1) {
          leading = r.read(5);
          sig = r.read(6);
          if (sig === 0) sig = 64;
          trailing = 64 - leading - sig;
        } else sig = 64 - leading - trailing;
        r.pos += sig;
      }
    }
    if (t >= b) break;
    if (t >= a) n++;
  }
  return n;
}

function readDod(r: BitReader): number {
  if (r.read(1) === 0) return 0;
  if (r.read(1) === 0) return signed(r.read(14), 14);
  if (r.read(1) === 0) return signed(r.read(17), 17);
  if (r.read(1) === 0) return signed(r.read(20), 20);
  return r.readInt64();
}

/** Bucket bits back to a signed delta, as xor.go: values above 2^(n-1) wrap negative. */
function signed(bits: number, n: number): number {
  return bits > 1 << (n - 1) ? bits - (1 << n) : bits;
}

/**
 * Sealed chunks packed into large shared buffers: a chunk is a (buffer, offset) pair instead of
 * a typed array of its own, which in V8 costs more heap than a chunk's bytes. A buffer is freed
 * by the garbage collector once no chunk in it is referenced; chunks sealed together expire
 * together under a retention window, so buffers empty out whole.
 */
export class ChunkSlab {
  private buf: Uint8Array;
  private used = 0;

  constructor(private readonly size = 1 << 18) {
    this.buf = new Uint8Array(size);
  }

  store(bytes: Uint8Array): { buf: Uint8Array; off: number } {
    if (this.used + bytes.length > this.buf.length) {
      this.buf = new Uint8Array(Math.max(this.size, bytes.length));
      this.used = 0;
    }
    const off = this.used;
    this.buf.set(bytes, off);
    this.used += bytes.length;
    return { buf: this.buf, off };
  }
}

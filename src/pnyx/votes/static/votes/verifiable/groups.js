// The two prime-order groups of verifiable votes, for the voter's browser booth.
//
// Mirrors src/pnyx/crypto/groups.py: BELENIOS-2048 (Belenios 2.0 specification, section "Group
// parameters", elements written in base 10) and RISTRETTO255 (RFC 9496, Pnyx's extension,
// elements written as 64 lowercase hex digits). Scalars are BigInts in [0, q).
//
// Each group offers: name, q, one, g, mul(a, b), eq(a, b), toStr(a), fromStr(s) (checks
// membership, throws GroupError), gPow(k) and a fixed-base exponentiator base(x) with .pow(k)
// (precomputed tables: the booth only ever raises g and the election key y to powers), and
// hash(prefix, elements): Belenios's H, SHA-256 of the prefix then the elements' text forms
// joined by commas, read big-endian, modulo q.
//
// No WebCrypto (absent on plain-http LAN addresses): SHA-256 from the vendored @noble/hashes.

import { ristretto255 } from "./vendor/noble-curves/ed25519.js";
import { sha256 } from "./vendor/noble-hashes/sha2.js";

export class GroupError extends Error {}

const encoder = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function bytesToHex(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

export function sha256Hex(text) {
  return bytesToHex(sha256(encoder.encode(text)));
}

function hashModQ(q, prefix, strings) {
  return BigInt("0x" + sha256Hex(prefix + strings.join(","))) % q;
}

// ---- BELENIOS-2048 ------------------------------------------------------------------------

const FF_P = BigInt(
  "2069478569142254640101364365750500806492298929575110409710088478705737421924271740192" +
    "2237254497684338129066633138078958404960054389636289796393038773905722803605973749427" +
    "6713767776188985898727358650490811670993105358677809800307904916540637771737641986785" +
    "2727347447634183560003569830519314428456170191100078673730733356412397173289791324047" +
    "4578834468260652327974647951137672658693582180046317922073668860052627186363386088796" +
    "8821207694323661494910029234443463732221458841005864210502421203654335612013204811188" +
    "52408731077014151666200162313177169372189248078507711827842317498073276598828825169183" +
    "103125680162072880719",
);
const FF_Q = 78571733251071885079927659812671450121821421258408794611510081919805623223441n;
const FF_G = BigInt(
  "2402352677501852209227687703532399932712287657378364916510075318787663274146353219320" +
    "2856761552696787996946682987493890950838965734256019006010684771644917354741372831046" +
    "1045868131451178164675540052740288984613986453266121505579709716201616827031288643245" +
    "6663834863635782106154918419982534315189740658186868651151358576410138882215396016043" +
    "2288436039309893336627728484065931384060102316750957637779826651036068224066350766977" +
    "6402534625377308513317349519424896775405257365904949247763147599157519877517771148149" +
    "09204566002054781270547282381409725186398583341157005683536955534237814755824918960502" +
    "96680037745308460627",
);

// Square-and-multiply, left to right, 4-bit windows (used once per election: membership check).
function modPow(base, exp, p) {
  const pre = [1n, base % p];
  for (let i = 2; i < 16; i++) pre.push((pre[i - 1] * pre[1]) % p);
  let acc = 1n;
  for (const ch of exp.toString(16)) {
    acc = (acc * acc) % p;
    acc = (acc * acc) % p;
    acc = (acc * acc) % p;
    acc = (acc * acc) % p;
    const d = parseInt(ch, 16);
    if (d) acc = (acc * pre[d]) % p;
  }
  return acc;
}

// Fixed-base exponentiation by a table of base^(d * 2^(W*i)) for every window i and digit d:
// one modular multiplication per non-zero W-bit digit of the exponent, no squaring.
const FF_W = 6;
const FF_WINDOWS = Math.ceil(256 / FF_W);

class FFBase {
  constructor(x, p) {
    this.p = p;
    this.table = [];
    let b = x;
    for (let i = 0; i < FF_WINDOWS; i++) {
      const row = [1n, b];
      for (let d = 2; d < 1 << FF_W; d++) row.push((row[d - 1] * b) % p);
      this.table.push(row);
      b = (row[(1 << FF_W) - 1] * b) % p;
    }
  }

  pow(k) {
    const bits = k.toString(2);
    const t = this.table;
    const p = this.p;
    let acc = 1n;
    let end = bits.length;
    for (let i = 0; end > 0; i++, end -= FF_W) {
      const d = parseInt(bits.slice(Math.max(0, end - FF_W), end), 2);
      if (d) acc = acc === 1n ? t[i][d] : (acc * t[i][d]) % p;
    }
    return acc;
  }
}

class FiniteFieldGroup {
  constructor() {
    this.name = "BELENIOS-2048";
    this.p = FF_P;
    this.q = FF_Q;
    this.g = FF_G;
    this.one = 1n;
    this._gBase = null;
  }

  mul(a, b) {
    return (a * b) % this.p;
  }

  eq(a, b) {
    return a === b;
  }

  toStr(a) {
    return a.toString(10);
  }

  fromStr(s) {
    if (typeof s !== "string" || !/^(0|[1-9][0-9]*)$/.test(s)) {
      throw new GroupError(`not a number in base 10: ${String(s).slice(0, 80)}`);
    }
    const x = BigInt(s);
    if (!(x > 0n && x < this.p) || modPow(x, this.q, this.p) !== 1n) {
      throw new GroupError(`not an element of ${this.name}: ${s.slice(0, 40)}…`);
    }
    return x;
  }

  base(x) {
    if (x === this.g) return this.gBase();
    return new FFBase(x, this.p);
  }

  gBase() {
    if (!this._gBase) this._gBase = new FFBase(this.g, this.p);
    return this._gBase;
  }

  gPow(k) {
    return this.gBase().pow(k);
  }

  /** g^(dm * c mod q), c public (a simulated proof's challenge), dm a small signed integer. */
  gPowSmallTimes(dm, c) {
    const k = (BigInt(dm) * c) % this.q;
    return this.gBase().pow(k < 0n ? k + this.q : k);
  }

  hash(prefix, elements) {
    return hashModQ(
      this.q,
      prefix,
      elements.map((x) => this.toStr(x)),
    );
  }
}

// ---- RISTRETTO255 ---------------------------------------------------------------------------

const RP = ristretto255.Point;

class RistrettoBase {
  constructor(point, isG) {
    this.point = point;
    if (!isG) point.precompute(8, false); // wNAF table, cached by noble for this point
  }

  pow(k) {
    return k === 0n ? RP.ZERO : this.point.multiply(k);
  }
}

class RistrettoGroup {
  constructor() {
    this.name = "RISTRETTO255";
    this.q = RP.Fn.ORDER;
    this.g = RP.BASE;
    this.one = RP.ZERO;
    this._gBase = new RistrettoBase(RP.BASE, true);
  }

  mul(a, b) {
    return a.add(b);
  }

  eq(a, b) {
    return a.equals(b);
  }

  toStr(a) {
    return a.toHex();
  }

  fromStr(s) {
    if (typeof s !== "string" || !/^[0-9a-f]{64}$/.test(s)) {
      throw new GroupError(`not 64 lowercase hexadecimal digits: ${String(s).slice(0, 80)}`);
    }
    try {
      return RP.fromHex(s); // RFC 9496 decoding: rejects non-canonical encodings and non-points
    } catch (e) {
      throw new GroupError(`not an element of RISTRETTO255: ${s}`);
    }
  }

  base(x) {
    return x === this.g ? this._gBase : new RistrettoBase(x, false);
  }

  gBase() {
    return this._gBase;
  }

  gPow(k) {
    return this._gBase.pow(k);
  }

  /** g^(dm * c mod q), c public (a simulated proof's challenge, printed in the ballot), dm a
   * small signed integer. For dm = ±1 the exponent is public: noble's faster variable-time
   * multiplication, then a negation (cheap) for -1; otherwise the constant-time one. */
  gPowSmallTimes(dm, c) {
    if (c === 0n) return RP.ZERO;
    if (dm === 1 || dm === -1) {
      const p = RP.BASE.multiplyUnsafe(c);
      return dm === 1 ? p : p.negate();
    }
    const k = (BigInt(dm) * c) % this.q;
    return this._gBase.pow(k < 0n ? k + this.q : k);
  }

  hash(prefix, elements) {
    return hashModQ(
      this.q,
      prefix,
      elements.map((x) => this.toStr(x)),
    );
  }
}

export const BELENIOS_2048 = new FiniteFieldGroup();
export const RISTRETTO255 = new RistrettoGroup();
const GROUPS = { [BELENIOS_2048.name]: BELENIOS_2048, [RISTRETTO255.name]: RISTRETTO255 };

export function getGroup(name) {
  const g = GROUPS[name];
  if (!g) throw new GroupError(`unknown group ${JSON.stringify(name)}`);
  return g;
}

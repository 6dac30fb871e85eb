// Pnyx's voter booth: Belenios-2.0-compatible homomorphic ballots, in the browser.
//
// A plain ES module (no build step, no eval, nothing inline: loads under a strict CSP with
// script-src 'self'). No WebCrypto (it is missing on plain-http LAN addresses): SHA-256,
// PBKDF2-HMAC-SHA256 and ristretto255 come from the vendored @noble/hashes and @noble/curves
// (vendor/VENDORED.md), BELENIOS-2048 is BigInt arithmetic (groups.js).
//
// API
// ---
// import { encryptBallot, prepareElection, checkCredential, ballotHash, electionFingerprint,
//          BoothError } from "<static>/votes/verifiable/booth.js";
// (booth-worker.js wraps the same calls in a module Worker, for pages that prefer it.)
//
// await encryptBallot(electionText, credential, answers, { rng, onProgress, signal } = {})
//     -> Promise<string>: the ballot's JSON text, exactly as pnyx.crypto.ballots.encrypt (and
//     belenios-tool) write it: {"election_uuid","election_hash","credential","answers",
//     "signature"}, compact, fields in the specification's order.
//   electionText: the election's JSON text exactly as published (its SHA-256 is the election
//     fingerprint: do not re-serialise it). Groups: "BELENIOS-2048", "RISTRETTO255".
//     Homomorphic questions only ({question, answers, min, max, blank?}).
//   credential: the voter's private credential, "XXX-XXX-XXX-XXX-XXX" or 15 characters without
//     dashes (surrounding blanks ignored; the dashed form is what keys are derived from).
//   answers: one array of 0/1 per question, one entry per answer; for a question with
//     "blank": true, one more entry FIRST, 1 for a blank vote (then all others 0), as in
//     belenios-tool's plaintext ballots ([[1,0],[0,1,0]]).
//   rng: () => BigInt (or base-10 string) in [0, q), the next random scalar (known-answer
//     tests); default: crypto.getRandomValues (available without a secure context).
//     Consumption order (as the OCaml reference with its direct monad): per question, the r of
//     each choice in order; each choice's 0/1 proof (challenge, response of every false case in
//     order, then w); the overall proof likewise (blank questions: blank_proof then
//     overall_proof, as question_h.ml); finally the signature's w.
//   onProgress({done, total}): called after each choice's proof and after each question's
//     overall proof; total = number of choices plus one per question (last call: done === total).
//   signal: an AbortSignal; aborting rejects with BoothError("aborted").
//   The work yields to the event loop between questions and every few proofs: the page stays
//     responsive (a MessageChannel yield, not throttled like setTimeout).
//   Errors: rejects with BoothError(code, message); code is one of "election" (unreadable,
//     unknown group, non-homomorphic question, bad public key), "credential" (see
//     checkCredential), "answers" (wrong shape, not 0/1, outside [min, max], blank with
//     choices), "rng" (a scalar outside [0, q)), "aborted".
//
// checkCredential(text) -> {ok: true, credential: "XXX-XXX-XXX-XXX-XXX"}
//                        | {ok: false, error: "empty" | "length" | "character" | "checksum",
//                           position?: index of the first bad character}
//   Belenios's format and checksum (specification, section "Credentials"): 14 Base58 digits
//   and a check digit (53 - n mod 53), to catch typing errors before encrypting.
//
// ballotHash(ballotText) -> string: the smart ballot tracker, base64 (no padding) of SHA-256
//   of the exact ballot text (specification, section "Ballots"; Belenios's Hash_JSON).
//
// electionFingerprint(electionText) -> string: the same hash of the election text.
//
// await prepareElection(electionText) -> {group, questions, fingerprint}: parses the election
//   and builds the fixed-base tables of g and of its key ahead of time (call it on page load:
//   the first encryption then starts warm); throws BoothError("election") like encryptBallot.
//
// Times (bench/verifiable_browser.py): with fixed-base tables both groups take comparable
// times; BELENIOS-2048 ballots are 3 times larger (2048-bit elements in base 10).

import { BELENIOS_2048, GroupError, getGroup } from "./groups.js";
import { pbkdf2 } from "./vendor/noble-hashes/pbkdf2.js";
import { sha256 } from "./vendor/noble-hashes/sha2.js";

export class BoothError extends Error {
  constructor(code, message) {
    super(message || code);
    this.name = "BoothError";
    this.code = code;
  }
}

const encoder = new TextEncoder();
const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

// ---- hashes ---------------------------------------------------------------------------------

function base64NoPad(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/=+$/, "");
}

/** Belenios's Hash_JSON (section "Ballots"): base64 of SHA-256, without padding. */
function hashJson(text) {
  return base64NoPad(sha256(encoder.encode(text)));
}

export function ballotHash(ballotText) {
  return hashJson(ballotText);
}

export function electionFingerprint(electionText) {
  return hashJson(electionText);
}

// ---- credentials (section "Credentials"; src/lib/core/credential.ml) -------------------------

export function checkCredential(text) {
  const s = String(text ?? "").trim();
  if (!s) return { ok: false, error: "empty" };
  let raw;
  if (s.length === 19) {
    for (const i of [3, 7, 11, 15]) {
      if (s[i] !== "-") return { ok: false, error: "character", position: i };
    }
    raw = s.slice(0, 3) + s.slice(4, 7) + s.slice(8, 11) + s.slice(12, 15) + s.slice(16, 19);
  } else if (s.length === 15) {
    raw = s;
  } else {
    return { ok: false, error: "length" };
  }
  let n = 0n;
  const digits = [];
  for (let i = 0; i < 15; i++) {
    const d = B58.indexOf(raw[i]);
    if (d < 0) {
      const position = s.length === 19 ? i + Math.floor(i / 3) : i;
      return { ok: false, error: "character", position };
    }
    digits.push(d);
    if (i < 14) n = n * 58n + BigInt(d);
  }
  if ((n + BigInt(digits[14])) % 53n !== 0n) return { ok: false, error: "checksum" };
  const dashed = [0, 3, 6, 9, 12].map((i) => raw.slice(i, i + 3)).join("-");
  return { ok: true, credential: dashed };
}

/** secret(c): PBKDF2-HMAC-SHA256, password c, salt the uuid, 1000 iterations, 32 bytes, read
 * big-endian, modulo q (section "Credentials"). */
function deriveSecret(group, uuid, credential) {
  const out = pbkdf2(sha256, encoder.encode(credential), encoder.encode(uuid), {
    c: 1000,
    dkLen: 32,
  });
  let hex = "";
  for (const b of out) hex += b.toString(16).padStart(2, "0");
  return BigInt("0x" + hex) % group.q;
}

// ---- randomness and scheduling ------------------------------------------------------------

function defaultRng(q) {
  return () => {
    const bytes = new Uint8Array(48); // 384 bits reduced mod a 256-bit q: negligible bias
    crypto.getRandomValues(bytes);
    let hex = "";
    for (const b of bytes) hex += b.toString(16).padStart(2, "0");
    return BigInt("0x" + hex) % q;
  };
}

function checkedRng(rng, q) {
  return () => {
    let x = rng();
    if (typeof x === "string" && /^[0-9]+$/.test(x)) x = BigInt(x);
    if (typeof x !== "bigint" || x < 0n || x >= q) {
      throw new BoothError("rng", "random scalar outside [0, q)");
    }
    return x;
  };
}

/** A yield to the event loop through a MessageChannel (not clamped like nested setTimeout);
 * close() it when done. */
function makeYielder() {
  if (typeof MessageChannel === "undefined") {
    return { wait: () => new Promise((r) => setTimeout(r, 0)), close() {} };
  }
  const channel = new MessageChannel();
  const queue = [];
  channel.port1.onmessage = () => queue.shift()();
  return {
    wait: () =>
      new Promise((resolve) => {
        queue.push(resolve);
        channel.port2.postMessage(0);
      }),
    close() {
      channel.port1.close();
      channel.port2.close();
    },
  };
}

// ---- the election ---------------------------------------------------------------------------

const keyCache = new Map(); // "group|public key" -> {y, yBase}: tables reused across ballots

function parseElection(electionText) {
  let e;
  try {
    e = JSON.parse(electionText);
  } catch (err) {
    throw new BoothError("election", "the election is not JSON");
  }
  if (!e || typeof e !== "object" || typeof e.uuid !== "string") {
    throw new BoothError("election", "no uuid");
  }
  let group;
  try {
    group = getGroup(e.group);
  } catch (err) {
    throw new BoothError("election", err.message);
  }
  const cacheKey = group.name + "|" + e.public_key;
  let key = keyCache.get(cacheKey);
  if (!key) {
    let y;
    try {
      y = group.fromStr(e.public_key);
    } catch (err) {
      throw new BoothError("election", "bad public key: " + err.message);
    }
    key = { y, yBase: group.base(y) };
    if (keyCache.size > 4) keyCache.clear();
    keyCache.set(cacheKey, key);
  }
  if (!Array.isArray(e.questions)) throw new BoothError("election", "no questions");
  for (const q of e.questions) {
    if (!q || !Array.isArray(q.answers) || !Number.isInteger(q.min) || !Number.isInteger(q.max)) {
      throw new BoothError("election", "only homomorphic questions are supported");
    }
  }
  return { e, group, ...key, fingerprint: hashJson(electionText) };
}

function checkAnswers(questions, answers) {
  if (!Array.isArray(answers) || answers.length !== questions.length) {
    throw new BoothError("answers", "one answer per question");
  }
  questions.forEach((q, i) => {
    const m = answers[i];
    const blank = q.blank === true;
    const n = q.answers.length + (blank ? 1 : 0);
    if (!Array.isArray(m) || m.length !== n) {
      throw new BoothError("answers", `question ${i + 1}: ${n} values expected`);
    }
    if (!m.every((x) => x === 0 || x === 1)) {
      throw new BoothError("answers", `question ${i + 1}: values must be 0 or 1`);
    }
    const choices = blank ? m.slice(1) : m;
    const sum = choices.reduce((a, b) => a + b, 0);
    if (blank && m[0] === 1) {
      if (sum !== 0) throw new BoothError("answers", `question ${i + 1}: blank with choices`);
    } else if (sum < q.min || sum > q.max) {
      throw new BoothError("answers", `question ${i + 1}: between ${q.min} and ${q.max} choices`);
    }
  });
}

// ---- proofs ---------------------------------------------------------------------------------
//
// The prover knows r and m with alpha = g^r, beta = y^r g^m, so each simulated commitment
// g^s alpha^c and y^s (beta / g^M)^c is computed as g^(s + r c) and y^(s + r c) g^((m - M) c):
// the same group elements as the specification's formulas, with fixed bases only (g and y,
// whose tables are precomputed).

class Prover {
  constructor(group, y, yBase, rng) {
    this.G = group;
    this.q = group.q;
    this.gB = group.gBase();
    this.yB = yBase;
    this.y = y;
    this.rng = rng;
  }

  mod(x) {
    const r = x % this.q;
    return r < 0n ? r + this.q : r;
  }

  /** A simulated case: random (challenge, response), commitments (A, B) for the statement
   * "beta = y^r g^M" when in truth beta = y^r g^mTrue (dm = mTrue - M). */
  fake(r, dm) {
    const c = this.rng();
    const s = this.rng();
    const e = this.mod(s + r * c);
    const A = this.gB.pow(e);
    let B = this.yB.pow(e);
    if (dm !== 0) B = this.G.mul(B, this.G.gPowSmallTimes(dm, c));
    return { c, s, A, B };
  }

  /** Proofs of interval membership (section "Proofs of interval membership"): prove that
   * (alpha, beta) = (g^r, y^r g^(values[x])). Returns [{challenge, response}, ...]. */
  iprove(S, r, x, values, ct) {
    const G = this.G;
    const n = values.length;
    const proofs = new Array(n);
    const commitments = new Array(2 * n);
    let total = 0n;
    for (let j = 0; j < n; j++) {
      if (j === x) continue;
      const f = this.fake(r, values[x] - values[j]);
      proofs[j] = f;
      commitments[2 * j] = f.A;
      commitments[2 * j + 1] = f.B;
      total += f.c;
    }
    const w = this.rng();
    commitments[2 * x] = this.gB.pow(w);
    commitments[2 * x + 1] = this.yB.pow(w);
    const prefix = `prove|${S}|${ct.as},${ct.bs}|`;
    const c = this.mod(G.hash(prefix, commitments) - total);
    proofs[x] = { c, s: this.mod(w - r * c) };
    return proofs.map(toProof);
  }

  /** Proofs of possibly-blank votes (section of that name; make_blank_proof of question_h.ml):
   * returns [overall_proof, blank_proof]. */
  blankProofs(S, min, max, m0, r0, mS, rS) {
    const G = this.G;
    const k = max - min + 1;
    const genuine = () => {
      const w = this.rng();
      return { w, A: this.gB.pow(w), B: this.yB.pow(w) };
    };
    let blankProof, overall;
    if (m0 === 0) {
      // blank_proof: m0 = 0 (true) or mS = 0 (simulated)
      const f = this.fake(rS, mS);
      const t = genuine();
      const h = G.hash(`bproof0|${S}|`, [t.A, t.B, f.A, f.B]);
      const c0 = this.mod(h - f.c);
      blankProof = [{ c: c0, s: this.mod(t.w - r0 * c0) }, f];
      // overall_proof: m0 = 1 (simulated) or mS in [min, max] (true)
      const f0 = this.fake(r0, m0 - 1);
      const proofs = [f0];
      const commitments = [f0.A, f0.B];
      let total = f0.c;
      const it = mS - min + 1;
      for (let i = 1; i <= k; i++) {
        if (i === it) {
          commitments.push(null, null);
          continue;
        }
        const fi = this.fake(rS, mS - (min + i - 1));
        proofs[i] = fi;
        commitments.push(fi.A, fi.B);
        total += fi.c;
      }
      const u = genuine();
      commitments[2 * it] = u.A;
      commitments[2 * it + 1] = u.B;
      const c = this.mod(G.hash(`bproof1|${S}|`, commitments) - total);
      proofs[it] = { c, s: this.mod(u.w - rS * c) };
      overall = proofs;
    } else {
      // blank_proof: m0 = 0 (simulated) or mS = 0 (true)
      const f = this.fake(r0, m0);
      const t = genuine();
      const h = G.hash(`bproof0|${S}|`, [f.A, f.B, t.A, t.B]);
      const c1 = this.mod(h - f.c);
      blankProof = [f, { c: c1, s: this.mod(t.w - rS * c1) }];
      // overall_proof: m0 = 1 (true) or mS in [min, max] (simulated)
      const proofs = [null];
      const commitments = [null, null];
      let total = 0n;
      for (let i = 1; i <= k; i++) {
        const fi = this.fake(rS, mS - (min + i - 1));
        proofs.push(fi);
        commitments.push(fi.A, fi.B);
        total += fi.c;
      }
      const u = genuine();
      commitments[0] = u.A;
      commitments[1] = u.B;
      const c = this.mod(G.hash(`bproof1|${S}|`, commitments) - total);
      proofs[0] = { c, s: this.mod(u.w - r0 * c) };
      overall = proofs;
    }
    return [overall.map(toProof), blankProof.map(toProof)];
  }
}

function toProof(p) {
  return { challenge: p.c.toString(), response: p.s.toString() };
}

// ---- ballots (sections "Homomorphic answers", "Signatures", "Ballots") -----------------------

/** One answer to a homomorphic question (section "Homomorphic answers"; create_answer of
 * question_h.ml). */
async function encryptAnswer(P, S0, q, m, progress) {
  const G = P.G;
  const n = m.length;
  // encryption: alpha = g^r, beta = y^r g^m, the r drawn first, in order
  const r = [];
  for (let i = 0; i < n; i++) r.push(P.rng());
  const cts = r.map((ri, i) => {
    const alpha = P.gB.pow(ri);
    let beta = P.yB.pow(ri);
    if (m[i]) beta = G.mul(beta, G.g);
    return { alpha, beta, as: G.toStr(alpha), bs: G.toStr(beta) };
  });
  const individual = [];
  for (let i = 0; i < n; i++) {
    individual.push(P.iprove(S0, r[i], m[i], [0, 1], cts[i]));
    await progress(false);
  }
  const S = `${S0}|${cts.map((c) => `${c.as},${c.bs}`).join(",")}`;
  const answer = {
    choices: cts.map((c) => ({ alpha: c.as, beta: c.bs })),
    individual_proofs: individual,
  };
  const blank = q.blank === true;
  let rS = 0n;
  let mS = 0;
  let alphaS = G.one;
  let betaS = G.one;
  for (let i = blank ? 1 : 0; i < n; i++) {
    rS += r[i];
    mS += m[i];
    alphaS = G.mul(alphaS, cts[i].alpha);
    betaS = G.mul(betaS, cts[i].beta);
  }
  if (blank) {
    const [overall, blankProof] = P.blankProofs(S, q.min, q.max, m[0], r[0], mS, rS);
    answer.overall_proof = overall;
    answer.blank_proof = blankProof;
  } else {
    const values = [];
    for (let v = q.min; v <= q.max; v++) values.push(v);
    const sum = { as: G.toStr(alphaS), bs: G.toStr(betaS) };
    answer.overall_proof = P.iprove(S, rS, mS - q.min, values, sum);
  }
  await progress(true);
  return answer;
}

export async function encryptBallot(electionText, credential, answers, options = {}) {
  const { rng, onProgress, signal } = options;
  const E = parseElection(electionText);
  const { e, group: G } = E;
  const cred = checkCredential(credential);
  if (!cred.ok) throw new BoothError("credential", `invalid credential (${cred.error})`);
  checkAnswers(e.questions, answers);
  const P = new Prover(G, E.y, E.yBase, checkedRng(rng || defaultRng(G.q), G.q));

  // section "Credentials": the signing key and the public credential g^s
  const sk = deriveSecret(G, e.uuid, cred.credential);
  const credentialStr = G.toStr(P.gB.pow(sk));
  const S0 = `${E.fingerprint}|${credentialStr}`;

  const total = answers.reduce((a, m) => a + m.length + 1, 0);
  let done = 0;
  const yielder = makeYielder();
  const progress = async (force) => {
    done++;
    if (onProgress) onProgress({ done, total });
    if (force || done % 8 === 0) {
      await yielder.wait();
      if (signal && signal.aborted) throw new BoothError("aborted", "encryption aborted");
    }
  };
  try {
    const encAnswers = [];
    for (let qi = 0; qi < e.questions.length; qi++) {
      encAnswers.push(await encryptAnswer(P, S0, e.questions[qi], answers[qi], progress));
    }
    // sections "Signatures" and "Ballots": sign the hash of the ballot without its signature
    const ballot = {
      election_uuid: e.uuid,
      election_hash: E.fingerprint,
      credential: credentialStr,
      answers: encAnswers,
    };
    const sHash = hashJson(JSON.stringify(ballot));
    const w = P.rng();
    const challenge = G.hash(`sig|${sHash}|`, [P.gB.pow(w)]);
    const response = P.mod(w - sk * challenge);
    ballot.signature = {
      hash: sHash,
      proof: { challenge: challenge.toString(), response: response.toString() },
    };
    return JSON.stringify(ballot);
  } finally {
    yielder.close();
  }
}

/** Builds, ahead of time, what encrypting for this election needs (the election key's and
 * g's tables): call it when the ballot page opens, so that encryptBallot starts warm. Throws
 * BoothError("election") as encryptBallot would. */
export async function prepareElection(electionText) {
  const E = parseElection(electionText);
  E.group.gBase().pow(1n);
  E.yBase.pow(1n);
  return { group: E.group.name, questions: E.e.questions.length, fingerprint: E.fingerprint };
}

export { BELENIOS_2048, GroupError };

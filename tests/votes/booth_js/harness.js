// Test-only harness for src/pnyx/votes/static/votes/verifiable/booth.js (not shipped): loaded
// under a strict CSP by tests/votes/test_votes_booth_js.py and bench/verifiable_browser.py.
import * as booth from "/static/votes/verifiable/booth.js";
import * as groups from "/static/votes/verifiable/groups.js";

function rngFrom(strings) {
  let i = 0;
  return () => {
    if (i >= strings.length) throw new Error("the vector's random scalars ran out");
    return BigInt(strings[i++]);
  };
}

/** Encrypt with known random scalars (base-10 strings); returns {ballot, used, progress}. */
async function encryptWith(electionText, credential, answers, scalars) {
  const progress = [];
  const rng = scalars ? rngFrom(scalars) : undefined;
  const ballot = await booth.encryptBallot(electionText, credential, answers, {
    rng,
    onProgress: (p) => progress.push(p.done + "/" + p.total),
  });
  return { ballot, progress };
}

/** Times n encryptions (ms each) and the baseline: building the plaintext ballot. */
async function timeEncrypt(electionText, credential, answers, n) {
  const times = [];
  let ballot = "";
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    ballot = await booth.encryptBallot(electionText, credential, answers);
    times.push(performance.now() - t0);
  }
  clearInterval(timer);
  const t0 = performance.now();
  let plain = "";
  for (let i = 0; i < 1000; i++) {
    const e = JSON.parse(electionText);
    plain = JSON.stringify(e.questions.map((q, j) => answers[j].slice(0, q.answers.length + 1)));
  }
  const baseline = (performance.now() - t0) / 1000;
  return { times, size: ballot.length, baseline, plainSize: plain.length, ticks };
}

async function errorOf(electionText, credential, answers) {
  try {
    await booth.encryptBallot(electionText, credential, answers);
    return null;
  } catch (e) {
    return e.code || e.message;
  }
}

/** Group checks: g^k as text, membership checks, Belenios's hash. */
function groupCheck(name, ks, bad, prefix) {
  const G = groups.getGroup(name);
  const powers = ks.map((k) => G.toStr(G.gPow(BigInt(k))));
  const rejected = bad.map((s) => {
    try {
      G.fromStr(s);
      return false;
    } catch (e) {
      return e instanceof groups.GroupError;
    }
  });
  const h = G.hash(prefix, [G.gPow(42n), G.g]).toString();
  return { powers, rejected, hash: h, q: G.q.toString() };
}

/** Encrypts in the module Worker; returns {ballot, tracker, progress, prepared} or {error}. */
function encryptInWorker(electionText, credential, answers) {
  const url = new URL("/static/votes/verifiable/booth-worker.js", location.href);
  const worker = new Worker(url, { type: "module" });
  const progress = [];
  let prepared = null;
  return new Promise((resolve) => {
    worker.onerror = (e) => resolve({ error: { code: "worker", message: String(e.message) } });
    worker.onmessage = ({ data }) => {
      if (data.prepared) {
        prepared = data.prepared;
        worker.postMessage({ id: 2, electionText, credential, answers });
      } else if (data.progress) progress.push(data.progress.done);
      else {
        worker.terminate();
        resolve({ ...data, progress, prepared });
      }
    };
    worker.postMessage({ id: 1, prepare: electionText });
  });
}

/** Aborts at the first yield: returns the error code. */
async function abortCode(electionText, credential, answers) {
  const controller = new AbortController();
  controller.abort();
  try {
    await booth.encryptBallot(electionText, credential, answers, { signal: controller.signal });
    return null;
  } catch (e) {
    return e.code;
  }
}

/** Times prepareElection (the tables) for this election. */
async function timePrepare(electionText) {
  const t0 = performance.now();
  await booth.prepareElection(electionText);
  return performance.now() - t0;
}

window.harness = {
  encryptInWorker,
  abortCode,
  timePrepare, booth, groups, encryptWith, timeEncrypt, errorOf, groupCheck };
document.getElementById("status").textContent = "ready";

// Test-only harness for src/pnyx/votes/static/votes/verifiable/booth.js (not shipped): loaded
// under a strict CSP by tests/votes/test_votes_booth_js.py and bench/verifiable_browser.py.
import * as booth from "/static/votes/verifiable/booth.js";

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

window.harness = { booth, encryptWith, timeEncrypt, errorOf };
document.getElementById("status").textContent = "ready";

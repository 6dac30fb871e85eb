// Optional module Worker around booth.js: the encryption runs off the page's main thread.
//
//   const worker = new Worker(new URL("booth-worker.js", import.meta.url), { type: "module" });
//   worker.postMessage({ id, electionText, credential, answers });   // or { id, prepare: text }
//   worker.onmessage = ({ data }) => ...
//     { id, progress: {done, total} }            after each proof
//     { id, ballot: "<ballot JSON text>", tracker: "<smart ballot tracker>" }   the result
//     { id, prepared: {group, questions, fingerprint} }                        after prepare
//     { id, error: {code, message} }             a BoothError (codes as in booth.js)
//
// Under CSP, a same-origin module worker needs only worker-src (or script-src) 'self'.

import { ballotHash, encryptBallot, prepareElection } from "./booth.js";

self.onmessage = async ({ data }) => {
  const { id } = data;
  try {
    if (data.prepare !== undefined) {
      self.postMessage({ id, prepared: await prepareElection(data.prepare) });
      return;
    }
    const ballot = await encryptBallot(data.electionText, data.credential, data.answers, {
      onProgress: (progress) => self.postMessage({ id, progress }),
    });
    self.postMessage({ id, ballot, tracker: ballotHash(ballot) });
  } catch (e) {
    self.postMessage({ id, error: { code: e.code || "internal", message: String(e.message) } });
  }
};

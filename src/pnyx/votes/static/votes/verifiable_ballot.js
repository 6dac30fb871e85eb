// The verifiable ballot page: the voter's credential (typed, or from the link's fragment
// "#credential=...", which no server ever receives), the choices (counter "2 / 3" for
// approval), then the booth encrypts and signs in this browser and the ballot's JSON text is
// POSTed. The server answers with the ballot's hash: the receipt. Nothing here is inline
// (strict CSP); the choices never leave the page in clear.
import { BoothError, ballotHash, checkCredential, encryptBallot } from "./verifiable/booth.js";

const form = document.getElementById("booth");

function show(el, text) {
  el.textContent = text;
  el.hidden = !text;
}

function setupCounter(max) {
  const boxes = [...form.querySelectorAll("input[name=choice]")];
  const out = form.querySelector("#chosen");
  const update = () => {
    const n = boxes.filter((b) => b.checked).length;
    out.value = out.textContent = n;
    out.parentElement.classList.toggle("full", n >= max);
    boxes.forEach((b) => { b.disabled = !b.checked && n >= max; });
  };
  boxes.forEach((b) => b.addEventListener("change", update));
  update();
}

function answers(codes, grades) {
  if (form.dataset.method === "approval") {
    const chosen = new Set([...form.querySelectorAll("input[name=choice]:checked")].map((b) => b.value));
    return [codes.map((c) => (chosen.has(c) ? 1 : 0))];
  }
  return codes.map((c) => {
    const picked = form.querySelector(`input[name="grade-${CSS.escape(c)}"]:checked`);
    const g = picked ? parseInt(picked.value, 10) : -1;
    return grades.map((_, i) => (i === g ? 1 : 0));
  });
}

if (form) {
  const codes = form.dataset.codes.split("|");
  const grades = form.dataset.grades ? form.dataset.grades.split("|") : [];
  const max = parseInt(form.dataset.max, 10);
  const min = parseInt(form.dataset.min, 10);
  const credential = form.querySelector("#credential");
  const credError = form.querySelector("#credential-error");
  const error = form.querySelector("#booth-error");
  const button = form.querySelector("#encrypt");
  const progress = form.querySelector("#progress");
  const msg = JSON.parse(document.getElementById("booth-messages").textContent);
  if (form.dataset.method === "approval") setupCounter(max);
  const m = /(?:^|&)credential=([^&]+)/.exec(location.hash.slice(1));
  if (m) {
    credential.value = decodeURIComponent(m[1]);
    // The credential leaves the address bar (and the browser's history entry).
    history.replaceState(null, "", location.pathname + location.search);
  }
  const electionText = fetch(form.dataset.election, { credentials: "same-origin" }).then((r) => {
    if (!r.ok) throw new Error(msg.election);
    return r.text();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    show(error, "");
    const cred = checkCredential(credential.value);
    if (!cred.ok) {
      show(credError, msg.credential);
      credential.focus();
      return;
    }
    show(credError, "");
    const plain = answers(codes, grades);
    if (form.dataset.method === "approval") {
      const n = plain[0].reduce((a, b) => a + b, 0);
      if (n < min || n > max) { show(error, msg.count); return; }
    } else if (plain.some((row) => !row.includes(1))) {
      show(error, msg.grades); return;
    }
    button.disabled = true;
    const label = button.textContent;
    button.textContent = msg.encrypting;
    try {
      const ballot = await encryptBallot(await electionText, cred.credential, plain, {
        onProgress: ({ done, total }) => { if (progress) progress.value = progress.textContent = `${Math.round((100 * done) / total)} %`; },
      });
      const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
      const response = await fetch(form.dataset.cast, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: ballot,
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok || !data.hash) throw new Error(data.error || msg.failed);
      if (data.hash !== ballotHash(ballot)) throw new Error(msg.failed);
      form.hidden = true;
      document.getElementById("tracker").textContent = data.hash;
      document.getElementById("done").hidden = false;
      window.scrollTo(0, 0);
    } catch (e) {
      show(error, e instanceof BoothError && e.code === "credential" ? msg.credential : e.message || msg.failed);
      button.disabled = false;
      button.textContent = label;
    }
  });
}

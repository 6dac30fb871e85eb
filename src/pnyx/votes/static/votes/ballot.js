// Approval ballot: a live counter "2 / 3"; at the limit, the other boxes are disabled.
// The server re-validates every ballot: this only helps the voter.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.ballot[data-method=approval]");
  if (!form) return;
  const max = parseInt(form.dataset.max, 10);
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
});

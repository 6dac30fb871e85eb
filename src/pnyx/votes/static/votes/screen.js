// Projector: refresh the screen's content every 3 seconds (no page reload, no flicker).
document.addEventListener("DOMContentLoaded", () => {
  const screen = document.getElementById("screen");
  const tick = async () => {
    try {
      const r = await fetch(screen.dataset.src, { cache: "no-store" });
      if (r.ok) screen.innerHTML = await r.text();
    } catch (e) { /* keep the last content */ }
  };
  setInterval(tick, 3000);
});

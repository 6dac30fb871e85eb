// "Print" next to the programme: a button, shown only where scripts run (no javascript: link,
// which the Content-Security-Policy forbids).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
    const wrapper = button.closest(".print-link");
    if (wrapper) wrapper.hidden = false;
  });
});

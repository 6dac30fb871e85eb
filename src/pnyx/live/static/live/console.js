// The console's timers tick between two page loads: elapsed and remaining time of each
// [data-timer] element, from its start (ms since the epoch) and the server's clock at load.
(function () {
  "use strict";
  var root = document.querySelector(".console[data-now]");
  if (!root) return;
  var skew = Number(root.dataset.now) - Date.now();
  function clock(seconds) {
    var sign = seconds < 0 ? "-" : "";
    seconds = Math.abs(seconds);
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return sign + (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }
  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll("[data-timer]").forEach(function (el) {
      var elapsed = Math.floor((now - Number(el.dataset.start)) / 1000);
      var remaining = Number(el.dataset.seconds) - elapsed;
      var e = el.querySelector("[data-elapsed]"), r = el.querySelector("[data-remaining]");
      if (e) e.textContent = clock(elapsed);
      if (r) r.textContent = clock(remaining);
      el.classList.toggle("over", remaining < 0);
    });
  }
  setInterval(tick, 1000);
})();

// The screens that follow the live state (docs/live.md, "The screens"): the hall's projector,
// the stage timer, backstage and the phones. The page is rendered by the server from the same
// state (json_script "live-state"); this script follows the stream (PnyxLive, live.js),
// updates the page and ticks the timers from `started_at` and the server's clock. It holds no
// text: the words come from json_script "live-labels", the time zone and the language from
// data attributes of the element [data-live-role].
(function () {
  "use strict";

  var root = document.querySelector("[data-live-role]");
  if (!root) return;
  var role = root.dataset.liveRole;
  var tz = root.dataset.liveTimeZone || undefined;
  var lang = document.documentElement.lang || "fr";

  function readJSON(id, fallback) {
    var el = document.getElementById(id);
    if (!el) return fallback;
    try { return JSON.parse(el.textContent); } catch (e) { return fallback; }
  }

  var labels = readJSON("live-labels", {});
  var myTables = readJSON("live-my-tables", {});
  var state = readJSON("live-state", {});
  // The server's clock minus ours, in ms: from the page's state, then from every message.
  var skewMs = state.now ? Date.parse(state.now) - Date.now() : 0;
  var timeFormat = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: tz });

  function serverNow() { return Date.now() + skewMs; }
  function $(name) { return root.querySelector('[data-live="' + name + '"]'); }
  function $all(name) { return root.querySelectorAll('[data-live="' + name + '"]'); }
  function setText(name, text) {
    $all(name).forEach(function (el) { el.textContent = text || ""; });
  }
  function show(name, visible) {
    $all(name).forEach(function (el) { el.hidden = !visible; });
  }
  function hhmm(iso) { return iso ? timeFormat.format(new Date(iso)) : ""; }

  function offsetLabel(seconds) {
    var minutes = Math.round((seconds || 0) / 60);
    if (minutes === 0) return "";
    return (minutes > 0 ? "+" : "\u2212") + Math.abs(minutes) + " " + (labels.minutes || "min");
  }

  function clock(seconds) {
    if (seconds === null || seconds === undefined) return "";
    var sign = seconds < 0 ? "\u2212" : "";
    var s = Math.abs(seconds);
    var rest = s % 60;
    return sign + Math.floor(s / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  // Seconds left on the stage timer (negative: over time), as the server's timer_seconds().
  function timerSeconds(now) {
    var speaker = state.speaker, current = state.current;
    var total = null, started = null;
    if (speaker && speaker.seconds) { total = speaker.seconds; started = speaker.started_at; }
    else if (current && current.planned_seconds) { total = current.planned_seconds; started = current.started_at; }
    if (total === null) return null;
    if (!started) return total;
    var elapsed = (now - Date.parse(started)) / 1000;
    var left = total - elapsed;
    return left >= 0 ? Math.floor(left) : -Math.floor(-left);
  }

  function message(target) {
    var m = state.message;
    return m && m.target === target ? m.text : "";
  }

  function kindLabel(kind) { return labels[kind] || kind || ""; }

  function person(p) { return p ? p.name + (p.title ? " \u2014 " + p.title : "") : ""; }

  // --- lists ---------------------------------------------------------------------------

  function renderUpcoming() {
    $all("upcoming").forEach(function (list) {
      list.textContent = "";
      (state.upcoming || []).forEach(function (u) {
        var li = document.createElement("li");
        var time = document.createElement("span");
        time.className = "live-time";
        time.textContent = hhmm(u.shifted_start || u.planned_start);
        li.appendChild(time);
        var shift = u.shifted_start && u.planned_start
          ? offsetLabel((Date.parse(u.shifted_start) - Date.parse(u.planned_start)) / 1000) : "";
        if (shift) {
          var s = document.createElement("span");
          s.className = "live-shift";
          s.textContent = shift;
          li.appendChild(s);
          var was = document.createElement("s");
          was.className = "live-planned";
          was.textContent = hhmm(u.planned_start);
          li.appendChild(was);
        }
        var title = document.createElement("span");
        title.className = "live-item-title";
        title.textContent = u.title;
        li.appendChild(title);
        list.appendChild(li);
      });
      var wrap = list.closest("[data-live-wrap]");
      if (wrap) wrap.hidden = !(state.upcoming || []).length;
    });
  }

  function renderQueue() {
    $all("queue").forEach(function (list) {
      list.textContent = "";
      (state.queue || []).forEach(function (q) {
        var li = document.createElement("li");
        li.className = "live-queue-" + q.status;
        li.textContent = person(q) + " \u00b7 " + kindLabel(q.kind) + " \u00b7 " + (labels[q.status] || q.status);
        list.appendChild(li);
      });
    });
  }

  // --- the common parts ----------------------------------------------------------------

  function renderCommon() {
    var current = state.current, speaker = state.speaker;
    setText("title", current ? current.title : (labels.nothing || ""));
    setText("planned", current ? hhmm(current.planned_start) + "\u2013" + hhmm(current.planned_end) : "");
    setText("speaker-name", speaker ? speaker.name : "");
    setText("speaker-title", speaker ? speaker.title : "");
    setText("speaker-kind", speaker ? kindLabel(speaker.kind) : "");
    show("speaker", !!speaker);
    var offset = offsetLabel(state.offset_seconds);
    setText("offset", offset || labels.on_time || "");
    $all("offset").forEach(function (el) {
      el.classList.toggle("live-late", (state.offset_seconds || 0) >= 60);
    });
    setText("hall-message", message("hall"));
    show("hall-message", !!message("hall"));
    setText("stage-message", message("stage"));
    show("stage-message", !!message("stage"));
    var vote = state.vote && state.vote.status === "open" ? state.vote : null;
    show("vote", !!vote);
    setText("vote-title", vote ? vote.title : "");
    setText("vote-count", vote ? String(vote.participation) : "");
    $all("vote-link").forEach(function (a) { if (vote) a.href = vote.url; });
    setText("vote-url", vote ? location.origin + vote.url : "");
    var ann = state.announcement;
    show("announcement", !!ann);
    $all("announcement-link").forEach(function (a) { if (ann) a.href = ann.url; });
    var deck = state.on_deck;
    show("on-deck", !!deck);
    setText("on-deck-name", deck ? person(deck) : "");
    setText("on-deck-kind", deck ? kindLabel(deck.kind) : "");
    $all("on-deck-video").forEach(function (el) {
      var isVideo = !!deck && deck.kind === "video";
      el.hidden = !isVideo;
      el.textContent = deck && deck.video_ready ? labels.ready : labels.not_ready;
      el.classList.toggle("live-ok", !!(deck && deck.video_ready));
      el.classList.toggle("live-bad", !!(deck && !deck.video_ready));
    });
    renderUpcoming();
    renderQueue();
    if (role === "phone") {
      var mine = current ? myTables[String(current.item)] : null;
      show("my-table", !!mine);
      setText("my-table-text", mine ? mine.text : "");
    }
    if (role === "hall") {
      root.classList.toggle("hall-is-blackout", !!state.blackout);
      show("blackout", !!state.blackout);
      videos.update();
      embeds.forEach(function (e) { e.update(); });
    }
  }

  function tick() {
    var now = serverNow();
    setText("clock", timeFormat.format(new Date(now)));
    var left = timerSeconds(now);
    $all("timer").forEach(function (el) {
      el.textContent = clock(left);
      el.classList.toggle("live-warn", left !== null && left <= 30 && left >= 0);
      el.classList.toggle("live-over", left !== null && left < 0);
    });
  }

  // --- the hall's videos: preloaded, shown only once they can play ---------------------
  //
  // Each video to come (the speaker's, then the one on deck) gets a hidden
  // <video preload="auto">, so that the browser loads it before it is shown. When the operator
  // plays it, the slide stays until the element fired `canplay`; then the video replaces it
  // (a dark background under both: no white or blank frame between them).

  var videos = (function () {
    var box = root.querySelector("[data-live='videos']");
    var elements = {}; // url -> <video>

    function urlOf(v) {
      if (!v) return "";
      if (v.url) return v.url;
      return /\.(mp4|webm|ogv|ogg)(\?|$)/i.test(v.link || "") ? v.link : "";
    }

    function element(url) {
      if (!elements[url]) {
        var el = document.createElement("video");
        el.preload = "auto";
        el.hidden = true;
        el.playsInline = true;
        el.className = "hall-video";
        el.dataset.ready = "0";
        el.addEventListener("canplay", function () { el.dataset.ready = "1"; update(); });
        el.addEventListener("ended", function () { el.dataset.ended = "1"; update(); });
        el.src = url;
        box.appendChild(el);
        elements[url] = el;
      }
      return elements[url];
    }

    function start(el) {
      var played = el.play();
      if (played && played.catch) {
        // The browser forbids sound without a gesture on this page: play muted, a click
        // anywhere gives the sound back.
        played.catch(function () { el.muted = true; el.play().catch(function () {}); });
      }
    }

    function update() {
      if (!box) return;
      var speaker = state.speaker;
      var wanted = {};
      var now = speaker && speaker.kind === "video" ? urlOf(speaker.video) : "";
      var next = state.on_deck && state.on_deck.video ? urlOf(state.on_deck.video) : "";
      if (now) wanted[now] = element(now);
      if (next) wanted[next] = element(next);
      var playing = !!(now && speaker.playing && !state.blackout);
      var showing = null;
      Object.keys(elements).forEach(function (url) {
        var el = elements[url];
        if (!wanted[url]) {
          el.pause();
          el.removeAttribute("src");
          el.load();
          el.remove();
          delete elements[url];
          return;
        }
        if (url === now && playing) {
          if (el.dataset.ready === "1" || el.readyState >= 3) {
            showing = el;
            if (el.hidden) {
              el.dataset.readyWhenShown = String(el.readyState); // >= 3: it could play
              el.hidden = false;
              start(el);
            }
          }
        } else if (!el.hidden) {
          el.pause();
          el.hidden = true;
        }
      });
      // A link that is not a video file (a hosting site's page) cannot play here (CSP): shown.
      var link = speaker && speaker.kind === "video" && speaker.video && !now ? speaker.video.link || "" : "";
      setText("speaker-link", link);
      show("speaker-link", !!link);
      root.classList.toggle("hall-is-video", !!showing);
      root.dataset.liveVideo = showing ? "playing" : (playing ? "loading" : "none");
    }

    document.addEventListener("click", function () {
      Object.keys(elements).forEach(function (url) { elements[url].muted = false; });
    });

    return { update: update };
  })();

  // --- the results announcement: the votes app's projector screen, embedded ----------
  //
  // The CSP forbids frames (frame-ancestors 'none'): the hall fetches the vote screen's
  // fragment (what /votes/<id>/ecran/ refreshes itself with) every 3 seconds and at each
  // change of the live state, as that screen does.

  // `name`: the box; `flag`: the class the page gets once the box holds the screen;
  // `source()`: the vote screen's URL the state asks for ("" for none).
  function makeEmbed(name, flag, source) {
    var box = root.querySelector("[data-live='" + name + "']");
    var url = "";
    var timer = null;

    function load() {
      var asked = url;
      if (!asked || !box) return;
      fetch(asked, { cache: "no-store" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html !== null && asked === url) {
            box.innerHTML = html;
            root.classList.add(flag);
          }
        })
        .catch(function () { /* keep the last content */ });
    }

    function update() {
      var base = source();
      var next = base ? base + (base.indexOf("?") >= 0 ? "&" : "?") + "fragment=1" : "";
      if (next !== url) {
        url = next;
        if (timer) clearInterval(timer);
        timer = null;
        if (box) box.textContent = "";
        root.classList.remove(flag);
        if (url) timer = setInterval(load, 3000);
      }
      load();
    }

    return { update: update };
  }

  // The results announcement; the open vote's participation (counted by the votes app, which
  // does not publish each ballot on the stream).
  var embeds = [
    makeEmbed("embed", "hall-has-embed", function () {
      return state.announcement ? state.announcement.url : "";
    }),
    makeEmbed("vote-embed", "hall-has-vote-embed", function () {
      var v = state.vote;
      return v && v.status === "open" && v.screen_url ? v.screen_url : "";
    }),
  ];

  // --- following the stream ------------------------------------------------------------

  if (role === "clock") {
    // The clock-driven hall screen (programme's): when a console takes the day, reload into
    // the driven screen at once rather than at the next refresh.
    if (window.PnyxLive && root.dataset.livePoll) {
      window.PnyxLive.followElement(root, {
        onState: function (next) { if (next && next.driven) location.reload(); },
      });
    }
    return;
  }

  function onState(next, id, info) {
    if (info && info.skewMs) skewMs = info.skewMs;
    if (role === "hall" && next && next.driven === false && state.driven !== false) {
      // The console let go of the day: the clock-driven screen takes over.
      location.reload();
      return;
    }
    state = next || {};
    root.dataset.liveId = String(id);
    renderCommon();
    tick();
  }

  function onStatus(status) {
    root.dataset.liveStatus = status;
    // Polling is a working mode (the stream could not open): only a lost connection shows.
    show("status", status === "reconnecting");
    setText("status", status === "reconnecting" ? labels.offline || status : "");
  }

  renderCommon();
  tick();
  setInterval(tick, 250);
  if (window.PnyxLive && root.dataset.livePoll) {
    window.PnyxLive.followElement(root, { onState: onState, onStatus: onStatus });
  }
})();

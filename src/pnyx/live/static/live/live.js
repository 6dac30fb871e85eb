// PnyxLive: follow the live state of the convention (server-sent events, polling as fallback).
//
// API (stable; the hall screen, the stage timer, backstage and the phones use it):
//
//   const follower = PnyxLive.follow({
//     stream: "/direct/flux/",        // the SSE endpoint (omit or null: poll only)
//     poll: "/direct/etat.json",      // the polling endpoint (required)
//     lastId: 12,                     // id of the state the page was rendered with (or null)
//     pollSeconds: 5,                 // polling interval when the stream cannot be opened
//     onState: (state, id, info) => {},   // every new state, in order; info = {kind,
//                                         //   serverNow (ms since epoch, server clock when
//                                         //   sent), skewMs (server clock - this clock)}
//     onStatus: (status) => {},       // "live" | "polling" | "reconnecting"
//   });
//   follower.stop();                  // close the stream, stop polling
//   follower.lastId();                // id of the last state received
//
//   PnyxLive.followElement(element, {onState, onStatus})   // the same, with the options read
//     from data attributes: data-live-stream, data-live-poll, data-live-last-id,
//     data-live-poll-seconds (no inline script needed: the CSP forbids them).
//
//   PnyxLive.serverNow(info)          // the server's clock now, in ms (Date.now() + skewMs)
//
// Behaviour: opens an EventSource on `stream` (first connection `?after=lastId`; the browser
// sends Last-Event-ID on its own reconnections, so nothing is missed). After 3 failures in a
// row without a successful open (or without EventSource at all) it polls `poll?after=lastId`
// every pollSeconds (304: unchanged) and tries the stream again every minute. A state is
// passed to onState once: ids only grow (a message marked `reset` replaces the state anyway,
// e.g. after the database was restored). See docs/live.md, "The stream".
(function (global) {
  "use strict";

  var MAX_FAILURES = 3;
  var STREAM_RETRY_MS = 60000;

  function withAfter(url, lastId) {
    if (lastId === null || lastId === undefined) return url;
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + "after=" + encodeURIComponent(lastId);
  }

  function follow(options) {
    var onState = options.onState || function () {};
    var onStatus = options.onStatus || function () {};
    var pollMs = Math.max(1, Number(options.pollSeconds) || 5) * 1000;
    var lastId = options.lastId === undefined || options.lastId === "" ? null : options.lastId;
    if (lastId !== null) lastId = Number(lastId);
    var status = null;
    var source = null;
    var failures = 0;
    var pollTimer = null;
    var streamTimer = null;
    var stopped = false;

    function setStatus(next) {
      if (next !== status) {
        status = next;
        onStatus(next);
      }
    }

    function receive(message) {
      if (!message || message.id === undefined || message.id === null) return;
      var id = Number(message.id);
      if (lastId !== null && id <= lastId && !message.reset) return;
      lastId = id;
      var serverNow = message.server_now ? Date.parse(message.server_now) : Date.now();
      var info = { kind: message.kind, serverNow: serverNow, skewMs: serverNow - Date.now() };
      if (message.state !== undefined && message.state !== null) onState(message.state, id, info);
    }

    function poll() {
      if (stopped) return;
      fetch(withAfter(options.poll, lastId), {
        cache: "no-store",
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (response.status === 200) return response.json().then(receive);
          return null; // 304: unchanged; anything else: try again at the next tick
        })
        .catch(function () { /* offline: keep the last state, try again */ })
        .then(function () {
          if (!stopped && pollTimer !== null) pollTimer = setTimeout(poll, pollMs);
        });
    }

    function startPolling() {
      setStatus("polling");
      if (pollTimer === null) {
        pollTimer = 0;
        poll();
      }
      if (options.stream && global.EventSource && streamTimer === null) {
        streamTimer = setTimeout(function () {
          streamTimer = null;
          failures = 0;
          openStream();
        }, STREAM_RETRY_MS);
      }
    }

    function stopPolling() {
      if (pollTimer) clearTimeout(pollTimer);
      pollTimer = null;
    }

    function openStream() {
      if (stopped) return;
      var es = new global.EventSource(withAfter(options.stream, lastId));
      source = es;
      es.onopen = function () {
        failures = 0;
        stopPolling();
        setStatus("live");
      };
      es.onmessage = function (event) {
        try {
          receive(JSON.parse(event.data));
        } catch (e) { /* a malformed message is skipped; the next state replaces it */ }
      };
      es.onerror = function () {
        failures += 1;
        if (failures >= MAX_FAILURES) {
          es.close();
          if (source === es) source = null;
          startPolling();
        } else if (es.readyState === global.EventSource.CLOSED) {
          // The server refused (e.g. 503): the browser will not retry by itself.
          if (source === es) source = null;
          setStatus("reconnecting");
          setTimeout(openStream, 1000 * failures);
        } else {
          setStatus("reconnecting"); // the browser reconnects, sending Last-Event-ID
        }
      };
    }

    if (options.stream && global.EventSource) {
      openStream();
    } else {
      startPolling();
    }

    return {
      stop: function () {
        stopped = true;
        if (source) source.close();
        source = null;
        stopPolling();
        if (streamTimer) clearTimeout(streamTimer);
        streamTimer = null;
      },
      lastId: function () {
        return lastId;
      },
    };
  }

  function followElement(element, callbacks) {
    var data = element.dataset;
    callbacks = callbacks || {};
    return follow({
      stream: data.liveStream || null,
      poll: data.livePoll,
      lastId: data.liveLastId === undefined ? null : data.liveLastId,
      pollSeconds: data.livePollSeconds,
      onState: callbacks.onState,
      onStatus: callbacks.onStatus,
    });
  }

  function serverNow(info) {
    return Date.now() + ((info && info.skewMs) || 0);
  }

  global.PnyxLive = { follow: follow, followElement: followElement, serverNow: serverNow };
})(window);

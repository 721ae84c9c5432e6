// The text view's inquiry form: posts the inquiry as JSON to the platform
// API (docs/api.md) under a fresh Idempotency-Key, shows each field's
// problem beside the field and the outcome in a live region. Once sent,
// it links the visitor's private thread page (/thread/ID/SECRET), where the
// service agent's replies and the deal's stage appear.
// The API is at the site's root (data-api on the form), or at ?api=URL.
// The page also counts, anonymously, that the project was read and that
// an inquiry was sent (docs/api.md, POST /api/v1/counts): one batch when
// the page is left, with no identifier, never when the visitor ticks
// "don't count me" (kept in this browser) or the browser sends the Global
// Privacy Control signal.
(function () {
  "use strict";
  var form = document.getElementById("inquiry");
  if (!form) return;
  var status = document.getElementById("inquiry-status");
  var fields = ["name", "organisation", "phone", "email", "message", "intent"];
  var query = new URLSearchParams(location.search);
  var base = query.get("api") || new URL(form.dataset.api, location.href).href;
  var endpoint = base.replace(/\/$/, "") + "/api/v1/inquiries";
  var key = null;

  function say(text) { status.textContent = text; }
  function clearErrors() {
    fields.forEach(function (name) {
      var error = document.getElementById(name + "-error");
      var input = document.getElementById(name);
      if (error) error.textContent = "";
      if (input) input.removeAttribute("aria-invalid");
    });
  }
  function key16() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // The private link to the inquiry's conversation, under the status.
  function showThread(id, secret) {
    var paragraph = document.getElementById("inquiry-thread") || document.createElement("p");
    paragraph.id = "inquiry-thread";
    paragraph.textContent = "";
    var link = document.createElement("a");
    link.href = base.replace(/\/$/, "") + "/thread/" + id + "/" + secret;
    link.rel = "noreferrer";
    link.textContent = "查看回复与洽谈进展（私人链接，请收藏，勿转发） Follow the replies (your private link: bookmark it, do not share it)";
    paragraph.appendChild(link);
    status.parentNode.insertBefore(paragraph, status.nextSibling);
  }

  var NO_COUNT = "yunzhan/no-count";
  var counts = { card_open: 1 };
  function counting() {
    return !navigator.globalPrivacyControl && localStorage.getItem(NO_COUNT) !== "1";
  }
  function sendCounts() {
    if (!counting() || !counts) return;
    var batch = {
      batch: key16(),
      counts: Object.keys(counts).map(function (event) {
        return { platform_no: form.dataset.platformNo, event: event, n: counts[event] };
      })
    };
    counts = null;
    navigator.sendBeacon(base.replace(/\/$/, "") + "/api/v1/counts",
      new Blob([JSON.stringify(batch)], { type: "application/json" }));
  }
  addEventListener("pagehide", sendCounts);
  (function countingSwitch() {
    var paragraph = document.createElement("p");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.id = "no-count";
    box.checked = !counting();
    box.disabled = !!navigator.globalPrivacyControl;
    box.addEventListener("change", function () {
      if (box.checked) localStorage.setItem(NO_COUNT, "1"); else localStorage.removeItem(NO_COUNT);
    });
    var label = document.createElement("label");
    label.htmlFor = "no-count";
    label.textContent = navigator.globalPrivacyControl
      ? " 不统计我（浏览器已发出“全局隐私控制”信号） Don't count me (your browser sends Global Privacy Control)"
      : " 不统计我：本页不发送匿名的浏览次数 Don't count me: this browser sends no anonymous counts";
    paragraph.appendChild(box);
    paragraph.appendChild(label);
    form.parentNode.insertBefore(paragraph, form.nextSibling);
  })();

  form.addEventListener("input", function () { key = null; });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var body = { platform_no: form.dataset.platformNo };
    fields.forEach(function (name) { body[name] = form.elements[name].value.trim(); });
    if (!body.intent) body.intent = null;
    // One key per filled-in form: pressing Send again after a lost answer
    // cannot store the inquiry twice.
    key = key || key16();
    say("正在发送… Sending…");
    fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.ok) {
          say("已发送，编号 " + answer.id + "。科服保姆会与您联系。 Sent (no. " + answer.id + "); the service agent will contact you.");
          if (answer.thread_secret) showThread(answer.id, answer.thread_secret);
          if (counts) counts.inquiry = (counts.inquiry || 0) + 1;
          form.reset();
          key = null;
          return;
        }
        var first = null;
        (answer.fields || []).forEach(function (problem) {
          var error = document.getElementById(problem.field + "-error");
          var input = document.getElementById(problem.field);
          if (error) error.textContent = problem.message_zh + " " + problem.message;
          if (input) { input.setAttribute("aria-invalid", "true"); first = first || input; }
        });
        if (first) first.focus();
        say("未发送：" + (answer.message_zh || ("HTTP " + response.status)) + " Not sent: " + (answer.message || ("HTTP " + response.status)));
      });
    }).catch(function () {
      say("无法连接平台，留言未发送。请稍后再试，或直接联系上面的科服保姆。 Cannot reach the platform; nothing was sent. Try again later or contact the service agent above.");
    });
  });
})();

/* Kuzey Market support chat widget.
 * Embed on any page:  <script src="https://BOT-HOST/widget.js" defer></script>
 * Optional attributes on the script tag: data-title, data-lang (tr|en), data-open="true".
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script ? script.src : "/widget.js", location.href);
  var origin = base.origin;
  var lang = (script && script.dataset.lang) || (navigator.language || "tr").slice(0, 2);
  if (lang !== "tr" && lang !== "en") lang = "en";
  var MAX_CHARS = 60000; // the server keeps longer-than-searchable messages; this only guards the socket
  var T = {
    tr: { title: "Destek", placeholder: "Sorunuzu yazın…", send: "Gönder", open: "Yardım",
          offline: "Bağlantı koptu, yeniden bağlanılıyor…", tooLong: "Mesaj gönderilemeyecek kadar uzun.",
          read: "Makalenin tamamı", ticket: "Talep", toAgent: "Destek ekibimize iletildi", team: "Destek ekibi" },
    en: { title: "Support", placeholder: "Type your question…", send: "Send", open: "Help",
          offline: "Connection lost, reconnecting…", tooLong: "This message is too long to send.",
          read: "Read the full article", ticket: "Ticket", toAgent: "Sent to our support team", team: "Support team" }
  }[lang];
  var storeKey = "supportbot.conversation";
  var conversation = localStorage.getItem(storeKey) || "";
  var seen = {};
  var ws = null, retry = 0;
  // Messages the server has not acknowledged yet (by echoing them), oldest first.
  // They are sent again after a reconnect; the server records each id once.
  var pendingKey = "supportbot.pending";
  var pending = JSON.parse(sessionStorage.getItem(pendingKey) || "[]");
  function savePending() { sessionStorage.setItem(pendingKey, JSON.stringify(pending)); }

  var css = document.createElement("link");
  css.rel = "stylesheet"; css.href = origin + "/static/widget.css";
  document.head.appendChild(css);

  var root = document.createElement("div");
  root.className = "sb-root";
  root.innerHTML =
    '<button class="sb-launcher" type="button" aria-expanded="false"></button>' +
    '<section class="sb-panel" hidden role="dialog">' +
    '  <header class="sb-header"><span class="sb-title"></span><span class="sb-status" aria-live="polite"></span></header>' +
    '  <ol class="sb-log" aria-live="polite"></ol>' +
    '  <form class="sb-form"><textarea class="sb-input" rows="1" maxlength="' + MAX_CHARS + '"></textarea>' +
    '  <button class="sb-send" type="submit"></button></form>' +
    '</section>';
  document.body.appendChild(root);
  var launcher = root.querySelector(".sb-launcher");
  var panel = root.querySelector(".sb-panel");
  var log = root.querySelector(".sb-log");
  var form = root.querySelector(".sb-form");
  var input = root.querySelector(".sb-input");
  var status = root.querySelector(".sb-status");
  launcher.textContent = T.open;
  root.querySelector(".sb-title").textContent = (script && script.dataset.title) || T.title;
  root.querySelector(".sb-send").textContent = T.send;
  input.placeholder = T.placeholder;
  input.setAttribute("aria-label", T.placeholder);

  function toggle(open) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) { connect(); input.focus(); }
  }
  launcher.addEventListener("click", function () { toggle(panel.hidden); });

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(m) {
    if (seen[m.id]) return;
    seen[m.id] = true;
    var item = el("li", "sb-msg sb-" + m.sender);
    item.dataset.sender = m.sender;
    var p = m.payload || {};
    if (m.sender === "visitor") {
      // the visitor has moved on: earlier quick replies no longer apply
      Array.prototype.forEach.call(log.querySelectorAll(".sb-choice"), function (b) { b.disabled = true; });
    }
    if (m.sender === "agent" && p.agent && p.agent.name) item.appendChild(el("small", "sb-agent-name", p.agent.name + " · " + T.team));
    if (p.article && p.article.title) item.appendChild(el("strong", "sb-article-title", p.article.title));
    item.appendChild(el("div", "sb-text", m.text));
    if (p.article && p.article.url) {
      var a = el("a", "sb-link", T.read);
      a.href = new URL(p.article.url, origin).href; a.target = "_blank"; a.rel = "noopener";
      item.appendChild(a);
    }
    if (p.ticket && p.ticket.id) item.dataset.ticket = String(p.ticket.id);
    // while a ticket is open, the visitor's messages go to the support team and the bot is silent
    if (m.sender === "visitor" && typeof p.ticket === "number") item.appendChild(el("small", "sb-to-agent", T.toAgent));
    (p.buttons || []).forEach(function (b) {
      var btn = el("button", "sb-choice", b.title);
      btn.type = "button";
      btn.addEventListener("click", function () { send(b.title, b.payload); });
      item.appendChild(btn);
    });
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function notice(text) {
    var item = el("li", "sb-msg sb-notice", text);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function connect() {
    if (ws && ws.readyState <= 1) return;
    var url = origin.replace(/^http/, "ws") + "/chat/ws" + (conversation ? "?conversation=" + encodeURIComponent(conversation) : "");
    ws = new WebSocket(url);
    ws.onopen = function () {
      retry = 0; status.textContent = "";
      pending.forEach(function (frame) { ws.send(JSON.stringify(frame)); });
    };
    ws.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "welcome") {
        conversation = data.conversation_id;
        localStorage.setItem(storeKey, conversation);
        data.history.forEach(function (m) { acknowledge(m); render(m); });
      } else if (data.type === "message") {
        acknowledge(data.message);
        render(data.message);
      } else if (data.type === "error") {
        notice(data.error.message);
      }
    };
    ws.onclose = function () {
      status.textContent = T.offline;
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * Math.pow(2, retry));
    };
  }

  function send(text, payload) {
    text = (text || "").trim();
    if (!text) return;
    if (text.length > MAX_CHARS) { notice(T.tooLong); return; }
    var message = { type: "message", text: text, id: Date.now().toString(36) + Math.random().toString(36).slice(2, 10) };
    if (payload) message.payload = payload;
    pending.push(message);
    savePending();
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(message)); else connect();
  }

  function acknowledge(m) {
    var id = m.payload && m.payload.client_id;
    if (!id) return;
    pending = pending.filter(function (p) { return p.id !== id; });
    savePending();
  }

  // Leaving the page closes the socket, and a message sent just before may never be
  // read. The browser delivers a beacon after the page is gone; a string goes as
  // text/plain, which needs no CORS preflight. The messages stay pending: a reconnect
  // in this tab sends them again, and the server records each id once.
  // Browsers refuse a beacon over 64 KiB: then the first half is tried, and so on.
  window.addEventListener("pagehide", function () {
    if (!conversation || !navigator.sendBeacon) return;
    var batch = pending.slice(0, 32);
    while (batch.length && !navigator.sendBeacon(origin + "/chat/messages",
        JSON.stringify({ conversation: conversation, messages: batch }))) {
      batch = batch.slice(0, Math.floor(batch.length / 2));
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value);
    input.value = "";
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  if (script && script.dataset.open === "true") toggle(true);
  window.SupportBot = { open: function () { toggle(true); }, send: send };
})();

(function () {
  "use strict";
  var tbody = document.getElementById("tickets");
  var detail = document.getElementById("detail");
  var selected = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function load() {
    fetch("/api/tickets/").then(function (r) { return r.json(); }).then(function (data) {
      tbody.textContent = "";
      data.tickets.forEach(function (t) {
        var row = el("tr");
        row.dataset.ticket = t.id;
        if (t.id === selected) row.className = "selected";
        [ "#" + t.id, t.status, t.reason, t.language || "", t.message_count, t.created_at.replace("T", " ").slice(0, 19) ]
          .forEach(function (v) { row.appendChild(el("td", null, v)); });
        row.addEventListener("click", function () { show(t.id); });
        tbody.appendChild(row);
      });
      document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
    });
  }

  function show(id) {
    selected = id;
    fetch("/api/tickets/" + id).then(function (r) { return r.json(); }).then(function (t) {
      detail.textContent = "";
      detail.appendChild(el("h2", null, "Ticket #" + t.id));
      var facts = el("p");
      facts.appendChild(el("span", "badge", t.status));
      facts.appendChild(document.createTextNode(" reason: " + t.reason + " · language: " + (t.language || "?") + " · priority: " + t.priority));
      detail.appendChild(facts);
      if (t.candidates.length) {
        detail.appendChild(el("h3", null, "Articles the bot tried"));
        var list = el("ul");
        t.candidates.forEach(function (c) { list.appendChild(el("li", null, (c.title || c.id) + " — score " + c.score)); });
        detail.appendChild(list);
      }
      detail.appendChild(el("h3", null, "Transcript"));
      var ol = el("ol", "transcript");
      t.transcript.forEach(function (m) {
        var li = el("li", m.sender);
        var meta = m.sender + " · " + m.created_at.replace("T", " ").slice(0, 19);
        var p = m.payload || {};
        if (p.article) meta += " · answered from: " + p.article.title;
        if (p.type === "handoff") meta += " · handoff";
        if (p.type === "too_long") meta += " · too long to search";
        li.appendChild(el("div", "meta", meta));
        li.appendChild(el("div", null, m.text));
        ol.appendChild(li);
      });
      detail.appendChild(ol);
      load();
    });
  }

  document.getElementById("refresh").addEventListener("click", load);
  load();
  setInterval(load, 5000);
})();

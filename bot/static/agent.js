// The agent console: sign in, the live queue, a ticket with its transcript, notes and actions.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var me = null, agents = [], selected = null, current = null, socket = null, reloadTimer = null;
  // What the agent has typed but not sent, per ticket: the pane is rebuilt whenever the ticket
  // changes (a claim, a colleague's note), and a half-written reply must survive that.
  var drafts = {}, shown = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  // times are stored in UTC; the console shows the agent's own clock
  function time(iso) {
    if (!iso) return "";
    var d = new Date(iso), pad = function (n) { return String(n).padStart(2, "0"); };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function span(seconds) {
    var m = Math.round(Math.abs(seconds) / 60), h = Math.floor(m / 60);
    return h >= 24 ? Math.floor(h / 24) + "d " + (h % 24) + "h" : (h ? h + "h " : "") + (m % 60) + "m";
  }
  // one target: "first reply due in 1h 5m", "resolution breached 20m ago", "first reply met",
  // "resolution paused (pending), 3h left"
  function target(name, t) {
    var left = t.done_at ? null : (new Date(t.due) - new Date()) / 1000;
    if (t.state === "met") return name + " met";
    if (left === null) return name + " breached";
    if (t.paused && left >= 0) return name + " paused (pending), " + span(left) + " left";
    return name + (left >= 0 ? " due in " + span(left) : " breached " + span(left) + " ago");
  }
  function nextTarget(sla) {
    return sla.first_response.done_at ? target("resolution", sla.resolution) : target("first reply", sla.first_response);
  }
  function breached(sla) { return sla.first_response.state === "breached" || sla.resolution.state === "breached"; }
  function agentName(id) {
    var found = agents.filter(function (a) { return a.id === id; })[0];
    return found ? found.name : "#" + id;
  }

  function api(method, path, body) {
    var options = { method: method, headers: {}, credentials: "same-origin" };
    if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(path, options).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.status === 401) { showSignIn(); }
        if (!r.ok) { throw new Error((data.error && data.error.message) || ("HTTP " + r.status)); }
        return data;
      });
    });
  }

  // -- signing in ------------------------------------------------------------------
  function showSignIn() {
    me = null;
    if (socket) { socket.onclose = null; socket.close(); socket = null; }
    $("console").hidden = true; $("signin").hidden = false; $("email").focus();
  }
  function start(agent) {
    me = agent;
    $("signin").hidden = true; $("console").hidden = false;
    $("whoami").textContent = agent.name + " (" + agent.role + ")";
    $("team").hidden = agent.role !== "admin";
    api("GET", "/api/agents/").then(function (d) { agents = d.agents; });
    load(); listen();
  }
  $("signin").addEventListener("submit", function (e) {
    e.preventDefault();
    $("signin-error").textContent = "";
    api("POST", "/api/auth/login", { email: $("email").value, password: $("password").value })
      .then(function (d) { $("password").value = ""; start(d.agent); })
      .catch(function (err) { $("signin-error").textContent = err.message; });
  });
  $("signout").addEventListener("click", function () {
    api("POST", "/api/auth/logout").finally(showSignIn);
  });

  // -- live updates ----------------------------------------------------------------
  function listen() {
    socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/agent/ws");
    socket.onopen = function () { $("live").textContent = "live"; };
    socket.onclose = function () {
      $("live").textContent = "reconnecting…";
      if (me) setTimeout(listen, 2000);
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "error") { showSignIn(); return; }
      if (data.type === "message" && current && data.message.conversation_id === current.conversation_id) {
        appendLine(data.message);
      }
      if (data.type === "ticket" && selected === data.ticket.id) show(selected);
      if (data.type === "ticket" || data.type === "message") { clearTimeout(reloadTimer); reloadTimer = setTimeout(load, 150); }
    };
  }

  // -- the queue -------------------------------------------------------------------
  function load() {
    var query = [];
    if ($("assignee").value) query.push("assignee=" + $("assignee").value);
    if ($("status").value) query.push("status=" + $("status").value);
    api("GET", "/api/tickets/" + (query.length ? "?" + query.join("&") : "")).then(function (data) {
      var tbody = $("tickets");
      tbody.textContent = "";
      data.tickets.forEach(function (t) {
        var row = el("tr", t.id === selected ? "selected" : "");
        row.dataset.ticket = t.id;
        var who = t.assignee_id ? agentName(t.assignee_id) : "—";
        var done = t.status === "solved" || t.status === "closed";
        ["#" + t.id, t.priority, t.status, done ? "" : nextTarget(t.sla), t.visitor_name || t.visitor_email || "", who, t.message_count]
          .forEach(function (v, i) {
            var cls = i === 1 ? "priority-" + t.priority : (i === 3 && breached(t.sla) ? "breach" : null);
            row.appendChild(el("td", cls, v));
          });
        row.addEventListener("click", function () { show(t.id); });
        tbody.appendChild(row);
      });
    });
  }
  $("assignee").addEventListener("change", load);
  $("status").addEventListener("change", load);

  // -- one ticket ------------------------------------------------------------------
  function appendLine(m) {
    var ol = document.querySelector("#detail .transcript");
    if (!ol || ol.querySelector('[data-id="' + m.id + '"]')) return;
    var li = el("li", m.sender);
    li.dataset.id = m.id;
    var p = m.payload || {};
    var meta = m.sender + (p.agent ? " " + p.agent.name : "") + " · " + time(m.created_at);
    if (p.article) meta += " · answered from: " + p.article.title;
    if (p.type === "handoff") meta += " · handoff";
    li.appendChild(el("div", "meta", meta));
    li.appendChild(el("div", null, m.text));
    ol.appendChild(li);
  }

  function button(label, onClick) {
    var b = el("button", null, label); b.type = "button"; b.addEventListener("click", onClick); return b;
  }

  function draft(textarea, id, field) {
    var saved = drafts[id] || (drafts[id] = {});
    textarea.value = saved[field] || "";
    textarea.addEventListener("input", function () { saved[field] = textarea.value; });
    return textarea;
  }

  function show(id) {
    selected = id;
    var request = ++shown;  // answers to older requests arrive late sometimes: only the newest is drawn
    api("GET", "/api/tickets/" + id).then(function (t) {
      if (request !== shown) return;
      current = t;
      var detail = $("detail");
      var focused = document.activeElement && detail.contains(document.activeElement) ? document.activeElement.id : null;
      detail.textContent = "";
      detail.appendChild(el("h2", null, "Ticket #" + t.id));
      var facts = el("p");
      facts.appendChild(el("span", "badge", t.status));
      facts.appendChild(el("span", "badge priority-" + t.priority, t.priority));
      facts.appendChild(document.createTextNode(" reason: " + t.reason + " · language: " + (t.language || "?") +
        " · visitor: " + (t.visitor_name || "—") + " " + (t.visitor_email || "") + " · assignee: " + (t.assignee_name || "nobody")));
      detail.appendChild(facts);
      detail.appendChild(el("p", breached(t.sla) ? "sla breach" : "sla",
        "SLA: " + target("first reply", t.sla.first_response) + " · " + target("resolution", t.sla.resolution)));

      var actions = el("p", "actions");
      actions.appendChild(button("Claim", function () { api("POST", "/api/tickets/" + t.id + "/claim").then(function () { show(t.id); }); }));
      var assign = el("select"); assign.id = "assign-to";
      assign.appendChild(el("option", null, "assign to…"));
      agents.forEach(function (a) { var o = el("option", null, a.name); o.value = a.id; assign.appendChild(o); });
      assign.addEventListener("change", function () {
        api("PATCH", "/api/tickets/" + t.id, { assignee_id: Number(assign.value) }).then(function () { show(t.id); });
      });
      actions.appendChild(assign);
      ["open", "pending", "solved", "closed"].forEach(function (s) {
        if (s !== t.status) actions.appendChild(button(s === "solved" ? "Solve" : "Mark " + s, function () {
          api("PATCH", "/api/tickets/" + t.id, { status: s }).then(function () { show(t.id); });
        }));
      });
      if (t.status === "solved" || t.status === "closed") {
        actions.appendChild(button("Draft article", function () {
          api("POST", "/api/tickets/" + t.id + "/article-draft")
            .then(function (d) { alert("Draft written: " + d.file + "\nAn editor can review it and import it."); show(t.id); })
            .catch(function (err) { alert(err.message); });
        }));
      }
      detail.appendChild(actions);

      if (t.candidates.length) {
        detail.appendChild(el("h3", null, "Articles the bot tried"));
        var list = el("ul");
        t.candidates.forEach(function (c) { list.appendChild(el("li", null, (c.title || c.id) + " — score " + c.score)); });
        detail.appendChild(list);
      }
      detail.appendChild(el("h3", null, "Transcript"));
      detail.appendChild(el("ol", "transcript"));
      t.transcript.forEach(appendLine);

      var open = ["new", "open", "pending"].indexOf(t.status) >= 0;
      var reply = el("form", "stack");
      var text = draft(el("textarea"), t.id, "reply"); text.id = "reply-text"; text.rows = 3;
      text.placeholder = open ? "Reply to the visitor…" : "Reopen the ticket to reply";
      text.disabled = !open;
      reply.appendChild(text);
      var send = el("button", null, "Send reply"); send.type = "submit"; send.disabled = !open;
      reply.appendChild(send);
      reply.addEventListener("submit", function (e) {
        e.preventDefault();
        if (!text.value.trim()) return;
        var sent = text.value;
        api("POST", "/api/tickets/" + t.id + "/messages", { text: sent }).then(function () {
          if (drafts[t.id].reply === sent) drafts[t.id].reply = "";
          if ($("reply-text") && $("reply-text").value === sent) $("reply-text").value = "";
        }).catch(function (err) { alert(err.message); });
      });
      detail.appendChild(reply);

      detail.appendChild(el("h3", null, "Internal notes and history"));
      var history = el("ul", "history");
      t.history.forEach(function (e) {
        var line = time(e.created_at) + " " + (e.agent_name || "system") + ": ";
        if (e.kind === "note") line += e.text;
        else if (e.kind === "status") line += "status " + (e.old || "—") + " → " + e.new;
        else line += "assigned " + (e.new ? "to " + agentName(Number(e.new)) : "to nobody");
        history.appendChild(el("li", e.kind, line));
      });
      detail.appendChild(history);
      var note = el("form", "stack");
      var noteText = draft(el("textarea"), t.id, "note"); noteText.id = "note-text"; noteText.rows = 2;
      noteText.placeholder = "Internal note (the visitor never sees it)";
      note.appendChild(noteText);
      var add = el("button", null, "Add note"); add.type = "submit"; note.appendChild(add);
      note.addEventListener("submit", function (e) {
        e.preventDefault();
        if (!noteText.value.trim()) return;
        api("POST", "/api/tickets/" + t.id + "/notes", { text: noteText.value }).then(function () {
          drafts[t.id].note = "";
          show(t.id);
        });
      });
      detail.appendChild(note);
      var refocus = focused && $(focused);
      if (refocus) {  // typing goes on where it was
        refocus.focus();
        if (refocus.setSelectionRange) refocus.setSelectionRange(refocus.value.length, refocus.value.length);
      }
      load();
    });
  }

  // -- the team (admins) -----------------------------------------------------------
  $("add-agent").addEventListener("submit", function (e) {
    e.preventDefault();
    api("POST", "/api/agents/", { email: $("new-email").value, name: $("new-name").value,
      password: $("new-password").value, role: $("new-role").value })
      .then(function (d) {
        $("add-result").textContent = "added " + d.agent.email; $("add-agent").reset();
        return api("GET", "/api/agents/").then(function (x) { agents = x.agents; });
      })
      .catch(function (err) { $("add-result").textContent = err.message; });
  });

  // -- the knowledge report: which articles help, what the articles do not cover -----
  function row(cells) {
    var tr = el("tr");
    cells.forEach(function (c) { tr.appendChild(el("td", null, c)); });
    return tr;
  }
  function happened(q) {
    if (q.outcome === "handoff") return "handed off";
    if (q.outcome === "clarified") return q.helpful === false ? "none of the choices fit" : "no choice made";
    return "answered with " + title(q.article_id) + (q.picked ? " (picked from the choices)" : "") + ": did not help";
  }
  var titles = {};
  function title(id) { return titles[id] || id; }
  function loadReports() {
    $("report-error").textContent = "";
    Promise.all([api("GET", "/api/reports/articles?days=30"), api("GET", "/api/reports/unanswered?days=30&limit=100")])
      .then(function (both) {
        var articles = $("report-articles"), questions = $("report-unanswered");
        articles.replaceChildren(); questions.replaceChildren();
        both[0].articles.forEach(function (a) { titles[a.article_id] = a.title || a.article_id; });
        both[0].articles.forEach(function (a) {
          articles.appendChild(row([a.title || a.article_id + " (deleted)", a.language || "", a.answered, a.helpful, a.not_helpful]));
        });
        both[1].questions.forEach(function (q) {
          // what the bot thought nearest: the right article scored too low (add example questions),
          // or nothing is near (write an article)
          var best = q.candidates[0];
          var closest = best ? title(best.id) + " (" + best.score.toFixed(2) + ")" : "";
          questions.appendChild(row([time(q.created_at), q.language || "", q.question, happened(q), closest]));
        });
        if (!both[1].questions.length) questions.appendChild(row(["", "", "nothing: every question was settled", "", ""]));
      })
      .catch(function (err) { $("report-error").textContent = err.message; });
  }
  $("reports").addEventListener("toggle", function () { if ($("reports").open) loadReports(); });

  fetch("/api/auth/me", { credentials: "same-origin" }).then(function (r) {
    if (r.ok) return r.json().then(function (d) { start(d.agent); });
    showSignIn();
  });
})();

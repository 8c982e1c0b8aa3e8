// saekit dashboard index: sorting, filtering and search by token, in the page itself (no network).
// index.html?q=river opens with that search; &flag=dead with that filter.
(function () {
  "use strict";
  var table = document.getElementById("concepts");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var search = document.getElementById("search");
  var flag = document.getElementById("flag");
  var count = document.getElementById("count");
  var nomatch = document.getElementById("nomatch");
  var order = rows.slice();

  function normalise(s) {
    s = s.trim().toLowerCase();
    return s.length > 2 && s.indexOf("##") === 0 ? s.slice(2) : s;
  }

  function matches(row, q) {
    if (/^#?\d+$/.test(q)) { return row.dataset.id === q.replace("#", ""); }
    var tokens = row.dataset.tokens ? row.dataset.tokens.split("\t") : [];
    var rank = tokens.indexOf(q);
    if (rank >= 0) { return rank; }
    return row.dataset.name.toLowerCase().indexOf(q) >= 0 ? tokens.length : false;
  }

  function apply() {
    var q = normalise(search.value);
    var f = flag.value;
    var shown = [];
    order.forEach(function (row) {
      var ok = f === "all" || row.dataset.flag === f || (f === "alive" && row.dataset.flag !== "dead");
      var rank = 0;
      if (ok && q) {
        rank = matches(row, q);
        ok = rank !== false;
      }
      row.hidden = !ok;
      if (ok) { shown.push([rank === true ? 0 : rank, row]); }
    });
    if (q) {
      // concepts that have the token highest among their tokens first
      shown.sort(function (a, b) { return a[0] - b[0]; });
      shown.forEach(function (s) { body.appendChild(s[1]); });
    } else {
      order.forEach(function (row) { body.appendChild(row); });
    }
    count.textContent = shown.length.toLocaleString("en") + " of " + rows.length.toLocaleString("en") +
      " concepts" + (q ? " with \u201c" + search.value.trim() + "\u201d" : "");
    nomatch.hidden = shown.length > 0;
  }

  function sortBy(th) {
    var key = th.dataset.key;
    var numeric = th.dataset.type === "num";
    var descending = th.getAttribute("aria-sort") !== "descending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    order.sort(function (a, b) {
      var x = a.dataset[key], y = b.dataset[key];
      var d = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
      if (d === 0) { d = parseInt(a.dataset.id, 10) - parseInt(b.dataset.id, 10); return d; }
      return descending ? -d : d;
    });
    apply();
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortBy(th); } });
  });
  search.addEventListener("input", apply);
  flag.addEventListener("change", apply);
  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { search.value = params.get("q"); }
  if (params.get("flag")) { flag.value = params.get("flag"); }
  if (params.get("sort")) {
    var th = table.querySelector('th[data-key="' + params.get("sort") + '"]');
    if (th) { sortBy(th); }
  }
  apply();
})();

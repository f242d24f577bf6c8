// The endpoint page's editor (kg serve, /): YASQE (viz/vendor/yasqe) over the form's
// textarea. Its own completers ask prefix.cc and the LOV API; here they are replaced by
// lists carried in the page (#kg-completions: the project's prefixes, the ontology's and
// the graph's classes and properties), so the page fetches nothing. YASQE runs no query:
// the form does, and the server answers with the result table.
(function () {
  "use strict";
  const Yasqe = window.Yasqe;
  const block = document.getElementById("kg-completions");
  if (!Yasqe || !block) return;
  const words = JSON.parse(block.textContent);

  // highlight the library query shown under its form
  document.querySelectorAll("pre.sparql").forEach(function (pre) {
    const text = pre.textContent;
    pre.textContent = "";
    Yasqe.runMode(text, "sparql11", pre);
  });

  const area = document.getElementById("query");
  if (!area) return;

  const prefixes = words.prefixes;
  const curie = function (iri) {
    for (const p in prefixes) {
      const ns = prefixes[p];
      if (iri.indexOf(ns) === 0 && /^[\w.-]*$/.test(iri.slice(ns.length))) return p + ":" + iri.slice(ns.length);
    }
    return null;
  };
  // the trie holds full IRIs (matched once a declared prefix is expanded) and prefixed
  // names (matched while the prefix is still undeclared: the server declares it)
  const labels = new Map();
  const entries = function (pairs) {
    const out = [];
    pairs.forEach(function (pair) {
      const iri = pair[0], label = pair[1], c = curie(iri);
      out.push(iri);
      labels.set("<" + iri + ">", label);
      if (c) { out.push(c); labels.set(c, label); }
    });
    return out;
  };
  const showLabels = function (_yasqe, hints) {
    hints.forEach(function (h) {
      const label = labels.get(h.text);
      if (label) h.displayText = h.text + "  " + label;
    });
    return hints;
  };
  const iriSuggestion = function (base) {
    return function (yasqe, token, suggestion) {
      if (suggestion.indexOf("://") < 0) return suggestion; // already a prefixed name
      return base.call(this, yasqe, token, suggestion);
    };
  };
  const prefixLines = Object.keys(prefixes).sort().map(function (p) { return p + ": <" + prefixes[p] + ">"; });
  Yasqe.forkAutocompleter("prefixes", { name: "kgPrefixes", get: prefixLines, persistenceId: null }, false);
  Yasqe.forkAutocompleter("class", {
    name: "kgClasses", bulk: true, autoShow: true, persistenceId: null, get: entries(words.classes),
    postProcessSuggestion: iriSuggestion(Yasqe.Autocompleters["class"].postProcessSuggestion),
    postprocessHints: showLabels,
  }, false);
  Yasqe.forkAutocompleter("property", {
    name: "kgProperties", bulk: true, autoShow: true, persistenceId: null, get: entries(words.properties),
    postProcessSuggestion: iriSuggestion(Yasqe.Autocompleters.property.postProcessSuggestion),
    postprocessHints: showLabels,
  }, false);

  const holder = document.createElement("div");
  holder.id = "editor";
  area.parentNode.insertBefore(holder, area);
  area.hidden = true;
  const form = area.form;
  // the config is merged into the defaults index by index: set the list there
  Yasqe.defaults.autocompleters = ["variables", "kgPrefixes", "kgClasses", "kgProperties"];
  const yasqe = new Yasqe(holder, {
    value: area.value,
    persistenceId: null,
    showQueryButton: false,
    createShareableLink: null,
    consumeShareLink: null,
    resizeable: true,
    editorHeight: "300px",
  });
  const run = function () { area.value = yasqe.getValue(); form.requestSubmit(); };
  yasqe.addKeyMap({ "Ctrl-Enter": run, "Cmd-Enter": run });
  form.addEventListener("submit", function () { area.value = yasqe.getValue(); });
  window.kgEditor = yasqe;
})();

//! The HTML report: one self-contained page (no network at view time) with the data map drawn
//! as a graph (entry points, functions, services; tainted edges highlighted; a click on a node
//! shows its findings), the findings grouped by application and function with their code
//! frames and traces, and filters by severity and kind.
//!
//! The data is embedded as JSON and drawn by a small inline script; every string reaches the
//! page through `textContent` or JSON escaped for a `<script>` element, never as markup.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::{Report, SourceLookup};

/// Lines of code shown around a finding.
const CONTEXT: u32 = 2;

fn frame(sources: &dyn SourceLookup, path: &str, line: u32, end: u32) -> Value {
    let Some(file) = sources.source(path) else {
        return Value::Null;
    };
    let first = line.saturating_sub(CONTEXT).max(1);
    let last = end
        .max(line)
        .saturating_add(CONTEXT)
        .min(u32::try_from(file.line_count()).unwrap_or(u32::MAX));
    let lines: Vec<Value> = (first..=last)
        .map(|n| json!({"n": n, "text": file.line_text(n), "hit": n >= line && n <= end.max(line)}))
        .collect();
    Value::Array(lines)
}

/// JSON safe inside a `<script type="application/json">` element.
fn script_json(v: &Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

pub(crate) fn render(report: &Report, sources: &dyn SourceLookup) -> String {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
            v["frame"] = frame(sources, &f.path, f.line, f.end_line);
            v
        })
        .collect();
    let data = json!({
        "version": report.tool_version,
        "summary": report.summary,
        "findings": findings,
        "errors": report.errors,
        "warnings": report.warnings,
        "configuration": report.configuration.describe(),
        "map": report.data_map.clone().unwrap_or(Value::Null),
    });
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>perimeter report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header><h1>perimeter</h1><div id=\"summary\"></div></header>\n<main>\n<section id=\"map-section\"><h2>Data map</h2><div id=\"map-wrap\"><svg id=\"map\" role=\"img\" aria-label=\"data map\"></svg><aside id=\"details\"><p class=\"hint\">Click a node to see its findings.</p></aside></div></section>\n<section><h2>Findings</h2><div id=\"filters\"></div><div id=\"findings\"></div></section>\n<section id=\"errors-section\"><h2>Not analysed</h2><ul id=\"errors\"></ul></section>\n</main>\n<script type=\"application/json\" id=\"data\">{}</script>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        script_json(&data)
    );
    out
}

const STYLE: &str = r"
:root { --crit:#7b1fa2; --high:#c62828; --med:#ef6c00; --low:#1565c0; --info:#00838f; --bg:#fafafa; --line:#ddd; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, Segoe UI, Roboto, sans-serif; background:var(--bg); color:#222; }
header { display:flex; align-items:baseline; gap:1.5em; padding:.8em 1.5em; background:#263238; color:#fff; }
header h1 { margin:0; font-size:1.3em; }
main { padding:1em 1.5em; }
h2 { font-size:1.1em; border-bottom:1px solid var(--line); padding-bottom:.3em; }
#map-wrap { display:flex; gap:1em; align-items:flex-start; }
#map { flex:1; min-height:200px; background:#fff; border:1px solid var(--line); border-radius:6px; }
table.perms { border-collapse:collapse; font-size:.85em; } table.perms th { text-align:left; padding-right:.6em; vertical-align:top; } table.perms tr.unused td { color:#b26a00; } table.perms tr.missing td { color:#c62828; }
#details { width:340px; max-height:640px; overflow:auto; background:#fff; border:1px solid var(--line); border-radius:6px; padding:.6em .8em; }
.node rect { fill:#fff; stroke:#607d8b; rx:6; cursor:pointer; }
.node.entry rect { fill:#e3f2fd; } .node.entry.public rect { stroke:var(--high); stroke-width:2.5; }
.node.function rect { fill:#f1f8e9; } .node.service rect { fill:#fff8e1; }
.node.flagged rect { stroke:var(--high); stroke-width:2; }
.node.selected rect { stroke:#000; stroke-width:3; }
.node text { font-size:12px; pointer-events:none; }
.edge { fill:none; stroke:#90a4ae; stroke-width:1.4; }
.edge.tainted { stroke:var(--high); stroke-width:2.6; }
.edge-label { font-size:10px; fill:#546e7a; }
#filters label { margin-right:1em; user-select:none; }
.app { margin:1em 0; } .app > h3 { font-size:1em; margin:.4em 0; }
.finding { background:#fff; border:1px solid var(--line); border-left:5px solid var(--info); border-radius:4px; margin:.5em 0; padding:.5em .8em; }
.finding.critical { border-left-color:var(--crit); } .finding.high { border-left-color:var(--high); }
.finding.medium { border-left-color:var(--med); } .finding.low { border-left-color:var(--low); }
.finding.highlight { outline:3px solid #ffd54f; }
.sev { font-weight:600; text-transform:uppercase; font-size:.8em; margin-right:.5em; }
.where { color:#546e7a; font-family:ui-monospace, Menlo, monospace; font-size:.9em; }
pre.frame { background:#263238; color:#eceff1; padding:.5em; border-radius:4px; overflow:auto; font-size:12px; }
pre.frame .hit { background:#4e342e; display:block; }
ol.trace { font-family:ui-monospace, Menlo, monospace; font-size:12px; color:#37474f; }
.help { color:#2e7d32; }
.hint { color:#78909c; }
";

const SCRIPT: &str = r#"
(function () {
  const data = JSON.parse(document.getElementById('data').textContent);
  const SEVS = ['critical', 'high', 'medium', 'low', 'info'];
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  const svgEl = (tag, attrs) => { const e = document.createElementNS('http://www.w3.org/2000/svg', tag); for (const k in attrs) e.setAttribute(k, attrs[k]); return e; };

  // Summary.
  const s = data.summary;
  const counts = SEVS.map(v => [v, data.findings.filter(f => f.severity === v).length]).filter(c => c[1] > 0);
  document.getElementById('summary').textContent =
    `${s.findings} findings (${counts.map(c => c[1] + ' ' + c[0]).join(', ') || 'none'}) in ${s.apps} apps, ${s.functions} functions, ${s.files} files; ${s.errors} not analysed`;

  // Filters.
  const active = { sev: new Set(SEVS), kind: new Set(data.findings.map(f => f.kind)) };
  const filters = document.getElementById('filters');
  const box = (group, value, label) => {
    const l = el('label'); const c = el('input'); c.type = 'checkbox'; c.checked = true; c.dataset.group = group; c.value = value;
    c.addEventListener('change', () => { c.checked ? active[group].add(value) : active[group].delete(value); renderFindings(); });
    l.append(c, ' ' + label); filters.append(l);
  };
  SEVS.forEach(v => box('sev', v, v));
  filters.append(el('br'));
  [...active.kind].sort().forEach(k => box('kind', k, k));

  // Findings, grouped by application and function.
  const list = document.getElementById('findings');
  function findingCard(f, i) {
    const card = el('div', 'finding ' + f.severity); card.id = 'f' + i;
    const head = el('div'); head.append(el('span', 'sev', f.severity), el('strong', null, `[${f.rule}] ${f.message}`));
    card.append(head, el('div', 'where', `${f.path}:${f.line}:${f.column}` + (f.function ? `  (function ${f.function})` : (f.resource ? `  (${f.resource})` : ''))));
    if (Array.isArray(f.frame)) {
      const pre = el('pre', 'frame');
      f.frame.forEach(l => { const span = el('span', l.hit ? 'hit' : '', String(l.n).padStart(5) + ' | ' + l.text); pre.append(span, l.hit ? '' : '\n'); });
      card.append(pre);
    }
    if (f.trace && f.trace.length) {
      const ol = el('ol', 'trace');
      f.trace.forEach(t => ol.append(el('li', null, `${t.path}:${t.line}:${t.column}${t.function ? ' [' + t.function + ']' : ''}  ${t.note}`)));
      card.append(el('div', null, 'Flow:'), ol);
    }
    if (f.help) card.append(el('div', 'help', 'Fix: ' + f.help));
    return card;
  }
  function renderFindings() {
    list.textContent = '';
    const byApp = new Map();
    data.findings.forEach((f, i) => {
      if (!active.sev.has(f.severity) || !active.kind.has(f.kind)) return;
      const app = f.app || '(repository)';
      if (!byApp.has(app)) byApp.set(app, new Map());
      const fn = f.function || f.resource || '(application)';
      const g = byApp.get(app); if (!g.has(fn)) g.set(fn, []); g.get(fn).push([f, i]);
    });
    for (const [app, fns] of byApp) {
      const sec = el('div', 'app'); sec.append(el('h3', null, app));
      for (const [fn, items] of fns) {
        const d = el('details'); d.open = items.some(([f]) => f.severity === 'critical' || f.severity === 'high');
        d.append(el('summary', null, `${fn} — ${items.length} finding${items.length === 1 ? '' : 's'}`));
        items.sort((a, b) => SEVS.indexOf(a[0].severity) - SEVS.indexOf(b[0].severity)).forEach(([f, i]) => d.append(findingCard(f, i)));
        sec.append(d);
      }
      list.append(sec);
    }
  }
  renderFindings();

  // Errors.
  const errs = document.getElementById('errors');
  data.errors.forEach(e => errs.append(el('li', null, `${e.path}${e.line ? ':' + e.line : ''}: ${e.message}`)));
  data.warnings.forEach(w => errs.append(el('li', 'hint', w)));
  errs.append(el('li', 'hint', data.configuration));
  if (!data.errors.length && !data.warnings.length) errs.append(el('li', 'hint', 'Every file was analysed.'));

  // Data map: one band per application, columns entry -> function -> service.
  const svg = document.getElementById('map');
  const details = document.getElementById('details');
  const apps = (data.map && data.map.apps) || [];
  const COLW = 260, NODEW = 210, NODEH = 34, GAP = 14, PAD = 20;
  let y0 = PAD; const pos = new Map();
  const col = n => n.kind === 'entry' ? 0 : (n.kind === 'function' ? 1 : 2);
  apps.forEach((a, ai) => {
    const title = svgEl('text', { x: PAD, y: y0 + 12, 'font-weight': 600 }); title.textContent = a.app; svg.append(title);
    y0 += 24;
    const rows = [0, 0, 0];
    a.nodes.forEach(n => { const c = col(n); pos.set(ai + '|' + n.id, { x: PAD + c * COLW, y: y0 + rows[c] * (NODEH + GAP), n, app: a.app }); rows[c]++; });
    y0 += Math.max(1, ...rows) * (NODEH + GAP) + PAD;
  });
  svg.setAttribute('viewBox', `0 0 ${PAD * 2 + COLW * 2 + NODEW} ${Math.max(y0, 120)}`);
  svg.style.height = Math.max(y0, 120) + 'px';
  const flagged = new Set(data.findings.filter(f => f.severity === 'critical' || f.severity === 'high').map(f => (f.app || '') + '|' + (f.function || f.resource || '')));
  apps.forEach((a, ai) => a.edges.forEach(e => {
    const p = pos.get(ai + '|' + e.from), q = pos.get(ai + '|' + e.to); if (!p || !q) return;
    const x1 = p.x + NODEW, y1 = p.y + NODEH / 2, x2 = q.x, y2 = q.y + NODEH / 2;
    const back = x2 <= x1;
    const d = back ? `M${p.x + NODEW / 2},${p.y + NODEH} C${p.x + NODEW / 2},${p.y + NODEH + 40} ${q.x + NODEW / 2},${q.y + NODEH + 40} ${q.x + NODEW / 2},${q.y + NODEH}`
                   : `M${x1},${y1} C${x1 + 40},${y1} ${x2 - 40},${y2} ${x2},${y2}`;
    const path = svgEl('path', { d, class: 'edge' + (e.tainted ? ' tainted' : '') });
    const t = svgEl('title', {}); t.textContent = e.label + (e.tainted ? ' (attacker-controlled data)' : '') + (e.sensitive && e.sensitive.length ? ' — sensitive: ' + e.sensitive.join(', ') : ''); path.append(t);
    svg.append(path);
  }));
  let selected = null;
  pos.forEach((p, key) => {
    const n = p.n;
    const name = n.kind === 'function' ? n.label : n.label;
    const g = svgEl('g', { class: `node ${n.kind}${n.public ? ' public' : ''}${flagged.has(p.app + '|' + name) ? ' flagged' : ''}`, transform: `translate(${p.x},${p.y})`, tabindex: 0 });
    g.dataset.id = n.id;
    const r = svgEl('rect', { width: NODEW, height: NODEH }); g.append(r);
    const t1 = svgEl('text', { x: 8, y: 14 }); t1.textContent = n.label.length > 30 ? n.label.slice(0, 29) + '…' : n.label;
    const t2 = svgEl('text', { x: 8, y: 28, fill: '#607d8b' }); t2.textContent = n.detail.length > 34 ? n.detail.slice(0, 33) + '…' : n.detail;
    g.append(t1, t2);
    g.addEventListener('click', () => {
      if (selected) selected.classList.remove('selected'); selected = g; g.classList.add('selected');
      details.textContent = '';
      details.append(el('h3', null, n.label), el('div', 'where', n.kind + ' — ' + n.detail));
      const mine = data.findings.map((f, i) => [f, i]).filter(([f]) => (f.app || '') === p.app && (f.function === n.label || f.resource === n.label));
      if (!mine.length) details.append(el('p', 'hint', 'No finding here.'));
      mine.forEach(([f, i]) => {
        const a = el('a', null, `${f.severity}: [${f.rule}] ${f.message}`); a.href = '#f' + i;
        a.addEventListener('click', () => { document.querySelectorAll('.finding.highlight').forEach(x => x.classList.remove('highlight'));
          const card = document.getElementById('f' + i); if (card) { card.closest('details').open = true; card.classList.add('highlight'); } });
        const li = el('p'); li.append(a); details.append(li);
      });
      const app = apps.find(x => x.app === p.app);
      const ins = app.edges.filter(e => e.to === n.id).map(e => e.from.replace(/^[a-z]+:/, '') + ' — ' + e.label);
      const outs = app.edges.filter(e => e.from === n.id).map(e => e.to.replace(/^[a-z]+:/, '') + ' — ' + e.label + (e.fields && e.fields.length ? ' {' + e.fields.join(', ') + '}' : '') + (e.sensitive && e.sensitive.length ? ' — sensitive: ' + e.sensitive.join(', ') : ''));
      if (ins.length) { details.append(el('h4', null, 'Triggered by / receives from')); const u = el('ul'); ins.forEach(x => u.append(el('li', null, x))); details.append(u); }
      if (outs.length) { details.append(el('h4', null, 'Sends to')); const u = el('ul'); outs.forEach(x => u.append(el('li', null, x))); details.append(u); }
      const pm = n.permissions;
      if (pm) {
        details.append(el('h4', null, 'Permissions: granted vs needed by the code'));
        const tbl = el('table', 'perms');
        const row = (label, items, cls) => { const tr = el('tr', cls); tr.append(el('th', null, label), el('td', null, items.length ? items.join(', ') : '—')); tbl.append(tr); };
        row('Granted', pm.granted); row('Needed', pm.needed);
        row('Not needed', pm.unused, pm.unused.length ? 'unused' : null);
        row('Missing', pm.missing, pm.missing.length ? 'missing' : null);
        details.append(tbl);
      }
    });
    svg.append(g);
  });
  if (!apps.length) document.getElementById('map-section').append(el('p', 'hint', 'No application graph.'));
})();
"#;

#[cfg(test)]
mod tests {
    use super::script_json;

    #[test]
    fn embedded_json_cannot_close_the_script() {
        let v = serde_json::json!({"m": "</script><script>alert(1)</script>"});
        let s = script_json(&v);
        assert!(!s.contains("</script>"));
        assert!(!s.contains('<'));
    }
}

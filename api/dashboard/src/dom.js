// Tiny DOM helpers. Every value from the API reaches the page as a text node or an
// attribute set through the DOM (never through innerHTML), so data cannot inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'class') {
      el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    } else if (k === 'value' && 'value' in el) {
      el.value = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// h('a', {href: '#/x', class: 'link'}, 'text', child, [more])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

// The same for SVG elements.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

export function timeEl(iso) {
  return h('time', { datetime: iso || '' }, formatTime(iso));
}

export function formatNumber(v, digits = 3) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return v === undefined || v === null ? '—' : String(v);
  if (Number.isInteger(v)) return v.toLocaleString();
  return v.toFixed(digits);
}

// Money in currency units with two decimals ("12,345.60"); the currency is shown apart.
export function formatMoney(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return v.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, status);
}

export function shortId(id) {
  return id && id.length > 14 ? `…${id.slice(-10)}` : id;
}

// A key/value list (<dl>).
export function facts(pairs) {
  return h('dl', { class: 'facts' },
    pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
}

export function notice(kind, ...children) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

// Renders JSON data as a nested definition list (keys and values as text).
export function jsonTree(value) {
  if (value === null || typeof value !== 'object') {
    return h('span', { class: `json-${value === null ? 'null' : typeof value}` },
      value === null ? 'null' : String(value));
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  if (entries.length === 0) return h('span', { class: 'json-empty' }, Array.isArray(value) ? '[ ]' : '{ }');
  return h('dl', { class: 'json' }, entries.map(([k, v]) =>
    h('div', {}, h('dt', {}, k), h('dd', {}, jsonTree(v)))));
}

// Calls fn at most once per `ms`, the last call winning (live refreshes).
export function throttle(fn, ms = 800) {
  let timer = null;
  let pending = false;
  return () => {
    if (timer) {
      pending = true;
      return;
    }
    fn();
    timer = setTimeout(function tick() {
      timer = null;
      if (pending) {
        pending = false;
        fn();
        timer = setTimeout(tick, ms);
      }
    }, ms);
  };
}

// Replaces el's children (null, undefined and false are skipped, arrays flattened).
export function put(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

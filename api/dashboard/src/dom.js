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

// Money arrives from the API as decimal strings ("12345.6", "1000000000000000.01"): a JS
// number cannot hold every amount, so amounts are formatted from their text and added as
// BigInt units of 1e-4 (the API never sends more than four decimals), never parseFloat.
const MONEY_RE = /^([+-]?)(\d+)(?:\.(\d+))?$/;
const MONEY_SCALE = 4;

function decimalSeparator() {
  return (1.5).toLocaleString().replace(/\d/g, '') || '.';
}

// "12345.6" -> "12,345.60" in the reader's locale: every digit sent is shown, at least two
// decimals; the currency is shown apart. Numbers (scores such as a priority) are rounded to
// two decimals; anything else is "—".
export function formatMoney(v) {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return '—';
    return v.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  const m = typeof v === 'string' ? MONEY_RE.exec(v) : null;
  if (!m) return '—';
  const [, sign, whole, fraction = ''] = m;
  const grouped = BigInt(whole).toLocaleString();
  const decimals = fraction.padEnd(2, '0');
  const negative = sign === '-' && /[1-9]/.test(whole + fraction);
  return `${negative ? '-' : ''}${grouped}${decimalSeparator()}${decimals}`;
}

// A decimal-string amount as BigInt units of 1e-4 (null when it is not one).
export function moneyUnits(v) {
  const m = typeof v === 'string' ? MONEY_RE.exec(v) : null;
  if (!m || (m[3] || '').length > MONEY_SCALE) return null;
  const units = BigInt(m[2] + (m[3] || '').padEnd(MONEY_SCALE, '0'));
  return m[1] === '-' ? -units : units;
}

// BigInt units of 1e-4 back to a decimal string with at least two decimals ("0.30").
export function unitsToMoney(units) {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(MONEY_SCALE + 1, '0');
  let fraction = digits.slice(-MONEY_SCALE);
  while (fraction.length > 2 && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}${digits.slice(0, -MONEY_SCALE)}.${fraction}`;
}

// The exact sum of decimal-string amounts ("0.10" + "0.20" = "0.30"); missing ones count 0.
export function sumMoney(values) {
  return unitsToMoney(values.reduce((n, v) => n + (moneyUnits(v) ?? 0n), 0n));
}

export function isNegativeMoney(v) {
  const units = moneyUnits(v);
  return units !== null && units < 0n;
}

// Where an amount is drawn (a chart coordinate), a float is precise enough: geometry,
// not arithmetic on money.
export function moneyToPlot(v) {
  const units = moneyUnits(v);
  return units === null ? NaN : Number(units) / 10 ** MONEY_SCALE;
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

// The dashboard shell: sign-in, navigation, a hash router and one live event stream
// shared by the pages. Pages are functions render(main, params, app) in pages/.
import { api, apiKey, setApiKey, followEvents, whenUnauthenticated } from './api.js';
import { h, clear, put } from './dom.js';
import { renderSignIn } from './pages/signin.js';
import { renderOverview } from './pages/overview.js';
import { renderWorkflows, renderWorkflow } from './pages/workflows.js';
import { renderInstances } from './pages/instances.js';
import { renderInstance } from './pages/instance.js';
import { renderInbox, renderTask } from './pages/inbox.js';
import { renderModels, renderModel } from './pages/models.js';
import { renderCollections } from './pages/collections.js';
import { renderForecast } from './pages/forecast.js';

const routes = [
  [/^\/$/, renderOverview, 'overview'],
  [/^\/workflows$/, renderWorkflows, 'workflows'],
  [/^\/workflows\/([^/]+)$/, renderWorkflow, 'workflows'],
  [/^\/instances$/, renderInstances, 'instances'],
  [/^\/instances\/([^/]+)$/, renderInstance, 'instances'],
  [/^\/inbox$/, renderInbox, 'inbox'],
  [/^\/inbox\/([^/]+)$/, renderTask, 'inbox'],
  [/^\/collections$/, renderCollections, 'collections'],
  [/^\/forecast$/, renderForecast, 'forecast'],
  [/^\/models$/, renderModels, 'models'],
  [/^\/models\/([^/]+)$/, renderModel, 'models'],
];

const nav = [
  ['overview', '#/', 'Overview'],
  ['workflows', '#/workflows', 'Workflows'],
  ['instances', '#/instances', 'Instances'],
  ['inbox', '#/inbox', 'Inbox'],
  ['collections', '#/collections', 'Collections'],
  ['forecast', '#/forecast', 'Cash forecast'],
  ['models', '#/models', 'Models'],
];

const OUTCOME_ROLES = ['admin', 'integration', 'ap_manager', 'finance_director', 'credit_controller'];

const app = {
  viewer: null, // {user, roles, read_only}
  listeners: new Set(),
  stopEvents: null,
  // Pages subscribe to live events; subscriptions end when the page changes.
  onEvent(fn) {
    this.listeners.add(fn);
  },
  canWrite() {
    return this.viewer && !this.viewer.read_only;
  },
  isAdmin() {
    return this.viewer && this.viewer.roles.includes('admin');
  },
  // POST /v1/outcomes is open to these roles (the server checks again).
  canRecordOutcomes() {
    return Boolean(this.viewer && this.viewer.roles.some((r) => OUTCOME_ROLES.includes(r)));
  },
  navigate(hash) {
    if (window.location.hash === hash) route();
    else window.location.hash = hash;
  },
};

const root = document.getElementById('app');

function signOut() {
  if (app.stopEvents) app.stopEvents();
  app.stopEvents = null;
  app.viewer = null;
  setApiKey(null);
  window.location.hash = '#/';
  start();
}

function shell() {
  const liveStatus = h('span', { class: 'live', id: 'live-status', role: 'status', 'aria-live': 'polite' }, 'connecting…');
  const header = h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: '#/' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'), 'Ledgerflow'),
    h('nav', { 'aria-label': 'Main' }, h('ul', {}, nav.map(([id, href, text]) =>
      h('li', {}, h('a', { href, 'data-nav': id }, text))))),
    h('div', { class: 'who' },
      liveStatus,
      h('span', { class: 'user' }, h('strong', {}, app.viewer.user),
        h('span', { class: 'roles' }, app.viewer.roles.join(', '))),
      h('button', { type: 'button', class: 'link-button', onclick: signOut }, 'Sign out')));
  const main = h('main', { id: 'main', tabindex: '-1' });
  put(root, h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); main.focus(); } }, 'Skip to content'), header, main);
  return { main, liveStatus };
}

let ui = null;
let generation = 0;

async function route() {
  if (!ui) return;
  const raw = window.location.hash.replace(/^#/, '') || '/';
  const [path, queryText] = raw.split('?');
  const query = Object.fromEntries(new URLSearchParams(queryText || ''));
  app.listeners.clear();
  const gen = ++generation;
  for (const [re, render, section] of routes) {
    const m = path.match(re);
    if (!m) continue;
    for (const a of document.querySelectorAll('[data-nav]')) {
      if (a.dataset.nav === section) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    const main = clear(ui.main);
    main.append(h('p', { class: 'muted loading' }, 'Loading…'));
    try {
      await render(main, m.slice(1).map(decodeURIComponent), app, query, () => gen === generation);
    } catch (err) {
      if (gen !== generation) return;
      put(main, h('div', { class: 'notice notice-error', role: 'alert' },
        h('strong', {}, 'Could not load this page. '), err.message || String(err)));
    }
    return;
  }
  put(ui.main, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the overview')));
}

async function start() {
  if (!apiKey()) {
    ui = null;
    renderSignIn(clear(root), async (key) => {
      setApiKey(key);
      const stats = await api('/v1/stats');
      app.viewer = stats.viewer;
      boot();
    });
    return;
  }
  try {
    const stats = await api('/v1/stats');
    app.viewer = stats.viewer;
  } catch (err) {
    setApiKey(null);
    start();
    return;
  }
  boot();
}

function boot() {
  ui = shell();
  document.title = `Ledgerflow — ${app.viewer.user}`;
  app.stopEvents = followEvents(
    (ev) => { for (const fn of [...app.listeners]) fn(ev); },
    (state) => {
      ui.liveStatus.textContent = state === 'live' ? 'live' : 'reconnecting…';
      ui.liveStatus.className = `live is-${state}`;
    });
  route();
}

whenUnauthenticated(() => {
  if (app.viewer) signOut();
});
window.addEventListener('hashchange', route);
start();

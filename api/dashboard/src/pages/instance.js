// One instance: status, its path drawn on the workflow graph, the history timeline, its
// data (sensitive fields arrive masked from the server), decisions (with the outcome
// form for the roles that may record outcomes) and tasks. Live.
import { api } from '../api.js';
import { h, clear, put, timeEl, statusBadge, facts, jsonTree, throttle } from '../dom.js';
import { drawGraph } from '../graph.js';
import { decisionView } from './decisions.js';

const HISTORY_PAGE = 1000;
const MAX_HISTORY_PAGES = 10;

async function allHistory(id) {
  const items = [];
  let after = 0;
  for (let i = 0; i < MAX_HISTORY_PAGES; i++) {
    const page = await api(`/v1/instances/${encodeURIComponent(id)}/history`, { query: { after, limit: HISTORY_PAGE } });
    items.push(...page.items);
    if (page.next_after === null || page.next_after === undefined || page.items.length < HISTORY_PAGE) break;
    after = page.next_after;
  }
  return items;
}

function describe(ev) {
  const d = ev.data || {};
  switch (ev.type) {
    case 'state_entered': return `entered ${ev.state}`;
    case 'state_completed': return `left ${ev.state}${d.outcome ? ` (${d.outcome})` : ''}${d.next ? ` → ${d.next}` : ''}`;
    case 'task_created': return `task “${d.title || d.task_id}” created`;
    case 'task_acted': return `task ${d.outcome || 'acted on'} by ${d.user || ev.actor}${d.comment ? ` — “${d.comment}”` : ''}`;
    case 'event': return `request: ${(d.type || 'event').replace(/_/g, ' ')}`;
    case 'start': return 'start requested';
    case 'decision': return `decision by ${d.model} v${d.version}: ${typeof d.score === 'number' ? d.score.toFixed(3) : ''}`;
    default: return ev.type.replace(/_/g, ' ') + (ev.state ? ` (${ev.state})` : '');
  }
}

function timeline(history) {
  return h('ol', { class: 'timeline' }, history.map((ev) => h('li', { class: `ev-${ev.type}` },
    h('span', { class: 'when' }, timeEl(ev.at)),
    h('span', { class: 'what' }, describe(ev)),
    ev.actor && ev.actor !== 'system' ? h('span', { class: 'actor' }, ev.actor) : null,
    h('details', {}, h('summary', {}, h('span', { class: 'sr-only' }, `event ${ev.seq} `), 'details'), jsonTree(ev.data)))));
}

export async function renderInstance(main, [id], app, _query, current) {
  const body = h('div', {});
  const outcomeMemo = app.canRecordOutcomes() ? new Map() : null; // survives live redraws
  const draw = async () => {
    const [inst, history, decisions] = await Promise.all([
      api(`/v1/instances/${encodeURIComponent(id)}`),
      allHistory(id),
      api(`/v1/instances/${encodeURIComponent(id)}/decisions`),
    ]);
    const version = await api(`/v1/workflows/${encodeURIComponent(inst.workflow)}/versions/${inst.version}`);
    if (!current()) return;
    const path = history.filter((e) => e.type === 'state_entered').map((e) => e.state);
    const finished = ['succeeded', 'failed', 'cancelled'].includes(inst.status);
    const tasks = { items: inst.tasks || [] }; // the tasks the caller may see
    put(body, 
      h('div', { class: 'page-head' },
        h('h1', {}, inst.business_key || inst.id, ' ', statusBadge(inst.status))),
      facts([
        ['instance', h('code', {}, inst.id)],
        ['workflow', h('a', { href: `#/workflows/${encodeURIComponent(inst.workflow)}` }, `${inst.workflow} v${inst.version}`)],
        ['current state', (inst.states || []).join(', ') || (finished ? 'finished' : '—')],
        ['started by', inst.created_by],
        ['created', timeEl(inst.created_at)],
        ['updated', timeEl(inst.updated_at)],
        ['error', inst.error ? `${inst.error.name}: ${inst.error.message}` : undefined],
        ['parent', inst.parent_id ? h('a', { href: `#/instances/${encodeURIComponent(inst.parent_id)}` }, inst.parent_id) : undefined],
      ]),
      h('div', { class: 'columns wide-left' },
        h('section', { class: 'panel', 'aria-labelledby': 'path-h' },
          h('h2', { id: 'path-h' }, 'Path'),
          drawGraph(version.graph, {
            path, current: finished ? [] : inst.states,
            label: `Path of this instance: ${path.join(', then ')}`,
          })),
        h('section', { class: 'panel', 'aria-labelledby': 'hist-h' },
          h('h2', { id: 'hist-h' }, 'History'), timeline(history))),
      tasks.items.length
        ? h('section', { class: 'panel', 'aria-labelledby': 'tasks-h' }, h('h2', { id: 'tasks-h' }, 'Tasks'),
          h('ul', { class: 'plain' }, tasks.items.map((t) => h('li', {},
            h('a', { href: `#/inbox/${encodeURIComponent(t.id)}` }, t.title), ' ', h('span', { class: `badge task-${t.status}` }, t.status),
            t.outcome ? h('span', { class: 'muted' }, ` ${t.outcome}`) : null))))
        : null,
      h('section', { class: 'panel', 'aria-labelledby': 'dec-h' },
        h('h2', { id: 'dec-h' }, 'Decisions'),
        decisions.items.length ? decisions.items.map((d) => decisionView(d, { outcomes: outcomeMemo })) : h('p', { class: 'muted' }, 'No score decisions in this instance.')),
      h('section', { class: 'panel', 'aria-labelledby': 'data-h' },
        h('h2', { id: 'data-h' }, 'Data'),
        h('p', { class: 'muted small' }, `Sensitive fields (${(version.sensitive || []).join(', ') || 'none'}) are masked by the server.`),
        h('div', { class: 'data-tree' }, jsonTree(inst.data)),
        inst.result !== undefined ? h('details', {}, h('summary', {}, 'Result'), jsonTree(inst.result)) : null));
  };
  await draw();
  put(main, h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/instances' }, 'Instances'), ' / ', id), body);
  const refresh = throttle(() => draw().catch(() => {}), 800);
  app.onEvent((ev) => {
    if (ev.data && (ev.data.instance_id === id)) refresh();
  });
}

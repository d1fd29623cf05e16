// Inbox: the signed-in user's tasks with their due dates coloured by SLA, and one task
// with its context (the invoice, duplicate candidates, 3-way match, the score and why)
// and its actions (outcomes, delegate, claim) with a comment. Refusals are shown as the
// server words them; segregation of duties is called out as such.
import { api } from '../api.js';
import { h, clear, put, timeEl, statusBadge, facts, jsonTree, notice, throttle } from '../dom.js';
import { decisionView } from './decisions.js';

const SOON_MS = 3600 * 1000; // "due soon" within the last hour

export function sla(task, nowMs = Date.now()) {
  if (!task.due_at) return { cls: 'sla-none', text: 'no due date' };
  if (task.status !== 'open') return { cls: 'sla-none', text: 'closed' };
  const left = new Date(task.due_at).getTime() - nowMs;
  if (left < 0) return { cls: 'sla-breach', text: 'past due' };
  if (left < SOON_MS) return { cls: 'sla-soon', text: 'due soon' };
  return { cls: 'sla-ok', text: 'on time' };
}

function slaCell(t) {
  const s = sla(t);
  return h('span', { class: ['sla', s.cls] }, t.due_at ? timeEl(t.due_at) : '—', h('span', { class: 'sla-text' }, s.text));
}

export async function renderInbox(main, _params, app, query, current) {
  await drawInbox(main, app, query, current);
  app.onEvent(throttle(() => drawInbox(main, app, query, current).catch(() => {}), 1000));
}

async function drawInbox(main, app, query, current) {
  const seesAll = app.viewer.roles.some((r) => r === 'admin' || r === 'auditor');
  const all = seesAll && query.all === '1';
  const status = query.status || 'open';
  const page = await api('/v1/tasks', { query: { status, mine: all ? 'false' : undefined, limit: 200 } });
  if (!current()) return;
  const hash = (q) => `#/inbox?${new URLSearchParams(Object.entries(q).filter(([, v]) => v))}`;
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Task status' },
    ['open', 'completed', 'all'].map((st) => h('a', {
      href: hash({ status: st, all: all ? '1' : '' }), 'aria-current': st === status ? 'page' : null,
    }, st)),
    seesAll ? h('a', { href: hash({ status, all: all ? '' : '1' }), class: 'toggle' }, all ? 'Show my tasks only' : 'Show every user\'s tasks') : null);
  const items = [...page.items].sort((a, b) => (a.due_at || '9').localeCompare(b.due_at || '9') || a.created_at.localeCompare(b.created_at));
  const table = items.length
    ? h('table', { class: 'data inbox' },
      h('caption', { class: 'sr-only' }, 'Tasks'),
      h('thead', {}, h('tr', {}, ['task', 'workflow', 'state', 'status', 'created', 'due'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, items.map((t) => h('tr', { class: sla(t).cls },
        h('th', { scope: 'row' }, h('a', { href: `#/inbox/${encodeURIComponent(t.id)}` }, t.title || t.id)),
        h('td', {}, t.workflow), h('td', {}, t.state),
        h('td', {}, h('span', { class: `badge task-${t.status}` }, t.status), t.assignee ? h('span', { class: 'muted small' }, ` ${t.assignee}`) : null),
        h('td', {}, timeEl(t.created_at)), h('td', {}, slaCell(t))))))
    : h('p', { class: 'muted empty' }, status === 'open' ? 'Nothing waiting for you.' : 'No tasks.');
  put(main, h('div', { class: 'page-head' }, h('h1', {}, 'Inbox'),
    h('p', { class: 'muted small' }, `${items.length} task${items.length === 1 ? '' : 's'} · live`)), tabs, table);
}

function contextPanel(title, value, id) {
  if (value === undefined || value === null) return null;
  return h('section', { class: 'panel context', 'aria-labelledby': id }, h('h2', { id }, title), contextBody(value));
}

function contextBody(value) {
  // A list of candidates (duplicates) reads best as a table.
  const list = Array.isArray(value) ? value : Array.isArray(value.candidates) ? value.candidates : null;
  if (list && list.length && list.every((x) => x && typeof x === 'object' && !Array.isArray(x))) {
    const cols = [...new Set(list.flatMap((x) => Object.keys(x)))].filter((c) => list.every((x) => typeof x[c] !== 'object' || x[c] === null)).slice(0, 8);
    const rest = Array.isArray(value) ? null : Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'candidates'));
    return [rest && Object.keys(rest).length ? jsonTree(rest) : null,
      h('table', { class: 'data compact' },
        h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, list.map((x) => h('tr', {}, cols.map((c) => h('td', {}, x[c] === undefined ? '' : String(x[c])))))))];
  }
  return jsonTree(value);
}

function outcomesOf(graph, state) {
  return (graph.edges || [])
    .filter((e) => e.from === state && e.label && !e.label.startsWith('catch ') && !e.label.startsWith('when ') && e.label !== 'default')
    .map((e) => e.label);
}

function actions(task, outcomes, app, onDone) {
  const result = h('div', { class: 'action-result', 'aria-live': 'polite' });
  const comment = h('textarea', { id: 'comment', name: 'comment', rows: 3, maxlength: 4000 });
  const delegateTo = h('input', { id: 'delegate-to', name: 'to', type: 'text', autocomplete: 'off' });
  const buttons = [];
  const act = async (path, body, what) => {
    clear(result);
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await api(`/v1/tasks/${encodeURIComponent(task.id)}/${path}`, { method: 'POST', body });
      onDone(`${what}.`);
    } catch (err) {
      buttons.forEach((b) => { b.disabled = false; });
      if (err.segregation) {
        result.append(h('div', { class: 'notice notice-error refusal sod', role: 'alert' },
          h('strong', {}, 'Refused — segregation of duties. '), err.message));
      } else {
        result.append(h('div', { class: 'notice notice-error refusal', role: 'alert' },
          h('strong', {}, `Refused (${err.status}). `), err.message));
      }
    }
  };
  const withComment = (body) => (comment.value.trim() ? { ...body, comment: comment.value.trim() } : body);
  for (const outcome of outcomes) {
    const cls = /approv|accept|release|ok/i.test(outcome) ? 'primary' : /reject|deny|decline|block/i.test(outcome) ? 'danger' : '';
    const b = h('button', { type: 'button', class: cls, 'data-outcome': outcome, onclick: () => act('complete', withComment({ outcome }), `Recorded “${outcome}”`) },
      outcome.charAt(0).toUpperCase() + outcome.slice(1).replace(/_/g, ' '));
    buttons.push(b);
  }
  const claim = !task.assignee
    ? h('button', { type: 'button', onclick: () => act('claim', undefined, 'Claimed') }, 'Claim')
    : null;
  if (claim) buttons.push(claim);
  const delegate = h('button', {
    type: 'button',
    onclick: () => {
      if (!delegateTo.value.trim()) {
        put(result, notice('error', 'Name the user to delegate to.'));
        delegateTo.focus();
        return;
      }
      act('delegate', withComment({ to: delegateTo.value.trim() }), `Delegated to ${delegateTo.value.trim()}`);
    },
  }, 'Delegate');
  buttons.push(delegate);
  return h('section', { class: 'panel actions-panel', 'aria-labelledby': 'act-h' },
    h('h2', { id: 'act-h' }, 'Your decision'),
    (task.detail.forbidden || []).includes(app.viewer.user)
      ? notice('warn', 'Segregation of duties: you are excluded from acting on this task (you started this item or are named by its rule). The server will refuse your action.')
      : null,
    h('div', { class: 'field' }, h('label', { for: 'comment' }, 'Comment (optional)'), comment),
    h('div', { class: 'button-row' }, buttons.filter((b) => b !== delegate)),
    h('div', { class: 'field inline' }, h('label', { for: 'delegate-to' }, 'Delegate to user'), delegateTo, delegate),
    result);
}

export async function renderTask(main, [id], app, _query, current) {
  const body = h('div', {});
  const flash = h('div', { class: 'flash', 'aria-live': 'polite' });
  const draw = async () => {
    const task = await api(`/v1/tasks/${encodeURIComponent(id)}`);
    const inst = task.instance || await api(`/v1/instances/${encodeURIComponent(task.instance_id)}`);
    const [version, decisions] = await Promise.all([
      api(`/v1/workflows/${encodeURIComponent(inst.workflow)}/versions/${inst.version}`),
      api(`/v1/instances/${encodeURIComponent(inst.id)}/decisions`),
    ]);
    if (!current()) return;
    const data = inst.data || {};
    const subject = data.invoice ? ['Invoice', data.invoice] : null;
    const s = sla(task);
    const open = task.status === 'open';
    const approvals = task.detail.approvals || [];
    put(body, 
      h('div', { class: 'page-head' }, h('h1', {}, task.title || task.id),
        h('span', { class: `badge task-${task.status}` }, task.status)),
      facts([
        ['instance', h('a', { href: `#/instances/${encodeURIComponent(inst.id)}` }, inst.business_key || inst.id), ' ', statusBadge(inst.status)],
        ['workflow', `${inst.workflow} v${inst.version}`],
        ['state', task.state],
        ['started by', inst.created_by],
        ['candidates', [...task.candidate_roles.map((r) => `role ${r}`), ...task.candidate_users].join(', ')],
        ['assignee', task.assignee || undefined],
        ['created', timeEl(task.created_at)],
        ['due', task.due_at ? h('span', { class: ['sla', s.cls] }, timeEl(task.due_at), h('span', { class: 'sla-text' }, s.text)) : 'no due date'],
        ['approvals', task.detail.min_approvals > 1 ? `${approvals.length} of ${task.detail.min_approvals}` : undefined],
        ['outcome', task.outcome || undefined],
        ['completed', task.completed_at ? timeEl(task.completed_at) : undefined],
      ]),
      open && app.canWrite()
        ? actions(task, outcomesOf(version.graph, task.state), app, (message) => {
          put(flash, notice('ok', message));
          draw().catch(() => {});
        })
        : open ? notice('info', 'Read-only access: you can follow this task but not act on it.') : null,
      h('div', { class: 'columns' },
        subject ? contextPanel(subject[0], subject[1], 'ctx-subject') : null,
        contextPanel('Vendor', data.vendor, 'ctx-vendor'),
        contextPanel('Duplicate candidates', data.dup, 'ctx-dup'),
        contextPanel('3-way match', data.match, 'ctx-match')),
      decisions.items.length || data.risk
        ? h('section', { class: 'panel', 'aria-labelledby': 'ctx-risk' }, h('h2', { id: 'ctx-risk' }, 'Risk score and why'),
          decisions.items.length ? decisions.items.map((d) => decisionView(d, { heading: 'h3' })) : decisionView(data.risk))
        : null,
      h('details', { class: 'panel' }, h('summary', {}, 'All instance data (sensitive fields masked)'), jsonTree(data)));
  };
  await draw();
  put(main, h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/inbox' }, 'Inbox'), ' / task'), flash, body);
  const refresh = throttle(() => draw().catch(() => {}), 800);
  app.onEvent((ev) => {
    if (ev.data && ev.data.task_id === id) refresh();
  });
}

// Draws a workflow graph ({start, states: [{name, type}], edges: [{from, to, label}]}) as
// SVG, laid out by dagre. Options: counts {state: n} (badges), path [state...] (visited
// states, in order, highlighted with the transitions between them), current [state...].
import dagre from '@dagrejs/dagre';
import { h, s } from './dom.js';

const NODE_H = 46;
const CHAR_W = 7.4;

function nodeWidth(state) {
  return Math.max(110, Math.max(state.name.length, state.type.length + 2) * CHAR_W + 36);
}

function truncate(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

export function drawGraph(graph, { counts = {}, path = [], current = [], label = 'Workflow graph' } = {}) {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 46, edgesep: 12, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const states = graph.states || [];
  for (const st of states) g.setNode(st.name, { width: nodeWidth(st), height: NODE_H, state: st });
  const edges = (graph.edges || []).filter((e) => g.hasNode(e.from) && g.hasNode(e.to));
  edges.forEach((e, i) => {
    const text = truncate(e.label || '', 28);
    g.setEdge(e.from, e.to, { label: text, width: text.length * 6.2, height: text ? 14 : 0, labelpos: 'c', edge: e }, `e${i}`);
  });
  dagre.layout(g);

  const visited = new Set(path);
  const taken = new Set();
  for (let i = 1; i < path.length; i++) taken.add(`${path[i - 1]}\u0000${path[i]}`);
  const now = new Set(current);

  const { width = 200, height = 100 } = g.graph();
  const svg = s('svg', {
    class: 'graph', viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
    width: Math.ceil(width), height: Math.ceil(height), role: 'img', 'aria-label': label,
  });
  svg.append(s('defs', {},
    s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' })),
    s('marker', { id: 'arrow-taken', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow taken' }))));

  for (const id of g.edges()) {
    const e = g.edge(id);
    const pts = e.points || [];
    if (!pts.length) continue;
    let d = `M${pts[0].x},${pts[0].y}`;
    for (let i = 1; i < pts.length; i++) d += ` L${pts[i].x},${pts[i].y}`;
    const isTaken = taken.has(`${id.v}\u0000${id.w}`);
    svg.append(s('g', { class: ['edge', isTaken && 'taken'] },
      s('title', {}, `${id.v} → ${id.w}${e.edge.label ? ` (${e.edge.label})` : ''}`),
      s('path', { d, 'marker-end': `url(#${isTaken ? 'arrow-taken' : 'arrow'})` }),
      e.label ? s('text', { x: e.x, y: e.y + 4, 'text-anchor': 'middle', class: 'edge-label' }, e.label) : null));
  }

  for (const name of g.nodes()) {
    const n = g.node(name);
    const st = n.state;
    const x = n.x - n.width / 2;
    const y = n.y - n.height / 2;
    const count = counts[name] || 0;
    const classes = ['node', `type-${st.type}`, visited.has(name) && 'visited', now.has(name) && 'current',
      name === graph.start && 'start'];
    const title = `${name} (${st.type})${count ? `: ${count} instance${count === 1 ? '' : 's'} here` : ''}` +
      `${now.has(name) ? ' — current state' : visited.has(name) ? ' — visited' : ''}`;
    const group = s('g', { class: classes, 'data-state': name },
      s('title', {}, title),
      s('rect', { x, y, width: n.width, height: n.height, rx: st.type === 'succeed' || st.type === 'fail' ? 23 : 8 }),
      s('text', { x: n.x, y: n.y - 3, 'text-anchor': 'middle', class: 'node-name' }, truncate(name, 30)),
      s('text', { x: n.x, y: n.y + 13, 'text-anchor': 'middle', class: 'node-type' }, st.type));
    if (count > 0) {
      const bx = x + n.width - 4;
      const by = y + 4;
      const txt = count > 9999 ? `${Math.round(count / 1000)}k` : String(count);
      const r = Math.max(11, txt.length * 4 + 5);
      group.append(s('g', { class: 'count', 'data-count': count },
        s('rect', { x: bx - r, y: by - 11, width: 2 * r, height: 22, rx: 11 }),
        s('text', { x: bx, y: by + 4, 'text-anchor': 'middle' }, txt)));
    }
    svg.append(group);
  }
  return h('div', { class: 'graph-wrap' }, svg);
}

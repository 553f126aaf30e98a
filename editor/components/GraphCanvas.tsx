/**
 * The editable canvas. React Flow draws what buildFlow makes of the store's document; every user
 * action becomes a change dispatched to the store (drag: one move when released; connect; drop
 * from the palette; search-and-add). Only the position of nodes being dragged lives here, until
 * the drag ends.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  useConnection,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type EdgeTypes,
  type FinalConnectionState,
  type NodeChange,
  type NodeTypes,
} from '@xyflow/react';
import { produce } from 'immer';
import { getBlock } from '../../blocks/registry.ts';
import { elementKind } from '../../blocks/shape.ts';
import type { AnyBlockDef } from '../../blocks/types.ts';
import { analyzeGraph } from '../../runtime/validate/validate.ts';
import { addBlock, outsideLoopsOnly } from '../actions.ts';
import { registerCanvas } from '../canvas-bridge.ts';
import { openFile } from '../files.ts';
import {
  applySelection,
  buildUnselectedFlow,
  frameNodeId,
  handlePort,
  isFrameId,
  loopOfFrame,
  stabilizeFlow,
  type FlowModel,
  type FlowNode,
  type WireEdge as WireEdgeType,
} from '../flow-model.ts';
import { applyChange, type Change, type Point } from '../model/changes.ts';
import { checkConnection, type ConnectionCheck } from '../model/connect-rules.ts';
import { allBlocks, BLOCK_MIME } from '../palette-groups.ts';
import { dispatch, getState, notify, select, setView } from '../store.ts';
import { renderStats } from '../render-stats.ts';
import { useEditor } from '../use-editor.ts';
import { AddBlockMenu } from './AddBlockMenu.tsx';
import { BlockNode } from './BlockNode.tsx';
import { EdgeLabelLayer } from './edge-label-layer.ts';
import { LoopFrame } from './LoopFrame.tsx';
import { WireEdge } from './WireEdge.tsx';

// Module-level so React Flow sees the same objects every render (it warns otherwise).
const nodeTypes: NodeTypes = { block: BlockNode, loop: LoopFrame };
const edgeTypes: EdgeTypes = { wire: WireEdge };
// Props that never change, as constants: React Flow copies changed props into its store, and every
// store update runs every node's and edge's selectors.
const SNAP_GRID: [number, number] = [20, 20];
const FIT_VIEW_OPTIONS = { padding: 0.12 };
const PRO_OPTIONS = { hideAttribution: true };
const MULTI_SELECTION_KEYS = ['Shift', 'Meta', 'Control'];

const CATEGORY_COLORS: Record<string, string> = {
  sources: '#0ea5e9',
  encdec: '#14b8a6',
  recurrent: '#8b5cf6',
  elementwise: '#f59e0b',
  attention: '#ec4899',
  loss: '#ef4444',
};

function minimapColor(n: FlowNode): string {
  if (n.type === 'loop') return 'rgba(124, 58, 237, 0.08)';
  if (n.data.error) return '#dc2626';
  return CATEGORY_COLORS[n.data.category ?? ''] ?? '#94a3b8';
}

/** The ends of a connection as "node.port" strings, output first. */
function ends(c: { source: string | null; sourceHandle?: string | null; target: string | null; targetHandle?: string | null }): { from: string; to: string } {
  return { from: `${c.source}.${handlePort(c.sourceHandle)}`, to: `${c.target}.${handlePort(c.targetHandle)}` };
}

/** Connection checks, memoised per document (isValidConnection runs on every handle the pointer nears). */
function useConnectionCheck(): (from: string, to: string) => ConnectionCheck {
  const cache = useRef(new Map<string, ConnectionCheck>());
  const docRef = useRef<unknown>(undefined);
  return useCallback((from: string, to: string) => {
    const { history, analysis } = getState();
    if (docRef.current !== history.doc) {
      cache.current.clear();
      docRef.current = history.doc;
    }
    const key = `${from}|${to}`;
    let r = cache.current.get(key);
    if (r === undefined) {
      r = checkConnection(history.doc, analysis, from, to);
      cache.current.set(key, r);
    }
    return r;
  }, []);
}

/** While a wire is dragged over a port that refuses it: why. */
function ConnectionHint({ check }: { check: (from: string, to: string) => ConnectionCheck }) {
  const c = useConnection();
  if (!c.inProgress || c.toHandle === null || c.isValid !== false) return null;
  const a = c.fromHandle;
  const b = c.toHandle;
  const out = a.type === 'source' ? a : b;
  const inp = a.type === 'source' ? b : a;
  if (out.type !== 'source' || inp.type !== 'target') {
    return (
      <Panel position="top-center" className="connection-refusal" data-testid="connection-refusal" role="status">
        ✗ A wire goes from an output (right side) to an input (left side).
      </Panel>
    );
  }
  const r = check(`${out.nodeId}.${handlePort(out.id)}`, `${inp.nodeId}.${handlePort(inp.id)}`);
  if (r.ok) return null;
  return (
    <Panel position="top-center" className="connection-refusal" data-testid="connection-refusal" role="status">
      ✗ {r.reason}
    </Panel>
  );
}

interface AddMenuState {
  readonly screen: Point;
  readonly flow: Point;
  /** A wire dropped on empty canvas: the new block gets connected to its start. */
  readonly pending?: { readonly node: string; readonly port: string; readonly side: 'out' | 'in' };
}

/** The innermost declared loop frame containing `p` (absolute flow coordinates). */
function frameAt(flow: FlowModel, p: Point, except?: string): string | undefined {
  let best: { loop: string; area: number } | undefined;
  for (const loop of flow.frames) {
    const id = frameNodeId(loop);
    if (id === except) continue;
    const node = flow.nodes.find((n) => n.id === id);
    const box = flow.absolute.get(id);
    if (node === undefined || node.type !== 'loop' || node.data.implicit || box === undefined) continue;
    if (p.x >= box.x && p.x <= box.x + box.width && p.y >= box.y && p.y <= box.y + box.height) {
      const area = box.width * box.height;
      if (best === undefined || area < best.area) best = { loop, area };
    }
  }
  return best?.loop;
}

function CanvasInner() {
  renderStats.canvas++;
  const { history, analysis, selection, view, loaded } = useEditor();
  const doc = history.doc;
  // Built once per document; a selection change only marks what it selects. Unchanged nodes, edges
  // and data keep their identity (stabilizeFlow), so React Flow redraws only what changed.
  const unselected = useMemo(() => buildUnselectedFlow(doc, analysis, analysis?.errors ?? []), [doc, analysis]);
  const previous = useRef<FlowModel | undefined>(undefined);
  const flow = useMemo(() => {
    const next = stabilizeFlow(previous.current, applySelection(unselected, selection));
    previous.current = next;
    return next;
  }, [unselected, selection]);
  const [drag, setDrag] = useState<ReadonlyMap<string, Point>>(new Map());
  const nodes = useMemo(() => (drag.size === 0 ? flow.nodes : flow.nodes.map((n) => (drag.has(n.id) ? { ...n, position: drag.get(n.id)! } : n))), [flow, drag]);
  const rf = useReactFlow<FlowNode, WireEdgeType>();
  const wrapper = useRef<HTMLDivElement>(null);
  const pointer = useRef<Point | undefined>(undefined);
  const dragging = useRef(false);
  const [menu, setMenu] = useState<AddMenuState | undefined>(undefined);
  const check = useConnectionCheck();
  const flowRef = useRef(flow);
  flowRef.current = flow;
  // Fit a graph into view when it is opened; an empty one stays at 100 % (fitting its first block would zoom in on it).
  const [fitOnOpen] = useState(doc.nodes.length > 0);
  // Where wire labels go, looked up once (see edge-label-layer.ts).
  const [labelLayer, setLabelLayer] = useState<HTMLElement | null>(null);
  useEffect(() => setLabelLayer(wrapper.current?.querySelector<HTMLElement>('.react-flow__edgelabel-renderer') ?? null), []);

  const center = useCallback((): Point => {
    const r = wrapper.current?.getBoundingClientRect();
    return r ? rf.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 }) : { x: 0, y: 0 };
  }, [rf]);

  const openMenu = useCallback(
    (screen: Point, pending?: AddMenuState['pending']) => {
      const r = wrapper.current?.getBoundingClientRect();
      const local = r ? { x: Math.min(screen.x - r.left, r.width - 260), y: Math.min(screen.y - r.top, r.height - 300) } : screen;
      setMenu({ screen: { x: Math.max(0, local.x), y: Math.max(0, local.y) }, flow: rf.screenToFlowPosition(screen), ...(pending ? { pending } : {}) });
    },
    [rf],
  );

  // The canvas changes size when the unrolled view opens or closes: fit the graph into what is left.
  const split = useRef(view.unrolled);
  useEffect(() => {
    if (split.current === view.unrolled) return;
    split.current = view.unrolled;
    const t = setTimeout(() => void rf.fitView({ padding: 0.12 }), 50);
    return () => clearTimeout(t);
  }, [view.unrolled, rf]);

  useEffect(() => {
    registerCanvas({
      focusNode(id) {
        const box = flowRef.current.absolute.get(id);
        if (box === undefined) return;
        select({ nodes: [id], edges: [], loops: [] });
        void rf.setCenter(box.x + box.width / 2, box.y + box.height / 2, { zoom: Math.max(rf.getZoom(), 1), duration: 250 });
      },
      fitView: () => void rf.fitView({ padding: 0.12 }),
      center,
      pointer: () => pointer.current,
      openAddMenu() {
        const r = wrapper.current?.getBoundingClientRect();
        const p = pointer.current ? rf.flowToScreenPosition(pointer.current) : r ? { x: r.left + r.width / 2, y: r.top + r.height / 2 } : { x: 0, y: 0 };
        openMenu(p);
      },
    });
    return () => registerCanvas(undefined);
  }, [rf, center, openMenu]);

  /** Absolute positions of dragged nodes, members of dragged frames, and the loops blocks were dropped into. */
  const commitDrag = useCallback(
    (moved: readonly FlowNode[]) => {
      const f = flowRef.current;
      const current = new Map(rf.getNodes().map((n) => [n.id, n]));
      const movedIds = new Set(moved.map((n) => n.id));
      const framePos = (id: string): Point => (movedIds.has(id) ? current.get(id)!.position : { x: f.absolute.get(id)!.x, y: f.absolute.get(id)!.y });
      // A Map: node ids may be Object.prototype names (`__proto__`, `constructor`).
      const positions = new Map<string, Point>();
      const joins = new Map<string, string | undefined>();
      for (const n of moved) {
        if (n.type === 'loop') {
          const box = f.absolute.get(n.id)!;
          const now = current.get(n.id)?.position ?? n.position;
          const dx = now.x - box.x;
          const dy = now.y - box.y;
          for (const m of f.nodes) {
            if (m.type !== 'block' || m.parentId !== n.id || movedIds.has(m.id)) continue;
            const a = f.absolute.get(m.id)!;
            positions.set(m.id, { x: a.x + dx, y: a.y + dy });
          }
          continue;
        }
        const rel = current.get(n.id)?.position ?? n.position;
        const parent = n.parentId !== undefined ? framePos(n.parentId) : { x: 0, y: 0 };
        const abs = { x: rel.x + parent.x, y: rel.y + parent.y };
        positions.set(n.id, abs);
        // Dropped into (or out of) a declared loop's frame.
        const docNode = getState().history.doc.nodes.find((d) => d.id === n.id);
        if (docNode === undefined) continue;
        const box = f.absolute.get(n.id)!;
        const target = frameAt(f, { x: abs.x + box.width / 2, y: abs.y + box.height / 2 });
        if (target !== docNode.loop && (doc.loops ?? []).length > 0) {
          if (target !== undefined && outsideLoopsOnly(docNode.type)) notify('info', `${docNode.id} stays outside loops: inputs, targets and losses are never repeated per step`);
          else joins.set(n.id, target);
        }
      }
      const changes: Change[] = [{ type: 'moveNodes', positions: Object.fromEntries(positions) }];
      const byLoop = new Map<string | undefined, string[]>();
      for (const [id, loop] of joins) byLoop.set(loop, [...(byLoop.get(loop) ?? []), id]);
      for (const [loop, ids] of byLoop) changes.push({ type: 'setLoop', nodes: ids, loop });
      const label = joins.size > 0 ? ([...joins.values()][0] !== undefined ? `move into loop ${[...joins.values()][0]}` : 'move out of loop') : undefined;
      dispatch(changes.length === 1 ? changes[0]! : { type: 'batch', label: label ?? 'move', changes }, label ? { label } : {});
    },
    [rf, doc.loops],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const sel = getState().selection;
      let nodesSel: Set<string> | undefined;
      let loopsSel: Set<string> | undefined;
      const moving = new Map(drag);
      let moved = false;
      const keyboardMoves: FlowNode[] = [];
      for (const c of changes) {
        if (c.type === 'select') {
          nodesSel ??= new Set(sel.nodes);
          loopsSel ??= new Set(sel.loops);
          const set = isFrameId(c.id) ? loopsSel : nodesSel;
          const id = isFrameId(c.id) ? loopOfFrame(c.id) : c.id;
          if (c.selected) set.add(id);
          else set.delete(id);
        } else if (c.type === 'position' && c.position !== undefined) {
          moving.set(c.id, c.position);
          moved = true;
          // Arrow keys move a focused node without a drag: commit at once.
          if (!dragging.current && c.dragging !== true) {
            const n = flowRef.current.nodes.find((x) => x.id === c.id);
            if (n !== undefined) keyboardMoves.push({ ...n, position: c.position } as FlowNode);
          }
        }
      }
      if (nodesSel !== undefined || loopsSel !== undefined) {
        select({ nodes: [...(nodesSel ?? sel.nodes)], edges: sel.edges, loops: [...(loopsSel ?? sel.loops)] });
      }
      if (keyboardMoves.length > 0) {
        setDrag(new Map());
        const f = flowRef.current;
        const positions = new Map<string, Point>();
        for (const n of keyboardMoves) {
          if (n.type !== 'block') continue;
          const parent = n.parentId !== undefined ? f.absolute.get(n.parentId) : undefined;
          positions.set(n.id, { x: n.position.x + (parent?.x ?? 0), y: n.position.y + (parent?.y ?? 0) });
        }
        // Object.fromEntries defines own properties, so `__proto__` is an ordinary key there.
        if (positions.size > 0) dispatch({ type: 'moveNodes', positions: Object.fromEntries(positions) });
      } else if (moved) setDrag(moving);
    },
    [drag],
  );

  const onEdgesChange = useCallback((changes: EdgeChange<WireEdgeType>[]) => {
    const sel = getState().selection;
    let edges: Set<string> | undefined;
    for (const c of changes) {
      if (c.type !== 'select') continue;
      edges ??= new Set(sel.edges);
      const key = c.id.replace(/#\d+$/, '');
      if (c.selected) edges.add(key);
      else edges.delete(key);
    }
    if (edges !== undefined) select({ ...sel, edges: [...edges] });
  }, []);

  const isValidConnection = useCallback(
    (c: Connection | Edge) => {
      const { from, to } = ends(c);
      return check(from, to).ok;
    },
    [check],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const { from, to } = ends(c);
      const r = check(from, to);
      if (!r.ok) notify('error', `Not connected: ${r.reason}`);
      else dispatch({ type: 'connect', from, to });
    },
    [check],
  );

  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid === true || state.fromHandle === null) return;
      const from = state.fromHandle;
      if (state.toHandle !== null) {
        const out = from.type === 'source' ? from : state.toHandle;
        const inp = from.type === 'source' ? state.toHandle : from;
        const r = out.type === 'source' && inp.type === 'target' ? check(`${out.nodeId}.${handlePort(out.id)}`, `${inp.nodeId}.${handlePort(inp.id)}`) : { ok: false as const, reason: 'a wire goes from an output to an input' };
        if (!r.ok) notify('error', `Not connected: ${r.reason}`);
        return;
      }
      const target = event.target as Element | null;
      if (target?.closest('.react-flow__pane') === null || target === null) return;
      const point = 'changedTouches' in event ? event.changedTouches[0]! : event;
      openMenu({ x: point.clientX, y: point.clientY }, { node: from.nodeId, port: handlePort(from.id), side: from.type === 'source' ? 'out' : 'in' });
    },
    [check, openMenu],
  );

  /** Blocks the add menu offers: all, or for a dropped wire those with a port that can take it. */
  const menuBlocks = useMemo((): readonly AnyBlockDef[] => {
    const pending = menu?.pending;
    if (pending === undefined) return allBlocks;
    if (pending.side === 'in') return allBlocks.filter((d) => d.outputs.length > 0);
    const t = analysis?.outputTypes.get(`${pending.node}.${pending.port}`);
    const kind = t !== undefined ? elementKind(t) : undefined;
    return allBlocks.filter((d) => d.inputs.some((p) => kind === undefined || p.accepts.some((a) => a.kind === kind)));
  }, [menu, analysis]);

  const pick = useCallback(
    (type: string) => {
      const m = menu;
      setMenu(undefined);
      if (m === undefined) return;
      const def = getBlock(type)!;
      const pending = m.pending;
      const loopAt = frameAt(flowRef.current, m.flow);
      const pendingLoop = pending !== undefined ? getState().history.doc.nodes.find((n) => n.id === pending.node)?.loop : undefined;
      const loop = loopAt ?? pendingLoop;
      addBlock(type, m.flow, {
        centered: pending === undefined,
        ...(loop !== undefined ? { loop } : {}),
        connect: (id) => {
          if (pending === undefined) return undefined;
          const { history } = getState();
          const trial = produce(history.doc, (d) => {
            applyChange(d, { type: 'addNode', node: { id, type, position: m.flow, ...(loop !== undefined && !outsideLoopsOnly(type) ? { loop } : {}) } });
          });
          const trialAnalysis = analyzeGraph(trial);
          const candidates =
            pending.side === 'out'
              ? def.inputs.map((p) => ({ from: `${pending.node}.${pending.port}`, to: `${id}.${p.name}` }))
              : def.outputs.map((p) => ({ from: `${id}.${p.name}`, to: `${pending.node}.${pending.port}` }));
          const ok = candidates.find((c) => checkConnection(trial, trialAnalysis, c.from, c.to).ok);
          if (ok === undefined) {
            notify('info', `${id} added but not connected: none of its ports can take ${pending.node}.${pending.port}`);
            return undefined;
          }
          return { type: 'connect', from: ok.from, to: ok.to };
        },
      });
    },
    [menu],
  );

  const onDragOver = (e: DragEvent) => {
    if (e.dataTransfer.types.includes(BLOCK_MIME) || e.dataTransfer.types.includes('Files')) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  };
  const onDrop = (e: DragEvent) => {
    const type = e.dataTransfer.getData(BLOCK_MIME);
    if (type) {
      e.preventDefault();
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const loop = frameAt(flowRef.current, p);
      addBlock(type, p, { centered: true, ...(loop !== undefined ? { loop } : {}) });
      return;
    }
    const file = e.dataTransfer.files[0];
    if (file !== undefined) {
      e.preventDefault();
      void openFile(file);
    }
  };

  const onMouseMove = (e: ReactMouseEvent) => {
    pointer.current = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
  };

  return (
    <div
      className="canvas"
      ref={wrapper}
      aria-label={`Graph ${doc.name}`}
      onDragOver={onDragOver}
      onDrop={onDrop}
      onMouseMove={onMouseMove}
      onMouseLeave={() => (pointer.current = undefined)}
      // Pressing on the graph ends a text selection made earlier on the page (React Flow cancels the
      // browser's own handling of the press), so Ctrl+C then copies the selected nodes, not stale words.
      onPointerDownCapture={(e) => {
        if (!(e.target as Element).closest('.add-menu, input, textarea')) document.getSelection()?.removeAllRanges();
      }}
      onDoubleClick={(e) => {
        if ((e.target as Element).classList.contains('react-flow__pane')) openMenu({ x: e.clientX, y: e.clientY });
      }}
    >
      <EdgeLabelLayer.Provider value={labelLayer}>
        <ReactFlow<FlowNode, WireEdgeType>
          nodes={nodes as FlowNode[]}
          edges={flow.edges as WireEdgeType[]}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStart={() => (dragging.current = true)}
          onNodeDragStop={(_e, _node, moved) => {
            dragging.current = false;
            commitDrag(moved);
            setDrag(new Map());
          }}
          onNodeDoubleClick={(_e, node) => {
            if (node.type === 'block' && node.data.composite) setView({ composite: node.id });
          }}
          isValidConnection={isValidConnection}
          onConnect={onConnect}
          onConnectEnd={onConnectEnd}
          connectionRadius={24}
          deleteKeyCode={null}
          selectionKeyCode="Shift"
          multiSelectionKeyCode={MULTI_SELECTION_KEYS}
          zoomOnDoubleClick={false}
          snapToGrid={view.snap}
          snapGrid={SNAP_GRID}
          fitView={fitOnOpen}
          fitViewOptions={FIT_VIEW_OPTIONS}
          minZoom={0.1}
          maxZoom={3}
          // Large graphs: only what is in view is in the DOM (the minimap still shows everything).
          onlyRenderVisibleElements
          proOptions={PRO_OPTIONS}
        >
          <Background variant={view.snap ? BackgroundVariant.Lines : BackgroundVariant.Dots} gap={20} color={view.snap ? '#f1f1f4' : '#d4d4d8'} />
          {view.unrolled ? null : <MiniMap<FlowNode> nodeColor={minimapColor} pannable zoomable ariaLabel="Minimap" style={{ width: 160, height: 110 }} />}
          <Controls showInteractive={false} aria-label="Zoom controls" />
          <ConnectionHint check={check} />
          {loaded && doc.nodes.length === 0 ? (
            <Panel position="top-center" className="canvas-hint">
              Empty graph: drag a block from the palette, or double-click the canvas to search for one.
            </Panel>
          ) : null}
          {!loaded ? (
            <Panel position="top-center" className="canvas-hint">
              Loading…
            </Panel>
          ) : null}
        </ReactFlow>
      </EdgeLabelLayer.Provider>
      {menu !== undefined ? (
        <AddBlockMenu
          at={menu.screen}
          blocks={menuBlocks}
          title={menu.pending ? `Add a block wired to ${menu.pending.node}.${menu.pending.port}` : 'Add a block'}
          onPick={pick}
          onClose={() => setMenu(undefined)}
        />
      ) : null}
    </div>
  );
}

export function GraphCanvas() {
  const { epoch } = useEditor();
  // A fresh provider per opened document: the new graph is fitted into view.
  return (
    <ReactFlowProvider key={epoch}>
      <CanvasInner />
    </ReactFlowProvider>
  );
}

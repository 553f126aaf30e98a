/**
 * A wire: a curve from output to input, labelled with the shape it carries. A wire into a delay
 * (it closes a cycle, carrying the value to the next step) is dashed, purple, with a z⁻¹ badge; a
 * wire leaving a loop shows whether it takes the last step's value or all of them (click to switch).
 */
import { memo, useContext, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, getSmoothStepPath, type EdgeProps } from '@xyflow/react';
import { EdgeLabelLayer } from './edge-label-layer.ts';
import { WIRE_COLORS, type WireEdge as WireEdgeType } from '../flow-model.ts';
import { dispatch } from '../store.ts';

/** Into the canvas's label layer when it has one (no per-edge store lookups), else React Flow's renderer. */
function Label({ children }: { children: ReactNode }) {
  const layer = useContext(EdgeLabelLayer);
  return layer !== null ? createPortal(children, layer) : <EdgeLabelRenderer>{children}</EdgeLabelRenderer>;
}

export const WireEdge = memo(function WireEdge(props: EdgeProps<WireEdgeType>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  if (data === undefined) return null;
  const geometry = { sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition };
  // A recurrent wire runs backwards; right angles keep it clear of the cell it leaves.
  const [path, labelX, labelY] = data.recurrent ? getSmoothStepPath({ ...geometry, borderRadius: 10, offset: 24 }) : getBezierPath(geometry);
  const color = data.error ? WIRE_COLORS.error : data.recurrent ? WIRE_COLORS.recurrent : WIRE_COLORS.plain;
  const key = `${data.from}->${data.to}`;
  const hasLabel = data.recurrent || data.take !== undefined || data.shape !== undefined;
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        interactionWidth={14}
        style={{ stroke: color, strokeWidth: selected ? 3 : data.recurrent ? 2 : 1.5, ...(data.recurrent ? { strokeDasharray: '6 4' } : {}) }}
      />
      {hasLabel ? (
        <Label>
          <div
            className={`wire-label nodrag nopan${data.error ? ' wire-error' : ''}${data.recurrent ? ' wire-recurrent' : ''}${selected ? ' is-selected' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid={`wire-${key}`}
          >
            {data.recurrent ? (
              <span className="z-badge" title="Recurrent wire: the delay hands this value to the next step">
                z⁻¹
              </span>
            ) : null}
            {data.take !== undefined ? (
              <button
                type="button"
                className="take-chip"
                title={data.take === 'all' ? 'Leaves the loop with every step’s value (a sequence); click for the last step only' : 'Leaves the loop with the last step’s value; click for every step’s'}
                aria-label={`take ${data.take}; switch to ${data.take === 'all' ? 'last' : 'all'}`}
                onClick={(e) => {
                  e.stopPropagation();
                  dispatch({ type: 'setTake', edge: { from: data.from, to: data.to }, take: data.take === 'all' ? 'last' : undefined });
                }}
              >
                {data.take}
              </button>
            ) : null}
            {data.shape !== undefined ? <span className="wire-shape">{data.shape}</span> : null}
          </div>
        </Label>
      ) : null}
    </>
  );
});

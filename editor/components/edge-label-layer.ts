/**
 * The element wire labels are drawn into. React Flow's own <EdgeLabelRenderer> looks it up with a
 * store selector in every edge, and runs `querySelector` for each of them on every store update:
 * with a thousand wires in view that alone made each edit and selection slow. The canvas looks it
 * up once and hands it down; WireEdge portals into it (and falls back to EdgeLabelRenderer elsewhere).
 */
import { createContext } from 'react';

export const EdgeLabelLayer = createContext<HTMLElement | null>(null);

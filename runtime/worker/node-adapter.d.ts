// comlink ships types for its Node adapter as node-adapter.d.ts beside node-adapter.mjs, which
// TypeScript does not pair with an explicit .mjs import; this re-declares them.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  export interface NodeEndpoint {
    postMessage(message: any, transfer?: any[]): void; // eslint-disable-line @typescript-eslint/no-explicit-any
    on(type: string, listener: (...args: any[]) => void, options?: object): void; // eslint-disable-line @typescript-eslint/no-explicit-any
    off(type: string, listener: (...args: any[]) => void, options?: object): void; // eslint-disable-line @typescript-eslint/no-explicit-any
    start?: () => void;
  }
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}

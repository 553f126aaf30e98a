/**
 * Autosave to IndexedDB. The open document is written at most every 300 ms while it changes, at
 * once when the page is hidden (`pagehide`), and never before the first load has finished (so a
 * slow start cannot overwrite the draft it is about to read). A write that fails for lack of
 * space shows a banner and is retried with growing pauses until it succeeds.
 */
import { serializeGraph } from '../runtime/graph/serialize.ts';
import type { GraphDoc } from '../runtime/graph/types.ts';
import type { DocSource } from './model/history.ts';

const DB_NAME = 'unroll';
const STORE = 'drafts';
const KEY = 'current';
export const AUTOSAVE_MS = 300;
const RETRY_MS = [1000, 2000, 4000, 8000, 15000, 30000];

/** What the draft store holds. */
export interface DraftRecord {
  readonly text: string;
  readonly source: DocSource;
  readonly savedAt: number;
}

export type DraftRead =
  | { readonly kind: 'none' }
  | { readonly kind: 'ok'; readonly text: string; readonly source: DocSource }
  | { readonly kind: 'corrupt'; readonly why: string }
  | { readonly kind: 'unavailable'; readonly why: string };

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('this browser has no IndexedDB'));
      return;
    }
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
}

let dbPromise: Promise<IDBDatabase> | undefined;
/** The open database once known, so a write on pagehide can start before the page goes. */
let dbOpen: IDBDatabase | undefined;
const db = (): Promise<IDBDatabase> =>
  (dbPromise ??= openDb().then((d) => {
    dbOpen = d;
    return d;
  }));

const isSource = (v: unknown): v is DocSource =>
  typeof v === 'object' && v !== null && ['example', 'file', 'new', 'draft'].includes((v as DocSource).kind) && typeof (v as DocSource).name === 'string';

/**
 * The page may go away before an IndexedDB write started on `pagehide` commits (the browser may
 * abort it), so that write is doubled by a synchronous copy in localStorage; the newer of the two
 * is the draft. The copy is removed once IndexedDB holds something at least as new.
 */
const PAGEHIDE_KEY = 'unroll.draft.pagehide';

function readPagehideCopy(): { rec: DraftRecord } | { corrupt: string } | undefined {
  let raw: string | null;
  try {
    raw = localStorage.getItem(PAGEHIDE_KEY);
  } catch {
    return undefined;
  }
  if (raw === null) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    const r = v as DraftRecord;
    if (typeof v !== 'object' || v === null || typeof r.text !== 'string' || typeof r.savedAt !== 'number') return { corrupt: 'the stored draft is not a saved graph' };
    return { rec: { text: r.text, savedAt: r.savedAt, source: isSource(r.source) ? r.source : { kind: 'draft', name: 'draft' } } };
  } catch {
    return { corrupt: 'the stored draft is not JSON' };
  }
}

function writePagehideCopy(rec: DraftRecord): void {
  try {
    localStorage.setItem(PAGEHIDE_KEY, JSON.stringify(rec));
  } catch {
    // Too large or no storage: the IndexedDB write is all there is.
  }
}

function clearPagehideCopy(upTo: number): void {
  try {
    const copy = readPagehideCopy();
    if (copy !== undefined && (!('rec' in copy) || copy.rec.savedAt <= upTo)) localStorage.removeItem(PAGEHIDE_KEY);
  } catch {
    // Nothing to clear.
  }
}

/** The draft to restore: the newer of the IndexedDB record and the pagehide copy. */
export async function readDraft(): Promise<DraftRead> {
  const stored = await readIdbRecord();
  const copy = readPagehideCopy();
  if (copy === undefined) return stored.read;
  if ('corrupt' in copy) return stored.read.kind === 'none' ? { kind: 'corrupt', why: copy.corrupt } : stored.read;
  if (stored.read.kind === 'ok' && stored.savedAt >= copy.rec.savedAt) return stored.read;
  return { kind: 'ok', text: copy.rec.text, source: copy.rec.source };
}

/** The IndexedDB draft, checked for shape only (its text goes through the parser afterwards). */
async function readIdbRecord(): Promise<{ read: DraftRead; savedAt: number }> {
  let database: IDBDatabase;
  try {
    database = await db();
  } catch (e) {
    return { read: { kind: 'unavailable', why: e instanceof Error ? e.message : String(e) }, savedAt: 0 };
  }
  return new Promise((resolve) => {
    try {
      const req = database.transaction(STORE, 'readonly').objectStore(STORE).get(KEY);
      req.onsuccess = () => {
        const rec: unknown = req.result;
        if (rec === undefined) resolve({ read: { kind: 'none' }, savedAt: 0 });
        else if (typeof rec !== 'object' || rec === null || typeof (rec as DraftRecord).text !== 'string') resolve({ read: { kind: 'corrupt', why: 'the stored draft is not a saved graph' }, savedAt: 0 });
        else {
          const r = rec as DraftRecord;
          resolve({ read: { kind: 'ok', text: r.text, source: isSource(r.source) ? { kind: r.source.kind, name: r.source.name.slice(0, 200) } : { kind: 'draft', name: 'draft' } }, savedAt: typeof r.savedAt === 'number' ? r.savedAt : 0 });
        }
      };
      req.onerror = () => resolve({ read: { kind: 'corrupt', why: String(req.error?.message ?? 'unreadable') }, savedAt: 0 });
    } catch (e) {
      resolve({ read: { kind: 'corrupt', why: e instanceof Error ? e.message : String(e) }, savedAt: 0 });
    }
  });
}

/** Write one record; rejects with the DOMException on failure (QuotaExceededError when full). */
async function writeRecord(rec: DraftRecord): Promise<void> {
  // No await before the transaction when the database is open: on pagehide the write must start now.
  const database = dbOpen ?? (await db());
  await new Promise<void>((resolve, reject) => {
    const tx = database.transaction(STORE, 'readwrite');
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('the write was aborted', 'AbortError'));
    tx.onerror = () => reject(tx.error ?? new DOMException('the write failed', 'UnknownError'));
    tx.objectStore(STORE).put(rec, KEY);
    tx.commit?.();
  });
}

export const isQuotaError = (e: unknown): boolean =>
  e instanceof DOMException ? e.name === 'QuotaExceededError' || e.code === 22 : e instanceof Error && /quota/i.test(e.message);

export interface AutosaveHooks {
  readonly current: () => { doc: GraphDoc; source: DocSource };
  readonly status: (status: 'saved' | 'pending' | 'off' | 'error', message?: string) => void;
  /** Store one record (IndexedDB unless a test gives another); rejects on failure. */
  readonly write?: (rec: DraftRecord) => Promise<void>;
}

/**
 * Throttled writer of the current document. Start it once the first load is done.
 *
 * Invariants: 'saved' is reported only when the document just written is still the current one;
 * a document that changes while a write is in flight gets a write of its own once that write
 * ends (after the period, or at once when `flush` was called meanwhile); a failed write is retried
 * with the newest document.
 */
export class Autosaver {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private written: GraphDoc | undefined;
  /** The document `changed` last saw: store updates that are not edits (selection, status) are ignored. */
  private seen: GraphDoc | undefined;
  private writing = false;
  /** `flush` was called while a write was in flight: write again as soon as it ends. */
  private again = false;
  private failures = 0;
  private stopped = false;
  private readonly store: (rec: DraftRecord) => Promise<void>;

  constructor(private readonly hooks: AutosaveHooks) {
    this.written = hooks.current().doc;
    this.seen = this.written;
    this.store = hooks.write ?? writeRecord;
  }

  /** The document may have changed: write it within AUTOSAVE_MS (at most one write per period). */
  changed(): void {
    const doc = this.hooks.current().doc;
    if (this.stopped || doc === this.seen) return;
    this.seen = doc;
    // While a failed write waits for its retry, the banner stays; the retry writes the newest document.
    if (this.failures > 0) return;
    // An undo back to what is stored: nothing to write (unless a write of something else is in flight).
    if (doc === this.written && !this.writing) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.hooks.status('saved');
      return;
    }
    this.hooks.status('pending');
    // During a write nothing is scheduled: the write looks at the current document when it ends.
    if (this.timer === undefined && !this.writing) this.timer = setTimeout(() => void this.write(), AUTOSAVE_MS);
  }

  /** Write now if anything is unsaved (page hidden, or the user asked to retry). */
  flush(): void {
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing) {
      this.again = true;
      return;
    }
    if (this.hooks.current().doc !== this.written || this.failures > 0) void this.write();
  }

  /** The page is going away: start the write and keep a synchronous copy in case it cannot finish. */
  pagehide(): void {
    const { doc, source } = this.hooks.current();
    if (doc !== this.written) writePagehideCopy({ text: serializeGraph(doc), source, savedAt: Date.now() });
    this.flush();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async write(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    if (this.writing) {
      this.again = true;
      return;
    }
    const { doc, source } = this.hooks.current();
    this.writing = true;
    try {
      const savedAt = Date.now();
      await this.store({ text: serializeGraph(doc), source, savedAt });
      clearPagehideCopy(savedAt);
      this.written = doc;
      this.failures = 0;
    } catch (e) {
      this.failures++;
      this.again = false;
      const wait = RETRY_MS[Math.min(this.failures - 1, RETRY_MS.length - 1)]!;
      if (isQuotaError(e)) this.hooks.status('error', `Storage is full: the draft could not be saved. Retrying in ${wait / 1000} s; free some space or save the graph to a file.`);
      else this.hooks.status('error', `Autosave failed (${e instanceof Error ? e.message : String(e)}). Retrying in ${wait / 1000} s.`);
      if (!this.stopped) this.timer = setTimeout(() => void this.write(), wait);
      return;
    } finally {
      this.writing = false;
    }
    if (this.stopped) return;
    if (this.hooks.current().doc === this.written) {
      this.again = false;
      this.hooks.status('saved');
      return;
    }
    // Changed while writing: write that too, at once when a flush asked for it, else within the period.
    this.hooks.status('pending');
    if (this.again) {
      this.again = false;
      void this.write();
    } else if (this.timer === undefined) this.timer = setTimeout(() => void this.write(), AUTOSAVE_MS);
  }
}

let active: Autosaver | undefined;

/** The autosaver the page runs (main.tsx installs it after the first load). */
export function setActiveAutosaver(a: Autosaver | undefined): void {
  active = a;
}

/** Try the failed write again now. */
export function retryAutosave(): void {
  active?.flush();
}

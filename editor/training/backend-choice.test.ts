/**
 * The backend preference: `auto` until chosen, kept in localStorage under `unroll.backend`, read
 * back after a reload, and never left invalid (a stored or passed value that is no choice is
 * ignored); a browser that refuses storage keeps the choice for the page.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKEND_CHOICES, BACKEND_KEY, BACKEND_LABELS, getBackendChoice, resetBackendChoiceForTest, setBackendChoice, subscribeBackendChoice, type BackendChoice } from './backend-choice.ts';

/** A localStorage of a Map; `refuse` makes writes throw, as a full or blocked storage does. */
function fakeStorage(refuse = false): Storage & { readonly items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => {
      if (refuse) throw new DOMException('quota exceeded', 'QuotaExceededError');
      items.set(k, v);
    },
  };
}

beforeEach(() => resetBackendChoiceForTest());
afterEach(() => {
  vi.unstubAllGlobals();
  resetBackendChoiceForTest();
});

describe('the backend choice', () => {
  it('is auto when nothing is stored, and lists auto, webgpu, cpu with their labels', () => {
    vi.stubGlobal('localStorage', fakeStorage());
    expect(getBackendChoice()).toBe('auto');
    expect(BACKEND_CHOICES).toEqual(['auto', 'webgpu', 'cpu']);
    expect(BACKEND_CHOICES.map((c) => BACKEND_LABELS[c])).toEqual(['Auto (GPU when present)', 'WebGPU', 'CPU']);
  });

  it('is kept under unroll.backend and read back after a reload', () => {
    const store = fakeStorage();
    vi.stubGlobal('localStorage', store);
    setBackendChoice('webgpu');
    expect(store.items.get(BACKEND_KEY)).toBe('webgpu');
    expect(BACKEND_KEY).toBe('unroll.backend');
    resetBackendChoiceForTest();
    expect(getBackendChoice()).toBe('webgpu');
    setBackendChoice('cpu');
    resetBackendChoiceForTest();
    expect(getBackendChoice()).toBe('cpu');
  });

  it.each(['gpu', '', 'WEBGPU', '{"x":1}'])('reads %j stored as auto', (raw) => {
    const store = fakeStorage();
    store.items.set(BACKEND_KEY, raw);
    vi.stubGlobal('localStorage', store);
    expect(getBackendChoice()).toBe('auto');
  });

  it('tells subscribers of a change, not of a repeat or of an unknown value; unsubscribing stops it', () => {
    const store = fakeStorage();
    vi.stubGlobal('localStorage', store);
    const seen: BackendChoice[] = [];
    const off = subscribeBackendChoice(() => seen.push(getBackendChoice()));
    setBackendChoice('cpu');
    setBackendChoice('cpu');
    setBackendChoice('tpu' as BackendChoice);
    setBackendChoice('auto');
    expect(seen).toEqual(['cpu', 'auto']);
    expect(store.items.get(BACKEND_KEY)).toBe('auto');
    off();
    setBackendChoice('webgpu');
    expect(seen).toEqual(['cpu', 'auto']);
    expect(getBackendChoice()).toBe('webgpu');
  });

  it('holds for the page when storage refuses the write, and without any localStorage', () => {
    vi.stubGlobal('localStorage', fakeStorage(true));
    setBackendChoice('webgpu');
    expect(getBackendChoice()).toBe('webgpu');
    resetBackendChoiceForTest();
    expect(getBackendChoice()).toBe('auto');

    vi.stubGlobal('localStorage', undefined);
    resetBackendChoiceForTest();
    expect(getBackendChoice()).toBe('auto');
    setBackendChoice('cpu');
    expect(getBackendChoice()).toBe('cpu');
  });

  it('reads as auto when reading storage throws (a blocked storage)', () => {
    const store = fakeStorage();
    store.getItem = () => {
      throw new DOMException('denied', 'SecurityError');
    };
    vi.stubGlobal('localStorage', store);
    expect(getBackendChoice()).toBe('auto');
  });
});

/**
 * Proves the layering rule in eslint.config.js fires where it must and stays quiet where imports
 * go the allowed way (blocks ← runtime ← editor). Uses ESLint's Node API on snippets, so the test
 * does not depend on which files happen to exist.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// cwd pinned to the repo root so the real eslint.config.js is used wherever vitest is started.
const eslint = new ESLint({ cwd: fileURLToPath(new URL('..', import.meta.url)) });

/** Messages of the no-restricted-imports rule for `code` linted as if it lived at `filePath`. */
async function layerFindings(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering rule (no-restricted-imports)', () => {
  it('refuses a blocks file importing runtime, at any depth', async () => {
    const one = await layerFindings("import { analyzeGraph } from '../runtime/validate/validate.ts';\nexport const a = analyzeGraph;\n", 'blocks/x.ts');
    const two = await layerFindings("import type { GraphDoc } from '../../runtime/graph/types.ts';\nexport type A = GraphDoc;\n", 'blocks/sub/x.ts');
    expect(one).toHaveLength(1);
    expect(one[0]).toMatch(/Layering: blocks\//);
    expect(two).toHaveLength(1);
  });

  it('refuses a blocks file importing editor code or a UI/state library', async () => {
    expect(await layerFindings("import { App } from '../editor/App.tsx';\nexport const a = App;\n", 'blocks/x.ts')).toHaveLength(1);
    for (const pkg of ['react', 'react-dom/client', '@xyflow/react', 'immer', 'comlink']) {
      const found = await layerFindings(`import * as m from '${pkg}';\nexport const a = m;\n`, 'blocks/x.ts');
      expect(found, pkg).toHaveLength(1);
    }
  });

  it('refuses a runtime file importing editor or React', async () => {
    const editor = await layerFindings("import { store } from '../../editor/store.ts';\nexport const a = store;\n", 'runtime/graph/x.ts');
    expect(editor).toHaveLength(1);
    expect(editor[0]).toMatch(/Layering: runtime\//);
    expect(await layerFindings("import { useState } from 'react';\nexport const a = useState;\n", 'runtime/x.ts')).toHaveLength(1);
    expect(await layerFindings("import { ReactFlow } from '@xyflow/react';\nexport const a = ReactFlow;\n", 'runtime/x.ts')).toHaveLength(1);
  });

  it('allows the permitted directions', async () => {
    // runtime → blocks, runtime → runtime, blocks → blocks, editor → anything below it.
    expect(await layerFindings("import { getBlock } from '../../blocks/registry.ts';\nexport const a = getBlock;\n", 'runtime/validate/x.ts')).toEqual([]);
    expect(await layerFindings("import { jsonPath } from '../graph/types.ts';\nexport const a = jsonPath;\n", 'runtime/validate/x.ts')).toEqual([]);
    expect(await layerFindings("import { vector } from './shape.ts';\nexport const a = vector;\n", 'blocks/x.ts')).toEqual([]);
    // A blocks file whose own name merely contains "runtime" is not the runtime layer.
    expect(await layerFindings("import { x } from './runtime-notes.ts';\nexport const a = x;\n", 'blocks/x.ts')).toEqual([]);
    expect(
      await layerFindings("import { useState } from 'react';\nimport { parseGraph } from '../runtime/graph/parse.ts';\nexport const a = [useState, parseGraph];\n", 'editor/x.tsx'),
    ).toEqual([]);
  });
});

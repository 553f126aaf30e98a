/** The committed results the README quotes are what the code computes today. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gradientCurves } from './gradient-ratios.ts';

describe('results/gradients.json', () => {
  it('equals a fresh measurement (run `npm run results:gradients && npm run readme` if this fails)', () => {
    const saved = JSON.parse(readFileSync(new URL('../results/gradients.json', import.meta.url), 'utf8')) as { curves: unknown };
    expect(JSON.parse(JSON.stringify(gradientCurves()))).toEqual(saved.curves);
  });

  it('shows what the lecture claims: Elman vanishes below 10⁻³, orthogonal init and the LSTM keep orders of magnitude more', () => {
    const curves = gradientCurves();
    const ratio = (example: string, state: string): number => curves.find((c) => c.example === example && c.state === state)!.ratio;
    expect(ratio('elman-adding.json', 'h')).toBeLessThan(1e-3);
    expect(ratio('elman-adding-orthogonal.json', 'h') / ratio('elman-adding.json', 'h')).toBeGreaterThan(1e6);
    expect(ratio('lstm-adding.json', 'c') / ratio('elman-adding.json', 'h')).toBeGreaterThan(1e6);
  });
});

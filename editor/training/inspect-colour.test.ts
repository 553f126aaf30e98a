import { describe, expect, it } from 'vitest';
import { formatWeight, heatColour, heatRgb, heatTextColour, scaleMax } from './inspect-colour.ts';

const luminance = ([r, g, b]: readonly number[]): number => 0.299 * r! + 0.587 * g! + 0.114 * b!;

describe('heatmap colour scale', () => {
  it('runs from viridis dark purple at 0 to yellow at the top, clamping outside and NaN to 0', () => {
    expect(heatRgb(0)).toEqual([68, 1, 84]);
    expect(heatRgb(1)).toEqual([253, 231, 37]);
    expect(heatRgb(2)).toEqual([253, 231, 37]);
    expect(heatRgb(-1)).toEqual([68, 1, 84]);
    expect(heatRgb(NaN)).toEqual([68, 1, 84]);
    expect(heatRgb(5, 10)).toEqual(heatRgb(0.5));
    expect(heatColour(0)).toBe('rgb(68 1 84)');
  });

  it('gets lighter all the way up, so a larger weight always reads as brighter', () => {
    const ls = Array.from({ length: 101 }, (_, i) => luminance(heatRgb(i / 100)));
    for (let i = 1; i < ls.length; i++) expect(ls[i]!).toBeGreaterThanOrEqual(ls[i - 1]!);
  });

  it('text is white on the dark end and dark on the light end', () => {
    expect(heatTextColour(0)).toBe('#ffffff');
    expect(heatTextColour(1)).toBe('#111827');
  });

  it('a softmax scales to 1; raw scores to their largest magnitude', () => {
    expect(scaleMax([[0.2, 0.8]], true)).toBe(1);
    expect(scaleMax([[0.5, -3], [2, 1]], false)).toBe(3);
    expect(scaleMax([[0, 0]], false)).toBe(1);
  });

  it('small weights keep a third decimal', () => {
    expect(formatWeight(0.5)).toBe('0.50');
    expect(formatWeight(0.004)).toBe('0.004');
    expect(formatWeight(0)).toBe('0.00');
  });
});

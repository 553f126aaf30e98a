/** `npm run results:gradients`: write results/gradients.json (then `npm run readme`). */
import { writeFileSync } from 'node:fs';
import { gradientCurves } from './gradient-ratios.ts';

const curves = gradientCurves();
writeFileSync(new URL('../results/gradients.json', import.meta.url), JSON.stringify({ measured: 'at initialisation, one training batch of 32', curves }, null, 2) + '\n');
for (const c of curves) console.log(`${c.example} ${c.state}: ratio ${c.ratio.toExponential(3)}`);

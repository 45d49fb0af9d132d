// docs/headroom.md shows engine output; this keeps the document and the engine in step.
// After a deliberate engine change: npx tsx hosttests/headroom/worked-examples.ts --write
import { readFileSync } from 'node:fs';
import { DOC_PATH, README_PATH, dutchExample, norwayExample, renderDoc, renderReadme } from './worked-examples';

test('the worked examples in docs/headroom.md are what the engine answers', () => {
  const doc = readFileSync(DOC_PATH, 'utf8');
  expect(renderDoc(doc)).toBe(doc);
});

test('the worked-example summaries in README.md are what the engine answers', () => {
  const readme = readFileSync(README_PATH, 'utf8');
  expect(renderReadme(readme)).toBe(readme);
});

test('Norwegian example: L2 bound, tariff budget, estimate on list 1, then the ladder', () => {
  const [full, short, silent] = norwayExample().shown.map((s) => s.headroom);
  expect(full?.phases.l2.currentSource).toBe('bound');
  expect(full?.limitedBy).toBe('tariff');
  expect(full?.threePhaseA).toBeGreaterThanOrEqual(6);
  expect(short?.status).toBe('estimated');
  expect(short?.threePhaseA).toBe(0);
  expect(silent?.status).toBe('safe-fallback');
});

test('Dutch example: down at once, held for the hold-off, then up by 0.4 A per telegram', () => {
  const [steady, kettle, off, later] = dutchExample().shown.map((s) => s.headroom);
  expect(steady?.threePhaseA).toBe(19);
  expect(kettle?.threePhaseA).toBe(10);
  expect(off?.threePhaseA).toBe(10);
  expect(off?.limitedBy).toBe('hold-off');
  expect(later?.threePhaseA).toBe(12.8); // rising since 19:04:29 (kettle last seen 19:02:29 + 120 s)
  expect(later?.limitedBy).toBe('ramp');
});

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

test('Norwegian example: L2 estimated under the bound, tariff budget, estimate on list 1, then the ladder', () => {
  const [full, short, silent] = norwayExample().shown.map((s) => s.headroom);
  expect(full?.phases.l2.currentSource).toBe('estimated');
  // The bound would be 15.2 + 13.1 = 28.3 A less and plus the car's 10 A: 18.3 A.
  expect(full?.phases.l2.currentA).toBeLessThan(18.3);
  expect(full?.limitedBy).toBe('tariff');
  expect(full?.threePhaseA).toBeGreaterThanOrEqual(6);
  expect(short?.status).toBe('estimated');
  expect(short?.threePhaseA).toBe(0);
  expect(silent?.status).toBe('safe-fallback');
});

test("Dutch example: down at once, the kettle's room kept back while it cycles, then up 2 A every 5 s", () => {
  const [steady, kettle, off, again, offAgain, later] = dutchExample().shown.map((s) => s.headroom);
  expect(steady?.threePhaseA).toBe(19);
  expect(kettle?.threePhaseA).toBe(10);
  expect(off?.threePhaseA).toBe(10);
  expect(off?.limitedBy).toBe('hold-off');
  expect(again?.threePhaseA).toBe(10); // the kettle is back: no drop, its room was kept
  expect(offAgain?.threePhaseA).toBe(10);
  expect(offAgain?.limitedBy).toBe('hold-off');
  expect(later?.threePhaseA).toBe(12); // kept back until 19:04:10, then one rise 5 s later
  expect(later?.limitedBy).toBe('ramp');
});

// PreferenceSettingsStore (firmware/moddable/platform/preference-store.ts) against an in-memory
// stand-in for Moddable's Preference module with the NVS limits the ESP32 enforces (key <= 15
// characters, string value <= 4000 bytes), including a power cut in the middle of a save.
const values = new Map<string, unknown>();
let failAfterSets = Infinity;
jest.mock(
  'preference',
  () => ({
    __esModule: true,
    default: {
      set(domain: string, key: string, value: unknown) {
        if (key.length > 15) throw new Error(`NVS key too long: ${key}`);
        if (typeof value === 'string' && Buffer.byteLength(value) > 4000) throw new Error('NVS string too long');
        if (failAfterSets-- <= 0) throw new Error('power cut');
        values.set(`${domain}/${key}`, value);
      },
      get: (domain: string, key: string) => values.get(`${domain}/${key}`),
      delete: (domain: string, key: string) => values.delete(`${domain}/${key}`),
      keys: () => [],
    },
  }),
  { virtual: true },
);

// required after the mock: the esbuild transform does not hoist jest.mock above imports
// eslint-disable-next-line @typescript-eslint/no-require-imports
// (typed locally: the host tsconfig must not pull in the Moddable-typed module)
const { PreferenceSettingsStore } = require('../../firmware/moddable/platform/preference-store') as {
  PreferenceSettingsStore: new (domain?: string) => { load(): string | undefined; save(text: string): void };
};

beforeEach(() => {
  values.clear();
  failAfterSets = Infinity;
});

const doc = (size: number, fill = 'x') => JSON.stringify({ version: 1, note: fill.repeat(size) });

test('nothing saved yet loads as undefined', () => {
  expect(new PreferenceSettingsStore().load()).toBeUndefined();
});

test('round trip of a document spanning several chunks, multi-byte characters included', () => {
  const store = new PreferenceSettingsStore();
  const text = doc(3500, 'ø€');
  store.save(text);
  expect(store.load()).toBe(text);
  expect([...values.keys()].filter((k) => /\/a\d+$/.test(k)).length).toBeGreaterThan(3);
});

test('a power cut during save leaves the previous document readable', () => {
  const store = new PreferenceSettingsStore();
  const first = doc(2500, 'a');
  store.save(first);
  failAfterSets = 2; // dies after writing two chunks of the next generation
  expect(() => store.save(doc(2500, 'b'))).toThrow('power cut');
  expect(store.load()).toBe(first);
  failAfterSets = Infinity;
  const third = doc(100, 'c');
  store.save(third);
  expect(store.load()).toBe(third);
});

test('a shorter document after a longer one drops the stale chunks of its generation', () => {
  const store = new PreferenceSettingsStore();
  store.save(doc(4500));
  store.save(doc(10));
  store.save(doc(20)); // same generation as the first (a, b, a)
  expect(store.load()).toBe(doc(20));
  expect(values.has('meterbox/a4')).toBe(false);
});

test('refuses a document larger than the chunk table instead of saving half', () => {
  const store = new PreferenceSettingsStore();
  store.save(doc(10));
  expect(() => store.save(doc(20000))).toThrow('too large');
  expect(store.load()).toBe(doc(10));
});

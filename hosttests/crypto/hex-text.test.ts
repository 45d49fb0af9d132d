import { parseHexKey, parseHexText, toHex } from '../../decoders/util/hex';

describe('parseHexText', () => {
  it('reads the fixture format with comments, blank lines and mixed case', () => {
    const text = '# header comment\n7E A0 2a // trailing\n\n  0x41 42:43-44,45\n';
    expect(toHex(parseHexText(text))).toBe('7ea02a4142434445');
  });
  it('rejects an odd digit count, a digit split by a separator and stray characters', () => {
    expect(() => parseHexText('7E A')).toThrow(RangeError);
    expect(() => parseHexText('7 E')).toThrow(RangeError);
    expect(() => parseHexText('7E ZZ')).toThrow(/unexpected character 'Z'/);
  });
  it('returns an empty array for comments only', () => {
    expect(parseHexText('# nothing\n// here').length).toBe(0);
  });
});

describe('toHex / parseHexKey', () => {
  it('formats with and without a separator', () => {
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe('000fff');
    expect(toHex(new Uint8Array([0, 15, 255]), ' ')).toBe('00 0f ff');
  });
  it('accepts exactly 16 key bytes only', () => {
    expect(parseHexKey('00112233445566778899AABBCCDDEEFF')?.length).toBe(16);
    expect(parseHexKey('0011')).toBeUndefined();
    expect(parseHexKey('zz112233445566778899AABBCCDDEEFF')).toBeUndefined();
  });
});

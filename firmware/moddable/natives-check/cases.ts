/**
 * The captures the natives check decodes twice (JavaScript only, then with the SDK natives), with
 * their keys. The bytes come from hosttests/vectors as flash resources (manifest_natives_check.json);
 * the keys are copied from the captures' .json sidecars (a jest test, hosttests/moddable/
 * natives-check-cases.test.ts, checks the copies still match).
 */
export interface NativesCase {
  /** Path below hosttests/vectors, without extension. */
  vector: string;
  /** Resource name: the file name with its extension. */
  resource: string;
  kind: 'hex' | 'binary';
  encryptionKeyHex?: string;
  authenticationKeyHex?: string;
}

export const nativesCases: NativesCase[] = [
  { vector: 'p1/ndokter-dsmr_parser/telegram_v5', resource: 'telegram_v5.txt', kind: 'binary' },
  { vector: 'p1/node-dsmr-parser/dsmr-2.2-kfm-1', resource: 'dsmr-2.2-kfm-1.txt', kind: 'binary' },
  { vector: 'han/ams-han-decoder/KFM_001__MA304T4-3-ok-L120-1', resource: 'KFM_001__MA304T4-3-ok-L120-1.hex', kind: 'hex' },
  { vector: 'han/node-dsmr-parser/aidon-example-2-segmented', resource: 'aidon-example-2-segmented.hex', kind: 'hex' },
  { vector: 'han/roarfred/Kamstrup228', resource: 'Kamstrup228.hex', kind: 'hex' },
  {
    vector: 'han/node-dsmr-parser/encrypted/aidon-example-2-with-aad',
    resource: 'aidon-example-2-with-aad.hex',
    kind: 'hex',
    encryptionKeyHex: '0123456789abcdef0123456789abcdef',
    authenticationKeyHex: 'ffeeddccbbaa99887766554433221100',
  },
  {
    vector: 'han/node-dsmr-parser/encrypted/aidon-example-2-without-aad',
    resource: 'aidon-example-2-without-aad.hex',
    kind: 'hex',
    encryptionKeyHex: '0123456789abcdef0123456789abcdef',
  },
  { vector: 'han/austria/shrdzm-im350-wels', resource: 'shrdzm-im350-wels.hex', kind: 'hex', encryptionKeyHex: '5A9AFEB2A17E6CF0CBAF98C8300ED9D7' },
  {
    vector: 'han/austria/lg-e450-burgenland-lng2',
    resource: 'lg-e450-burgenland-lng2.hex',
    kind: 'hex',
    encryptionKeyHex: '34743677397A24432646294A404E6352',
    authenticationKeyHex: 'C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF',
  },
  {
    vector: 'han/node-dsmr-parser/m-bus/austria-example-1',
    resource: 'austria-example-1.hex',
    kind: 'hex',
    encryptionKeyHex: '36C66639E48A8CA4D6BC8B282A793BBB',
  },
  {
    vector: 'han/austria/tinetz-kaifa-doc-example',
    resource: 'tinetz-kaifa-doc-example.hex',
    kind: 'hex',
    encryptionKeyHex: '101112131415161718191A1B1C1D1E1F',
  },
  {
    vector: 'p1/encrypted/esphome-smarty-synthetic',
    resource: 'esphome-smarty-synthetic.bin',
    kind: 'binary',
    encryptionKeyHex: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    authenticationKeyHex: '00112233445566778899AABBCCDDEEFF',
  },
  {
    vector: 'p1/node-dsmr-parser/encrypted/dsmr-luxembourgh-spec-example-with-aad',
    resource: 'dsmr-luxembourgh-spec-example-with-aad.hex',
    kind: 'hex',
    encryptionKeyHex: '0123456789abcdef0123456789abcdef',
    authenticationKeyHex: 'ffeeddccbbaa99887766554433221100',
  },
  {
    vector: 'p1/encrypted/shrdzm-sagemcom-t210d-steiermark',
    resource: 'shrdzm-sagemcom-t210d-steiermark.hex',
    kind: 'hex',
    encryptionKeyHex: '953E7F1725EA910F26E053813A639094',
  },
];

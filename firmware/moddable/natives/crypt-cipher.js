/*
 * The SDK's native AES pieces (modules/crypt/digest/modCrypt.c: BlockCipher "AES", Mode "CTR",
 * GHASH), re-exported under a name of our own because the SDK's typings (typings/crypt.d.ts)
 * declare only Digest; crypt-cipher.d.ts beside this file declares what native-aes-gcm.ts uses.
 */
export { BlockCipher, Mode, GHASH } from 'crypt';

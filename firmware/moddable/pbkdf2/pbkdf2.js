/*
 * PBKDF2-HMAC-SHA-256 on the SDK's C SHA-256 (KCL fips180.c), in steps (kcl-pbkdf2.c):
 *   const job = new Pbkdf2Job(password, salt, iterations);   // U1 made here
 *   while (job.step(2048) > 0) { ...let other work run... }
 *   const key = job.result();                                 // ArrayBuffer, 32 bytes
 *   job.close();
 * Declaration: pbkdf2.d.ts. Used by native-pbkdf2.ts.
 */
export default class Pbkdf2Job @ "xs_pbkdf2_destructor" {
	constructor(password, salt, iterations) @ "xs_pbkdf2";
	step(count) @ "xs_pbkdf2_step";
	result() @ "xs_pbkdf2_result";
	close() @ "xs_pbkdf2_close";
}

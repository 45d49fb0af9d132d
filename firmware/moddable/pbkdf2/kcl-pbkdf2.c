/*
 * PBKDF2-HMAC-SHA-256 (RFC 8018 section 5.2, HMAC per RFC 2104) for the "meterbox-pbkdf2" module
 * (pbkdf2.js), on the Moddable SDK's own C SHA-256: KCL's fips180.c
 * ($MODDABLE/modules/crypt/digest/kcl/, the code behind the SDK's Digest("SHA256")). It has no
 * platform dependency, so the same source compiles in the Linux simulator and in an ESP32 or
 * ESP32-C3 build against ESP-IDF v6 with no ESP-IDF component (manifest.json names fips180.c and
 * its header, nothing else). Software SHA-256 on every chip.
 *
 * Why in steps: a login checks the password with ~1 s of hashing on an ESP32, and XS runs on one
 * thread that also reads the meter UART and serves HTTP. A job holds the state of one derivation
 * and step(n) runs n iterations, so the JavaScript side (native-pbkdf2.ts) runs a few tens of
 * milliseconds at a time and lets timers, sockets and the UART run in between.
 *
 * Only the first 32-byte block is made (dkLen = 32, all the stored format uses):
 *   U1 = HMAC(P, S || INT(1)), Ui = HMAC(P, U(i-1)), T = U1 ^ U2 ^ ... ^ Uc
 * HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)), K' = K padded with zeros to 64 bytes (or
 * H(K) when K is longer than 64). The two pad blocks are hashed once per job; each HMAC starts
 * from copies of those two states (a struct copy), so an iteration costs two compressions (32
 * bytes + padding fit one block), as in the pure JavaScript one (firmware/app/crypto/sha256.ts).
 * Counted for the ESP32-C3 (rv32imc, -Os, under qemu: bench/iteration-cost.mjs): 9,774 of an
 * iteration's 11,084 instructions are the two compressions. Key material (pad states, U, T, the HMAC
 * scratch) lives in the job, which is wiped when it is freed.
 *
 * Salt: any length. S and INT(1) go into the inner hash by two updates, nothing is copied, and
 * the salt is hashed once per job, so no bound is needed here: the caller's buffer is already in
 * memory, and the stored format's salt comes from the settings file, whose size is bounded.
 * Password: any length (a longer one is hashed to 32 bytes first); the app bounds what a login
 * hashes (PASSWORD_MAX_CHECKED_LENGTH, firmware/app/auth/password-hash.ts).
 * Refused: iterations < 1 (RangeError); a password or salt that is not bytes (TypeError from
 * xsmcGetBufferReadable); result() before the last step; step/result on a closed job.
 */
#include "xsmc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fips180.h"

#define SHA256_BYTES SHA256_DGSTSIZE
#define BLOCK_BYTES SHA256_BLKSIZE

typedef struct {
	struct sha256 inner; /* after (K' ^ ipad) */
	struct sha256 outer; /* after (K' ^ opad) */
	/* scratch of one HMAC, kept here so that it is wiped once, with the job, not every iteration */
	struct sha256 work;
	uint8_t innerDigest[SHA256_BYTES];
	uint8_t u[SHA256_BYTES];
	uint8_t t[SHA256_BYTES];
	uint32_t remaining;
} Pbkdf2Job;

/* memset through a volatile pointer: clearing key material the compiler may not drop as dead. */
static void wipe(void *data, size_t length)
{
	volatile uint8_t *p = data;
	while (length--) *p++ = 0;
}

static void jobFree(Pbkdf2Job *job)
{
	if (!job) return;
	wipe(job, sizeof(*job));
	free(job);
}

void xs_pbkdf2_destructor(void *data)
{
	jobFree((Pbkdf2Job *)data);
}

/* out = HMAC(K, message) where job->work is the inner state already fed with the message:
   finishes the inner hash, then the outer one from a copy of the opad state. */
static void hmacFinish(Pbkdf2Job *job, uint8_t out[SHA256_BYTES])
{
	sha256_fin(&job->work, job->innerDigest);
	memcpy(&job->work, &job->outer, sizeof(job->work));
	sha256_update(&job->work, job->innerDigest, SHA256_BYTES);
	sha256_fin(&job->work, out);
}

static void padState(struct sha256 *state, const uint8_t *key, size_t keyLength, uint8_t pad)
{
	uint8_t block[BLOCK_BYTES];
	memset(block, 0, sizeof(block));
	memcpy(block, key, keyLength);
	for (int i = 0; i < BLOCK_BYTES; i++) block[i] ^= pad;
	sha256_create(state);
	sha256_update(state, block, sizeof(block));
	wipe(block, sizeof(block));
}

/* new Pbkdf2Job(password: ArrayBuffer|Uint8Array, salt: ArrayBuffer|Uint8Array, iterations: number) */
void xs_pbkdf2(xsMachine *the)
{
	void *password, *salt;
	xsUnsignedValue passwordLength, saltLength;
	uint8_t key[SHA256_BYTES];
	const uint8_t *keyBytes;
	size_t keyLength;
	static const uint8_t blockIndex[4] = { 0, 0, 0, 1 }; /* INT(1), big-endian */
	int iterations = xsmcToInteger(xsArg(2));

	if (iterations < 1) xsRangeError("iterations must be at least 1");

	Pbkdf2Job *job = calloc(1, sizeof(Pbkdf2Job));
	if (!job) xsUnknownError("no memory for PBKDF2");
	job->remaining = (uint32_t)iterations;
	xsmcSetHostData(xsThis, job); /* from here the destructor frees it, whatever throws */

	xsmcGetBufferReadable(xsArg(0), &password, &passwordLength);
	if (passwordLength > BLOCK_BYTES) {
		struct sha256 hash;
		sha256_create(&hash);
		sha256_update(&hash, password, passwordLength);
		sha256_fin(&hash, key);
		wipe(&hash, sizeof(hash));
		keyBytes = key;
		keyLength = SHA256_BYTES;
	}
	else {
		keyBytes = password;
		keyLength = passwordLength;
	}
	padState(&job->inner, keyBytes, keyLength, 0x36);
	padState(&job->outer, keyBytes, keyLength, 0x5c);
	wipe(key, sizeof(key));

	/* U1 = HMAC(P, S || INT(1)). Each buffer is hashed right after its pointer is taken, with no
	   XS call in between, so the garbage collector cannot move it meanwhile. */
	memcpy(&job->work, &job->inner, sizeof(job->work));
	xsmcGetBufferReadable(xsArg(1), &salt, &saltLength);
	sha256_update(&job->work, salt, saltLength);
	sha256_update(&job->work, blockIndex, sizeof(blockIndex));
	hmacFinish(job, job->u);
	memcpy(job->t, job->u, SHA256_BYTES);
	job->remaining--;
}

/* job.step(count): runs up to count more iterations; returns how many remain. */
void xs_pbkdf2_step(xsMachine *the)
{
	Pbkdf2Job *job = xsmcGetHostData(xsThis);
	if (!job) xsUnknownError("closed");
	int count = xsmcToInteger(xsArg(0));
	while (count-- > 0 && job->remaining > 0) {
		memcpy(&job->work, &job->inner, sizeof(job->work));
		sha256_update(&job->work, job->u, SHA256_BYTES);
		hmacFinish(job, job->u);
		for (int i = 0; i < SHA256_BYTES; i++) job->t[i] ^= job->u[i];
		job->remaining--;
	}
	xsmcSetInteger(xsResult, (xsIntegerValue)job->remaining);
}

/* job.result(): the 32-byte key as an ArrayBuffer, once no iteration remains. */
void xs_pbkdf2_result(xsMachine *the)
{
	Pbkdf2Job *job = xsmcGetHostData(xsThis);
	if (!job) xsUnknownError("closed");
	if (job->remaining) xsUnknownError("%d iterations remain", (int)job->remaining);
	xsmcSetArrayBuffer(xsResult, job->t, SHA256_BYTES);
}

/* job.close(): frees the state (the destructor does it too, at garbage collection). */
void xs_pbkdf2_close(xsMachine *the)
{
	Pbkdf2Job *job = xsmcGetHostData(xsThis);
	if (job) {
		xsmcSetHostData(xsThis, NULL);
		jobFree(job);
	}
}

/*
 * PBKDF2-HMAC-SHA-256 (RFC 8018 section 5.2, HMAC per RFC 2104) for the "meterbox-pbkdf2" module
 * (pbkdf2.js), on the SHA-256 of Mbed TLS through its PSA hash API: ESP-IDF v6.0's TF-PSA-Crypto
 * on the ESP32 (hardware SHA where the chip can resume a hash), Debian's libmbedcrypto in the
 * Linux simulator. One source for both.
 *
 * Why in steps: a login checks the password with ~1 s of hashing on an ESP32, and XS runs on one
 * thread that also reads the meter UART and serves HTTP. A job holds the state of one derivation
 * and step(n) runs n iterations, so the JavaScript side can run a few tens of milliseconds at a
 * time and let timers, sockets and the UART in between.
 *
 * Only the first 32-byte block is made (dkLen = 32, all the stored format uses):
 *   U1 = HMAC(P, S || 00 00 00 01), Ui = HMAC(P, U(i-1)), T = U1 ^ U2 ^ ... ^ Uc
 * HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)), K' = K padded (or H(K) when longer than 64):
 * the two pad blocks are hashed once and their states cloned per iteration (two compressions per
 * HMAC instead of four, as in pure JS: firmware/app/crypto/sha256.ts).
 */
#include "xsmc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "psa/crypto.h"

#define SHA256_BYTES 32
#define BLOCK_BYTES 64
#define MAX_SALT_BYTES 64

typedef struct {
	psa_hash_operation_t inner; /* after (K' ^ ipad) */
	psa_hash_operation_t outer; /* after (K' ^ opad) */
	uint8_t u[SHA256_BYTES];
	uint8_t t[SHA256_BYTES];
	uint32_t remaining;
} Pbkdf2Job;

static void jobFree(Pbkdf2Job *job)
{
	if (!job) return;
	psa_hash_abort(&job->inner);
	psa_hash_abort(&job->outer);
	memset(job, 0, sizeof(*job));
	free(job);
}

void xs_pbkdf2_destructor(void *data)
{
	jobFree((Pbkdf2Job *)data);
}

/* out = HMAC(K, message) from the job's two pad states. */
static psa_status_t hmac(Pbkdf2Job *job, const uint8_t *message, size_t length, uint8_t out[SHA256_BYTES])
{
	psa_hash_operation_t operation = PSA_HASH_OPERATION_INIT;
	uint8_t inner[SHA256_BYTES];
	size_t written = 0;
	psa_status_t status = psa_hash_clone(&job->inner, &operation);
	if (status == PSA_SUCCESS) status = psa_hash_update(&operation, message, length);
	if (status == PSA_SUCCESS) status = psa_hash_finish(&operation, inner, sizeof(inner), &written);
	psa_hash_abort(&operation);
	if (status != PSA_SUCCESS) return status;
	operation = psa_hash_operation_init();
	status = psa_hash_clone(&job->outer, &operation);
	if (status == PSA_SUCCESS) status = psa_hash_update(&operation, inner, sizeof(inner));
	if (status == PSA_SUCCESS) status = psa_hash_finish(&operation, out, SHA256_BYTES, &written);
	psa_hash_abort(&operation);
	return status;
}

static psa_status_t padState(psa_hash_operation_t *operation, const uint8_t *key, size_t keyLength, uint8_t pad)
{
	uint8_t block[BLOCK_BYTES];
	memset(block, 0, sizeof(block));
	memcpy(block, key, keyLength);
	for (int i = 0; i < BLOCK_BYTES; i++) block[i] ^= pad;
	psa_status_t status = psa_hash_setup(operation, PSA_ALG_SHA_256);
	if (status == PSA_SUCCESS) status = psa_hash_update(operation, block, sizeof(block));
	memset(block, 0, sizeof(block));
	return status;
}

/* new Pbkdf2Job(password: ArrayBuffer|Uint8Array, salt: ArrayBuffer|Uint8Array, iterations: number) */
void xs_pbkdf2(xsMachine *the)
{
	void *password, *salt;
	xsUnsignedValue passwordLength, saltLength;
	uint8_t key[SHA256_BYTES];
	const uint8_t *keyBytes;
	size_t keyLength;
	int iterations = xsmcToInteger(xsArg(2));
	psa_status_t status;

	if (iterations < 1) xsRangeError("iterations must be at least 1");
	status = psa_crypto_init();
	if (status != PSA_SUCCESS) xsUnknownError("psa_crypto_init failed: %d", (int)status);

	Pbkdf2Job *job = calloc(1, sizeof(Pbkdf2Job));
	if (!job) xsUnknownError("no memory for PBKDF2");
	job->inner = psa_hash_operation_init();
	job->outer = psa_hash_operation_init();
	job->remaining = (uint32_t)iterations;
	xsmcSetHostData(xsThis, job);

	xsmcGetBufferReadable(xsArg(0), &password, &passwordLength);
	if (passwordLength > BLOCK_BYTES) {
		size_t written = 0;
		status = psa_hash_compute(PSA_ALG_SHA_256, password, passwordLength, key, sizeof(key), &written);
		if (status != PSA_SUCCESS) xsUnknownError("SHA-256 of the password failed: %d", (int)status);
		keyBytes = key;
		keyLength = SHA256_BYTES;
	}
	else {
		keyBytes = password;
		keyLength = passwordLength;
	}
	status = padState(&job->inner, keyBytes, keyLength, 0x36);
	if (status == PSA_SUCCESS) status = padState(&job->outer, keyBytes, keyLength, 0x5c);
	memset(key, 0, sizeof(key));
	if (status != PSA_SUCCESS) xsUnknownError("SHA-256 setup failed: %d", (int)status);

	/* U1 = HMAC(P, S || INT(1)) */
	uint8_t first[MAX_SALT_BYTES + 4];
	xsmcGetBufferReadable(xsArg(1), &salt, &saltLength);
	if (saltLength > MAX_SALT_BYTES) xsRangeError("salt longer than %d bytes", MAX_SALT_BYTES);
	memcpy(first, salt, saltLength);
	first[saltLength] = 0;
	first[saltLength + 1] = 0;
	first[saltLength + 2] = 0;
	first[saltLength + 3] = 1;
	status = hmac(job, first, saltLength + 4, job->u);
	if (status != PSA_SUCCESS) xsUnknownError("HMAC failed: %d", (int)status);
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
		psa_status_t status = hmac(job, job->u, SHA256_BYTES, job->u);
		if (status != PSA_SUCCESS) xsUnknownError("HMAC failed: %d", (int)status);
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

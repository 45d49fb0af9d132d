/*
 * The C library pieces kcl-pbkdf2.c and fips180.c call, for iteration-cost.c's freestanding
 * qemu-riscv32 program (no C library there). In a file of their own so the bench's entry point and
 * the library it stands in for are not one unit.
 */
#include <stddef.h>
#include <stdint.h>

/* The C library pieces the native calls. memcpy copies words when it can, as a C library's does. */
void *memcpy(void *to, const void *from, size_t n)
{
	if ((((uintptr_t)to | (uintptr_t)from | n) & 3) == 0) {
		uint32_t *d = to;
		const uint32_t *s = from;
		for (n >>= 2; n; n--) *d++ = *s++;
		return to;
	}
	uint8_t *d = to;
	const uint8_t *s = from;
	while (n--) *d++ = *s++;
	return to;
}

void *memset(void *to, int value, size_t n)
{
	uint8_t *d = to;
	while (n--) *d++ = (uint8_t)value;
	return to;
}

static uint64_t heap[64];
void *calloc(size_t count, size_t size)
{
	if (count * size > sizeof(heap)) return NULL;
	memset(heap, 0, count * size);
	return heap;
}

void free(void *data)
{
	(void)data;
}

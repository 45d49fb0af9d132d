/*
 * The work of one PBKDF2 iteration of kcl-pbkdf2.c on a RISC-V core like the ESP32-C3's
 * (rv32imc), for iteration-cost.mjs: a freestanding Linux program for qemu-riscv32 (no C library:
 * _start, exit by ecall) that derives PBKDF2("password", "saltsaltsaltsalt", ITERATIONS) through
 * the native's own entry points and exits with the first byte of the key, so the script can check
 * the result against node:crypto before it counts anything.
 */
#include "xsmc.h"

void xs_pbkdf2(xsMachine *the);
void xs_pbkdf2_step(xsMachine *the);
void xs_pbkdf2_result(xsMachine *the);

static void sysExit(int code)
{
	register long a0 __asm__("a0") = code;
	register long a7 __asm__("a7") = 93; /* Linux exit */
	__asm__ volatile("ecall" : : "r"(a0), "r"(a7));
	for (;;) {}
}

void benchFail(void)
{
	sysExit(255);
}

static int run(void)
{
	static const uint8_t password[8] = "password";
	static const uint8_t salt[16] = "saltsaltsaltsalt";
	xsMachine machine = {0}, *the = &machine;
	the->args[0].data = password;
	the->args[0].length = sizeof(password);
	the->args[1].data = salt;
	the->args[1].length = sizeof(salt);
	the->args[2].integer = ITERATIONS;
	xs_pbkdf2(the);
	the->args[0].integer = ITERATIONS;
	xs_pbkdf2_step(the);
	xs_pbkdf2_result(the);
	return the->out[0];
}

void _start(void)
{
	__asm__ volatile(".option push\n.option norelax\nla gp, __global_pointer$\n.option pop");
	sysExit(run());
}

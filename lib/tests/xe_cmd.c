// SPDX-License-Identifier: MIT
/*
 * Blitter command encoders against the documented bit layouts. Every
 * expected dword below was worked out by hand from the field table
 * (docs/xe.md, "Command encodings"), not produced by the encoder.
 */
#include <stdint.h>
#include <string.h>

#include "hu_check.h"
#include "xe/xe_cmd.h"
#include "xe/xe_spin.h"

static int same(const uint32_t *got, const uint32_t *want, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (got[i] != want[i]) {
			printf("# dword %u: got 0x%08x, want 0x%08x\n", i,
			       got[i], want[i]);
			return 0;
		}
	}
	return 1;
}

#define check_dw(got, n, want, ...) do {				\
	static const uint32_t __want[] = want;				\
	check_eq((n), sizeof(__want) / 4, __VA_ARGS__);			\
	check(same((got), __want, sizeof(__want) / 4), __VA_ARGS__);		\
} while (0)
#define A(...) { __VA_ARGS__ }

static void mi(void)
{
	uint32_t cs[8];
	unsigned int n;

	memset(cs, 0xaa, sizeof(cs));
	n = hu_xe_emit_bb_end(cs);
	check_dw(cs, n, A(0x05000000), "MI_BATCH_BUFFER_END");
	n = hu_xe_emit_noop(cs);
	check_dw(cs, n, A(0x00000000), "MI_NOOP");
	n = hu_xe_emit_arb_check(cs);
	check_dw(cs, n, A(0x02800000), "MI_ARB_CHECK: opcode 0x05");

	n = hu_xe_emit_store_dw(cs, 0x123456780ull, 0xdeadbeef);
	check_dw(cs, n, A(0x10000002, 0x23456780, 0x00000001, 0xdeadbeef),
		 "MI_STORE_DWORD_IMM: opcode 0x20, length 2, addr lo/hi, value");
	check_eq(hu_xe_emit_store_dw(cs, 0x1002, 1), 0,
		 "MI_STORE_DWORD_IMM refuses an unaligned address");

	n = hu_xe_emit_cond_bb_end(cs, 0xabcd0808ull, 0);
	check_dw(cs, n, A(0x1b200002, 0x00000000, 0xabcd0808, 0x00000000),
		 "MI_CONDITIONAL_BATCH_BUFFER_END: opcode 0x36, compare bit 21");

	n = hu_xe_emit_bb_start(cs, 0x100000040ull);
	check_dw(cs, n, A(0x18800101, 0x00000040, 0x00000001),
		 "MI_BATCH_BUFFER_START: opcode 0x31, PPGTT bit 8, length 1");
}

static void fast_copy(void)
{
	struct hu_xe_copy c = {
		.src = 0x100000, .dst = 0x1200000, .size = 1 << 20,
		.src_mem = HU_XE_COPY_MEM_LOCAL,
		.dst_mem = HU_XE_COPY_MEM_SYSTEM,
	};
	uint32_t cs[16];
	unsigned int n;

	/*
	 * 1 MiB linear at 32 bpp: pitch 4096 (0x1000), 1024 px (0x400) wide,
	 * 256 (0x100) rows. dw1 = pitch | depth 3 << 24 | dst system 1 << 28.
	 */
	n = hu_xe_emit_fast_copy(cs, &c);
	check_dw(cs, n, A(0x50800008, 0x13001000, 0x00000000, 0x01000400,
			  0x01200000, 0x00000000, 0x00000000, 0x00001000,
			  0x00100000, 0x00000000),
		 "XY_FAST_COPY_BLT 1 MiB VRAM -> system, pre-Xe2");

	c.src_mem = HU_XE_COPY_MEM_SYSTEM;
	c.dst_mem = HU_XE_COPY_MEM_LOCAL;
	n = hu_xe_emit_fast_copy(cs, &c);
	check_eq(cs[1], 0x23001000, "pre-Xe2: src system is bit 29");

	/* One row of 256 bytes: pitch 0x100, 64 px. */
	c = (struct hu_xe_copy) { .src = 0x40, .dst = 0x1000000040ull,
				  .size = 256 };
	n = hu_xe_emit_fast_copy(cs, &c);
	check_dw(cs, n, A(0x50800008, 0x03000100, 0x00000000, 0x00010040,
			  0x00000040, 0x00000010, 0x00000000, 0x00000100,
			  0x00000040, 0x00000000),
		 "XY_FAST_COPY_BLT one 256-byte row, 40-bit dst");

	c.size = 4098;
	check_eq(hu_xe_emit_fast_copy(cs, &c), 0,
		 "fast copy refuses a size that is not whole dwords");
	c.size = 8192 + 1024;
	check_eq(hu_xe_emit_fast_copy(cs, &c), 0,
		 "fast copy refuses > 4 KiB that is not whole rows");
	c.size = 4096;
	c.src = 0x20;
	check_eq(hu_xe_emit_fast_copy(cs, &c), 0,
		 "fast copy refuses an address not 64-byte aligned");
	/* The edge: rows are signed 16-bit (the kernel asserts <= S16_MAX). */
	c = (struct hu_xe_copy) { .size = 32767ull * 4096 };
	n = hu_xe_emit_fast_copy(cs, &c);
	check(n == 10 && cs[3] == 0x7fff0400,
	      "fast copy of 32767 rows: y2 0x7fff, still positive");
	c.size = 32768ull * 4096;
	check_eq(hu_xe_emit_fast_copy(cs, &c), 0,
		 "fast copy refuses 32768 rows (y2 would be negative)");
}

static void mem_copy(void)
{
	struct hu_xe_copy c = { .src = 0x100000000ull, .dst = 0x2000,
				.size = 4096 };
	uint32_t cs[16];
	unsigned int n;

	/* Byte mode, linear: width - 1 = 0xfff, height - 1 = 0. */
	n = hu_xe_emit_mem_copy(cs, &c);
	check_dw(cs, n, A(0x56800008, 0x00000fff, 0x00000000, 0x00000fff,
			  0x00000fff, 0x00000000, 0x00000001, 0x00002000,
			  0x00000000, 0x00000000),
		 "MEM_COPY 4 KiB: opcode 0x5a, byte mode, linear");
	c.size = 1 << 18;
	n = hu_xe_emit_mem_copy(cs, &c);
	check(n == 10 && cs[1] == 0x3ffff, "MEM_COPY 256 KiB: width - 1 is "
	      "the 18-bit maximum");
	c.size = (1 << 18) + 1;
	check_eq(hu_xe_emit_mem_copy(cs, &c), 0,
		 "MEM_COPY refuses more than 256 KiB in byte mode");
	c.size = 0;
	check_eq(hu_xe_emit_mem_copy(cs, &c), 0, "MEM_COPY refuses 0 bytes");
}

static void split(void)
{
	struct hu_xe_copy c = { .src = 0x1000000, .dst = 0x4000000,
				.size = 600 * 1024 };
	uint32_t cs[64];
	size_t n;

	/* 600 KiB = 256 + 256 + 88 KiB: three commands. */
	n = hu_xe_emit_copy(cs, 64, HU_XE_COPY_MEM_COPY, &c);
	check_eq(n, 30, "600 KiB MEM_COPY is three commands");
	check(cs[0] == 0x56800008 && cs[10] == 0x56800008 &&
	      cs[20] == 0x56800008, "each piece starts with MEM_COPY");
	check(cs[15] == 0x01040000 && cs[17] == 0x04040000,
	      "second piece starts 256 KiB in, src and dst");
	check_eq(cs[21], 88 * 1024 - 1, "last piece is 88 KiB");
	check_eq(hu_xe_copy_dwords(HU_XE_COPY_MEM_COPY, c.size), 30,
		 "hu_xe_copy_dwords agrees");
	check_eq(hu_xe_emit_copy(cs, 29, HU_XE_COPY_MEM_COPY, &c), 0,
		 "a copy that does not fit writes nothing");

	/* 128 MiB + 8 KiB: 32767 rows, then the 3 rows left. */
	c.size = (128ull << 20) + 8192;
	n = hu_xe_emit_copy(cs, 64, HU_XE_COPY_FAST_COPY, &c);
	check_eq(n, 20, "128 MiB + 8 KiB fast copy is two commands");
	check_eq(cs[3], 0x7fff0400, "first: 32767 rows of 1024 px");
	check_eq(cs[13], 0x00030400, "second: 3 rows");
	check_eq(cs[14], 0x4000000 + 32767u * 4096, "second dst advanced");
	c.size = 32767ull * 4096;
	check_eq(hu_xe_emit_copy(cs, 64, HU_XE_COPY_FAST_COPY, &c), 10,
		 "exactly 32767 rows: one command");
	c.size += 4096;
	check_eq(hu_xe_emit_copy(cs, 64, HU_XE_COPY_FAST_COPY, &c), 20,
		 "32768 rows: two commands (32767 + 1)");
	check_eq(cs[13], 0x00010400, "... the second of one row");
	check_eq(hu_xe_copy_dwords(HU_XE_COPY_FAST_COPY, (128ull << 20) + 102),
		 0, "a fast copy whose tail is not encodable is refused");
}

static void spin(void)
{
	const uint64_t bo = 0x10000000;
	struct hu_xe_copy c = { .src = 0x20000000, .dst = 0x30000000,
				.size = 64 * 1024 };
	uint32_t cs[HU_XE_SPIN_BATCH_MAX];
	size_t n;

	n = hu_xe_spin_emit(cs, HU_XE_SPIN_BATCH_MAX, bo,
			    HU_XE_COPY_MEM_COPY, &c);
	/* store(4) arb(1) copy(10) cond(4) jump(3) end(1) */
	check_eq(n, 23, "copy spinner is 23 dwords");
	check(cs[0] == 0x10000002 && cs[1] == 0x10000800 &&
	      cs[3] == HU_XE_SPIN_STARTED, "spinner first marks itself "
	      "started at +0x800");
	check_eq(cs[4], 0x02800000, "loop starts with MI_ARB_CHECK");
	check(cs[5] == 0x56800008 && cs[10] == 0x20000000 &&
	      cs[12] == 0x30000000, "then copies src -> dst");
	check(cs[15] == 0x1b200002 && cs[16] == 0 && cs[17] == 0x10000808,
	      "then ends if the dword at +0x808 <= 0");
	check(cs[19] == 0x18800101 && cs[20] == bo + 16 && cs[21] == 0,
	      "then jumps back to the MI_ARB_CHECK (+16)");
	check_eq(cs[22], 0x05000000, "and ends with MI_BATCH_BUFFER_END");

	n = hu_xe_spin_emit(cs, HU_XE_SPIN_BATCH_MAX, bo,
			    HU_XE_COPY_FAST_COPY, NULL);
	check(n == 13 && cs[5] == 0x1b200002,
	      "a spinner without copy goes straight to the conditional end");
	c.size = (1 << 20) * 20;	/* 80 MEM_COPYs do not fit */
	check_eq(hu_xe_spin_emit(cs, HU_XE_SPIN_BATCH_MAX, bo,
				 HU_XE_COPY_MEM_COPY, &c), 0,
		 "a spinner whose copy does not fit is refused");
}

int main(void)
{
	mi();
	fast_copy();
	mem_copy();
	split();
	spin();
	return check_done();
}

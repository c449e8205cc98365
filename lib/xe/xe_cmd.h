/* SPDX-License-Identifier: MIT */
/*
 * xe_cmd: encoders for the few blitter (BCS) commands the suite submits.
 *
 * Every encoder writes into @cs and returns the number of dwords written,
 * or 0 when the arguments cannot be encoded (never a partial command).
 * Encodings are the documented bit layouts (MI_INSTR(op, len) =
 * op << 23 | len; blitter commands client 2 << 29, opcode << 22); see
 * docs/xe.md, "Command encodings".
 */
#ifndef HU_XE_CMD_H
#define HU_XE_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HU_XE_MI_NOOP			0x00000000u
#define HU_XE_MI_ARB_CHECK		(0x05u << 23)
#define HU_XE_MI_BATCH_BUFFER_END	(0x0au << 23)
#define HU_XE_MI_STORE_DWORD_IMM	((0x20u << 23) | 2)
#define HU_XE_MI_COND_BB_END		((0x36u << 23) | (1u << 21) | 2)
#define HU_XE_MI_BATCH_BUFFER_START	((0x31u << 23) | (1u << 8) | 1)

#define HU_XE_BLT_CLIENT		(2u << 29)
#define HU_XE_XY_FAST_COPY_BLT		(HU_XE_BLT_CLIENT | (0x42u << 22) | 8)
#define HU_XE_MEM_COPY			(HU_XE_BLT_CLIENT | (0x5au << 22) | 8)

/* Dwords of one command. */
#define HU_XE_FAST_COPY_DW		10
#define HU_XE_MEM_COPY_DW		10

/* Largest piece one MEM_COPY moves in byte mode (18-bit width - 1). */
#define HU_XE_MEM_COPY_MAX		(1u << 18)
/*
 * Fast copy of a linear buffer: rows of 4 KiB, at most this many a
 * command. The y coordinates are signed 16-bit: the kernel's own fast copy
 * asserts rows <= S16_MAX (xe_migrate.c:673 in 6.12.117, :754 in 7.3.4).
 */
#define HU_XE_FAST_COPY_PITCH		4096u
#define HU_XE_FAST_COPY_MAX_ROWS	32767u

/* Which copy command a platform gets (hu_xe_copy_cmd() in xe_query.h). */
enum hu_xe_copy_cmd {
	HU_XE_COPY_FAST_COPY,	/* XY_FAST_COPY_BLT, pre-Xe2 layout */
	HU_XE_COPY_MEM_COPY,	/* MEM_COPY (PVC, Xe2, Xe3) */
};

/* Where a surface lives, for the pre-Xe2 fast-copy memory-type hint. */
enum hu_xe_copy_mem {
	HU_XE_COPY_MEM_LOCAL = 0,	/* VRAM */
	HU_XE_COPY_MEM_SYSTEM = 1,
};

struct hu_xe_copy {
	uint64_t src, dst;	/* GPU virtual addresses */
	uint64_t size;		/* bytes */
	enum hu_xe_copy_mem src_mem, dst_mem;
};

unsigned int hu_xe_emit_noop(uint32_t *cs);
unsigned int hu_xe_emit_arb_check(uint32_t *cs);
unsigned int hu_xe_emit_bb_end(uint32_t *cs);
unsigned int hu_xe_emit_store_dw(uint32_t *cs, uint64_t addr, uint32_t val);
/* Ends the batch when the dword at @addr is <= @compare. */
unsigned int hu_xe_emit_cond_bb_end(uint32_t *cs, uint64_t addr,
				    uint32_t compare);
/* Jumps (PPGTT) to @addr. */
unsigned int hu_xe_emit_bb_start(uint32_t *cs, uint64_t addr);

/*
 * One XY_FAST_COPY_BLT (pre-Xe2 layout, the only platforms that get it)
 * of a linear buffer: @size must be a multiple of 4 and either <= 4 KiB
 * (one row) or a multiple of 4 KiB with at most HU_XE_FAST_COPY_MAX_ROWS
 * rows; addresses 64-byte aligned.
 */
unsigned int hu_xe_emit_fast_copy(uint32_t *cs, const struct hu_xe_copy *c);
/* One MEM_COPY in byte mode: 1 <= @size <= HU_XE_MEM_COPY_MAX. */
unsigned int hu_xe_emit_mem_copy(uint32_t *cs, const struct hu_xe_copy *c);

/* Dwords hu_xe_emit_copy() needs for @size with @cmd; 0 if impossible. */
size_t hu_xe_copy_dwords(enum hu_xe_copy_cmd cmd, uint64_t size);
/*
 * A copy of any encodable size, split into as many commands as needed.
 * Writes at most @max dwords; returns the count, 0 if it does not fit or
 * cannot be encoded.
 */
size_t hu_xe_emit_copy(uint32_t *cs, size_t max, enum hu_xe_copy_cmd cmd,
		       const struct hu_xe_copy *c);

const char *hu_xe_copy_cmd_name(enum hu_xe_copy_cmd cmd);

#endif /* HU_XE_CMD_H */

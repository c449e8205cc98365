// SPDX-License-Identifier: MIT
/*
 * Blitter command encoders. Pure functions: unit-tested against the
 * documented field layouts in lib/tests/xe_cmd_test.c.
 */
#include "xe/xe_cmd.h"

static inline uint32_t lo32(uint64_t v)
{
	return (uint32_t)v;
}

static inline uint32_t hi32(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

unsigned int hu_xe_emit_noop(uint32_t *cs)
{
	cs[0] = HU_XE_MI_NOOP;
	return 1;
}

unsigned int hu_xe_emit_arb_check(uint32_t *cs)
{
	cs[0] = HU_XE_MI_ARB_CHECK;
	return 1;
}

unsigned int hu_xe_emit_bb_end(uint32_t *cs)
{
	cs[0] = HU_XE_MI_BATCH_BUFFER_END;
	return 1;
}

unsigned int hu_xe_emit_store_dw(uint32_t *cs, uint64_t addr, uint32_t val)
{
	if (addr & 3)
		return 0;
	cs[0] = HU_XE_MI_STORE_DWORD_IMM;
	cs[1] = lo32(addr);
	cs[2] = hi32(addr);
	cs[3] = val;
	return 4;
}

unsigned int hu_xe_emit_cond_bb_end(uint32_t *cs, uint64_t addr,
				    uint32_t compare)
{
	if (addr & 3)
		return 0;
	cs[0] = HU_XE_MI_COND_BB_END;
	cs[1] = compare;
	cs[2] = lo32(addr);
	cs[3] = hi32(addr);
	return 4;
}

unsigned int hu_xe_emit_bb_start(uint32_t *cs, uint64_t addr)
{
	if (addr & 3)
		return 0;
	cs[0] = HU_XE_MI_BATCH_BUFFER_START;
	cs[1] = lo32(addr);
	cs[2] = hi32(addr);
	return 3;
}

/* Rows and pitch of a linear fast copy, or false if not encodable. */
static bool fast_copy_shape(uint64_t size, uint32_t *pitch, uint32_t *rows)
{
	if (!size || (size & 3))
		return false;
	if (size <= HU_XE_FAST_COPY_PITCH) {
		*pitch = (uint32_t)size;
		*rows = 1;
		return true;
	}
	if (size % HU_XE_FAST_COPY_PITCH)
		return false;
	if (size / HU_XE_FAST_COPY_PITCH > HU_XE_FAST_COPY_MAX_ROWS)
		return false;
	*pitch = HU_XE_FAST_COPY_PITCH;
	*rows = (uint32_t)(size / HU_XE_FAST_COPY_PITCH);
	return true;
}

unsigned int hu_xe_emit_fast_copy(uint32_t *cs, const struct hu_xe_copy *c)
{
	const uint32_t bpp32 = 3u << 24;
	uint32_t pitch, rows, width, dw1, dw7;

	if (!fast_copy_shape(c->size, &pitch, &rows))
		return 0;
	if ((c->src & 63) || (c->dst & 63))
		return 0;
	width = pitch / 4;	/* 32 bpp pixels */

	/* Pre-Xe2 memory-type hints: bit 28 dst, bit 29 src (1 = system). */
	dw1 = pitch | bpp32;
	dw1 |= (uint32_t)c->dst_mem << 28 | (uint32_t)c->src_mem << 29;
	dw7 = pitch;

	cs[0] = HU_XE_XY_FAST_COPY_BLT;	/* linear src and dst: no tiling bits */
	cs[1] = dw1;
	cs[2] = 0;			/* dst y1 << 16 | x1 */
	cs[3] = rows << 16 | width;	/* dst y2 << 16 | x2, exclusive */
	cs[4] = lo32(c->dst);
	cs[5] = hi32(c->dst);
	cs[6] = 0;			/* src y1 << 16 | x1 */
	cs[7] = dw7;
	cs[8] = lo32(c->src);
	cs[9] = hi32(c->src);
	return HU_XE_FAST_COPY_DW;
}

unsigned int hu_xe_emit_mem_copy(uint32_t *cs, const struct hu_xe_copy *c)
{
	uint32_t w;

	if (!c->size || c->size > HU_XE_MEM_COPY_MAX)
		return 0;
	w = (uint32_t)c->size - 1;

	cs[0] = HU_XE_MEM_COPY;		/* byte mode, linear */
	cs[1] = w;			/* width - 1 */
	cs[2] = 0;			/* height - 1 */
	cs[3] = w;			/* src pitch - 1 */
	cs[4] = w;			/* dst pitch - 1 */
	cs[5] = lo32(c->src);
	cs[6] = hi32(c->src);
	cs[7] = lo32(c->dst);
	cs[8] = hi32(c->dst);
	cs[9] = 0;			/* MOCS indexes 0 */
	return HU_XE_MEM_COPY_DW;
}

static uint64_t chunk_of(enum hu_xe_copy_cmd cmd)
{
	if (cmd == HU_XE_COPY_MEM_COPY)
		return HU_XE_MEM_COPY_MAX;
	return (uint64_t)HU_XE_FAST_COPY_PITCH * HU_XE_FAST_COPY_MAX_ROWS;
}

size_t hu_xe_copy_dwords(enum hu_xe_copy_cmd cmd, uint64_t size)
{
	uint64_t chunk = chunk_of(cmd), tail;
	uint32_t pitch, rows;

	if (!size)
		return 0;
	if (cmd != HU_XE_COPY_MEM_COPY) {
		/* Every piece but the last is a full chunk; check the last. */
		tail = size % chunk ? size % chunk : chunk;
		if (!fast_copy_shape(tail, &pitch, &rows))
			return 0;
	}
	return (size_t)((size + chunk - 1) / chunk) * 10;
}

size_t hu_xe_emit_copy(uint32_t *cs, size_t max, enum hu_xe_copy_cmd cmd,
		       const struct hu_xe_copy *c)
{
	size_t need = hu_xe_copy_dwords(cmd, c->size), n = 0;
	uint64_t chunk = chunk_of(cmd), off;

	if (!need || need > max)
		return 0;
	for (off = 0; off < c->size; off += chunk) {
		struct hu_xe_copy piece = *c;
		unsigned int k;

		piece.src += off;
		piece.dst += off;
		piece.size = c->size - off < chunk ? c->size - off : chunk;
		if (cmd == HU_XE_COPY_MEM_COPY)
			k = hu_xe_emit_mem_copy(cs + n, &piece);
		else
			k = hu_xe_emit_fast_copy(cs + n, &piece);
		if (!k)
			return 0;
		n += k;
	}
	return n;
}

const char *hu_xe_copy_cmd_name(enum hu_xe_copy_cmd cmd)
{
	switch (cmd) {
	case HU_XE_COPY_FAST_COPY:
		return "XY_FAST_COPY_BLT";
	case HU_XE_COPY_MEM_COPY:
		return "MEM_COPY";
	}
	return "?";
}

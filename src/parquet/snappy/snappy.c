/*
 * Snappy compression (the raw format Parquet's SNAPPY codec uses), built for WebAssembly by build.sh.
 * The algorithm of Google's reference compressor, as snappyjs ports it: 64 KiB blocks, a hash table of
 * 4-byte sequences, a lookup step that grows after 32 misses (so incompressible bytes are crossed quickly),
 * copies of up to 64 bytes. No libc: memory.copy and memory.fill (bulk memory) do the copying.
 *
 * The caller owns the memory: input at `input` followed by 16 readable bytes, output room for
 * max_compressed_length(n) + 16 bytes at `output` (short literals are copied 16 bytes at a time).
 */
#include <stddef.h>
#include <stdint.h>

#define BLOCK_SIZE 65536
#define MAX_HASH_BITS 14
#define INPUT_MARGIN 15

static uint16_t table[1 << MAX_HASH_BITS];

static inline uint32_t load32(const uint8_t *p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

static inline uint64_t load64(const uint8_t *p) {
  uint64_t v;
  __builtin_memcpy(&v, p, 8);
  return v;
}

static inline void store64(uint8_t *p, uint64_t v) { __builtin_memcpy(p, &v, 8); }

static inline uint32_t hash(const uint8_t *p, uint32_t shift) { return (load32(p) * 0x1e35a7bdu) >> shift; }

/* A literal of len bytes (1 to 65536); fast copies 16 bytes for a short one, which the margins allow. */
static uint8_t *emit_literal(uint8_t *op, const uint8_t *literal, uint32_t len, int fast) {
  uint32_t n = len - 1;
  if (n < 60) {
    *op++ = (uint8_t)(n << 2);
    if (fast && len <= 16) {
      store64(op, load64(literal));
      store64(op + 8, load64(literal + 8));
      return op + len;
    }
  } else if (n < 256) {
    *op++ = 60 << 2;
    *op++ = (uint8_t)n;
  } else {
    *op++ = 61 << 2;
    *op++ = (uint8_t)(n & 0xff);
    *op++ = (uint8_t)(n >> 8);
  }
  __builtin_memcpy(op, literal, len);
  return op + len;
}

/* A copy of 4 to 64 bytes from offset (1 to 65535) back. */
static inline uint8_t *emit_copy_upto64(uint8_t *op, uint32_t offset, uint32_t len) {
  if (len < 12 && offset < 2048) {
    *op++ = (uint8_t)(1 + ((len - 4) << 2) + ((offset >> 8) << 5));
    *op++ = (uint8_t)(offset & 0xff);
  } else {
    *op++ = (uint8_t)(2 + ((len - 1) << 2));
    *op++ = (uint8_t)(offset & 0xff);
    *op++ = (uint8_t)(offset >> 8);
  }
  return op;
}

static uint8_t *emit_copy(uint8_t *op, uint32_t offset, uint32_t len) {
  while (len >= 68) {
    op = emit_copy_upto64(op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = emit_copy_upto64(op, offset, 60);
    len -= 60;
  }
  return emit_copy_upto64(op, offset, len);
}

/* How many bytes from s2 (up to limit) equal those from s1, 8 at a time. */
static inline uint32_t match_length(const uint8_t *s1, const uint8_t *s2, const uint8_t *limit) {
  const uint8_t *start = s2;
  while (s2 + 8 <= limit) {
    uint64_t diff = load64(s1) ^ load64(s2);
    if (diff) return (uint32_t)(s2 - start) + (uint32_t)(__builtin_ctzll(diff) >> 3);
    s1 += 8;
    s2 += 8;
  }
  while (s2 < limit && *s1 == *s2) {
    s1++;
    s2++;
  }
  return (uint32_t)(s2 - start);
}

static uint8_t *compress_block(const uint8_t *input, uint32_t n, uint8_t *op) {
  const uint8_t *ip = input;
  const uint8_t *end = input + n;
  const uint8_t *next_emit = input;
  uint32_t bits = 1;
  while ((1u << bits) <= n && bits <= MAX_HASH_BITS) bits++;
  bits--;
  const uint32_t shift = 32 - bits;
  __builtin_memset(table, 0, sizeof(uint16_t) << bits);

  if (n >= INPUT_MARGIN) {
    const uint8_t *limit = end - INPUT_MARGIN;
    uint32_t next_hash = hash(++ip, shift);
    for (;;) {
      /* Look for a 4-byte match, stepping further after every 32 misses. */
      uint32_t skip = 32;
      const uint8_t *next_ip = ip;
      const uint8_t *candidate;
      do {
        ip = next_ip;
        uint32_t h = next_hash;
        next_ip = ip + (skip++ >> 5);
        if (next_ip > limit) goto remainder;
        next_hash = hash(next_ip, shift);
        candidate = input + table[h];
        table[h] = (uint16_t)(ip - input);
      } while (load32(ip) != load32(candidate));

      op = emit_literal(op, next_emit, (uint32_t)(ip - next_emit), 1);

      /* Copies, for as long as the bytes after one start another match. */
      do {
        const uint8_t *base = ip;
        uint32_t matched = 4 + match_length(candidate + 4, ip + 4, end);
        ip += matched;
        op = emit_copy(op, (uint32_t)(base - candidate), matched);
        next_emit = ip;
        if (ip >= limit) goto remainder;
        table[hash(ip - 1, shift)] = (uint16_t)(ip - 1 - input);
        uint32_t h = hash(ip, shift);
        candidate = input + table[h];
        table[h] = (uint16_t)(ip - input);
      } while (load32(ip) == load32(candidate));

      next_hash = hash(++ip, shift);
    }
  }
remainder:
  if (next_emit < end) op = emit_literal(op, next_emit, (uint32_t)(end - next_emit), 0);
  return op;
}

/* Compresses n bytes at input to output; returns the compressed length. */
__attribute__((export_name("compress"))) uint32_t compress(const uint8_t *input, uint32_t n, uint8_t *output) {
  uint8_t *op = output;
  uint32_t v = n;
  while (v >= 0x80) {
    *op++ = (uint8_t)((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *op++ = (uint8_t)v;
  for (uint32_t at = 0; at < n; at += BLOCK_SIZE) op = compress_block(input + at, n - at < BLOCK_SIZE ? n - at : BLOCK_SIZE, op);
  return (uint32_t)(op - output);
}

package dev.quiver.store.interchange;

import org.apache.arrow.memory.ArrowBuf;

/** Converts between Quiver's bools (one byte each, 0 or not) and Arrow's (one bit each, LSB first). */
final class BitPacking {
  private BitPacking() {}

  /** Packs {@code count} bytes of {@code bytes} from element {@code first} into the zeroed {@code bits}. */
  static void pack(ArrowBuf bytes, long first, long count, ArrowBuf bits) {
    long full = count / 8;
    for (long b = 0; b < full; b++) {
      long word = bytes.getLong(first + b * 8); // little-endian: byte k is element 8b + k
      int packed = 0;
      for (int k = 0; k < 8; k++) {
        if (((word >>> (8 * k)) & 0xFF) != 0) {
          packed |= 1 << k;
        }
      }
      bits.setByte(b, packed);
    }
    int packed = 0;
    for (long i = full * 8; i < count; i++) {
      if (bytes.getByte(first + i) != 0) {
        packed |= 1 << (i & 7);
      }
    }
    if (count % 8 != 0) {
      bits.setByte(full, packed);
    }
  }

  /** Unpacks {@code count} bits of {@code bits} into bytes 0/1 of {@code bytes} from {@code offset}. */
  static void unpack(ArrowBuf bits, long count, ArrowBuf bytes, long offset) {
    for (long i = 0; i < count; i++) {
      int bit = (bits.getByte(i >>> 3) >>> (i & 7)) & 1;
      bytes.setByte(offset + i, bit);
    }
  }
}

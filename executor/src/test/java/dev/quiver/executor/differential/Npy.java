package dev.quiver.executor.differential;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.store.DType;
import dev.quiver.store.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes tensors for the Python side: fixed-width dtypes as numpy {@code .npy} (format 1.0, little-endian,
 * C order), strings as JSON {@code {"shape": [...], "values": [...]}}.
 */
final class Npy {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Npy() {}

  /** Writes {@code t} to {@code dir/base.npy} (or {@code .json} for strings) and returns the file name. */
  static String write(Tensor t, Path dir, String base) throws IOException {
    if (t.dtype() == DType.STRING) {
      String name = base + ".json";
      JSON.writeValue(dir.resolve(name).toFile(), Map.of("shape", t.shape().dims(), "values", t.toStringArray()));
      return name;
    }
    String name = base + ".npy";
    StringBuilder shape = new StringBuilder("(");
    for (long d : t.shape().dims()) {
      shape.append(d).append(", ");
    }
    if (t.rank() > 1) {
      shape.setLength(shape.length() - 2);
    } else if (t.rank() == 1) {
      shape.setLength(shape.length() - 1);
    }
    shape.append(')');
    String header = "{'descr': '" + descr(t.dtype()) + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int total = 10 + header.length() + 1;
    int pad = (64 - total % 64) % 64;
    header = header + " ".repeat(pad) + "\n";
    try (OutputStream out = Files.newOutputStream(dir.resolve(name))) {
      out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
      int len = header.length();
      out.write(new byte[] {(byte) (len & 0xFF), (byte) (len >> 8)});
      out.write(header.getBytes(StandardCharsets.US_ASCII));
      ByteBuffer bytes = t.asByteBuffer();
      byte[] chunk = new byte[1 << 16];
      while (bytes.hasRemaining()) {
        int n = Math.min(chunk.length, bytes.remaining());
        bytes.get(chunk, 0, n);
        out.write(chunk, 0, n);
      }
    }
    return name;
  }

  private static String descr(DType t) {
    switch (t) {
      case FLOAT32: return "<f4";
      case FLOAT64: return "<f8";
      case INT8: return "|i1";
      case INT16: return "<i2";
      case INT32: return "<i4";
      case INT64: return "<i8";
      case UINT8: return "|u1";
      case BOOL: return "|b1";
      default: throw new IllegalArgumentException("no npy dtype for " + t);
    }
  }
}

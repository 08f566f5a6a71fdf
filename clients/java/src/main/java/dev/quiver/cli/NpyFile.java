package dev.quiver.cli;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Reads and writes numpy's {@code .npy} format (versions 1.0 to 3.0): a header naming dtype, order and
 * shape, then the elements in C order. Fixed-width elements move between the file and Arrow memory
 * through the file channel, without a heap copy. String tensors are written as numpy's fixed-width
 * {@code <U} (UTF-32) and read back from it. Big-endian data, Fortran order and object arrays are refused
 * with an error that says so.
 */
final class NpyFile {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
  private static final int CHUNK = 1 << 26;

  private NpyFile() {}

  /** Reads {@code file} into a new tensor from {@code allocator}. */
  static Tensor read(BufferAllocator allocator, Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, pre, file);
      pre.flip();
      byte[] magic = new byte[6];
      pre.get(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new InvalidArgumentException("'" + file + "' is not a .npy file (no \\x93NUMPY magic)");
      }
      int major = pre.get() & 0xff;
      pre.get(); // minor
      long headerLen;
      if (major == 1) {
        headerLen = pre.getShort() & 0xffff;
      } else if (major == 2 || major == 3) {
        ByteBuffer more = ByteBuffer.allocate(2);
        readFully(ch, more, file);
        more.flip();
        headerLen = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
            .put(pre.get()).put(pre.get()).put(more.get()).put(more.get()).flip().getInt() & 0xffffffffL;
      } else {
        throw new InvalidArgumentException("'" + file + "' is .npy version " + major + ", which this reader does not know");
      }
      if (headerLen > 1 << 20) {
        throw new InvalidArgumentException("'" + file + "' declares a .npy header of " + headerLen + " bytes");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
      readFully(ch, hb, file);
      String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
      return readBody(allocator, ch, file, header);
    }
  }

  private static Tensor readBody(BufferAllocator allocator, FileChannel ch, Path file, String header) throws IOException {
    String descr = group(DESCR, header, "descr", file);
    if (group(FORTRAN, header, "fortran_order", file).equals("True")) {
      throw new InvalidArgumentException("'" + file + "' is in Fortran order; save it with np.ascontiguousarray first");
    }
    Shape shape = parseShape(group(SHAPE, header, "shape", file), file);
    long remaining = ch.size() - ch.position();
    if (descr.length() > 2 && (descr.charAt(1) == 'U') && (descr.charAt(0) == '<' || descr.charAt(0) == '|')) {
      return readUnicode(allocator, ch, file, shape, Integer.parseInt(descr.substring(2)), remaining);
    }
    DType dtype = dtypeOf(descr, file);
    long bytes = Tensor.byteSizeOf(dtype, shape);
    if (remaining < bytes) {
      throw new InvalidArgumentException("'" + file + "' is truncated: shape " + shape + " of " + dtype + " needs "
          + bytes + " bytes but " + remaining + " follow the header");
    }
    Tensor t = Tensor.allocate(allocator, dtype, shape);
    try {
      ArrowBuf buf = t.dataBuffer();
      for (long off = 0; off < bytes; off += CHUNK) {
        int len = (int) Math.min(CHUNK, bytes - off);
        readFully(ch, buf.nioBuffer(off, len), file);
      }
      return t;
    } catch (IOException | RuntimeException e) {
      t.close();
      throw e;
    }
  }

  private static Tensor readUnicode(BufferAllocator allocator, FileChannel ch, Path file, Shape shape, int width,
      long remaining) throws IOException {
    long n = shape.numElements();
    long bytes = Math.multiplyExact(n, 4L * width);
    if (remaining < bytes || bytes > Integer.MAX_VALUE) {
      throw new InvalidArgumentException("'" + file + "' holds " + remaining + " bytes of strings where " + bytes
          + " are needed (at most 2 GiB)");
    }
    ByteBuffer all = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, all, file);
    all.flip();
    String[] values = new String[(int) n];
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      for (int j = 0; j < width; j++) {
        int cp = all.getInt();
        if (cp != 0) {
          sb.appendCodePoint(cp);
        }
      }
      values[i] = sb.toString().replaceAll("\u0000+$", "");
    }
    return Tensor.of(allocator, values, shape);
  }

  /** Writes {@code tensor} to {@code file} in .npy format 1.0 (2.0 if the header needs it). */
  static void write(Tensor tensor, Path file) throws IOException {
    String descr;
    int unicodeWidth = 0;
    if (tensor.dtype() == DType.STRING) {
      String[] values = tensor.toStringArray();
      for (String v : values) {
        unicodeWidth = Math.max(unicodeWidth, v.codePointCount(0, v.length()));
      }
      unicodeWidth = Math.max(unicodeWidth, 1);
      descr = "<U" + unicodeWidth;
    } else {
      descr = descrOf(tensor.dtype());
    }
    byte[] header = header(descr, tensor.shape());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      writeFully(ch, ByteBuffer.wrap(header));
      if (tensor.dtype() == DType.STRING) {
        writeUnicode(ch, tensor.toStringArray(), unicodeWidth);
        return;
      }
      ArrowBuf buf = tensor.dataBuffer();
      long bytes = buf.capacity();
      for (long off = 0; off < bytes; off += CHUNK) {
        int len = (int) Math.min(CHUNK, bytes - off);
        writeFully(ch, buf.nioBuffer(off, len));
      }
    }
  }

  private static void writeUnicode(FileChannel ch, String[] values, int width) throws IOException {
    ByteBuffer row = ByteBuffer.allocate(4 * width).order(ByteOrder.LITTLE_ENDIAN);
    for (String v : values) {
      row.clear();
      v.codePoints().forEach(row::putInt);
      while (row.hasRemaining()) {
        row.putInt(0);
      }
      row.flip();
      writeFully(ch, row);
    }
  }

  private static byte[] header(String descr, Shape shape) {
    StringBuilder dims = new StringBuilder();
    for (int i = 0; i < shape.rank(); i++) {
      dims.append(shape.dim(i)).append(shape.rank() == 1 ? "," : (i + 1 < shape.rank() ? ", " : ""));
    }
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    // The whole preamble is padded with spaces to a multiple of 64 bytes and ends in a newline.
    int v1 = 10 + dict.length() + 1;
    boolean v2 = v1 + 63 > 0xffff;
    int pre = v2 ? 12 : 10;
    int total = ((pre + dict.length() + 1 + 63) / 64) * 64;
    int headerLen = total - pre;
    ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) (v2 ? 2 : 1)).put((byte) 0);
    if (v2) {
      out.putInt(headerLen);
    } else {
      out.putShort((short) headerLen);
    }
    out.put(dict.getBytes(StandardCharsets.ISO_8859_1));
    while (out.position() < total - 1) {
      out.put((byte) ' ');
    }
    out.put((byte) '\n');
    return out.array();
  }

  private static DType dtypeOf(String descr, Path file) {
    char order = descr.isEmpty() ? '?' : descr.charAt(0);
    String code = descr.length() > 1 ? descr.substring(1) : descr;
    if (order == '>' && !code.endsWith("1")) {
      throw new InvalidArgumentException("'" + file + "' is big-endian (" + descr + "); save it with "
          + "arr.astype(arr.dtype.newbyteorder('<'))");
    }
    switch (code) {
      case "f4": return DType.FLOAT32;
      case "f8": return DType.FLOAT64;
      case "i1": return DType.INT8;
      case "i2": return DType.INT16;
      case "i4": return DType.INT32;
      case "i8": return DType.INT64;
      case "u1": return DType.UINT8;
      case "b1": return DType.BOOL;
      default:
        throw new InvalidArgumentException("'" + file + "' has numpy dtype '" + descr + "', which Quiver does not hold; "
            + "supported: float32, float64, int8, int16, int32, int64, uint8, bool, str");
    }
  }

  private static String descrOf(DType dtype) {
    switch (dtype) {
      case FLOAT32: return "<f4";
      case FLOAT64: return "<f8";
      case INT8: return "|i1";
      case INT16: return "<i2";
      case INT32: return "<i4";
      case INT64: return "<i8";
      case UINT8: return "|u1";
      case BOOL: return "|b1";
      default: throw new IllegalArgumentException("no fixed-width numpy dtype for " + dtype);
    }
  }

  private static Shape parseShape(String tuple, Path file) {
    List<Long> dims = new ArrayList<>();
    for (String part : tuple.split(",")) {
      String p = part.trim().replaceAll("L$", "");
      if (!p.isEmpty()) {
        try {
          long d = Long.parseLong(p);
          if (d < 0) {
            throw new NumberFormatException();
          }
          dims.add(d);
        } catch (NumberFormatException e) {
          throw new InvalidArgumentException("'" + file + "' has a malformed shape (" + tuple + ")");
        }
      }
    }
    return Shape.of(dims.stream().mapToLong(Long::longValue).toArray());
  }

  private static String group(Pattern p, String header, String key, Path file) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new InvalidArgumentException("'" + file + "' has a .npy header without '" + key + "': " + header.trim());
    }
    return m.group(1);
  }

  private static void readFully(FileChannel ch, ByteBuffer dst, Path file) throws IOException {
    while (dst.hasRemaining()) {
      if (ch.read(dst) < 0) {
        throw new InvalidArgumentException("'" + file + "' ends early: it is truncated or not a .npy file");
      }
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      ch.write(src);
    }
  }
}

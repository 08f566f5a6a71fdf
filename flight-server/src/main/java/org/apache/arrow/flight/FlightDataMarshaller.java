package org.apache.arrow.flight;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.grpc.Drainable;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.grpc.AddWritableBuffer;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;

/**
 * Flight's gRPC marshaller for {@code FlightData}, except that a received body is copied once, from gRPC's
 * receive buffers straight into an {@link ArrowBuf}, and a sent batch is never copied ({@link #stream}).
 *
 * <p>Why it exists: Arrow Java 19 reads every incoming body through a heap {@code byte[]} of the body's size
 * ({@code GetReadableBuffer.readIntoBuffer}): a 256 MiB upload in one batch allocates (and zeroes) a 256 MiB heap
 * array, then copies it twice. gRPC has already received the message into Netty's direct buffers by the time
 * it is parsed; since the message spans many of them, one copy into a contiguous buffer is the least any
 * receiver can do (Arrow C++ does the same). Everything else is as Flight's own parse: the same fields, the
 * same {@link ArrowMessage} out, so {@link FlightStream} and the producers see no difference.
 *
 * <p>Pinned to Arrow Java 19: it builds {@link ArrowMessage}s through their private constructor, found once
 * when the class loads; {@link #isAvailable()} is false (and servers keep Flight's marshaller) if that
 * constructor is not there. Thread-safe.
 */
public final class FlightDataMarshaller implements MethodDescriptor.Marshaller<ArrowMessage> {
  // FlightData's fields: (field number << 3) | wire type 2 (length-delimited).
  private static final int DESCRIPTOR_TAG = (1 << 3) | 2;
  private static final int HEADER_TAG = (2 << 3) | 2;
  private static final int APP_METADATA_TAG = (3 << 3) | 2;
  private static final int BODY_TAG = (1000 << 3) | 2;
  /** The largest piece read through the heap when gRPC cannot lend its buffers. */
  private static final int CHUNK = 64 * 1024;

  private static final MethodHandle NEW_MESSAGE = findConstructor();
  private static final VarHandle ZERO_COPY = findZeroCopyFlag();
  /** Padding bytes, shared by every frame (never released). */
  private static final ByteBuf ZEROS = Unpooled.unreleasableBuffer(Unpooled.directBuffer(8).writeZero(8));

  private final BufferAllocator allocator;
  private final MethodDescriptor.Marshaller<ArrowMessage> flights;

  /** A marshaller that allocates received bodies from {@code allocator}. */
  public FlightDataMarshaller(BufferAllocator allocator) {
    this.allocator = allocator;
    this.flights = ArrowMessage.createMarshaller(allocator);
  }

  /** True if this Arrow version lets the marshaller build messages (it is pinned to Arrow Java 19). */
  public static boolean isAvailable() {
    return NEW_MESSAGE != null;
  }

  /**
   * Frames a message for gRPC: a record or dictionary batch as one composite of direct buffers (the header
   * and padding, and the batch's own buffers, referenced), which gRPC and Netty write to the socket as they
   * are; anything else as Flight frames it.
   *
   * <p>Why not Flight's framing: it puts the batch's buffers in a composite with a heap header and heap
   * padding, and Netty copies any buffer that is not entirely direct into a direct one before writing it. So
   * every byte of a DoGet was copied once more in the server, on the network thread.
   */
  @Override
  public InputStream stream(ArrowMessage value) {
    ArrowMessage.HeaderType type = value.getMessageType();
    if ((type != ArrowMessage.HeaderType.RECORD_BATCH && type != ArrowMessage.HeaderType.DICTIONARY_BATCH)
        || value.getDescriptor() != null || !zeroCopy(value)) {
      return flights.stream(value);
    }
    List<ArrowBuf> buffers = new ArrayList<>();
    List<ByteBuf> parts = new ArrayList<>();
    parts.add(Unpooled.EMPTY_BUFFER); // the header, once the body's size is known
    long size = 0;
    for (ArrowBuf b : value.getBufs()) {
      long n = b.readableBytes();
      if (n == 0) {
        continue;
      }
      buffers.add(b);
      parts.add(Unpooled.wrappedBuffer(b.nioBuffer()));
      int padding = (int) ((8 - n % 8) % 8); // as Flight: each buffer padded to 8 bytes
      if (padding > 0) {
        parts.add(ZEROS.slice(0, padding));
      }
      size += n + padding;
    }
    parts.set(0, header(value, size));
    return new FrameStream(new Frame(parts, buffers));
  }

  /**
   * The frame behind a stream {@link #stream} returned, or null if Flight framed the message: tests check that it
   * references the batch's own memory.
   */
  static ByteBuf frameOf(InputStream framed) {
    return framed instanceof FrameStream ? ((FrameStream) framed).frame : null;
  }

  /**
   * Whether the sender allowed its buffers to be referenced rather than copied (Flight's {@code putNext} of
   * a root the caller refills does not); {@link RecordBatchPassthrough} always does.
   */
  private static boolean zeroCopy(ArrowMessage value) {
    return ZERO_COPY != null && (boolean) ZERO_COPY.get(value);
  }

  /** FlightData's fields before the body's bytes: data_header, app_metadata, and the body's tag and length. */
  private static ByteBuf header(ArrowMessage value, long bodySize) {
    MessageMetadataResult metadata = value.asSchemaMessage();
    ByteString header = ByteString.copyFrom(metadata.getMessageBuffer().duplicate(), metadata.bytesAfterMessage());
    ArrowBuf app = value.getApplicationMetadata();
    ByteBuffer appBytes = app == null || app.capacity() == 0 ? null : app.nioBuffer();
    int length = CodedOutputStream.computeBytesSize(2, header)
        + (appBytes == null ? 0 : CodedOutputStream.computeByteBufferSize(3, appBytes))
        + CodedOutputStream.computeTagSize(1000) + CodedOutputStream.computeUInt32SizeNoTag((int) bodySize);
    byte[] bytes = new byte[length];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeBytes(2, header);
      if (appBytes != null) {
        out.writeByteBuffer(3, appBytes);
      }
      out.writeTag(1000, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag((int) bodySize);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return PooledByteBufAllocator.DEFAULT.directBuffer(length).writeBytes(bytes);
  }

  /** One framed message: keeps the batch's buffers alive until Netty has written and released it. */
  private static final class Frame extends CompositeByteBuf {
    private final List<ArrowBuf> referenced;

    Frame(List<ByteBuf> parts, List<ArrowBuf> referenced) {
      // No component limit: Netty's write queue appends the next message's buffers to a frame it holds whole,
      // and a composite over its limit consolidates, which copies.
      super(UnpooledByteBufAllocator.DEFAULT, true, Integer.MAX_VALUE, parts);
      this.referenced = referenced;
      referenced.forEach(b -> b.getReferenceManager().retain());
    }

    @Override
    protected void deallocate() {
      super.deallocate();
      referenced.forEach(b -> b.getReferenceManager().release());
    }
  }

  /** What gRPC drains: hands the frame itself to gRPC's write chain (Flight's zero-copy path), never its bytes. */
  private static final class FrameStream extends ByteBufInputStream implements Drainable {
    private final Frame frame;

    FrameStream(Frame frame) {
      super(frame, frame.readableBytes(), true);
      this.frame = frame;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int n = frame.readableBytes();
      AddWritableBuffer.add(frame, target, true);
      return n;
    }
  }

  @Override
  public ArrowMessage parse(InputStream in) {
    Flight.FlightDescriptor descriptor = null;
    MessageMetadataResult header = null;
    ArrowBuf appMetadata = null;
    ArrowBuf body = null;
    try {
      int tag;
      while ((tag = readTag(in)) != 0) {
        switch (tag) {
          case DESCRIPTOR_TAG:
            descriptor = Flight.FlightDescriptor.parseFrom(readBytes(in, readLength(in)));
            break;
          case HEADER_TAG:
            int headerLength = readLength(in);
            header = MessageMetadataResult.create(ByteBuffer.wrap(readBytes(in, headerLength)), headerLength);
            break;
          case APP_METADATA_TAG:
            ArrowBuf m = read(in, readLength(in), "app_metadata");
            if (appMetadata != null) {
              appMetadata.close(); // protobuf: the last occurrence of a field wins
            }
            appMetadata = m;
            break;
          case BODY_TAG:
            ArrowBuf b = read(in, readLength(in), "body");
            if (body != null) {
              body.close();
            }
            body = b;
            break;
          default:
            skipField(in, tag);
        }
      }
      ArrowMessage.HeaderType type = header == null ? null : ArrowMessage.HeaderType.getHeader(header.headerType());
      if (type == ArrowMessage.HeaderType.SCHEMA && body != null && body.capacity() == 0) {
        body.close(); // as Flight: a schema carries no body
        body = null;
      } else if ((type == ArrowMessage.HeaderType.RECORD_BATCH || type == ArrowMessage.HeaderType.DICTIONARY_BATCH)
          && body == null) {
        body = allocator.getEmpty();
      }
      ArrowMessage message = (ArrowMessage) NEW_MESSAGE.invoke(descriptor, header, appMetadata, body);
      appMetadata = null; // the message owns them now
      body = null;
      return message;
    } catch (IOException e) {
      throw new UncheckedIOException("reading a FlightData message failed: " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("building a Flight message failed", e);
    } finally {
      if (appMetadata != null) {
        appMetadata.close();
      }
      if (body != null) {
        body.close();
      }
    }
  }

  /**
   * Reads {@code size} bytes of the field {@code field} into a new buffer: straight from gRPC's direct buffers
   * when it lends them. The caller has checked {@code size} against what the message holds ({@link #readLength}),
   * so a message cannot make the server reserve more than it sent.
   *
   * @throws OutOfMemoryException if the allocator cannot hold the field, naming it and its size
   */
  private ArrowBuf read(InputStream in, int size, String field) throws IOException {
    if (size == 0) {
      return allocator.getEmpty();
    }
    if (remaining(in) < 0) {
      return readGathered(in, size, field);
    }
    ArrowBuf buf = allocate(size, field);
    try {
      if (in instanceof HasByteBuffer && ((HasByteBuffer) in).byteBufferSupported()) {
        copyBuffers(in, (HasByteBuffer) in, buf, size);
      } else {
        copyChunks(in, buf, size);
      }
      buf.writerIndex(size);
      return buf;
    } catch (IOException | RuntimeException e) {
      buf.close();
      throw e;
    }
  }

  /**
   * Reads {@code size} bytes from a stream whose length is unknown (gRPC's are known, unless a message was
   * compressed): the bytes are gathered on the heap as they arrive and copied into a buffer only once they all
   * have, so a length that lies costs no more memory than the bytes actually sent.
   */
  private ArrowBuf readGathered(InputStream in, int size, String field) throws IOException {
    List<byte[]> chunks = new ArrayList<>();
    long at = 0;
    while (at < size) {
      byte[] chunk = in.readNBytes((int) Math.min(CHUNK, size - at));
      if (chunk.length == 0) {
        throw new EOFException("a field declares " + size + " bytes but the message ended after " + at);
      }
      chunks.add(chunk);
      at += chunk.length;
    }
    ArrowBuf buf = allocate(size, field);
    long offset = 0;
    for (byte[] chunk : chunks) {
      buf.setBytes(offset, chunk);
      offset += chunk.length;
    }
    buf.writerIndex(size);
    return buf;
  }

  /** A buffer for a field; Arrow's out-of-memory says only the size, so this one also names the field. */
  private ArrowBuf allocate(int size, String field) {
    try {
      return allocator.buffer(size);
    } catch (OutOfMemoryException e) {
      throw new OutOfMemoryException("no memory to receive a FlightData " + field + " of " + size + " bytes", e);
    }
  }

  /**
   * The bytes left in {@code in}, or -1 if the stream cannot tell. gRPC's message streams are
   * {@link KnownLength}: their {@code available()} is exactly what is left of the message.
   */
  private static long remaining(InputStream in) throws IOException {
    return in instanceof KnownLength || in instanceof ByteArrayInputStream ? in.available() : -1;
  }

  private static void copyBuffers(InputStream in, HasByteBuffer lender, ArrowBuf buf, int size) throws IOException {
    long at = 0;
    while (at < size) {
      ByteBuffer piece = lender.getByteBuffer(); // gRPC's own buffer: we may move its position and limit only
      if (piece == null || !piece.hasRemaining()) {
        throw new EOFException("the message ended " + (size - at) + " bytes before its declared end");
      }
      int n = (int) Math.min(piece.remaining(), size - at);
      piece.limit(piece.position() + n);
      buf.setBytes(at, piece);
      skipFully(in, n);
      at += n;
    }
  }

  private static void copyChunks(InputStream in, ArrowBuf buf, int size) throws IOException {
    byte[] chunk = new byte[Math.min(size, CHUNK)];
    long at = 0;
    while (at < size) {
      int n = in.read(chunk, 0, (int) Math.min(chunk.length, size - at));
      if (n < 0) {
        throw new EOFException("the message ended " + (size - at) + " bytes before its declared end");
      }
      buf.setBytes(at, chunk, 0, n);
      at += n;
    }
  }

  private static void skipFully(InputStream in, long n) throws IOException {
    while (n > 0) {
      long skipped = in.skip(n);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new EOFException("the message ended " + n + " bytes before its declared end");
        }
        skipped = 1;
      }
      n -= skipped;
    }
  }

  private static byte[] readBytes(InputStream in, int size) throws IOException {
    byte[] bytes = in.readNBytes(size);
    if (bytes.length != size) {
      throw new EOFException("the message ended " + (size - bytes.length) + " bytes before its declared end");
    }
    return bytes;
  }

  /** The next field's tag, or 0 at the end of the message. */
  private static int readTag(InputStream in) throws IOException {
    int first = in.read();
    if (first < 0) {
      return 0;
    }
    long tag = readVarint(first, in);
    if (tag <= 0 || tag > Integer.MAX_VALUE) {
      throw new IOException("a FlightData field has the invalid tag " + Long.toUnsignedString(tag));
    }
    return (int) tag;
  }

  /**
   * A field's length, refused if it is negative, over 2 GiB, or more than what is left of the message: gRPC
   * has the whole message in memory before it is parsed, so a declared length past its end can only be a lie.
   */
  private static int readLength(InputStream in) throws IOException {
    int first = in.read();
    if (first < 0) {
      throw new EOFException("the message ended inside a field's length");
    }
    long length = readVarint(first, in);
    if (length < 0 || length > Integer.MAX_VALUE) {
      throw new IOException("a FlightData field declares a length of " + Long.toUnsignedString(length)
          + " bytes, more than a message can hold");
    }
    long left = remaining(in);
    if (left >= 0 && length > left) {
      throw new IOException("a FlightData field declares " + length + " bytes but only " + left
          + " are left in the message");
    }
    return (int) length;
  }

  /** A protobuf varint (at most 10 bytes, 64 bits) whose first byte is {@code first}. */
  private static long readVarint(int first, InputStream in) throws IOException {
    long value = first & 0x7f;
    int shift = 7;
    int b = first;
    while ((b & 0x80) != 0) {
      b = in.read();
      if (b < 0) {
        throw new EOFException("the message ended inside a varint");
      }
      if (shift >= 64) {
        throw new IOException("a varint in a FlightData message is longer than 10 bytes");
      }
      value |= (long) (b & 0x7f) << shift;
      shift += 7;
    }
    return value;
  }

  /** Skips a field this marshaller does not know, as protobuf parsers do. */
  private static void skipField(InputStream in, int tag) throws IOException {
    switch (tag & 7) {
      case 0: // varint
        int b;
        do {
          b = in.read();
          if (b < 0) {
            throw new EOFException("the message ended inside a varint");
          }
        } while ((b & 0x80) != 0);
        break;
      case 1: // 64-bit
        skipFully(in, 8);
        break;
      case 2: // length-delimited
        skipFully(in, readLength(in));
        break;
      case 5: // 32-bit
        skipFully(in, 4);
        break;
      default:
        throw new IOException("a FlightData field has the unsupported wire type " + (tag & 7));
    }
  }

  private static VarHandle findZeroCopyFlag() {
    try {
      return MethodHandles.privateLookupIn(ArrowMessage.class, MethodHandles.lookup())
          .findVarHandle(ArrowMessage.class, "tryZeroCopyWrite", boolean.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // then every message is framed by Flight
    }
  }

  private static MethodHandle findConstructor() {
    try {
      return MethodHandles.privateLookupIn(ArrowMessage.class, MethodHandles.lookup()).findConstructor(
          ArrowMessage.class, MethodType.methodType(void.class, Flight.FlightDescriptor.class,
              MessageMetadataResult.class, ArrowBuf.class, ArrowBuf.class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}

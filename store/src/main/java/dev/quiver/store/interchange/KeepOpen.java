package dev.quiver.store.interchange;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Wrappers that keep the caller's stream open when Arrow closes its reader or writer, and remember whether the
 * underlying source itself failed: then an {@link IOException} is an I/O error, otherwise a format error.
 */
interface KeepOpen {
  /** The first exception the wrapped source threw, or null. */
  IOException failure();

  /** An input stream that Arrow may close without closing the caller's. */
  final class Input extends FilterInputStream implements KeepOpen {
    private IOException failure;

    Input(InputStream in) {
      super(in);
    }

    @Override
    public IOException failure() {
      return failure;
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        throw record(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        throw record(e);
      }
    }

    @Override
    public void close() {}

    private IOException record(IOException e) {
      failure = failure == null ? e : failure;
      return e;
    }
  }

  /** An output stream that Arrow may close without closing the caller's; it flushes instead. */
  final class Output extends OutputStream {
    private final OutputStream out;

    Output(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }

  /** A writable channel that Arrow may close without closing the caller's. */
  final class Channel implements WritableByteChannel {
    private final WritableByteChannel channel;

    Channel(WritableByteChannel channel) {
      this.channel = channel;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return channel.write(src);
    }

    @Override
    public boolean isOpen() {
      return channel.isOpen();
    }

    @Override
    public void close() {}
  }

  /** A seekable channel that remembers its failures; closing it leaves the wrapped channel to its owner. */
  final class Seekable implements SeekableByteChannel, KeepOpen {
    private final SeekableByteChannel channel;
    private IOException failure;

    Seekable(SeekableByteChannel channel) {
      this.channel = channel;
    }

    @Override
    public IOException failure() {
      return failure;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      try {
        return channel.read(dst);
      } catch (IOException e) {
        failure = failure == null ? e : failure;
        throw e;
      }
    }

    @Override
    public int write(ByteBuffer src) {
      throw new UnsupportedOperationException("read-only");
    }

    @Override
    public long position() throws IOException {
      return channel.position();
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
      channel.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public SeekableByteChannel truncate(long size) {
      throw new UnsupportedOperationException("read-only");
    }

    @Override
    public boolean isOpen() {
      return channel.isOpen();
    }

    @Override
    public void close() {}
  }
}

package dev.quiver.cli;

import dev.quiver.errors.QuiverException;
import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorIpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.arrow.memory.BufferAllocator;

/** Reads and writes tensor files by extension: {@code .npy} (numpy) or {@code .arrow} (Arrow IPC file). */
final class TensorFiles {
  private TensorFiles() {}

  /**
   * The tensor {@code file} holds; the caller owns it. An Arrow file that is not a tensor's fails with the
   * reader's error, prefixed with the file's name (a .npy reader's errors name the file already).
   */
  static Tensor read(BufferAllocator allocator, Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString());
    }
    switch (kind(file)) {
      case "npy":
        return NpyFile.read(allocator, file);
      default:
        try {
          return TensorIpc.readFile(allocator, file);
        } catch (QuiverException e) {
          throw QuiverException.of(e.code(), "'" + file + "': " + e.getMessage(), e);
        }
    }
  }

  static void write(Tensor tensor, Path file) throws IOException {
    switch (kind(file)) {
      case "npy":
        NpyFile.write(tensor, file);
        break;
      default:
        TensorIpc.writeFile(tensor, file);
    }
  }

  /** "npy" or "arrow"; any other extension is a usage error. */
  static String kind(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".npy")) {
      return "npy";
    }
    if (name.endsWith(".arrow") || name.endsWith(".feather") || name.endsWith(".ipc")) {
      return "arrow";
    }
    throw new IllegalArgumentException("'" + file + "': the file name must end in .npy (numpy) or .arrow "
        + "(Arrow IPC file)");
  }
}

package dev.quiver.cli;

import dev.quiver.client.QuiverClient;
import dev.quiver.store.Tensor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quiver put FILE}: uploads a .npy or Arrow IPC file and prints the new handle. */
@Command(name = "put", mixinStandardHelpOptions = true, description = "Upload a tensor from a .npy or .arrow (Arrow IPC) file; prints its handle.")
final class PutCommand implements Callable<Integer> {
  @Mixin ServerOptions server;

  @Parameters(paramLabel = "FILE", description = "A numpy .npy file or an Arrow IPC file (.arrow).")
  Path file;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    TensorFiles.kind(file);
    try (BufferAllocator allocator = new RootAllocator();
         QuiverClient client = server.connect(allocator);
         Tensor tensor = TensorFiles.read(allocator, file);
         TransferProgress progress = TransferProgress.start("put", tensor.byteSize())) {
      String handle = client.put(tensor, progress);
      progress.accept(tensor.byteSize());
      spec.commandLine().getOut().println(handle);
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}

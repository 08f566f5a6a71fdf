package dev.quiver.cli;

import dev.quiver.client.QuiverClient;
import dev.quiver.store.Tensor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quiver get HANDLE -o FILE}: downloads a tensor into a .npy or Arrow IPC file. */
@Command(name = "get", mixinStandardHelpOptions = true, description = "Download a tensor into a .npy or .arrow (Arrow IPC) file, by extension.")
final class GetCommand implements Callable<Integer> {
  @Mixin ServerOptions server;

  @Parameters(paramLabel = "HANDLE", description = "The handle to fetch.")
  String handle;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE",
      description = "Where to write: FILE.npy (numpy) or FILE.arrow (Arrow IPC file).")
  Path output;

  @Override
  public Integer call() throws Exception {
    TensorFiles.kind(output);
    try (BufferAllocator allocator = new RootAllocator();
         QuiverClient client = server.connect(allocator)) {
      long size = client.info(handle).byteSize();
      try (TransferProgress progress = TransferProgress.start("get", size);
           Tensor tensor = client.get(handle, progress)) {
        progress.accept(size);
        TensorFiles.write(tensor, output);
      }
    }
    return 0;
  }
}

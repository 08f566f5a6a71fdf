package dev.quiver.cli;

import dev.quiver.client.QuiverClient;
import dev.quiver.client.TensorListing;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quiver ls [PREFIX]}: one line per stored tensor. */
@Command(name = "ls", mixinStandardHelpOptions = true, description = "List stored tensors: handle, dtype, shape, size.")
final class ListCommand implements Callable<Integer> {
  @Mixin ServerOptions server;

  @Parameters(paramLabel = "PREFIX", arity = "0..1", defaultValue = "", description = "Only handles starting with this.")
  String prefix;

  @Option(names = {"-q", "--quiet"}, description = "Print handles only.")
  boolean quiet;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    try (BufferAllocator allocator = new RootAllocator();
         QuiverClient client = server.connect(allocator)) {
      List<TensorListing> all = client.list(prefix);
      PrintWriter out = spec.commandLine().getOut();
      for (TensorListing t : all) {
        out.println(quiet ? t.handle()
            : String.format("%s\t%s\t%s\t%s", t.handle(), t.dtype(), t.shape(), StatsCommand.human(t.byteSize())));
      }
      out.flush();
    }
    return 0;
  }
}

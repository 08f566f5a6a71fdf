package dev.quiver.cli;

import dev.quiver.client.QuiverClient;
import dev.quiver.errors.QuiverException;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quiver rm HANDLE...}: deletes handles; reports each one that fails and goes on. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete stored tensors.")
final class RemoveCommand implements Callable<Integer> {
  @Mixin ServerOptions server;

  @Parameters(paramLabel = "HANDLE", arity = "1..*", description = "Handles to delete.")
  List<String> handles;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    int exit = 0;
    try (BufferAllocator allocator = new RootAllocator();
         QuiverClient client = server.connect(allocator)) {
      for (String h : handles) {
        try {
          client.delete(h);
        } catch (QuiverException e) {
          int code = QuiverCommand.exitCode(e);
          if (code != QuiverCommand.FAILED) {
            throw e; // the server is unreachable or refuses us: the other handles would fail the same way
          }
          spec.commandLine().getErr().println("quiver: " + QuiverCommand.message(e));
          exit = code;
        }
      }
    }
    spec.commandLine().getErr().flush();
    return exit;
  }
}

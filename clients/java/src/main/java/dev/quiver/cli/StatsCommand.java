package dev.quiver.cli;

import dev.quiver.client.QuiverClient;
import dev.quiver.store.StoreStats;
import java.io.PrintWriter;
import java.lang.reflect.RecordComponent;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quiver stats}: the server store's counters, one {@code name: value} per line. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Show the server's store statistics.")
final class StatsCommand implements Callable<Integer> {
  @Mixin ServerOptions server;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
         QuiverClient client = server.connect(allocator)) {
      StoreStats stats = client.stats();
      PrintWriter out = spec.commandLine().getOut();
      for (RecordComponent c : StoreStats.class.getRecordComponents()) {
        Object v = c.getAccessor().invoke(stats);
        String shown = c.getName().startsWith("bytes") && v instanceof Long n ? n + " (" + human(n) + ")" : String.valueOf(v);
        out.println(c.getName() + ": " + shown);
      }
      out.flush();
    }
    return 0;
  }

  /** {@code 1536} as {@code 1.5 KiB}. */
  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }
}

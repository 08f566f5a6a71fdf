package dev.quiver.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The benchmark jar's entry point: JMH's command line, with the JVM flags Quiver needs prepended to every
 * forked JVM. The flags are the root pom's {@code quiver.jvm.flags}, filtered into this jar at build time,
 * so benchmarks, tests and the launcher share one declaration.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions cli = new CommandLineOptions(args);
    if (cli.shouldHelp() || cli.shouldList() || cli.shouldListWithParams() || cli.shouldListProfilers()
        || cli.shouldListResultFormats()) {
      org.openjdk.jmh.Main.main(args);
      return;
    }
    Options options = new OptionsBuilder().parent(cli).jvmArgsPrepend(quiverJvmFlags()).build();
    new Runner(options).run();
  }

  /** The flags from the filtered {@code quiver-jvm.flags} resource. */
  static String[] quiverJvmFlags() throws IOException {
    try (InputStream in = BenchMain.class.getResourceAsStream("/quiver-jvm.flags")) {
      if (in == null) {
        throw new IllegalStateException("quiver-jvm.flags is missing from the benchmark jar; rebuild bench");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      return Arrays.stream(text.split("\\s+")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }
  }
}

package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the Java examples of the Markdown pages true: the ```java blocks of a page, read when the test runs, must
 * each appear verbatim (runs of whitespace aside) in the source of the test that compiles and runs them. A block
 * with blank lines is checked paragraph by paragraph, so a declaration (a record) may live outside the method.
 */
final class DocSnippets {
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  private DocSnippets() {}

  /** A file of the repository, found from the module directory the tests run in. */
  static Path repoFile(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(relative);
      if (Files.exists(candidate) && Files.exists(dir.resolve("README.md"))) {
        return candidate;
      }
    }
    throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
  }

  /** The paragraphs of every ```java block of {@code markdown}, in order. */
  static List<String> javaParagraphs(String markdown) {
    List<String> paragraphs = new ArrayList<>();
    Matcher m = JAVA_BLOCK.matcher(markdown);
    while (m.find()) {
      for (String p : m.group(1).split("\\n\\s*\\n")) {
        if (!p.isBlank()) {
          paragraphs.add(p);
        }
      }
    }
    return paragraphs;
  }

  /** Asserts that every Java paragraph of the page {@code doc} is in the test source {@code testSource}. */
  static void assertEveryJavaBlockIsIn(String doc, String testSource) {
    String page = read(repoFile(doc));
    String source = normalize(read(repoFile(testSource)));
    List<String> paragraphs = javaParagraphs(page);
    assertFalse(paragraphs.isEmpty(), doc + " has no ```java block");
    for (String p : paragraphs) {
      assertTrue(source.contains(normalize(p)), "this Java example of " + doc + " is not in " + testSource
          + ", which compiles and runs them:\n" + p);
    }
  }

  /** What {@code body} prints on {@code System.out}; the examples print their results as a reader would. */
  static String printedBy(Runnable body) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setOut(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * What {@code body} logs through SLF4J: the tests' binding, slf4j-simple, writes each record to the
   * {@code System.err} of the moment (as clients/java's JavaLoggingTest relies on too).
   */
  static String loggedBy(Runnable body) {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setErr(original);
    }
    return err.toString(StandardCharsets.UTF_8);
  }

  private static String normalize(String code) {
    return code.replaceAll("\\s+", " ").trim();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package dev.quiver.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Parses sizes such as {@code 1048576}, {@code 512m}, {@code 4g}, {@code 4GiB} (binary units) into bytes. */
final class ByteSizeConverter implements CommandLine.ITypeConverter<Long> {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?");

  @Override
  public Long convert(String value) {
    return parse(value);
  }

  static long parse(String value) {
    Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a size like 512m, 4g or 1048576");
    }
    double n = Double.parseDouble(m.group(1));
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      default -> 0;
    };
    double bytes = n * (1L << shift);
    if (bytes >= Long.MAX_VALUE) {
      throw new CommandLine.TypeConversionException("'" + value + "' is too large");
    }
    return (long) bytes;
  }
}

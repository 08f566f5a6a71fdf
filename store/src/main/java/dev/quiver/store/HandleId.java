package dev.quiver.store;

import dev.quiver.errors.InvalidArgumentException;
import java.util.Base64;
import java.util.Objects;

/**
 * The parts of a tensor handle string {@code name;storeId.secret;device}.
 *
 * <p>The shape follows TensorFlow's session handles ({@code GetSessionHandle;0;/job:localhost/replica:0/task:0/device:CPU:0}):
 * the op name, an id, and the device. Quiver's id names the {@link HandleStore} that issued the handle
 * ({@value #STORE_ID_CHARS} base64url characters) and carries a secret of {@value #SECRET_BITS} bits from
 * {@link java.security.SecureRandom} ({@value #SECRET_CHARS} base64url characters), so a handle is an
 * unguessable capability: holding the string is what grants access to the tensor.
 *
 * <p>Immutable. {@link #toString()} and {@link #handle()} give back the handle string.
 */
public record HandleId(String name, String storeId, String secret, String device) {
  /** The device TensorFlow names for the local CPU, used when a store is not given another. */
  public static final String DEFAULT_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0";
  /** Random bits in a handle's secret. */
  public static final int SECRET_BITS = 128;
  static final int SECRET_CHARS = 22; // base64url of 16 bytes, unpadded
  static final int STORE_ID_CHARS = 8; // base64url of 6 bytes

  /**
   * @throws IllegalArgumentException if a part is empty, contains {@code ';'}, or the store id or secret is
   *     not in the format stores issue
   */
  public HandleId {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(storeId, "storeId");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(device, "device");
    String problem = problem(name, storeId, secret, device);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /**
   * Parses a handle string.
   *
   * @throws InvalidArgumentException naming {@code handle} if it is not {@code name;storeId.secret;device}
   *     in the format stores issue, or if it is null (a handle comes from outside, like any other feed)
   */
  public static HandleId parse(String handle) {
    if (handle == null) {
      throw new InvalidArgumentException("a tensor handle (name;storeId.secret;device) is required, but the handle "
          + "given is null");
    }
    String[] parts = handle.split(";", -1);
    String problem;
    if (parts.length != 3) {
      problem = "expected 3 parts separated by ';' but found " + parts.length;
    } else {
      int dot = parts[1].indexOf('.');
      if (dot < 0) {
        problem = "the id '" + parts[1] + "' has no '.' between store id and secret";
      } else {
        problem = problem(parts[0], parts[1].substring(0, dot), parts[1].substring(dot + 1), parts[2]);
        if (problem == null) {
          return new HandleId(parts[0], parts[1].substring(0, dot), parts[1].substring(dot + 1), parts[2]);
        }
      }
    }
    throw new InvalidArgumentException("'" + handle + "' is not a tensor handle (name;storeId.secret;device): "
        + problem);
  }

  /** The id part: {@code storeId.secret}. */
  public String id() {
    return storeId + "." + secret;
  }

  /** The handle string, {@code name;storeId.secret;device}. */
  public String handle() {
    return name + ";" + id() + ";" + device;
  }

  @Override
  public String toString() {
    return handle();
  }

  /** Why the parts do not form a handle, or null if they do. */
  private static String problem(String name, String storeId, String secret, String device) {
    if (name.isEmpty()) {
      return "the name is empty";
    }
    if (name.indexOf(';') >= 0) {
      return "the name '" + name + "' contains ';'";
    }
    if (device.isEmpty()) {
      return "the device is empty";
    }
    if (device.indexOf(';') >= 0) {
      return "the device '" + device + "' contains ';'";
    }
    if (storeId.length() != STORE_ID_CHARS || !isBase64Url(storeId)) {
      return "the store id '" + storeId + "' is not " + STORE_ID_CHARS + " base64url characters";
    }
    if (secret.length() != SECRET_CHARS || !isBase64Url(secret)) {
      return "the secret is not " + SECRET_CHARS + " base64url characters";
    }
    try {
      // The last character of 22 carries only 2 of 128 bits; reject strings no store could have issued.
      byte[] bytes = Base64.getUrlDecoder().decode(secret);
      if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(secret)) {
        return "the secret is not a canonical base64url encoding of " + SECRET_BITS + " bits";
      }
    } catch (IllegalArgumentException e) {
      return "the secret is not base64url";
    }
    return null;
  }

  private static boolean isBase64Url(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}

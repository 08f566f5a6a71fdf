package dev.quiver.flight;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import org.apache.arrow.flight.FlightDescriptor;

/**
 * The names of Quiver's Flight protocol, shared by the server and the clients; {@code docs/flight-protocol.md}
 * is the full contract.
 */
public final class FlightProtocol {
  /** The port a server listens on unless told otherwise. */
  public static final int DEFAULT_PORT = 8815;
  /** The host a server binds to unless told otherwise: loopback only. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** The first descriptor path element of every tensor: {@code ["tensors"]} uploads, {@code ["tensors", h]} names. */
  public static final String TENSORS = "tensors";

  /** DoAction: deletes the handle in the body; answers one result whose body is that handle. */
  public static final String ACTION_DELETE = "delete";
  /** DoAction: the store's statistics as one JSON object. */
  public static final String ACTION_STATS = "stats";
  /** DoAction: the devices tensors live on, as a JSON array. */
  public static final String ACTION_LIST_DEVICES = "list-devices";
  /** DoAction: {@code {"status":"SERVING"}} while the server accepts calls. */
  public static final String ACTION_HEALTH = "health";

  private FlightProtocol() {}

  /** The descriptor an upload (DoPut) names: {@code ["tensors"]}. */
  public static FlightDescriptor uploadDescriptor() {
    return FlightDescriptor.path(TENSORS);
  }

  /** The descriptor of one stored tensor: {@code ["tensors", handle]}. */
  public static FlightDescriptor tensorDescriptor(String handle) {
    return FlightDescriptor.path(TENSORS, handle);
  }

  /**
   * Decodes a ticket or action body as strict UTF-8.
   *
   * @throws IllegalArgumentException if the bytes are not UTF-8
   */
  static String utf8(byte[] bytes, String what) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(what + " of " + bytes.length + " bytes is not a UTF-8 handle string");
    }
  }
}

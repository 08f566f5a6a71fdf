package dev.quiver.executor;

/**
 * A device a session runs ops on, as {@code Session.list_devices()} describes it.
 *
 * @param name the full device name ({@code /job:localhost/replica:0/task:0/device:CPU:0})
 * @param deviceType {@code CPU}
 * @param memoryLimit the bytes available to the device's allocations
 * @param incarnation a number that differs between two sessions' devices of the same name
 */
public record DeviceAttributes(String name, String deviceType, long memoryLimit, long incarnation) {
  /** The name of the one device of an in-process session. */
  public static final String LOCAL_CPU = "/job:localhost/replica:0/task:0/device:CPU:0";
}

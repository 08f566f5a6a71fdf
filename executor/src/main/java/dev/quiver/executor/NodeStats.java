package dev.quiver.executor;

import java.util.List;

/**
 * What one op did in a traced step, TensorFlow's {@code NodeExecStats}.
 *
 * @param nodeName the op's name
 * @param opType the op's type
 * @param startMicros wall-clock start, microseconds since the epoch
 * @param durationMicros how long the kernel ran
 * @param threadName the thread that ran it
 * @param threadId that thread's id
 * @param outputBytes bytes of Arrow memory of the op's outputs
 * @param handles persistent tensor handles the op created, read or deleted
 */
public record NodeStats(String nodeName, String opType, long startMicros, long durationMicros, String threadName,
                        long threadId, long outputBytes, List<String> handles) {
}

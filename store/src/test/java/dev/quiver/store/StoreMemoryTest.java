package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.Test;

class StoreMemoryTest {
  private static final long MIB = 1 << 20;

  @Test
  void closingReturnsTheKeptBlocksEvenWhileAReaderStillHoldsMemory() {
    try (StoreMaintenance maintenance = new StoreMaintenance("test")) {
      StoreMemory memory = new StoreMemory("test", 64 * MIB, 16 * MIB, Duration.ofMinutes(10), maintenance);
      memory.root().buffer(4 * MIB).close();
      ArrowBuf held = memory.root().buffer(2 * MIB);
      assertEquals(4 * MIB, memory.pooledBytes(), "the freed block is kept");
      assertThrows(IllegalStateException.class, memory::close, "a buffer is still open");
      assertEquals(0, memory.pooledBytes(), "the first close returns the kept blocks all the same");
      held.close();
      assertEquals(0, memory.pooledBytes(), "a block released after close is freed at once");
      memory.close();
    }
  }
}

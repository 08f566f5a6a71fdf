package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.StatusCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HandleIdTest {
  private static final String SECRET = "AAECAwQFBgcICQoLDA0ODw"; // bytes 0..15
  private static final String HANDLE = "GetSessionHandle;abcdEFGH." + SECRET + ";" + HandleId.DEFAULT_DEVICE;

  @Test
  void parsesTheThreePartsOfATensorFlowShapedHandle() {
    // TensorFlow prints handles as name;id;device, e.g. GetSessionHandle;0;/job:localhost/replica:0/task:0/device:CPU:0
    HandleId id = HandleId.parse(HANDLE);
    assertEquals("GetSessionHandle", id.name());
    assertEquals("abcdEFGH", id.storeId());
    assertEquals(SECRET, id.secret());
    assertEquals("/job:localhost/replica:0/task:0/device:CPU:0", id.device());
    assertEquals("abcdEFGH." + SECRET, id.id());
  }

  @Test
  void formatsBackToTheSameString() {
    assertEquals(HANDLE, HandleId.parse(HANDLE).handle());
    assertEquals(HANDLE, HandleId.parse(HANDLE).toString());
    assertEquals(HANDLE, new HandleId("GetSessionHandle", "abcdEFGH", SECRET, HandleId.DEFAULT_DEVICE).handle());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "garbage", "a;b;c", "a;b", ";abcdEFGH." + SECRET + ";/cpu", "x;abcdEFGH." + SECRET + ";",
      "x;abcdEFGH" + SECRET + ";/cpu", "x;abcdEFG." + SECRET + ";/cpu", "x;abcd+FGH." + SECRET + ";/cpu",
      "x;abcdEFGH.AAECAwQFBgcICQoLDA0OD;/cpu", "x;abcdEFGH.AAECAwQFBgcICQoLDA0ODx;/cpu",
      "x;abcdEFGH.AAECAwQFBgcICQoLDA0OD/;/cpu", "x;abcdEFGH." + SECRET + ";/cpu;extra",
      "GetSessionHandle;0;/job:localhost/replica:0/task:0/device:CPU:0"})
  void malformedStringsAreInvalidArgumentNamingThem(String handle) {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> HandleId.parse(handle));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().startsWith("'" + handle + "' is not a tensor handle"), e.getMessage());
  }

  @Test
  void theSecretMustBeACanonicalEncodingOf128Bits() {
    // 'x' instead of 'w' sets one of the 4 unused low bits of the last character: no store issues that.
    assertThrows(InvalidArgumentException.class,
        () -> HandleId.parse("n;abcdEFGH.AAECAwQFBgcICQoLDA0ODx;/cpu"));
  }

  @Test
  void constructorRejectsPartsNoStoreIssues() {
    assertThrows(IllegalArgumentException.class, () -> new HandleId("a;b", "abcdEFGH", SECRET, "/cpu"));
    assertThrows(IllegalArgumentException.class, () -> new HandleId("n", "short", SECRET, "/cpu"));
    assertThrows(IllegalArgumentException.class, () -> new HandleId("n", "abcdEFGH", "short", "/cpu"));
    assertThrows(IllegalArgumentException.class, () -> new HandleId("n", "abcdEFGH", SECRET, ""));
  }

  @Test
  void aNullHandleIsInvalidArgumentSayingSo() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> HandleId.parse(null));
    assertTrue(e.getMessage().contains("handle given is null"), e.getMessage());
  }
}

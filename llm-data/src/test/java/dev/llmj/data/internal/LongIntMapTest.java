package dev.llmj.data.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The map against java.util.HashMap on seeded random operations. */
class LongIntMapTest {
  private static final long SEED = Long.getLong("tests.seed", 20240611L);
  private static final int ABSENT = -7;

  @Test
  void agreesWithHashMapOnRandomOperations() {
    System.out.println("seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    SplittableRandom rnd = new SplittableRandom(SEED);
    int checked = 0;
    // Key pools: a few keys (many repeats), clustered keys, token pairs, full-range hashes; each
    // holds 0, -1 and Long.MIN_VALUE, which a sentinel-based table could mistake for free slots.
    for (int round = 0; round < 40; round++) {
      long[] pool = pool(rnd, round % 4, 1 + rnd.nextInt(round % 2 == 0 ? 40 : 5_000));
      LongIntMap map = new LongIntMap(rnd.nextInt(64));
      Map<Long, Integer> ref = new HashMap<>();
      int ops = 1 + rnd.nextInt(20_000);
      for (int op = 0; op < ops; op++) {
        long key = pool[rnd.nextInt(pool.length)];
        String where = "seed " + SEED + ", round " + round + ", op " + op + ", key " + key
            + " (reproduce with -Dtests.seed=" + SEED + ")";
        int kind = rnd.nextInt(1000);
        if (kind < 350) {
          int value = rnd.nextInt(1 << 20) - (1 << 19);
          Integer old = ref.putIfAbsent(key, value);
          assertEquals(old == null ? LongIntMap.MISSING : old, map.putIfAbsent(key, value), where);
        } else if (kind < 700) {
          int delta = rnd.nextInt(7) - 3;
          assertEquals(ref.merge(key, delta, Integer::sum), map.add(key, delta), where);
        } else if (kind < 998) {
          assertEquals(ref.getOrDefault(key, ABSENT), map.getOrDefault(key, ABSENT), where);
        } else {
          ref.clear();
          map.clear();
        }
        assertEquals(ref.size(), map.size(), where);
        checked++;
      }
      for (Map.Entry<Long, Integer> e : ref.entrySet()) {
        assertEquals(e.getValue(), map.getOrDefault(e.getKey(), ABSENT), "seed " + SEED + ", round " + round);
      }
    }
    System.out.println(checked + " operations agree with java.util.HashMap");
  }

  @Test
  void clearThenRefillAcrossGrowth() {
    LongIntMap map = new LongIntMap(0);
    for (int round = 1; round <= 3; round++) {
      for (long k = -5_000; k < 5_000; k++) {
        assertEquals(LongIntMap.MISSING, map.putIfAbsent(k * 0x100000000L, (int) k * round));
      }
      assertEquals(10_000, map.size());
      for (long k = -5_000; k < 5_000; k++) {
        assertEquals((int) k * round, map.getOrDefault(k * 0x100000000L, ABSENT));
      }
      map.clear();
      assertEquals(0, map.size());
      assertEquals(ABSENT, map.getOrDefault(0, ABSENT));
      assertEquals(ABSENT, map.getOrDefault(1L << 32, ABSENT));
    }
  }

  @Test
  void rejectsANegativeExpectedSize() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LongIntMap(-1));
    System.out.println("rejected: " + e.getMessage());
  }

  private static long[] pool(SplittableRandom rnd, int kind, int n) {
    long[] keys = new long[n + 3];
    long base = rnd.nextLong();
    for (int i = 0; i < n; i++) {
      keys[i] = switch (kind) {
        case 0 -> rnd.nextInt(8);
        case 1 -> base + rnd.nextInt(4 * n);
        case 2 -> ((long) rnd.nextInt(300) << 32) | rnd.nextInt(300);
        default -> rnd.nextLong();
      };
    }
    keys[n] = 0;
    keys[n + 1] = -1;
    keys[n + 2] = Long.MIN_VALUE;
    return keys;
  }
}

package dev.llmj.data.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class StrictJsonTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  enum Shape { ROUND, SQUARE_ISH }

  record Settings(int count, long budget, double rate, boolean on, String name, Shape shape, List<String> tags) {
    Settings {
      if (count < 0) {
        throw new IllegalArgumentException("count=" + count + " must be >= 0; use 0 for none");
      }
    }
  }

  private static final Settings DEFAULTS = new Settings(1, 10, 0.5, false, "x", Shape.ROUND, List.of());

  record Outer(String label, Settings settings) {}

  @Test
  void nestedRecordsBindFromTheirOwnDefaults() {
    Outer defaults = new Outer("a", DEFAULTS);
    Outer o = StrictJson.bind(json("{\"settings\": {\"count\": 5, \"shape\": \"square_ish\"}}"), defaults, "o.json",
        StrictJson.Keys.COMPONENT_NAMES);
    assertEquals(new Outer("a", new Settings(5, 10, 0.5, false, "x", Shape.SQUARE_ISH, List.of())), o);
    assertEquals(o, StrictJson.bind(StrictJson.toJson(o, StrictJson.Keys.COMPONENT_NAMES), defaults, "o.json",
        StrictJson.Keys.COMPONENT_NAMES));
    String unknown = error(() -> StrictJson.bind(json("{\"settings\": {\"cuont\": 1}}"), defaults, "o.json",
        StrictJson.Keys.COMPONENT_NAMES));
    assertTrue(unknown.startsWith("o.json 'settings': unknown key 'cuont'"), unknown);
  }

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String error(Runnable r) {
    String m = assertThrows(IllegalArgumentException.class, r::run).getMessage();
    System.out.println(m);
    return m;
  }

  @Test
  void bindsComponentsKeepsDefaultsAndRoundTrips() throws Exception {
    Settings s = StrictJson.bind(json("{\"count\": 3, \"budget\": 2e9, \"shape\": \"square-ish\", \"tags\": [\"a\"]}"),
        DEFAULTS, "s.json", StrictJson.Keys.COMPONENT_NAMES);
    assertEquals(new Settings(3, 2_000_000_000L, 0.5, false, "x", Shape.SQUARE_ISH, List.of("a")), s);
    assertEquals(DEFAULTS, StrictJson.bind(null, DEFAULTS, "s.json", StrictJson.Keys.COMPONENT_NAMES));
    assertEquals(s, StrictJson.bind(StrictJson.toJson(s, StrictJson.Keys.COMPONENT_NAMES), DEFAULTS, "s.json",
        StrictJson.Keys.COMPONENT_NAMES));
    // snake_case keys, and strings holding values as key=value overrides give them
    Settings snake = StrictJson.bind(json("{\"count\": \"4\", \"rate\": \"3e-4\", \"on\": \"true\", \"shape\": \"SQUARE_ISH\"}"),
        DEFAULTS, "o", StrictJson.Keys.SNAKE_CASE);
    assertEquals(new Settings(4, 10, 3e-4, true, "x", Shape.SQUARE_ISH, List.of()), snake);
    assertEquals(List.of("count", "budget", "rate", "on", "name", "shape", "tags"),
        StrictJson.keys(Settings.class, StrictJson.Keys.SNAKE_CASE));
  }

  @Test
  void messagesNameSourceKeyValueAndFix() {
    String unknown = error(() -> StrictJson.bind(json("{\"cuont\": 3}"), DEFAULTS, "s.json steps[2]",
        StrictJson.Keys.COMPONENT_NAMES));
    assertEquals("s.json steps[2]: unknown key 'cuont'; valid keys: [count, budget, rate, on, name, shape, tags]",
        unknown);
    assertEquals("s.json: key 'count' must be a 32-bit integer, got 2.5", error(() -> StrictJson.bind(
        json("{\"count\": 2.5}"), DEFAULTS, "s.json", StrictJson.Keys.COMPONENT_NAMES)));
    assertEquals("s.json: key 'count' must be a 32-bit integer, got 3000000000", error(() -> StrictJson.bind(
        json("{\"count\": 3000000000}"), DEFAULTS, "s.json", StrictJson.Keys.COMPONENT_NAMES)));
    assertEquals("s.json: key 'count' must be a 32-bit integer, got \"3\"", error(() -> StrictJson.bind(
        json("{\"count\": \"3\"}"), DEFAULTS, "s.json", StrictJson.Keys.COMPONENT_NAMES)), "strings only for overrides");
    assertEquals("s.json: key 'shape' must be one of [round, square_ish], got \"oval\"", error(() -> StrictJson.bind(
        json("{\"shape\": \"oval\"}"), DEFAULTS, "s.json", StrictJson.Keys.COMPONENT_NAMES)));
    assertEquals("s.json: key 'on' must be true or false, got 1", error(() -> StrictJson.bind(
        json("{\"on\": 1}"), DEFAULTS, "s.json", StrictJson.Keys.COMPONENT_NAMES)));
    assertEquals("s.json: key 'tags[1]' must be a string, got 2", error(() -> StrictJson.bind(
        json("{\"tags\": [\"a\", 2]}"), DEFAULTS, "s.json", StrictJson.Keys.COMPONENT_NAMES)));
    // the record's own validation, prefixed with the source
    assertEquals("s.json: count=-1 must be >= 0; use 0 for none", error(() -> StrictJson.bind(
        json("{\"count\": -1}"), DEFAULTS, "s.json", StrictJson.Keys.COMPONENT_NAMES)));
    assertEquals("s.json: expected a JSON object, got ARRAY []", error(() -> StrictJson.bind(
        json("[]"), DEFAULTS, "s.json", StrictJson.Keys.COMPONENT_NAMES)));
  }

  @Test
  void fieldsAreConsumedSoTheRestIsWhatNobodyRead() throws Exception {
    StrictJson run = StrictJson.object(json("{\"output\": \"runs/a\", \"data\": {\"epochs\": 3}, \"extra\": true}"),
        "run.json");
    assertEquals("runs/a", run.requiredString("output"));
    StrictJson data = run.object("data").requireOnly(List.of("epochs", "shards"));
    assertEquals("run.json data", data.source());
    assertEquals(3, data.optionalInt("epochs", 100));
    assertEquals(7L, data.optionalLong("seed", 7));
    assertEquals(List.of("extra"), List.copyOf(iterable(run.remaining().fieldNames())));
    assertEquals("run.json: missing required key 'name' (a non-empty string)", error(() -> run.requiredString("name")));
    assertEquals("run.json: unknown key 'extra'; valid keys: [output]", error(() -> run.requireOnly(List.of("output"))));
    StrictJson empty = StrictJson.object(json("{\"output\": \"\"}"), "run.json");
    assertEquals("run.json: key 'output' must be a non-empty string, got \"\"",
        error(() -> empty.requiredString("output")));
    assertTrue(StrictJson.object(null, "absent").remaining().isEmpty());
  }

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}

package dev.llmj.data.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The one reader of the project's JSON settings: a JSON object whose unknown keys are errors that list the
 * valid ones, and whose values have the types asked for. Every message names the source (a file, and the
 * section inside it), the key, the value and what would be accepted.
 *
 * <p>Two ways to read. A config record is bound in one call: each component is a key, absent keys keep
 * the defaults' values, and the record's own constructor validates the result.
 *
 * <pre>{@code
 * NormalizeConfig n = StrictJson.bind(node, NormalizeConfig.defaults(), "pipeline.json steps[0]", StrictJson.Keys.COMPONENT_NAMES);
 * TrainConfig t = StrictJson.bind(node, TrainConfig.defaults(), "train.json", StrictJson.Keys.SNAKE_CASE);
 * }</pre>
 *
 * Or fields are taken one at a time; each read consumes its key, so {@link #remaining()} holds exactly the
 * keys nobody interpreted:
 *
 * <pre>{@code
 * StrictJson run = StrictJson.object(root, "run.json").requireOnly(List.of("output", "data", "train"));
 * String out = run.requiredString("output");
 * StrictJson data = run.object("data").requireOnly(List.of("shards", "epochs"));
 * int epochs = data.optionalInt("epochs", 100);
 * }</pre>
 *
 * <p>Numbers: an integer key takes a whole JSON number ({@code 2e9} for a long is fine, {@code 2.5} is
 * not); with {@link Keys#SNAKE_CASE} a value may also be a string holding it (as {@code key=value}
 * overrides give). Enum keys take the constant's name in any case, {@code -} standing for {@code _}.
 */
public final class StrictJson {

  /** How a record component's name appears as a JSON key. */
  public enum Keys {
    /** The component name as written, {@code minWords}; values must have their JSON type. */
    COMPONENT_NAMES,
    /**
     * snake_case, {@code min_lr} for {@code minLr}; values may also be strings holding them, as
     * {@code key=value} overrides give.
     */
    SNAKE_CASE
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectNode remaining;
  private final String source;

  private StrictJson(ObjectNode node, String source) {
    this.remaining = node;
    this.source = source;
  }

  /**
   * Reads fields of {@code node}, which must be a JSON object; a missing node (an absent section) reads
   * as an empty object. {@code source} names the origin in messages, e.g. {@code "run.json data"}.
   */
  public static StrictJson object(JsonNode node, String source) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return new StrictJson(JSON.createObjectNode(), source);
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException(source + ": expected a JSON object, got " + node.getNodeType()
          + " " + abbreviate(node));
    }
    return new StrictJson(((ObjectNode) node).deepCopy(), source);
  }

  /** This object, after checking that it holds none but the {@code valid} keys. */
  public StrictJson requireOnly(Collection<String> valid) {
    for (Iterator<String> it = remaining.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!valid.contains(key)) {
        throw unknownKey(source, key, valid);
      }
    }
    return this;
  }

  /** What messages name as this object's origin. */
  public String source() {
    return source;
  }

  /** Keys not read so far, as a fresh copy. */
  public ObjectNode remaining() {
    return remaining.deepCopy();
  }

  /** Whether the key is present (and not null) and not read yet. */
  public boolean has(String key) {
    JsonNode v = remaining.get(key);
    return v != null && !v.isNull();
  }

  /** The object under {@code key} (an empty one when absent); its source is this one's plus the key. */
  public StrictJson object(String key) {
    return object(take(key), source + " " + key);
  }

  public int requiredInt(String key) {
    return (int) whole(key, required(key, "an integer"), Integer.MIN_VALUE, Integer.MAX_VALUE, "a 32-bit integer");
  }

  public int optionalInt(String key, int fallback) {
    JsonNode v = take(key);
    return v == null ? fallback : (int) whole(key, v, Integer.MIN_VALUE, Integer.MAX_VALUE, "a 32-bit integer");
  }

  public long optionalLong(String key, long fallback) {
    JsonNode v = take(key);
    return v == null ? fallback : whole(key, v, Long.MIN_VALUE, Long.MAX_VALUE, "a 64-bit integer");
  }

  public double optionalDouble(String key, double fallback) {
    JsonNode v = take(key);
    return v == null ? fallback : number(key, v);
  }

  public boolean optionalBoolean(String key, boolean fallback) {
    JsonNode v = take(key);
    return v == null ? fallback : bool(key, v);
  }

  /** A non-empty string. */
  public String requiredString(String key) {
    return string(key, required(key, "a non-empty string"));
  }

  public String optionalString(String key, String fallback) {
    JsonNode v = take(key);
    return v == null ? fallback : string(key, v);
  }

  private JsonNode take(String key) {
    JsonNode v = remaining.remove(key);
    return v == null || v.isNull() ? null : v;
  }

  private JsonNode required(String key, String expected) {
    JsonNode v = take(key);
    if (v == null) {
      throw new IllegalArgumentException(source + ": missing required key '" + key + "' (" + expected + ")");
    }
    return v;
  }

  private long whole(String key, JsonNode v, long min, long max, String expected) {
    if (v.isNumber() && (v.isIntegralNumber() ? v.canConvertToLong() : isWhole(v.doubleValue()))) {
      long x = v.isIntegralNumber() ? v.longValue() : (long) v.doubleValue();
      if (x >= min && x <= max) {
        return x;
      }
    }
    throw badValue(source, key, v, expected);
  }

  private double number(String key, JsonNode v) {
    if (!v.isNumber()) {
      throw badValue(source, key, v, "a number");
    }
    return v.doubleValue();
  }

  private boolean bool(String key, JsonNode v) {
    if (!v.isBoolean()) {
      throw badValue(source, key, v, "true or false");
    }
    return v.booleanValue();
  }

  private String string(String key, JsonNode v) {
    if (!v.isTextual() || v.textValue().isEmpty()) {
      throw badValue(source, key, v, "a non-empty string");
    }
    return v.textValue();
  }

  // ---- records ----

  /**
   * A copy of {@code defaults} with the components that {@code node} names replaced; {@code node} may be
   * null or missing (the defaults then). A component that is itself a record is bound the same way from
   * a nested object, starting from its default. Unknown keys, other than {@code ignoredKeys}, are errors listing
   * the valid keys; the record's constructor validates the values and its message is prefixed with
   * {@code source}.
   */
  public static <R extends Record> R bind(JsonNode node, R defaults, String source, Keys keys, String... ignoredKeys) {
    RecordComponent[] comps = defaults.getClass().getRecordComponents();
    Object[] args = new Object[comps.length];
    for (int i = 0; i < comps.length; i++) {
      args[i] = value(defaults, comps[i]);
    }
    StrictJson in = object(node, source);
    List<String> valid = new ArrayList<>(Arrays.asList(ignoredKeys));
    valid.addAll(keys(defaults.getClass(), keys));
    in.requireOnly(valid);
    for (int i = 0; i < comps.length; i++) {
      String key = key(comps[i], keys);
      JsonNode v = in.take(key);
      if (v != null && args[i] instanceof Record nested) { // a record within: its own keys, its own defaults
        args[i] = bind(v, nested, source + " '" + key + "'", keys);
      } else if (v != null) {
        args[i] = convert(v, comps[i].getGenericType(), source, key, keys == Keys.SNAKE_CASE);
      }
    }
    return construct(defaults.getClass(), comps, args, source);
  }

  /** The JSON keys of a record type, in component order. */
  public static List<String> keys(Class<?> recordType, Keys keys) {
    List<String> out = new ArrayList<>();
    for (RecordComponent c : recordType.getRecordComponents()) {
      out.add(key(c, keys));
    }
    return out;
  }

  /** A record as a JSON object, keys in component order, enums as lower-case names; {@link #bind} reads it back. */
  public static ObjectNode toJson(Record r, Keys keys) {
    ObjectNode node = JSON.createObjectNode();
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      Object v = value(r, c);
      node.set(key(c, keys), v instanceof Enum<?> e ? JSON.valueToTree(e.name().toLowerCase(Locale.ROOT))
          : v instanceof Record nested ? toJson(nested, keys) : JSON.valueToTree(v));
    }
    return node;
  }

  /** An error for an unknown key, listing the valid ones. */
  public static IllegalArgumentException unknownKey(String source, String key, Collection<String> valid) {
    return new IllegalArgumentException(source + ": unknown key '" + key + "'; valid keys: " + valid);
  }

  private static IllegalArgumentException badValue(String source, String key, JsonNode v, String expected) {
    return new IllegalArgumentException(source + ": key '" + key + "' must be " + expected + ", got "
        + abbreviate(v));
  }

  private static String key(RecordComponent c, Keys keys) {
    return keys == Keys.SNAKE_CASE ? c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT) : c.getName();
  }

  private static Object value(Record r, RecordComponent c) {
    try {
      return c.getAccessor().invoke(r);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <R> R construct(Class<?> type, RecordComponent[] comps, Object[] args, String source) {
    Class<?>[] types = new Class<?>[comps.length];
    for (int i = 0; i < comps.length; i++) {
      types[i] = comps[i].getType();
    }
    try {
      Constructor<?> ctor = type.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      @SuppressWarnings("unchecked")
      R r = (R) ctor.newInstance(args);
      return r;
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException iae) {
        throw new IllegalArgumentException(source + ": " + iae.getMessage(), iae);
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object convert(JsonNode v, Type t, String source, String key, boolean text) {
    StrictJson one = new StrictJson(JSON.createObjectNode(), source);
    JsonNode n = text && v.isTextual() && t != String.class ? parsed(v.textValue().trim()) : v;
    if (t == int.class) {
      return (int) one.whole(key, n, Integer.MIN_VALUE, Integer.MAX_VALUE, "a 32-bit integer");
    } else if (t == long.class) {
      return one.whole(key, n, Long.MIN_VALUE, Long.MAX_VALUE, "a 64-bit integer");
    } else if (t == double.class) {
      return one.number(key, n);
    } else if (t == boolean.class) {
      return one.bool(key, n);
    } else if (t == String.class) {
      if (!v.isTextual()) {
        throw badValue(source, key, v, "a string");
      }
      return v.textValue();
    } else if (t instanceof Class<?> c && c.isEnum()) {
      String valid = Arrays.toString(c.getEnumConstants()).toLowerCase(Locale.ROOT);
      if (!v.isTextual()) {
        throw badValue(source, key, v, "one of " + valid);
      }
      String name = v.textValue().trim().replace('-', '_');
      for (Object e : c.getEnumConstants()) {
        if (((Enum<?>) e).name().equalsIgnoreCase(name)) {
          return e;
        }
      }
      throw badValue(source, key, v, "one of " + valid);
    } else if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
      if (!v.isArray()) {
        throw badValue(source, key, v, "a JSON array");
      }
      Type element = p.getActualTypeArguments()[0] == Double.class ? double.class : String.class;
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < v.size(); i++) {
        out.add(convert(v.get(i), element, source, key + "[" + i + "]", text));
      }
      return out;
    }
    throw new IllegalStateException("no JSON conversion for " + t + " at " + source + " key '" + key + "'");
  }

  /** A string's value: {@code "true"}/{@code "false"}, a number ({@code "3e-4"}, {@code "2e9"}), else the string. */
  private static JsonNode parsed(String s) {
    if (s.equals("true") || s.equals("false")) {
      return JSON.getNodeFactory().booleanNode(Boolean.parseBoolean(s));
    }
    try {
      return JSON.getNodeFactory().numberNode(Long.parseLong(s));
    } catch (NumberFormatException notLong) {
      try {
        return JSON.getNodeFactory().numberNode(Double.parseDouble(s));
      } catch (NumberFormatException notNumber) {
        return JSON.getNodeFactory().textNode(s); // the type check says what was expected
      }
    }
  }

  private static boolean isWhole(double d) {
    return d == Math.rint(d) && Math.abs(d) <= 9e15;
  }

  private static String abbreviate(JsonNode v) {
    String s = v.toString();
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}

package dev.llmj.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Typed reads of JSON object fields that consume the field, so what remains afterwards is exactly
 * the keys nobody interpreted. Errors name the source, the key, the expected type and the value.
 */
final class JsonFields {
  private final ObjectNode remaining;
  private final String source;

  JsonFields(JsonNode node, String source) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(source + ": expected a JSON object, got "
          + (node == null ? "nothing" : node.getNodeType()));
    }
    this.remaining = ((ObjectNode) node).deepCopy();
    this.source = source;
  }

  /** Keys not read so far, as a fresh copy. */
  ObjectNode remaining() {
    return remaining.deepCopy();
  }

  private JsonNode take(String key) {
    JsonNode v = remaining.remove(key);
    return v == null || v.isNull() ? null : v;
  }

  int requiredInt(String key) {
    JsonNode v = take(key);
    if (v == null) {
      throw new IllegalArgumentException(source + ": missing required key '" + key + "' (an integer)");
    }
    return toInt(key, v);
  }

  int optionalInt(String key, int fallback) {
    JsonNode v = take(key);
    return v == null ? fallback : toInt(key, v);
  }

  private int toInt(String key, JsonNode v) {
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException(source + ": key '" + key + "' must be a 32-bit integer, got " + v);
    }
    return v.intValue();
  }

  double optionalDouble(String key, double fallback) {
    JsonNode v = take(key);
    if (v == null) {
      return fallback;
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException(source + ": key '" + key + "' must be a number, got " + v);
    }
    return v.doubleValue();
  }

  boolean optionalBoolean(String key, boolean fallback) {
    JsonNode v = take(key);
    if (v == null) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(source + ": key '" + key + "' must be true or false, got " + v);
    }
    return v.booleanValue();
  }

  String optionalString(String key, String fallback) {
    JsonNode v = take(key);
    if (v == null) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(source + ": key '" + key + "' must be a string, got " + v);
    }
    return v.textValue();
  }

  static void requirePositive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be positive, got " + value);
    }
  }
}

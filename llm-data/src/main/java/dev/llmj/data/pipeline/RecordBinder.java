package dev.llmj.data.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Overrides components of a config record from a JSON object: keys are component names, absent
 * keys keep the defaults, unknown keys are an error listing the valid ones. The record's own
 * constructor then validates the values.
 */
final class RecordBinder {
  private RecordBinder() {}

  static <R extends Record> R bind(JsonNode node, R defaults, String where, String... ignoredKeys) {
    Class<?> type = defaults.getClass();
    RecordComponent[] comps = type.getRecordComponents();
    if (node != null && !node.isObject()) {
      throw new IllegalArgumentException(where + " must be a JSON object, got " + node.getNodeType());
    }
    Object[] args = new Object[comps.length];
    Class<?>[] types = new Class<?>[comps.length];
    try {
      for (int i = 0; i < comps.length; i++) {
        args[i] = comps[i].getAccessor().invoke(defaults);
        types[i] = comps[i].getType();
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    if (node != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (Arrays.asList(ignoredKeys).contains(f.getKey())) continue;
        int i = indexOf(comps, f.getKey());
        if (i < 0) {
          List<String> valid = new ArrayList<>(Arrays.asList(ignoredKeys));
          for (RecordComponent c : comps) valid.add(c.getName());
          throw new IllegalArgumentException("Unknown key '" + f.getKey() + "' in " + where + "; valid keys: " + valid);
        }
        args[i] = convert(f.getValue(), comps[i].getGenericType(), where + "." + f.getKey());
      }
    }
    try {
      Constructor<?> ctor = type.getDeclaredConstructor(types);
      @SuppressWarnings("unchecked")
      R r = (R) ctor.newInstance(args);
      return r;
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException iae) {
        throw new IllegalArgumentException(where + ": " + iae.getMessage(), iae);
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int indexOf(RecordComponent[] comps, String name) {
    for (int i = 0; i < comps.length; i++) if (comps[i].getName().equals(name)) return i;
    return -1;
  }

  private static Object convert(JsonNode v, Type t, String where) {
    if (t == int.class) {
      if (!v.canConvertToInt() || !v.isIntegralNumber()) throw bad(where, v, "an integer");
      return v.intValue();
    }
    if (t == long.class) {
      if (!v.isIntegralNumber() || !v.canConvertToLong()) throw bad(where, v, "an integer");
      return v.longValue();
    }
    if (t == double.class) {
      if (!v.isNumber()) throw bad(where, v, "a number");
      return v.doubleValue();
    }
    if (t == boolean.class) {
      if (!v.isBoolean()) throw bad(where, v, "true or false");
      return v.booleanValue();
    }
    if (t == String.class) {
      if (!v.isTextual()) throw bad(where, v, "a string");
      return v.textValue();
    }
    if (t instanceof Class<?> c && c.isEnum()) {
      if (!v.isTextual()) throw bad(where, v, "one of " + Arrays.toString(c.getEnumConstants()));
      String name = v.textValue().toUpperCase(Locale.ROOT).replace('-', '_');
      for (Object e : c.getEnumConstants()) if (((Enum<?>) e).name().equals(name)) return e;
      throw bad(where, v, "one of " + Arrays.toString(c.getEnumConstants()));
    }
    if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
      if (!v.isArray()) throw bad(where, v, "a JSON array");
      List<Object> out = new ArrayList<>();
      for (JsonNode e : v) out.add(convert(e, p.getActualTypeArguments()[0] == Double.class ? double.class : String.class, where + "[]"));
      return out;
    }
    throw new IllegalStateException("Unsupported config type " + t + " at " + where);
  }

  private static IllegalArgumentException bad(String where, JsonNode v, String expected) {
    return new IllegalArgumentException(where + " is " + v + "; expected " + expected);
  }
}

package dev.llmj.core.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.llmj.data.io.StrictJson;

/** Shared JSON mappers: reading rejects duplicate keys and trailing garbage, since files are untrusted. */
final class Json {
  private Json() {}

  static final ObjectMapper STRICT = StrictJson.strictMapper();

  static final ObjectMapper PRETTY = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();
}

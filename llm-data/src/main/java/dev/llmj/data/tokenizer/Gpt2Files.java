package dev.llmj.data.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads OpenAI's original GPT-2 files: {@code encoder.json} (token to id) and {@code vocab.bpe}
 * (a {@code #version} header, then one merge per line in rank order). {@code <|endoftext|>} in
 * the encoder is the special token, as in GPT-2.
 */
final class Gpt2Files {
  static final String END_OF_TEXT = "<|endoftext|>";

  private Gpt2Files() {}

  static BpeTokenizer read(InputStream encoderJson, String encoderSource, InputStream vocabBpe,
      String vocabSource) throws IOException {
    JsonNode root = TokenizerJson.parse(encoderJson, encoderSource);
    if (!root.isObject()) {
      throw new IllegalArgumentException(encoderSource + ": expected a JSON object of token to id, got "
          + root.getNodeType());
    }
    Map<String, Integer> vocab = new HashMap<>(root.size() * 2);
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isIntegralNumber() || !e.getValue().canConvertToInt()) {
        throw new IllegalArgumentException(encoderSource + ": token \"" + e.getKey()
            + "\": id must be an integer, got " + e.getValue());
      }
      vocab.put(e.getKey(), e.getValue().intValue());
    }
    List<ModelBuilder.Merge> merges = new ArrayList<>(vocab.size());
    try (BufferedReader r = new BufferedReader(new InputStreamReader(vocabBpe, StandardCharsets.UTF_8))) {
      int lineNo = 0;
      for (String line; (line = r.readLine()) != null; ) {
        lineNo++;
        if ((lineNo == 1 && line.startsWith("#version")) || line.isEmpty()) {
          continue;
        }
        merges.add(ModelBuilder.parseMerge(line, "line " + lineNo, vocabSource));
      }
    }
    Map<String, Integer> special = new HashMap<>();
    if (vocab.containsKey(END_OF_TEXT)) {
      special.put(END_OF_TEXT, vocab.get(END_OF_TEXT));
    }
    return ModelBuilder.build(encoderSource + " + " + vocabSource, vocab, special, merges,
        Normalizer.NONE, Gpt2PreTokenizer.INSTANCE);
  }
}

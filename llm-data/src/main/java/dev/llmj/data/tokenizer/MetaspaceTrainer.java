package dev.llmj.data.tokenizer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BPE training in the SentencePiece style of Llama 2 and Mistral: each document gets a leading
 * {@code ▁} and its spaces become {@code ▁}; words start at each {@code ▁}; the alphabet is the
 * most frequent characters (as many as fit), merges join whole characters, and any other
 * character is spelled by {@code <0xNN>} byte tokens at encode time. The result is written as a
 * {@code tokenizer.json} (Metaspace pre-tokenizer with prepend scheme "first", BPE with byte
 * fallback, decoder ByteFallback + Metaspace + Fuse) and built from it.
 */
final class MetaspaceTrainer {
  static final String SPACE = "\u2581";
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private MetaspaceTrainer() {}

  static PipelineTokenizer train(BpeTrainer.Config config, Iterator<String> documents) {
    Map<Integer, String> specialsByIndex = new HashMap<>();
    for (int i = 0; i < config.specialTokens().size(); i++) {
      specialsByIndex.put(i, config.specialTokens().get(i));
    }
    Iterator<String> spaced = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return documents.hasNext();
      }

      @Override
      public String next() {
        return SPACE + documents.next().replace(" ", SPACE);
      }
    };
    Map<String, long[]> counts = new WordCounter(new RegexPreTokenizer(SPACE + "[^" + SPACE + "]*|[^" + SPACE + "]+"),
        new SpecialTokens(specialsByIndex)).count(spaced, config.threads());

    int fixed = config.specialTokens().size() + 256;
    List<String> sorted = new ArrayList<>(counts.keySet());
    sorted.sort(null); // everything after is independent of hash and thread order
    List<Integer> alphabet = alphabet(sorted, counts, config.vocabSize() - fixed);
    Map<Integer, Integer> idOfChar = new HashMap<>();
    List<byte[]> initial = new ArrayList<>();
    for (int c : alphabet) {
      idOfChar.put(c, initial.size());
      initial.add(new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8));
    }
    // A character outside the alphabet ends the word there: no merge may cross it.
    List<int[]> words = new ArrayList<>();
    List<Long> wordCounts = new ArrayList<>();
    for (String w : sorted) {
      long n = counts.get(w)[0];
      IntList part = new IntList(w.length());
      for (int i = 0; i <= w.length(); ) {
        int c = i < w.length() ? w.codePointAt(i) : -1;
        Integer id = c < 0 ? null : idOfChar.get(c);
        if (id != null) {
          part.add(id);
        } else if (part.size() > 0) {
          words.add(part.toArray());
          wordCounts.add(n);
          part.clear();
        }
        i += c < 0 ? 1 : Character.charCount(c);
      }
    }
    PairMerger merger = new PairMerger(initial, words.toArray(new int[0][]),
        wordCounts.stream().mapToLong(Long::longValue).toArray());
    merger.run(config.vocabSize() - fixed, config.minFrequency());
    return PipelineJson.build(json(config, merger), "trained Metaspace BPE", null);
  }

  /** The most frequent characters, at most {@code room} of them, ties by code point. */
  private static List<Integer> alphabet(List<String> words, Map<String, long[]> counts, int room) {
    Map<Integer, Long> freq = new HashMap<>();
    for (String w : words) {
      long n = counts.get(w)[0];
      w.codePoints().forEach(c -> freq.merge(c, n, Long::sum));
    }
    List<Integer> chars = new ArrayList<>(freq.keySet());
    chars.sort((a, b) -> freq.get(a).equals(freq.get(b)) ? Integer.compare(a, b) : Long.compare(freq.get(b), freq.get(a)));
    return new ArrayList<>(chars.subList(0, Math.min(room, chars.size())));
  }

  private static ObjectNode json(BpeTrainer.Config config, PairMerger merger) {
    List<String> specials = config.specialTokens();
    ObjectNode vocab = F.objectNode();
    Set<String> reserved = new HashSet<>(specials);
    for (int i = 0; i < specials.size(); i++) {
      vocab.put(specials.get(i), i);
    }
    for (int b = 0; b < 256; b++) {
      reserved.add(PieceModel.byteToken(b));
      vocab.put(PieceModel.byteToken(b), specials.size() + b);
    }
    List<byte[]> tokens = merger.tokens();
    String[] text = new String[tokens.size()];
    for (int i = 0; i < tokens.size(); i++) {
      text[i] = new String(tokens.get(i), StandardCharsets.UTF_8);
      if (reserved.contains(text[i])) {
        throw new IllegalStateException("the corpus spells the reserved token " + text[i] + " in plain text often"
            + " enough to learn it; list it in specialTokens so it is cut out of the training text");
      }
      vocab.put(text[i], specials.size() + 256 + i);
    }
    ArrayNode merges = F.arrayNode();
    int[] left = merger.mergeLeft();
    int[] right = merger.mergeRight();
    for (int r = 0; r < left.length; r++) {
      merges.add(F.arrayNode().add(text[left[r]]).add(text[right[r]]));
    }
    ObjectNode root = F.objectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < specials.size(); i++) {
      added.addObject().put("id", i).put("content", specials.get(i)).put("single_word", false).put("lstrip", false)
          .put("rstrip", false).put("normalized", false).put("special", true);
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", SPACE)
        .put("prepend_scheme", "first").put("split", true);
    root.putNull("post_processor");
    ArrayNode decoders = root.putObject("decoder").put("type", "Sequence").putArray("decoders");
    decoders.addObject().put("type", "ByteFallback");
    decoders.addObject().put("type", "Metaspace").put("replacement", SPACE).put("prepend_scheme", "first").put("split", true);
    decoders.addObject().put("type", "Fuse");
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE").putNull("dropout");
    if (specials.contains("<unk>")) {
      model.put("unk_token", "<unk>");
    } else {
      model.putNull("unk_token");
    }
    model.putNull("continuing_subword_prefix").putNull("end_of_word_suffix");
    model.put("fuse_unk", true).put("byte_fallback", true).put("ignore_merges", false);
    model.set("vocab", vocab);
    model.set("merges", merges);
    return root;
  }
}

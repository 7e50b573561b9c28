package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every component and option of {@code tokenizer.json} this library implements, each in a small
 * pipeline built here around a vocabulary (a byte-level BPE trained here, Llama 2's byte-fallback
 * BPE, a Unigram model over Llama 2's pieces, a WordPiece-style BPE with a continuing-subword
 * prefix), compared with Hugging Face's library on random text and corpus lines: ids with and
 * without special tokens, decode of those ids and of random ids. Reproduce with {@code -Dtests.seed=N}.
 */
class HfComponentsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static ObjectNode gpt2;
  static ObjectNode llama;

  @TempDir
  Path dir;

  @BeforeAll
  static void bases() throws IOException {
    // A small byte-level vocabulary keeps the many variants quick to load in both libraries.
    Path g = Files.createTempFile("bytelevel", ".json");
    new BpeTrainer(BpeTrainer.Config.of(3000).withThreads(1)).train(TestCorpora.sotu().subList(0, 40).iterator()).save(g);
    gpt2 = (ObjectNode) JSON.readTree(g.toFile());
    Files.delete(g);
    try (InputStream in = new GZIPInputStream(Files.newInputStream(HfParityTest.resource("llama2-sp/tokenizer.json.gz")))) {
      llama = (ObjectNode) JSON.readTree(in);
    }
  }

  static ObjectNode node(String json) {
    try {
      return (ObjectNode) JSON.readTree(json.replace('\'', '"'));
    } catch (IOException e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  static final String BYTE_LEVEL = "{'type':'ByteLevel','add_prefix_space':false,'trim_offsets':true,'use_regex':false}";

  /** A byte-level pipeline: {@code pre} then ByteLevel without its regex. */
  static Consumer<ObjectNode> byteLevelAfter(String pre) {
    return root -> root.set("pre_tokenizer", node("{'type':'Sequence','pretokenizers':[" + pre + "," + BYTE_LEVEL + "]}"));
  }

  /** Compares a variant of {@code base} with Hugging Face on random text, corpus lines and random ids. */
  void compare(String name, ObjectNode base, Consumer<ObjectNode> edit) throws IOException {
    ObjectNode root = base.deepCopy();
    edit.accept(root);
    Path file = dir.resolve(name.replaceAll("[^A-Za-z0-9]+", "_") + ".json");
    JSON.writeValue(file.toFile(), root);
    PipelineTokenizer tok = Tokenizers.load(file);
    long seed = TestCorpora.seed() ^ name.hashCode();
    String reproduce = "variant " + name + ", reproduce: -Dtests.seed=" + TestCorpora.seed();
    try (HfReference ref = HfReference.load(file)) {
      Random rnd = new Random(seed);
      List<String> texts = HfParityTest.randomSample(rnd, tok, 100);
      for (String doc : TestCorpora.sotu().subList(0, 2)) {
        texts.add(doc.substring(0, Math.min(doc.length(), 3000)));
      }
      texts.add("HELLO Wörld ÀÉÎ straße İstanbul ΣΑΣ ﬁ ① ¼ x\u00a0y  \u3000 Ⅻ 12345 3.14 a_b-c!? 'tis");
      HfParityTest.assertParity(name, tok, ref, texts, reproduce);
      for (int i = 0; i < 60; i++) {
        int[] ids = rnd.ints(1 + rnd.nextInt(12), 0, tok.vocabSize()).filter(id -> tok.idToToken(id) != null).toArray();
        for (boolean skip : new boolean[] {false, true}) {
          assertEquals(ref.decode(ids, skip), tok.decode(ids, skip),
              () -> "decode of random ids " + java.util.Arrays.toString(ids) + ", " + reproduce);
        }
      }
    }
  }

  @Test
  void normalizers() throws IOException {
    String[] normalizers = {"{'type':'NFC'}", "{'type':'NFD'}", "{'type':'NFKC'}", "{'type':'NFKD'}",
        "{'type':'Lowercase'}", "{'type':'Strip','strip_left':true,'strip_right':false}",
        "{'type':'Strip','strip_left':false,'strip_right':true}",
        "{'type':'Sequence','normalizers':[{'type':'NFD'},{'type':'StripAccents'},{'type':'Lowercase'}]}",
        "{'type':'Replace','pattern':{'String':'  '},'content':' '}",
        "{'type':'Replace','pattern':{'Regex':'\\\\s+'},'content':'_'}",
        "{'type':'Replace','pattern':{'Regex':'[0-9]'},'content':'#'}",
        "{'type':'Prepend','prepend':'>> '}"};
    for (String n : normalizers) {
      compare("normalizer " + n, gpt2, root -> root.set("normalizer", node(n)));
    }
  }

  /** SentencePiece's nmt_nfkc map, written by src/test/python/make_precompiled_charsmap.py with spm_train. */
  @Test
  void precompiledCharsmap() throws IOException {
    String charsmap = Files.readString(HfParityTest.resource("nmt_nfkc.charsmap")).trim();
    compare("Precompiled nmt_nfkc", llama, root -> {
      ObjectNode pre = node("{'type':'Precompiled'}");
      pre.put("precompiled_charsmap", charsmap);
      ArrayNode steps = JSON.createArrayNode().add(pre);
      root.get("normalizer").get("normalizers").forEach(steps::add);
      ((ObjectNode) root.get("normalizer")).set("normalizers", steps);
    });
  }

  @Test
  void byteLevelOptions() throws IOException {
    for (String opts : new String[] {"'add_prefix_space':true,'use_regex':true", "'add_prefix_space':true,'use_regex':false",
        "'add_prefix_space':false,'use_regex':false", "'add_prefix_space':false"}) {
      compare("ByteLevel " + opts, gpt2, root -> root.set("pre_tokenizer", node("{'type':'ByteLevel'," + opts + ",'trim_offsets':false}")));
    }
  }

  @Test
  void splitBehaviorsAndInvert() throws IOException {
    String[] patterns = {"{'Regex':'\\\\s+'}", "{'String':'ab'}", "{'Regex':'[\\\\h]+|x*'}"};
    for (String behavior : new String[] {"Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"}) {
      for (String invert : new String[] {"false", "true"}) {
        for (String p : patterns) {
          compare("Split " + p + " " + behavior + " invert " + invert, gpt2, byteLevelAfter(
              "{'type':'Split','pattern':" + p + ",'behavior':'" + behavior + "','invert':" + invert + "}"));
        }
      }
    }
  }

  @Test
  void openModelSplitPatterns() throws IOException {
    String[] regexes = {
      // Llama 3 / GPT-4 (cl100k)
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+",
      // GPT-4o (o200k)
      "[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?[\\\\p{Lu}\\\\p{Lt}\\\\p{Lm}\\\\p{Lo}\\\\p{M}]*[\\\\p{Ll}\\\\p{Lm}\\\\p{Lo}\\\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?[\\\\p{Lu}\\\\p{Lt}\\\\p{Lm}\\\\p{Lo}\\\\p{M}]+[\\\\p{Ll}\\\\p{Lm}\\\\p{Lo}\\\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n/]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+",
      // DeepSeek-style digits and CJK
      "\\\\p{N}{1,3}|[一-龥\\\\u3040-ゟ゠-ヿ]+|[!\\\"#$%&'()*+,\\\\-./:;<=>?@\\\\[\\\\\\\\\\\\]^_`{|}~][A-Za-z]+|[^\\\\r\\\\n\\\\p{L}\\\\p{P}\\\\p{S}]?[\\\\p{L}\\\\p{M}]+| ?[\\\\p{P}\\\\p{S}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+"};
    for (String r : regexes) {
      for (String ignore : new String[] {"false", "true"}) {
        compare("split " + r.substring(0, 20) + " ignore_merges " + ignore, gpt2, root -> {
          byteLevelAfter("{'type':'Split','pattern':{'Regex':'R'},'behavior':'Isolated','invert':false}").accept(root);
          ((ObjectNode) root.get("pre_tokenizer").get("pretokenizers").get(0).get("pattern")).put("Regex",
              r.replace("\\\\", "\\"));
          ((ObjectNode) root.get("model")).put("ignore_merges", Boolean.parseBoolean(ignore));
        });
      }
    }
  }

  @Test
  void characterClassPreTokenizers() throws IOException {
    String[] pres = {"{'type':'Digits','individual_digits':true}", "{'type':'Digits','individual_digits':false}",
        "{'type':'Punctuation','behavior':'Isolated'}", "{'type':'Punctuation','behavior':'MergedWithPrevious'}",
        "{'type':'Punctuation','behavior':'Contiguous'}", "{'type':'Whitespace'}", "{'type':'WhitespaceSplit'}",
        "{'type':'BertPreTokenizer'}",
        "{'type':'Metaspace','replacement':'\u2581','prepend_scheme':'first','split':true}"};
    for (String p : pres) {
      compare("pre " + p, gpt2, byteLevelAfter(p));
    }
  }

  @Test
  void metaspaceSchemesWithByteFallbackBpe() throws IOException {
    for (String scheme : new String[] {"first", "always", "never"}) {
      for (String split : new String[] {"true", "false"}) {
        compare("Metaspace " + scheme + " split " + split, llama, root -> {
          root.set("normalizer", null);
          root.set("pre_tokenizer", node("{'type':'Metaspace','replacement':'\u2581','prepend_scheme':'" + scheme
              + "','split':" + split + "}"));
          root.set("decoder", node("{'type':'Sequence','decoders':[{'type':'Metaspace','replacement':'\u2581','prepend_scheme':'"
              + scheme + "','split':" + split + "},{'type':'ByteFallback'},{'type':'Fuse'}]}"));
        });
      }
    }
    compare("Metaspace legacy add_prefix_space", llama, root -> {
      root.set("normalizer", null);
      root.set("pre_tokenizer", node("{'type':'Metaspace','replacement':'\u2581','add_prefix_space':true}"));
      root.set("decoder", node("{'type':'Metaspace','replacement':'\u2581','add_prefix_space':true}"));
    });
  }

  @Test
  void bpeUnknownsWithoutByteFallback() throws IOException {
    for (String fuse : new String[] {"true", "false"}) {
      compare("unk fuse " + fuse, llama, root -> {
        ObjectNode model = (ObjectNode) root.get("model");
        model.put("byte_fallback", false);
        model.put("fuse_unk", Boolean.parseBoolean(fuse));
        root.set("decoder", node("{'type':'Sequence','decoders':[{'type':'Replace','pattern':{'String':'\u2581'},"
            + "'content':' '},{'type':'Fuse'},{'type':'Strip','content':' ','start':2,'stop':0}]}"));
      });
    }
  }

  @Test
  void unigram() throws IOException {
    for (String fallback : new String[] {"true", "false"}) {
      compare("Unigram byte_fallback " + fallback, llama, root -> {
        JsonNode vocab = root.get("model").get("vocab");
        String[] pieces = new String[vocab.size()];
        vocab.fields().forEachRemaining(e -> pieces[e.getValue().intValue()] = e.getKey());
        ArrayNode list = JSON.createArrayNode();
        Random rnd = new Random(7);
        for (int id = 0; id < pieces.length; id++) {
          // Longer pieces score higher on average, with noise so ties and near-ties occur.
          double score = id < 3 ? 0.0 : -12.0 + 0.8 * pieces[id].length() - 3 * rnd.nextDouble();
          list.add(JSON.createArrayNode().add(pieces[id]).add(score));
        }
        ObjectNode model = node("{'type':'Unigram','unk_id':0}");
        model.set("vocab", list);
        model.put("byte_fallback", Boolean.parseBoolean(fallback));
        root.set("model", model);
        root.set("normalizer", node("{'type':'Sequence','normalizers':[{'type':'NFKC'},{'type':'Replace','pattern':{'Regex':' {2,}'},'content':' '}]}"));
        root.set("pre_tokenizer", node("{'type':'Metaspace','replacement':'\u2581','prepend_scheme':'always','split':true}"));
        root.set("decoder", node("{'type':'Sequence','decoders':[{'type':'ByteFallback'},{'type':'Metaspace','replacement':'\u2581','prepend_scheme':'always'}]}"));
      });
    }
  }

  /** A WordPiece-shaped BPE: "##" before every non-first character, or "</w>" after the last. */
  @Test
  void bpeSubwordPrefixAndSuffix() throws IOException {
    List<String> words = List.of("the", "of", "and", "to", "in", "that", "for", "state", "states", "united",
        "nation", "national", "government", "congress", "people", "year", "public", "which");
    for (String mode : new String[] {"prefix", "suffix"}) {
      compare("BPE " + mode, gpt2, root -> {
        boolean prefix = mode.equals("prefix");
        ObjectNode vocab = JSON.createObjectNode();
        ArrayNode merges = JSON.createArrayNode();
        for (char c = 'a'; c <= 'z'; c++) {
          add(vocab, String.valueOf(c));
          add(vocab, prefix ? "##" + c : c + "</w>");
        }
        for (String w : words) {
          for (int k = 1; k < w.length(); k++) {
            boolean last = k == w.length() - 1;
            String left = w.substring(0, k);
            String right = prefix ? "##" + w.charAt(k) : w.charAt(k) + (last ? "</w>" : "");
            String made = prefix ? w.substring(0, k + 1) : w.substring(0, k + 1) + (last ? "</w>" : "");
            if (!vocab.has(right)) {
              add(vocab, right);
            }
            if (!vocab.has(made)) {
              add(vocab, made);
              merges.add(left + " " + right);
            }
          }
        }
        add(vocab, "[UNK]");
        ObjectNode model = node("{'type':'BPE','dropout':null,'unk_token':'[UNK]','fuse_unk':false,'byte_fallback':false}");
        model.put(prefix ? "continuing_subword_prefix" : "end_of_word_suffix", prefix ? "##" : "</w>");
        model.set("vocab", vocab);
        model.set("merges", merges);
        root.set("model", model);
        root.set("added_tokens", JSON.createArrayNode());
        root.set("normalizer", node("{'type':'Lowercase'}"));
        root.set("pre_tokenizer", node("{'type':'Whitespace'}"));
        root.set("post_processor", node("{'type':'BertProcessing','sep':['[UNK]'," + vocab.get("[UNK]").asInt()
            + "],'cls':['a',0]}"));
        root.set("decoder", node("{'type':'Fuse'}"));
      });
    }
  }

  private static void add(ObjectNode vocab, String token) {
    vocab.put(token, vocab.size());
  }

  @Test
  void addedTokenFlags() throws IOException {
    String[] flags = {"'lstrip':true", "'rstrip':true", "'lstrip':true,'rstrip':true", "'single_word':true",
        "'normalized':true", "'special':false", "'special':false,'normalized':true,'single_word':true"};
    for (String f : flags) {
      for (ObjectNode base : List.of(gpt2, llama)) {
        compare("added " + f + (base == gpt2 ? " gpt2" : " llama"), base, root -> {
          ArrayNode added = (ArrayNode) root.get("added_tokens");
          int next = root.get("model").get("vocab").size() + 10;
          for (String content : List.of("<|endoftext|>", "<s>", "[MASK]", "don't", "ab", "\u2581x", "Hello World")) {
            ObjectNode t = node("{'single_word':false,'lstrip':false,'rstrip':false,'normalized':false,'special':true}");
            node("{" + f + "}").fields().forEachRemaining(e -> t.set(e.getKey(), e.getValue()));
            t.put("content", content);
            JsonNode existing = root.get("model").get("vocab").get(content);
            t.put("id", existing != null ? existing.asInt() : next++);
            boolean present = false;
            for (JsonNode a : added) {
              present |= a.get("content").asText().equals(content);
            }
            if (!present) {
              added.add(t);
            }
          }
          if (f.contains("normalized")) {
            root.set("normalizer", node(base == gpt2 ? "{'type':'Lowercase'}"
                : "{'type':'Sequence','normalizers':[{'type':'Lowercase'},{'type':'Prepend','prepend':'\u2581'},"
                + "{'type':'Replace','pattern':{'String':' '},'content':'\u2581'}]}"));
          }
        });
      }
    }
  }

  @Test
  void postProcessors() throws IOException {
    String[] posts = {
      "{'type':'TemplateProcessing','single':[{'SpecialToken':{'id':'<|endoftext|>','type_id':0}},{'Sequence':{'id':'A','type_id':0}},"
          + "{'SpecialToken':{'id':'<|endoftext|>','type_id':0}}],'pair':[{'Sequence':{'id':'B','type_id':1}},"
          + "{'SpecialToken':{'id':'two','type_id':1}},{'Sequence':{'id':'A','type_id':0}}],"
          + "'special_tokens':{'<|endoftext|>':{'id':'<|endoftext|>','ids':[2999],'tokens':['<|endoftext|>']},"
          + "'two':{'id':'two','ids':[2999,2999],'tokens':['<|endoftext|>','<|endoftext|>']}}}",
      "{'type':'BertProcessing','sep':['<|endoftext|>',2999],'cls':['!',0]}",
      "{'type':'RobertaProcessing','sep':['<|endoftext|>',2999],'cls':['!',0],'trim_offsets':true,'add_prefix_space':false}",
      "{'type':'Sequence','processors':[{'type':'ByteLevel','add_prefix_space':false,'trim_offsets':true,'use_regex':true},"
          + "{'type':'BertProcessing','sep':['<|endoftext|>',2999],'cls':['!',0]}]}"};
    for (String p : posts) {
      compare("post " + p.substring(0, 40), gpt2, root -> root.set("post_processor", node(p)));
      Path file = dir.resolve("pair.json");
      ObjectNode root = gpt2.deepCopy();
      root.set("post_processor", node(p));
      JSON.writeValue(file.toFile(), root);
      PipelineTokenizer tok = Tokenizers.load(file);
      try (HfReference ref = HfReference.load(file)) {
        for (boolean add : new boolean[] {false, true}) {
          HfParityTest.check("pair", p, "A | B", ref.encodePair("Question one?", " answer <|endoftext|>", add),
              tok.encodePair("Question one?", " answer <|endoftext|>", add), "");
        }
      }
    }
  }

  /** Strip's {@code stop} is left at 0: Hugging Face's library panics when it reaches into a short token. */
  @Test
  void decoders() throws IOException {
    String[] decoders = {"{'type':'ByteFallback'}", "{'type':'Fuse'}", "{'type':'Strip','content':'\u2581','start':1,'stop':0}",
        "{'type':'Replace','pattern':{'Regex':'\u2581+'},'content':' '}",
        "{'type':'Metaspace','replacement':'\u2581','prepend_scheme':'never'}",
        "{'type':'Sequence','decoders':[{'type':'ByteFallback'},{'type':'Strip','content':'<','start':3,'stop':0}]}"};
    for (String d : decoders) {
      compare("decoder " + d, llama, root -> root.set("decoder", node(d)));
    }
    compare("no decoder", llama, root -> root.set("decoder", null));
    compare("decoder ByteLevel over non-byte-level tokens", llama, root -> root.set("decoder", node(BYTE_LEVEL)));
  }
}

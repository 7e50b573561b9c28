package dev.llmj.core.eval;

import dev.llmj.core.layers.IncrementalDecoder;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.data.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GSM8K exact match: greedy generation after {@code "Question: ...\nAnswer:"} until a blank line, the next
 * {@code "Question:"} or {@code <|endoftext|>}; the final number of the generation is compared with the
 * number after {@code ####} in the reference answer.
 *
 * <pre>{@code
 * TaskResult r = Gsm8k.evaluate("gsm8k", lm, tok, TaskFormat.GSM8K.read(Path.of("test.jsonl")), new FewShot(5, train, 1234), 256);
 * Gsm8k.extractAnswer("... so she pays $1,200. The answer is 1200.");   // "1200"
 * }</pre>
 */
public final class Gsm8k {

  /** Generation stops before the first of these. */
  public static final List<String> STOP = List.of("\n\n", "Question:");

  private static final Pattern NUMBER = Pattern.compile("-?\\$?\\d[\\d,]*(?:\\.\\d+)?\\.?");

  private Gsm8k() {}

  /**
   * The final answer of a solution: the number after {@code ####} if present, else the number after the last
   * {@code "The answer is"}, else the last number; commas, {@code $} and a trailing period removed. Empty when
   * there is no number.
   */
  public static String extractAnswer(String text) {
    int hashes = text.indexOf("####");
    if (hashes >= 0) {
      return firstNumber(text.substring(hashes + 4));
    }
    int said = text.lastIndexOf("The answer is");
    if (said >= 0) {
      String n = firstNumber(text.substring(said + "The answer is".length()));
      if (!n.isEmpty()) {
        return n;
      }
    }
    Matcher m = NUMBER.matcher(text);
    String last = "";
    while (m.find()) {
      last = m.group();
    }
    return normalize(last);
  }

  private static String firstNumber(String text) {
    Matcher m = NUMBER.matcher(text);
    return m.find() ? normalize(m.group()) : "";
  }

  private static String normalize(String number) {
    String s = number.replace(",", "").replace("$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** The generation cut before the first stop string (the whole text when none occurs). */
  static String cut(String text) {
    int end = text.length();
    for (String s : STOP) {
      int at = text.indexOf(s);
      if (at >= 0) {
        end = Math.min(end, at);
      }
    }
    return text.substring(0, end);
  }

  /** Exact match over {@code items} with greedy generations of at most {@code maxTokens} tokens. */
  public static TaskResult evaluate(String task, LanguageModel model, Tokenizer tokenizer, List<TaskItem> items, FewShot fewShot,
      int maxTokens) {
    int hits = 0;
    for (int i = 0; i < items.size(); i++) {
      TaskItem item = items.get(i);
      String generated = generate(model, tokenizer, fewShot.prefix(items, i) + item.context(0), maxTokens);
      String gold = extractAnswer(item.continuation(0));
      hits += !gold.isEmpty() && gold.equals(extractAnswer(generated)) ? 1 : 0;
    }
    return new TaskResult(task, items.size(), fewShot.shots(), List.of(
        Metric.proportion("exact_match", hits, items.size())));
  }

  /**
   * Greedy continuation of {@code prompt}, cut at the first stop string. The prompt keeps its last
   * {@code contextLength - maxTokens} tokens so the answer fits the context.
   */
  public static String generate(LanguageModel model, Tokenizer tokenizer, String prompt, int maxTokens) {
    int t = model.config().contextLength();
    if (maxTokens <= 0 || maxTokens >= t) {
      throw new IllegalArgumentException("maxTokens must be in [1, contextLength=" + t + "), got " + maxTokens);
    }
    int[] ids = tokenizer.encode(prompt);
    if (ids.length == 0) {
      throw new IllegalArgumentException("the prompt encodes to no tokens");
    }
    ids = Arrays.copyOfRange(ids, Math.max(0, ids.length - (t - maxTokens)), ids.length);
    OptionalInt eot = tokenizer.specialTokenId("<|endoftext|>");
    IncrementalDecoder decoder = new IncrementalDecoder(model.graph(), 1, ids.length + maxTokens);
    float[] logits = decoder.feed(new int[][] {ids}).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatVector();
    int[] out = new int[maxTokens];
    int n = 0;
    while (n < maxTokens) {
      int next = argmax(logits);
      if (eot.isPresent() && next == eot.getAsInt()) {
        break;
      }
      out[n++] = next;
      // Stop strings may span tokens, so look at the decoded text; only the tail can hold a new match.
      String text = tokenizer.decode(Arrays.copyOf(out, n));
      if (!cut(text).equals(text) || n == maxTokens) {
        return cut(text);
      }
      logits = decoder.feed(new int[][] {{next}}).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatVector();
    }
    return cut(tokenizer.decode(Arrays.copyOf(out, n)));
  }

  /** Ties go to the lowest id, as in the library's greedy sampler. */
  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}

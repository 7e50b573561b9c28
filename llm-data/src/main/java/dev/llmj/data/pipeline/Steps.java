package dev.llmj.data.pipeline;

import java.util.List;

/**
 * Factory of the built-in steps. The default pipeline is {@link #defaults()}: normalize, exact
 * dedup, MinHash dedup, Gopher repetition and quality, PII redaction.
 *
 * <pre>{@code
 * Pipeline p = Pipeline.builder()
 *     .steps(Steps.defaults())
 *     .step(Steps.language(LanguageConfig.defaults()))
 *     .build();
 * }</pre>
 */
public final class Steps {
  private Steps() {}

  /** Unicode NFC, control characters removed, whitespace normalised, U+FFFD counted. */
  public static Step normalize(NormalizeConfig c) {
    return new NormalizeStep(c);
  }

  /** Drops exact repeats (after case and whitespace folding) by 64/128-bit hash. */
  public static Step exactDedup(ExactDedupConfig c) {
    return new ExactDedupStep(c);
  }

  /** Drops near duplicates: MinHash + LSH + union-find, one survivor per cluster. */
  public static Step minHashDedup(MinHashConfig c) {
    return new MinHashDedupStep(c);
  }

  public static Step gopherQuality(GopherQualityConfig c) {
    return new GopherQualityStep(c);
  }

  public static Step gopherRepetition(GopherRepetitionConfig c) {
    return new GopherRepetitionStep(c);
  }

  /** C4 line cleaning and document rules. */
  public static Step c4(C4Config c) {
    return new C4Step(c);
  }

  /** Replaces e-mails, public IPs, phones, card numbers and IBANs with typed placeholders. */
  public static Step pii(PiiConfig c) {
    return new PiiStep(c);
  }

  /** Keeps documents in the chosen languages (stop-word model). */
  public static Step language(LanguageConfig c) {
    return new LanguageStep(c);
  }

  public static Step toxic(ToxicConfig c) {
    return new ToxicStep(c);
  }

  public static Step length(LengthConfig c) {
    return Filter.of("length", d -> d.text().length() < c.minChars() ? "too_short"
        : d.text().length() > c.maxChars() ? "too_long" : null);
  }

  /** The default pipeline: normalize, exact dedup, MinHash dedup, Gopher repetition, Gopher quality, PII. */
  public static List<Step> defaults() {
    return List.of(normalize(NormalizeConfig.defaults()), exactDedup(ExactDedupConfig.defaults()),
        minHashDedup(MinHashConfig.defaults()), gopherRepetition(GopherRepetitionConfig.defaults()),
        gopherQuality(GopherQualityConfig.defaults()), pii(PiiConfig.defaults()));
  }
}

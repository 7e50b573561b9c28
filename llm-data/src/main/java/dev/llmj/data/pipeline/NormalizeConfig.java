package dev.llmj.data.pipeline;

/**
 * Settings of {@link Steps#normalize}.
 *
 * @param nfc compose to Unicode NFC so that visually equal text is byte-equal (dedup depends on it)
 * @param stripControl remove C0/C1 control characters except newline and tab
 * @param whitespace collapse runs of spaces and tabs, trim lines, keep at most one blank line
 */
public record NormalizeConfig(boolean nfc, boolean stripControl, boolean whitespace) {
  public static NormalizeConfig defaults() {
    return new NormalizeConfig(true, true, true);
  }
}

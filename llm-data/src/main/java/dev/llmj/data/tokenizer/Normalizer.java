package dev.llmj.data.tokenizer;

/**
 * Rewrites text before pre-tokenization. GPT-2 uses none, which keeps encoding lossless; NFC is
 * offered for vocabularies trained on normalized text and is written to {@code tokenizer.json}.
 */
enum Normalizer {
  NONE(null) {
    @Override
    String apply(String text) {
      return text;
    }
  },
  NFC("NFC") {
    @Override
    String apply(String text) {
      return java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFC);
    }
  };

  /** The {@code type} in {@code tokenizer.json}; {@code null} writes {@code "normalizer": null}. */
  final String jsonType;

  Normalizer(String jsonType) {
    this.jsonType = jsonType;
  }

  abstract String apply(String text);
}

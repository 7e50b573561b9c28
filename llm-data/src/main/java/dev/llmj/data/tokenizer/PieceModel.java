package dev.llmj.data.tokenizer;

/** The model step of a Hugging Face pipeline: one pre-tokenized piece to ids (BPE or Unigram). */
interface PieceModel {

  /** Appends the ids of a non-empty piece to {@code out}. */
  void encode(String piece, IntList out);

  /** The id of a vocabulary token, or -1. */
  int id(String token);

  /** The token of an id, or {@code null} if the model has no such id. */
  String token(int id);

  /** The largest id plus one. */
  int size();

  /** The number of vocabulary entries (Hugging Face's {@code get_vocab_size}); added tokens get ids from here on. */
  int entries();

  /** {@code <0xNN>}, the spelling of byte tokens in byte-fallback vocabularies. */
  static String byteToken(int b) {
    return String.format("<0x%02X>", b);
  }
}

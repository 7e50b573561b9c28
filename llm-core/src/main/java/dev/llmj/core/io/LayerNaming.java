package dev.llmj.core.io;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where the layer index sits in a tensor name: {@code h.{i}.} (GPT-2) or {@code model.layers.{i}.} (Llama). */
enum LayerNaming {
  GPT2("h."),
  LLAMA("model.layers.");

  private final String prefix;
  private final Pattern pattern;

  LayerNaming(String prefix) {
    this.prefix = prefix;
    this.pattern = Pattern.compile(Pattern.quote(prefix) + "(0|[1-9][0-9]{0,8})\\.(.+)");
  }

  static LayerNaming of(HfConfig config) {
    return config instanceof HfConfig.Gpt2 ? GPT2 : LLAMA;
  }

  /** The layer a tensor belongs to, or -1 for embeddings, final norm and head. */
  int layerIndex(String name) {
    Matcher m = pattern.matcher(name);
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** {@code name} moved to layer {@code index}; {@code name} must be a layer tensor. */
  String rename(String name, int index) {
    Matcher m = pattern.matcher(name);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a layer tensor (" + prefix + "{i}.*)");
    }
    return prefix + index + "." + m.group(2);
  }
}

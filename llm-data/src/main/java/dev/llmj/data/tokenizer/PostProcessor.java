package dev.llmj.data.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The post-processing step of a Hugging Face pipeline: joins the ids of one sequence (or a pair)
 * and, when special tokens are asked for, adds them (for example Llama's {@code <s>}).
 */
@FunctionalInterface
interface PostProcessor {

  /** The processed sequences; one or two in, usually one out. */
  List<int[]> process(List<int[]> sequences, boolean addSpecialTokens);

  /** Leaves ids alone (ByteLevel's post-processor only moves offsets). */
  PostProcessor IDENTITY = (sequences, add) -> sequences;

  /** One item of a template: a special token's ids, or sequence A (0) or B (1). */
  record Item(int[] specialIds, int sequence) {}

  /** TemplateProcessing: the items of the single and the pair template, in order. */
  static PostProcessor template(List<Item> single, List<Item> pair) {
    return (sequences, add) -> {
      List<Item> items = sequences.size() == 2 ? pair : single;
      IntList out = new IntList(64);
      for (Item item : items) {
        if (item.specialIds() != null) {
          if (add) {
            out.addAll(item.specialIds());
          }
        } else {
          out.addAll(sequences.get(item.sequence()));
        }
      }
      return List.of(out.toArray());
    };
  }

  /** BertProcessing ({@code [CLS] A [SEP] B [SEP]}) and RobertaProcessing ({@code <s> A </s></s> B </s>}). */
  static PostProcessor clsSep(int cls, int sep, boolean roberta) {
    List<Item> single = List.of(new Item(new int[] {cls}, -1), new Item(null, 0), new Item(new int[] {sep}, -1));
    List<Item> pair = new ArrayList<>(single);
    if (roberta) {
      pair.add(new Item(new int[] {sep}, -1));
    }
    pair.add(new Item(null, 1));
    pair.add(new Item(new int[] {sep}, -1));
    return template(single, pair);
  }

  /** Each processor in turn on what the previous one returned. */
  static PostProcessor sequence(List<PostProcessor> steps) {
    return (sequences, add) -> {
      List<int[]> s = sequences;
      for (PostProcessor p : steps) {
        s = p.process(s, add);
      }
      return s;
    };
  }
}

package dev.llmj.examples;

import dev.llmj.core.eval.EvalReport;
import dev.llmj.core.eval.FewShot;
import dev.llmj.core.eval.ModelScorer;
import dev.llmj.core.eval.MultipleChoice;
import dev.llmj.core.eval.Perplexity;
import dev.llmj.core.eval.PerplexityResult;
import dev.llmj.core.eval.TaskFormat;
import dev.llmj.core.eval.TaskItem;
import dev.llmj.core.eval.TaskResult;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.data.Document;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates a checkpoint: perplexity and bits per byte on a corpus, then zero-shot accuracy on an ARC file.
 *
 * <pre>
 * java -cp llm.jar dev.llmj.examples.EvaluateCheckpoint runs/a models/gpt2 valid.jsonl ARC-Easy-Test.jsonl
 * </pre>
 */
public final class EvaluateCheckpoint {

  private EvaluateCheckpoint() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      throw new IllegalArgumentException("usage: EvaluateCheckpoint MODEL TOKENIZER CORPUS ARC_FILE");
    }
    LanguageModel model = LanguageModel.load(Path.of(args[0]));
    Tokenizer tokenizer = Tokenizers.load(Path.of(args[1]));
    ModelScorer scorer = new ModelScorer(model, tokenizer, 8);

    List<String> texts = new ArrayList<>();
    try (CorpusReader documents = Corpus.read(Path.of(args[2]))) {
      documents.forEachRemaining((Document d) -> texts.add(d.text()));
    }
    PerplexityResult ppl = new Perplexity(scorer).evaluate(texts.iterator());

    List<TaskItem> arc = TaskFormat.ARC.read(Path.of(args[3]));
    TaskResult accuracy = MultipleChoice.evaluate("arc", arc, FewShot.zeroShot(), scorer);

    System.out.print(EvalReport.table(List.of(ppl.toTaskResult("corpus"), accuracy)));
  }
}

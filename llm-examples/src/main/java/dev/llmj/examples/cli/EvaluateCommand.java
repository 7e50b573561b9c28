package dev.llmj.examples.cli;

import dev.llmj.core.eval.EvalReport;
import dev.llmj.core.eval.EvalSuite;
import dev.llmj.core.eval.TaskResult;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code llm evaluate}: {@link EvalSuite}, perplexity on corpora and benchmark accuracy in the evaluation-harness formats. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = {"Perplexity and bits per byte on text/JSONL corpora, and accuracy on benchmark files read in their"
        + " public formats (hellaswag, arc, winogrande, piqa, mmlu, truthfulqa-mc1, gsm8k) with the evaluation"
        + " harness's prompts. Prints a table; --output writes JSON.",
        "Example: llm evaluate --model models/gpt2 --tokenizer models/gpt2 --corpus wiki.jsonl"
            + " --task hellaswag=hellaswag_val.jsonl --task mmlu=data/test --shots 5 --fewshot-file mmlu=data/dev"
            + " --limit 500 --output results.json"})
final class EvaluateCommand implements Callable<Integer> {

  @Mixin ModelOption model;

  @Option(names = "--tokenizer", required = true, paramLabel = "PATH",
      description = "tokenizer.json, or a folder with tokenizer.json or encoder.json + vocab.bpe.")
  Path tokenizer;

  @Option(names = "--corpus", arity = "1..*", paramLabel = "PATH",
      description = "Files, folders or globs (.txt, .jsonl, tar; optionally compressed) to measure perplexity on;"
          + " each document is scored separately.")
  List<Path> corpus = new ArrayList<>();

  @Option(names = "--text-field", defaultValue = "text", paramLabel = "NAME",
      description = "JSONL field holding a corpus document's text (default: ${DEFAULT-VALUE}).")
  String textField;

  @Option(names = "--task", paramLabel = "FORMAT=PATH",
      description = "A benchmark file or folder in FORMAT (hellaswag, arc, winogrande, piqa, mmlu, truthfulqa-mc1,"
          + " gsm8k); repeatable.")
  List<String> tasks = new ArrayList<>();

  @Option(names = "--shots", paramLabel = "K", defaultValue = "0",
      description = "Solved examples placed before each item (default: ${DEFAULT-VALUE}).")
  int shots;

  @Option(names = "--fewshot-file", paramLabel = "FORMAT=PATH",
      description = "Where FORMAT's examples come from (a train or dev file); without it, from the task file"
          + " itself, never the item. Repeatable.")
  List<String> fewShotFiles = new ArrayList<>();

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1234",
      description = "Seed of the few-shot draws (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
      description = "Use the first N items of each task and the first N corpus documents; 0 uses all.")
  int limit;

  @Option(names = "--batch-size", paramLabel = "B", defaultValue = "4",
      description = "Sequences per forward pass; logits take B x context x vocabulary floats (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--stride", paramLabel = "S",
      description = "Tokens predicted per perplexity window after the first; smaller gives each token more"
          + " context at more cost. Default: the context length (disjoint windows).")
  Integer stride;

  @Option(names = "--max-gen-tokens", paramLabel = "N", defaultValue = "256",
      description = "Tokens generated at most per gsm8k answer (default: ${DEFAULT-VALUE}).")
  int maxGenTokens;

  @Option(names = "--output", paramLabel = "FILE", description = "Write the results as JSON.")
  Path output;

  @Override
  public Integer call() throws IOException {
    List<EvalSuite.Task> taskFiles = new ArrayList<>();
    for (String t : tasks) {
      taskFiles.add(parse("--task", t));
    }
    List<EvalSuite.Task> fewShot = new ArrayList<>();
    for (String f : fewShotFiles) {
      fewShot.add(parse("--fewshot-file", f));
    }
    EvalSuite suite = new EvalSuite(corpus, textField, taskFiles, shots, fewShot, seed, limit, batchSize,
        stride != null ? stride : 0, maxGenTokens);
    Tokenizer tok = Tokenizers.load(tokenizer);
    LanguageModel lm = model.load();
    List<TaskResult> results = suite.run(lm, tok, System.err);
    System.out.print(EvalReport.table(results));
    if (output != null) {
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("model", model.path.toString());
      config.put("tokenizer", tokenizer.toString());
      config.put("corpus", corpus.stream().map(Path::toString).toList());
      config.put("tasks", tasks);
      config.put("shots", shots);
      config.put("fewshot_files", fewShotFiles);
      config.put("seed", seed);
      config.put("limit", limit);
      config.put("batch_size", batchSize);
      config.put("stride", suite.strideFor(lm));
      config.put("max_gen_tokens", maxGenTokens);
      config.put("context_length", lm.config().contextLength());
      Path parent = output.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(output, EvalReport.json(results, config));
    }
    return 0;
  }

  /** A FORMAT=PATH option value; errors name the option. */
  private static EvalSuite.Task parse(String option, String value) {
    try {
      return EvalSuite.Task.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " " + e.getMessage());
    }
  }
}

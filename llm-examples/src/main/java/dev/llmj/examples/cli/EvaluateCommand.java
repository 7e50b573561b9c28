package dev.llmj.examples.cli;

import dev.llmj.core.eval.EvalReport;
import dev.llmj.core.eval.FewShot;
import dev.llmj.core.eval.Gsm8k;
import dev.llmj.core.eval.ModelScorer;
import dev.llmj.core.eval.MultipleChoice;
import dev.llmj.core.eval.Perplexity;
import dev.llmj.core.eval.TaskFormat;
import dev.llmj.core.eval.TaskItem;
import dev.llmj.core.eval.TaskResult;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.data.Document;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.ReaderOptions;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code llm evaluate}: perplexity on corpora and benchmark accuracy in the evaluation-harness formats. */
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
    if (corpus.isEmpty() && tasks.isEmpty()) {
      throw new IllegalArgumentException("nothing to evaluate: give --corpus PATH and/or --task FORMAT=PATH");
    }
    if (shots < 0 || limit < 0 || batchSize < 1 || maxGenTokens < 1) {
      throw new IllegalArgumentException("--shots and --limit must be 0 or more, --batch-size and --max-gen-tokens"
          + " at least 1; got " + shots + ", " + limit + ", " + batchSize + ", " + maxGenTokens);
    }
    List<Map.Entry<TaskFormat, Path>> taskFiles = new ArrayList<>();
    for (String t : tasks) {
      taskFiles.add(formatAndPath("--task", t));
    }
    Map<TaskFormat, Path> fewShotPaths = new EnumMap<>(TaskFormat.class);
    for (String f : fewShotFiles) {
      Map.Entry<TaskFormat, Path> e = formatAndPath("--fewshot-file", f);
      if (fewShotPaths.put(e.getKey(), e.getValue()) != null) {
        throw new IllegalArgumentException("--fewshot-file names " + e.getKey().id() + " twice; give one file or folder");
      }
    }
    Tokenizer tok = Tokenizers.load(tokenizer);
    LanguageModel lm = model.load();
    if (tok.vocabSize() > lm.config().vocabSize()) {
      throw new IllegalArgumentException("the tokenizer has " + tok.vocabSize() + " ids but the model's vocabulary "
          + lm.config().vocabSize() + "; use the tokenizer the model was trained with");
    }
    ModelScorer scorer = new ModelScorer(lm, tok, batchSize);
    List<TaskResult> results = new ArrayList<>();
    if (!corpus.isEmpty()) {
      results.add(perplexity(scorer));
    }
    Map<TaskFormat, Integer> seen = new EnumMap<>(TaskFormat.class);
    taskFiles.forEach(e -> seen.merge(e.getKey(), 1, Integer::sum));
    for (Map.Entry<TaskFormat, Path> e : taskFiles) {
      TaskFormat format = e.getKey();
      String name = seen.get(format) > 1 ? format.id() + ":" + e.getValue().getFileName() : format.id();
      List<TaskItem> all = format.read(e.getValue());
      List<TaskItem> items = limit > 0 && all.size() > limit ? all.subList(0, limit) : all;
      if (items.isEmpty()) {
        throw new IllegalArgumentException(e.getValue() + " holds no " + format.id() + " items");
      }
      Path poolPath = fewShotPaths.get(format);
      // Without a few-shot file, examples come from the whole task file, not only the items --limit keeps.
      List<TaskItem> pool = shots == 0 ? List.of() : poolPath != null ? format.read(poolPath) : all;
      FewShot fewShot = new FewShot(shots, pool, seed);
      System.err.println("evaluating " + name + ": " + items.size() + " items, " + shots + "-shot");
      results.add(format.generative()
          ? Gsm8k.evaluate(name, lm, tok, items, fewShot, maxGenTokens)
          : MultipleChoice.evaluate(name, items, fewShot, scorer));
    }
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
      config.put("stride", stride != null ? stride : lm.config().contextLength());
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

  private TaskResult perplexity(ModelScorer scorer) {
    int s = stride != null ? stride : scorer.model().config().contextLength();
    Perplexity ppl = new Perplexity(scorer, s);
    try (CorpusReader reader = Corpus.read(corpus, ReaderOptions.defaults().withTextField(textField))) {
      System.err.println("evaluating perplexity on " + reader.files().size() + " file(s)");
      var result = ppl.evaluate(limited(reader));
      CorpusInput.reportProblems(reader);
      String name = corpus.size() == 1 ? corpus.get(0).getFileName().toString() : "corpus";
      return result.toTaskResult(name);
    }
  }

  private Iterator<String> limited(CorpusReader reader) {
    return new Iterator<>() {
      long taken;

      @Override
      public boolean hasNext() {
        return (limit == 0 || taken < limit) && reader.hasNext();
      }

      @Override
      public String next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        taken++;
        Document d = reader.next();
        return d.text();
      }
    };
  }

  private static Map.Entry<TaskFormat, Path> formatAndPath(String option, String value) {
    int eq = value.indexOf('=');
    if (eq <= 0 || eq == value.length() - 1) {
      throw new IllegalArgumentException(option + " '" + value + "' must be FORMAT=PATH, e.g. hellaswag=val.jsonl");
    }
    TaskFormat format;
    try {
      format = TaskFormat.of(value.substring(0, eq));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " " + value + ": " + e.getMessage());
    }
    Path path = Path.of(value.substring(eq + 1));
    if (!Files.exists(path)) {
      throw new IllegalArgumentException(option + " " + value + ": " + path + " does not exist");
    }
    return Map.entry(format, path);
  }
}

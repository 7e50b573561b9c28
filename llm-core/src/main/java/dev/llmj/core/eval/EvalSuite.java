package dev.llmj.core.eval;

import dev.llmj.core.model.LanguageModel;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.ReaderOptions;
import dev.llmj.data.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * One evaluation run: perplexity and bits per byte on text corpora, and accuracy on benchmark files in their
 * public formats with the evaluation harness's prompts, few-shot examples drawn with one seed. Validated on
 * construction; {@link #run} reads the files, scores them and returns one result per corpus set and task.
 * {@code llm evaluate} is this class.
 *
 * <pre>{@code
 * EvalSuite suite = EvalSuite.of(List.of(Path.of("wiki.jsonl")), List.of(EvalSuite.Task.parse("hellaswag=val.jsonl")))
 *     .withShots(5, List.of()).withLimit(500);
 * List<TaskResult> results = suite.run(lm, tok, System.err);
 * System.out.print(EvalReport.table(results));
 * }</pre>
 *
 * @param corpus files, folders or globs scored for perplexity, each document separately; may be empty
 * @param textField JSONL field holding a corpus document's text
 * @param tasks benchmark files; may be empty, not both with {@code corpus}
 * @param shots solved examples placed before each item
 * @param fewShotFiles where a format's examples come from (a train or dev file), one per format; without one,
 *     from the task file itself, never the item
 * @param seed seed of the few-shot draws
 * @param limit first N items of each task and first N corpus documents; 0 uses all
 * @param batchSize sequences per forward pass
 * @param stride tokens predicted per perplexity window after the first; 0 is the model's context (disjoint windows)
 * @param maxGenTokens tokens generated at most per answer of a generative task (gsm8k)
 */
public record EvalSuite(List<Path> corpus, String textField, List<Task> tasks, int shots, List<Task> fewShotFiles,
    long seed, int limit, int batchSize, int stride, int maxGenTokens) {

  /** A benchmark file or folder in a format. */
  public record Task(TaskFormat format, Path path) {

    /**
     * {@code FORMAT=PATH}, e.g. {@code hellaswag=val.jsonl}.
     *
     * @throws IllegalArgumentException for another form, an unknown format or a path that does not exist
     */
    public static Task parse(String spec) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new IllegalArgumentException("'" + spec + "' must be FORMAT=PATH, e.g. hellaswag=val.jsonl");
      }
      TaskFormat format;
      try {
        format = TaskFormat.of(spec.substring(0, eq));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(spec + ": " + e.getMessage());
      }
      Path path = Path.of(spec.substring(eq + 1));
      if (!Files.exists(path)) {
        throw new IllegalArgumentException(spec + ": " + path + " does not exist");
      }
      return new Task(format, path);
    }
  }

  public EvalSuite {
    corpus = List.copyOf(corpus);
    tasks = List.copyOf(tasks);
    fewShotFiles = List.copyOf(fewShotFiles);
    if (corpus.isEmpty() && tasks.isEmpty()) {
      throw new IllegalArgumentException("nothing to evaluate: give at least one corpus or one task");
    }
    if (shots < 0 || limit < 0 || batchSize < 1 || maxGenTokens < 1 || stride < 0) {
      throw new IllegalArgumentException("shots, limit and stride must be 0 or more, batch size and"
          + " maximum generated tokens at least 1; got shots " + shots + ", limit " + limit + ", stride " + stride
          + ", batch size " + batchSize + ", maximum generated tokens " + maxGenTokens);
    }
    Map<TaskFormat, Path> seenFormats = new EnumMap<>(TaskFormat.class);
    for (Task f : fewShotFiles) {
      if (seenFormats.put(f.format(), f.path()) != null) {
        throw new IllegalArgumentException("two few-shot files are given for " + f.format().id() + "; give one file or folder per task format");
      }
    }
  }

  /**
   * {@code corpus} and {@code tasks}, zero-shot, all items, text field {@code text}, batches of 4, disjoint
   * perplexity windows, 256 tokens per generated answer, few-shot seed 1234.
   */
  public static EvalSuite of(List<Path> corpus, List<Task> tasks) {
    return new EvalSuite(corpus, "text", tasks, 0, List.of(), 1234, 0, 4, 0, 256);
  }

  /** {@code k} examples per item, drawn from {@code files} (one per format) or else from the task file. */
  public EvalSuite withShots(int k, List<Task> files) {
    return new EvalSuite(corpus, textField, tasks, k, files, seed, limit, batchSize, stride, maxGenTokens);
  }

  public EvalSuite withLimit(int n) {
    return new EvalSuite(corpus, textField, tasks, shots, fewShotFiles, seed, n, batchSize, stride, maxGenTokens);
  }

  /** The stride of perplexity windows, {@code stride} or else the model's context length. */
  public int strideFor(LanguageModel lm) {
    return stride != 0 ? stride : lm.config().contextLength();
  }

  /** Scores the corpus (one result) then each task in order, writing what it starts to {@code log}. */
  public List<TaskResult> run(LanguageModel lm, Tokenizer tok, PrintStream log) throws IOException {
    if (tok.vocabSize() > lm.config().vocabSize()) {
      throw new IllegalArgumentException("the tokenizer has " + tok.vocabSize() + " ids but the model's vocabulary "
          + lm.config().vocabSize() + "; use the tokenizer the model was trained with");
    }
    ModelScorer scorer = new ModelScorer(lm, tok, batchSize);
    List<TaskResult> results = new ArrayList<>();
    if (!corpus.isEmpty()) {
      results.add(perplexity(scorer, log));
    }
    Map<TaskFormat, Integer> seen = new EnumMap<>(TaskFormat.class);
    tasks.forEach(t -> seen.merge(t.format(), 1, Integer::sum));
    for (Task t : tasks) {
      TaskFormat format = t.format();
      String name = seen.get(format) > 1 ? format.id() + ":" + t.path().getFileName() : format.id();
      List<TaskItem> all = format.read(t.path());
      List<TaskItem> items = limit > 0 && all.size() > limit ? all.subList(0, limit) : all;
      if (items.isEmpty()) {
        throw new IllegalArgumentException(t.path() + " holds no " + format.id() + " items");
      }
      Path poolPath = fewShotFiles.stream().filter(f -> f.format() == format).map(Task::path).findFirst().orElse(null);
      // Without a few-shot file, examples come from the whole task file, not only the items the limit keeps.
      List<TaskItem> pool = shots == 0 ? List.of() : poolPath != null ? format.read(poolPath) : all;
      FewShot fewShot = new FewShot(shots, pool, seed);
      log.println("evaluating " + name + ": " + items.size() + " items, " + shots + "-shot");
      results.add(format.generative()
          ? Gsm8k.evaluate(name, lm, tok, items, fewShot, maxGenTokens)
          : MultipleChoice.evaluate(name, items, fewShot, scorer));
    }
    return results;
  }

  private TaskResult perplexity(ModelScorer scorer, PrintStream log) {
    Perplexity ppl = new Perplexity(scorer, strideFor(scorer.model()));
    try (CorpusReader reader = Corpus.read(corpus, ReaderOptions.defaults().withTextField(textField))) {
      log.println("evaluating perplexity on " + reader.files().size() + " file(s)");
      PerplexityResult result = ppl.evaluate(limited(reader));
      if (reader.problems().total() > 0) { // what the reader skipped, so nothing is lost silently
        log.println("input problems: " + reader.problems().counts());
        reader.problems().examples().stream().limit(5).forEach(p -> log.println("  " + p));
      }
      String name = corpus.size() == 1 ? corpus.get(0).getFileName().toString() : "corpus";
      return result.toTaskResult(name);
    }
  }

  /** The texts of the first {@code limit} documents (all when 0). */
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
        return reader.next().text();
      }
    };
  }
}

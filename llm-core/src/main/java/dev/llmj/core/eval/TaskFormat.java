package dev.llmj.core.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The public benchmark file formats this package reads unchanged, each with the prompt format the
 * evaluation harness publishes for it.
 *
 * <pre>{@code
 * List<TaskItem> items = TaskFormat.of("hellaswag").read(Path.of("hellaswag_val.jsonl"));
 * }</pre>
 *
 * A folder is read as all its {@code .jsonl}, {@code .json} and {@code .csv} files in name order (for
 * example the 57 subject files of MMLU's {@code test/}).
 */
public enum TaskFormat {
  /** JSONL with ctx_a, ctx_b, activity_label, endings, label. */
  HELLASWAG("hellaswag", false),
  /** JSONL of the AI2 release (question.stem, question.choices[].text/label, answerKey) or its flat form. */
  ARC("arc", false),
  /** JSONL with sentence (holding "_"), option1, option2, answer "1" or "2"; partial evaluation. */
  WINOGRANDE("winogrande", false),
  /** JSONL with goal, sol1, sol2, and label or a sibling {@code NAME-labels.lst}. */
  PIQA("piqa", false),
  /** CSV question,A,B,C,D,answer named {@code SUBJECT_split.csv}, or JSONL question, subject, choices, answer. */
  MMLU("mmlu", false),
  /** JSON or JSONL with question and mc1_targets; zero-shot behind the fixed TruthfulQA QA prompt. */
  TRUTHFULQA_MC1("truthfulqa-mc1", false),
  /** JSONL with question and answer ending in {@code #### N}; greedy generation, exact match. */
  GSM8K("gsm8k", true);

  private final String id;
  private final boolean generative;

  TaskFormat(String id, boolean generative) {
    this.id = id;
    this.generative = generative;
  }

  /** The name used on the command line and in results. */
  public String id() {
    return id;
  }

  /** Scored by generating an answer rather than by comparing choice log-likelihoods. */
  public boolean generative() {
    return generative;
  }

  public static TaskFormat of(String id) {
    for (TaskFormat f : values()) {
      if (f.id.equals(id.toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown task format '" + id + "'; valid: "
        + Arrays.stream(values()).map(TaskFormat::id).toList());
  }

  /**
   * Reads every item of a file or folder.
   *
   * @throws IllegalArgumentException naming the file, line and field that is missing or malformed
   */
  public List<TaskItem> read(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      return TaskReaders.read(this, path);
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(path)) {
      files = s.filter(p -> p.getFileName().toString().matches(".*\\.(jsonl|json|csv)(\\.gz)?"))
          .filter(Files::isRegularFile).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("folder " + path + " holds no .jsonl, .json or .csv file for " + id);
    }
    List<TaskItem> all = new ArrayList<>();
    for (Path f : files) {
      all.addAll(TaskReaders.read(this, f));
    }
    return all;
  }
}

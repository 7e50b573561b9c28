package dev.llmj.data.spark;

import dev.llmj.data.Document;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.io.JsonlShardWriter;
import dev.llmj.data.pipeline.DistributedSteps;
import dev.llmj.data.pipeline.DistributedSteps.Kind;
import dev.llmj.data.pipeline.PipelineConfig;
import dev.llmj.data.pipeline.Step;
import dev.llmj.data.pipeline.Verdict;
import dev.llmj.data.shard.TokenShardSink;
import dev.llmj.data.shard.TokenShards;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import scala.Tuple2;
import scala.Tuple3;

/**
 * The two passes over one input file, each run by one task. The first computes each document's
 * dedup keys; the second runs every step again, takes the dedup verdicts the driver settled, and
 * writes the shards. Both build their steps from the pipeline file, so they run the in-process
 * step code unchanged.
 */
final class Tasks {
  /** A job-local property (SparkContext.setLocalProperty): the passes ("1", "2" or "1,2") whose tasks fail at their first attempt. */
  static final String FAIL_FIRST_ATTEMPT = "llmj.test.failFirstAttemptOfPass";

  private Tasks() {}

  /**
   * First pass over file {@code file}: runs the steps up to the last dedup step on each document
   * as if it survived every dedup, and records {@code (dedup step, identity, key)} at each dedup
   * step it reaches. Which of those documents really reach a later dedup step the driver settles
   * from these records alone.
   *
   * @return the records as columns {@code (steps, identities, keys)}: one object per file, which
   *     Spark keeps in memory without sizing every record
   */
  static Tuple3<int[], long[], long[][]> keys(TaskSettings settings, int file) {
    failFirstAttempt(1);
    PipelineConfig config = settings.config();
    List<Step> steps = config.steps();
    List<Kind> kinds = TaskSettings.kinds(steps);
    int last = TaskSettings.lastDedup(kinds);
    int n = 0;
    int[] step = new int[1024];
    long[] ids = new long[1024];
    long[][] keys = new long[1024][];
    try (InputFiles.Reader in = settings.open(file, config)) {
      for (long position = 0; in.hasNext(); position++) {
        Document d = in.next();
        long id = Identity.of(file, position);
        for (int s = 0; s <= last; s++) {
          if (kinds.get(s) != Kind.PER_DOCUMENT) {
            if (n == ids.length) {
              step = Arrays.copyOf(step, 2 * n);
              ids = Arrays.copyOf(ids, 2 * n);
              keys = Arrays.copyOf(keys, 2 * n);
            }
            step[n] = s;
            ids[n] = id;
            keys[n++] = DistributedSteps.key(steps.get(s), d);
            continue;
          }
          Verdict v = DistributedSteps.apply(steps.get(s), d);
          if (!v.kept()) break;
          d = v.document();
        }
      }
    }
    return new Tuple3<>(Arrays.copyOf(step, n), Arrays.copyOf(ids, n), Arrays.copyOf(keys, n));
  }

  /**
   * Second pass over file {@code file}: every step in order on every document, the dedup steps
   * dropping the documents in {@code losers} ({@code (position, step)}, any order); kept documents
   * go to this file's shards, in input order.
   */
  static PartitionCounts write(TaskSettings settings, int file, List<Tuple2<Long, Integer>> losers) {
    failFirstAttempt(2);
    PipelineConfig config = settings.config();
    List<Step> steps = config.steps();
    List<Kind> kinds = TaskSettings.kinds(steps);
    long[] lostAt = new long[losers.size()];
    int[] lostStep = new int[losers.size()];
    losers.sort((a, b) -> Long.compare(a._1(), b._1()));
    for (int i = 0; i < lostAt.length; i++) {
      lostAt[i] = losers.get(i)._1();
      lostStep[i] = losers.get(i)._2();
    }
    PartitionCounts counts = PartitionCounts.empty(steps.size());
    long[] kept = counts.kept();
    long[] nanos = counts.nanos();
    String part = String.format("part-%05d", file);
    OutputDir output = new OutputDir(settings.output(), settings.conf());
    TaskContext task = TaskContext.get();
    String attempt = part + (task == null ? "" : "-" + task.taskAttemptId());
    PipelineConfig.Output out = config.output();
    long read = 0;
    long written = 0;
    long bytes;
    long tokens = 0;
    try {
      Path scratch = output.scratch(attempt);
      Path rejectedDir = scratch.resolve("rejected");
      Path tokenDir = scratch.resolve("tokens").resolve(part);
      try (InputFiles.Reader in = settings.open(file, config);
          JsonlShardWriter jsonl = JsonlShardWriter.create(scratch, part, out.shardBytes(), out.compression());
          JsonlShardWriter rejected = out.writeRejected()
              ? JsonlShardWriter.create(rejectedDir, "rejected-" + part.substring(5), out.shardBytes(), out.compression())
              : null;
          TokenShardSink tokenSink = settings.tokenizer() == null ? null : tokenSink(settings, tokenDir)) {
        int next = 0; // the next loser, in position order
        for (long position = 0; in.hasNext(); position++) {
          Document d = in.next();
          read++;
          int lost = -1;
          if (next < lostAt.length && lostAt[next] == position) lost = lostStep[next++];
          boolean alive = true;
          for (int s = 0; s < steps.size() && alive; s++) {
            Step step = steps.get(s);
            String reason = null;
            if (kinds.get(s) == Kind.PER_DOCUMENT) {
              long t0 = System.nanoTime();
              Verdict v = DistributedSteps.apply(step, d);
              nanos[s] += System.nanoTime() - t0;
              if (v.kept()) d = v.document();
              else reason = v.reason();
            } else if (lost == s) {
              reason = DistributedSteps.dropReason(step);
            }
            if (reason == null) {
              kept[s]++;
              continue;
            }
            if (lost > s) throw changed(settings, file, position);
            counts.dropped().get(s).merge(reason, 1L, Long::sum);
            if (rejected != null) rejected.accept(DistributedSteps.rejected(d, step, reason));
            alive = false;
          }
          if (!alive) continue;
          if (lost >= 0) throw changed(settings, file, position);
          written++;
          jsonl.accept(d);
          if (tokenSink != null) tokenSink.accept(d);
        }
        if (next < lostAt.length) throw changed(settings, file, lostAt[next]);
        bytes = in.bytesRead();
        Map<String, Long> problems = counts.problems();
        problems.putAll(in.problems().counts());
        counts.examples().addAll(in.problems().examples());
        if (tokenSink != null) {
          tokenSink.close();
          tokens = tokenSink.stats().tokens();
        }
      }
      for (int s = 0; s < steps.size(); s++) {
        if (kinds.get(s) == Kind.PER_DOCUMENT) counts.counters().set(s, new TreeMap<>(steps.get(s).counters()));
      }
      publishAll(output, scratch, scratch);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the shards of " + settings.files().get(file) + ": " + e.getMessage(), e);
    }
    return new PartitionCounts(read, written, bytes, kept, counts.dropped(), counts.counters(), nanos, counts.problems(),
        counts.examples(), tokens);
  }

  private static TokenShardSink tokenSink(TaskSettings settings, Path dir) {
    try {
      TokenShards.Options o = TokenShards.Options.defaults().withThreads(1);
      if (settings.tokensPerShard() > 0) o = o.withTokensPerShard(settings.tokensPerShard());
      return TokenShardSink.open(dir, Tokenizers.load(Path.of(settings.tokenizer())), o);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot load tokenizer " + settings.tokenizer() + ": " + e.getMessage(), e);
    }
  }

  /** Publishes every file under {@code dir} under its path relative to {@code root}. */
  private static void publishAll(OutputDir output, Path root, Path dir) throws IOException {
    List<Path> entries;
    try (Stream<Path> s = Files.list(dir)) {
      entries = s.sorted().toList();
    }
    for (Path p : entries) {
      if (Files.isDirectory(p)) publishAll(output, root, p);
      else output.publish(p, root.relativize(p).toString().replace('\\', '/'));
    }
  }

  private static IllegalStateException changed(TaskSettings settings, int file, long position) {
    return new IllegalStateException("document " + position + " of " + settings.files().get(file)
        + " met different steps in the two passes; the input or a step changed while the job ran");
  }

  /**
   * Fault injection for the tests: with the job-local property {@value #FAIL_FIRST_ATTEMPT} naming
   * {@code pass}, the first attempt of every task of that pass fails.
   */
  private static void failFirstAttempt(int pass) {
    TaskContext task = TaskContext.get();
    String passes = task == null ? null : task.getLocalProperty(FAIL_FIRST_ATTEMPT);
    if (passes != null && List.of(passes.split(",")).contains(Integer.toString(pass)) && task.attemptNumber() == 0) {
      throw new IllegalStateException("injected failure of the first attempt of pass " + pass + ", partition "
          + task.partitionId());
    }
  }

}

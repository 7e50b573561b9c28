package dev.llmj.core.io;

import dev.llmj.data.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of one training run, as {@code step-NNNNNNNN} folders in a run folder. Saving is
 * atomic and then prunes to the last {@code keepLast} checkpoints plus the best one by a metric.
 * Opening a manager deletes temporary folders left by interrupted saves. One writer per run folder.
 *
 * <pre>{@code
 * CheckpointManager ckpts = new CheckpointManager(Path.of("runs/a"), CheckpointManager.Retention.keepLast(3)
 *     .withBest("val_loss", false));
 * Optional<Checkpoint> resume = ckpts.loadLatest();
 * ...
 * ckpts.save(new Checkpoint(config, weights, optState, optScalars,
 *     new TrainerState(step, tokens, Map.of("val_loss", loss), dataPos, rng, null)));
 * }</pre>
 */
public final class CheckpointManager {
  private static final Logger log = LoggerFactory.getLogger(CheckpointManager.class);
  private static final Pattern NAME = Pattern.compile("step-(\\d{1,18})");

  /**
   * @param keepLast the most recent checkpoints always kept (at least 1)
   * @param bestMetric the metric whose best checkpoint is also kept, or null for none
   * @param higherIsBetter true for accuracy-like metrics, false for losses
   */
  public record Retention(int keepLast, String bestMetric, boolean higherIsBetter) {
    public Retention {
      if (keepLast < 1) {
        throw new IllegalArgumentException("keepLast must be at least 1, got " + keepLast);
      }
    }

    public static Retention keepLast(int n) {
      return new Retention(n, null, false);
    }

    public Retention withBest(String metric, boolean higherIsBetter) {
      return new Retention(keepLast, metric, higherIsBetter);
    }
  }

  /** A complete checkpoint on disk. */
  public record Entry(Path folder, long step, Map<String, Double> metrics) {}

  private final Path runDir;
  private final Retention retention;

  public CheckpointManager(Path runDir, Retention retention) throws IOException {
    this.runDir = runDir;
    this.retention = retention;
    Files.createDirectories(runDir);
    cleanTemporaries();
  }

  /** The folder a checkpoint of {@code step} is saved in. */
  public Path folderFor(long step) {
    return runDir.resolve(String.format("step-%08d", step));
  }

  /**
   * Writes {@code checkpoint} atomically as {@link #folderFor}(its step), replacing an existing
   * checkpoint of the same step, then applies the retention policy.
   */
  public Path save(Checkpoint checkpoint) throws IOException {
    Path target = folderFor(checkpoint.trainerState().step());
    if (Files.exists(target)) {
      Path staging = AtomicFiles.tempSibling(target);
      AtomicFiles.writeDirectory(staging, checkpoint::writeInto);
      discard(target);
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } else {
      checkpoint.write(target);
    }
    prune();
    return target;
  }

  /** Complete checkpoints, oldest first. Incomplete or damaged step folders are skipped with a warning. */
  public List<Entry> list() throws IOException {
    return list(runDir);
  }

  /**
   * The newest complete checkpoint in {@code runDir}, found without changing anything there (unlike the
   * constructor, which removes debris), so it is safe on a folder a running trainer writes to.
   */
  public static Optional<Entry> latestComplete(Path runDir) throws IOException {
    if (!Files.isDirectory(runDir)) {
      throw new IllegalArgumentException(runDir + ": not a folder of step-NNNNNNNN checkpoints");
    }
    List<Entry> all = list(runDir);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Whether {@code folder}'s name has the form of a checkpoint folder, {@code step-NNNNNNNN}. */
  public static boolean isStepFolder(Path folder) {
    return folder.getFileName() != null && NAME.matcher(folder.getFileName().toString()).matches();
  }

  private static List<Entry> list(Path runDir) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> children = Files.list(runDir)) {
      for (Path p : children.sorted().toList()) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (!m.matches() || !Files.isDirectory(p)) {
          continue;
        }
        try {
          Checkpoint.verify(p);
          entries.add(new Entry(p, Long.parseLong(m.group(1)), Checkpoint.readTrainerState(p).metrics()));
        } catch (IllegalArgumentException e) {
          log.warn("skipping {}: {}", p, e.getMessage());
        }
      }
    }
    entries.sort(Comparator.comparingLong(Entry::step));
    return entries;
  }

  public Optional<Entry> latest() throws IOException {
    List<Entry> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** The best complete checkpoint by the retention metric; empty when none records it. */
  public Optional<Entry> best() throws IOException {
    return best(list());
  }

  public Optional<Checkpoint> loadLatest() throws IOException {
    Optional<Entry> latest = latest();
    return latest.isEmpty() ? Optional.empty() : Optional.of(Checkpoint.read(latest.get().folder()));
  }

  private Optional<Entry> best(List<Entry> entries) {
    String metric = retention.bestMetric();
    if (metric == null) {
      return Optional.empty();
    }
    Comparator<Entry> byMetric = Comparator.comparingDouble(e -> e.metrics().get(metric));
    if (!retention.higherIsBetter()) {
      byMetric = byMetric.reversed();
    }
    // Ties go to the later step.
    return entries.stream().filter(e -> e.metrics().containsKey(metric))
        .max(byMetric.thenComparingLong(Entry::step));
  }

  private void prune() throws IOException {
    List<Entry> entries = list();
    Set<Path> keep = new HashSet<>();
    for (int i = Math.max(0, entries.size() - retention.keepLast()); i < entries.size(); i++) {
      keep.add(entries.get(i).folder());
    }
    best(entries).ifPresent(e -> keep.add(e.folder()));
    for (Entry e : entries) {
      if (!keep.contains(e.folder())) {
        discard(e.folder());
      }
    }
  }

  /** Renames first so a half-deleted checkpoint is never mistaken for a complete one. */
  private static void discard(Path folder) throws IOException {
    Path doomed = AtomicFiles.tempSibling(folder);
    Files.move(folder, doomed, StandardCopyOption.ATOMIC_MOVE);
    AtomicFiles.deleteTree(doomed);
  }

  /** Deletes debris of interrupted saves and deletions; returns how many folders were removed. */
  int cleanTemporaries() throws IOException {
    int removed = 0;
    try (Stream<Path> children = Files.list(runDir)) {
      for (Path p : children.toList()) {
        if (AtomicFiles.isTemporary(p)) {
          log.info("removing {} left by an interrupted checkpoint write", p);
          AtomicFiles.deleteTree(p);
          removed++;
        }
      }
    }
    return removed;
  }
}

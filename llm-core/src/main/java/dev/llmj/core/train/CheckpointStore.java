package dev.llmj.core.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where checkpoints go. A save is atomic: after a crash at any moment, {@link #latest()} returns either the
 * previous complete checkpoint or the new complete one, never a partial one. The store also applies its
 * retention rule (keep the last K, plus the best by validation loss).
 *
 * <pre>{@code
 * CheckpointStore store = CheckpointStore.directory(runDir.resolve("checkpoints"), 3, true);
 * Optional<Checkpoint> last = store.latest();
 * }</pre>
 */
public interface CheckpointStore {

  /** Writes {@code checkpoint} atomically, then deletes checkpoints the retention rule no longer keeps. */
  void save(Checkpoint checkpoint) throws IOException;

  /** Steps of the complete checkpoints held, ascending. */
  List<Long> steps() throws IOException;

  /** The checkpoint of {@code step}, read and verified. */
  Checkpoint load(long step) throws IOException;

  /** The newest complete checkpoint, if any. */
  default Optional<Checkpoint> latest() throws IOException {
    List<Long> steps = steps();
    return steps.isEmpty() ? Optional.empty() : Optional.of(load(steps.get(steps.size() - 1)));
  }

  /**
   * A store of one folder per checkpoint ({@code step-00001000/} holding {@code params.bin},
   * {@code updater.bin} in ND4J's binary array format and {@code state.json}), written to a temporary
   * folder, fsynced, and renamed into place.
   *
   * @param keepLast how many of the newest checkpoints to keep (>= 1)
   * @param keepBest also keep the one with the lowest validation loss
   */
  static CheckpointStore directory(Path dir, int keepLast, boolean keepBest) throws IOException {
    return new FileCheckpointStore(dir, keepLast, keepBest);
  }
}

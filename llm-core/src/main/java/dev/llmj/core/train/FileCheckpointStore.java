package dev.llmj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link CheckpointStore#directory}: temp folder + fsync + atomic rename; CRC32 per array file. */
final class FileCheckpointStore implements CheckpointStore {

  private static final Logger log = LoggerFactory.getLogger(FileCheckpointStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NAME = Pattern.compile("step-(\\d{8,})");
  private static final String TMP = ".tmp-";
  static final String STATE = "state.json";
  static final String PARAMS = "params.bin";
  static final String UPDATER = "updater.bin";

  private final Path dir;
  private final int keepLast;
  private final boolean keepBest;

  FileCheckpointStore(Path dir, int keepLast, boolean keepBest) throws IOException {
    if (keepLast < 1) {
      throw new IllegalArgumentException("keepLast=" + keepLast + " must be >= 1 to keep the latest checkpoint");
    }
    this.dir = dir;
    this.keepLast = keepLast;
    this.keepBest = keepBest;
    Files.createDirectories(dir);
    // Leftovers of a save or delete that a crash interrupted: never valid, safe to remove.
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(TMP)).toList()) {
        log.info("Removing incomplete checkpoint folder {}", p);
        deleteTree(p);
      }
    }
  }

  @Override
  public void save(Checkpoint c) throws IOException {
    Path target = dir.resolve(name(c.step()));
    Path tmp = Files.createTempDirectory(dir, TMP + name(c.step()) + "-");
    ObjectNode meta = c.state().deepCopy();
    meta.put("step", c.step());
    meta.put("validation_loss", c.validationLoss());
    meta.put("params_crc32", writeArray(c.params(), tmp.resolve(PARAMS)));
    meta.put("params_length", c.params().length());
    if (c.updaterState() != null) {
      meta.put("updater_crc32", writeArray(c.updaterState(), tmp.resolve(UPDATER)));
      meta.put("updater_length", c.updaterState().length());
    }
    writeSynced(tmp.resolve(STATE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
    syncDir(tmp);
    if (Files.exists(target)) { // re-saving a step (e.g. the final one): move the old one out first
      deleteTree(Files.move(target, dir.resolve(TMP + "old-" + target.getFileName()),
          StandardCopyOption.ATOMIC_MOVE));
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("File system of " + dir + " cannot rename atomically; checkpoints need it", e);
    }
    syncDir(dir);
    prune();
  }

  @Override
  public List<Long> steps() throws IOException {
    List<Long> steps = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches() && Files.isRegularFile(p.resolve(STATE))) {
          steps.add(Long.parseLong(m.group(1)));
        }
      }
    }
    steps.sort(Comparator.naturalOrder());
    return steps;
  }

  @Override
  public Checkpoint load(long step) throws IOException {
    Path folder = dir.resolve(name(step));
    JsonNode meta;
    try {
      meta = JSON.readTree(folder.resolve(STATE).toFile());
    } catch (IOException e) {
      throw new IOException(folder.resolve(STATE) + ": unreadable checkpoint state (" + e.getMessage() + ")", e);
    }
    if (!(meta instanceof ObjectNode state) || meta.path("step").asLong(-1) != step) {
      throw new IOException(folder.resolve(STATE) + ": not a checkpoint state for step " + step);
    }
    INDArray params = readArray(folder.resolve(PARAMS), meta, "params");
    INDArray updater = meta.has("updater_crc32") ? readArray(folder.resolve(UPDATER), meta, "updater") : null;
    return new Checkpoint(step, params, updater, state, meta.path("validation_loss").asDouble(Double.NaN));
  }

  private void prune() throws IOException {
    List<Long> steps = steps();
    Set<Long> keep = new TreeSet<>(steps.subList(Math.max(0, steps.size() - keepLast), steps.size()));
    if (keepBest) {
      long best = -1;
      double bestLoss = Double.POSITIVE_INFINITY;
      for (long s : steps) {
        double loss = JSON.readTree(dir.resolve(name(s)).resolve(STATE).toFile())
            .path("validation_loss").asDouble(Double.NaN);
        if (loss < bestLoss) { // NaN never compares less, so unevaluated checkpoints never win
          bestLoss = loss;
          best = s;
        }
      }
      keep.add(best);
    }
    for (long s : steps) {
      if (!keep.contains(s)) {
        Path doomed = dir.resolve(TMP + "del-" + name(s));
        Files.move(dir.resolve(name(s)), doomed, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(doomed);
      }
    }
  }

  private static String name(long step) {
    return String.format("step-%08d", step);
  }

  private static long writeArray(INDArray array, Path file) throws IOException {
    CRC32 crc = new CRC32();
    try (FileOutputStream fos = new FileOutputStream(file.toFile());
        DataOutputStream out = new DataOutputStream(
            new BufferedOutputStream(new CheckedOutputStream(fos, crc), 1 << 16))) {
      Nd4j.write(array, out);
      out.flush();
      fos.getFD().sync();
    }
    return crc.getValue();
  }

  private static INDArray readArray(Path file, JsonNode meta, String what) throws IOException {
    CRC32 crc = new CRC32();
    INDArray array;
    try (InputStream in = new CheckedInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16), crc);
        DataInputStream data = new DataInputStream(in)) {
      array = Nd4j.read(data);
      in.transferTo(java.io.OutputStream.nullOutputStream()); // checksum covers the whole file
    } catch (RuntimeException e) {
      throw new IOException(file + ": corrupt " + what + " array (" + e.getMessage() + ")", e);
    }
    if (crc.getValue() != meta.path(what + "_crc32").asLong()) {
      throw new IOException(file + ": CRC32 " + crc.getValue() + " does not match " + meta.path(what + "_crc32")
          + " recorded in " + STATE + "; the checkpoint is damaged, resume from an older one");
    }
    if (array.length() != meta.path(what + "_length").asLong()) {
      throw new IOException(file + ": " + array.length() + " values, state says " + meta.path(what + "_length"));
    }
    return array;
  }

  private static void writeSynced(Path file, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
  }

  /** Makes a rename or new entry in {@code d} durable (Linux: fsync on the directory). */
  private static void syncDir(Path d) {
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open directories; the rename is still atomic there.
      log.debug("Directory fsync not supported for {}: {}", d, e.toString());
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

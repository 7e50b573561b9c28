package dev.llmj.examples.cli;

import dev.llmj.kernels.StartupCheck;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code llm prepare --engine spark} from a plain {@code java -jar llm.jar}: Spark is not in
 * llm.jar (clusters bring their own), so when it is missing the tool starts itself again with the
 * jars that the build copies into {@code spark-jars/} beside llm.jar on its class path.
 */
final class SparkJars {
  static final String FOLDER = "spark-jars";

  private SparkJars() {}

  static boolean sparkEngine(String[] args) {
    List<String> a = Arrays.asList(args);
    int i = a.indexOf("--engine");
    return a.contains("--engine=spark") || (i >= 0 && i + 1 < a.size() && a.get(i + 1).equals("spark"));
  }

  static boolean sparkPresent() {
    try {
      Class.forName("org.apache.spark.sql.SparkSession", false, SparkJars.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** The jar or folder this class was loaded from. */
  private static Path home() {
    try {
      return Path.of(SparkJars.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The command that starts this tool again with Spark's jars (and the JVM options the fast paths
   * need), or empty when Spark is already here or no {@value #FOLDER} folder lies beside the jar.
   */
  static Optional<List<String>> relaunchCommand(String[] args) {
    if (!sparkEngine(args) || sparkPresent()) return Optional.empty();
    Path home = home();
    Path jars = home == null ? null : home.toAbsolutePath().getParent().resolve(FOLDER);
    if (jars == null || !Files.isDirectory(jars)) return Optional.empty();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.addAll(StartupCheck.missingJvmOptions());
    cmd.add("-cp");
    cmd.add(home + File.pathSeparator + jars + File.separator + "*");
    cmd.add(Llm.class.getName());
    cmd.addAll(List.of(args));
    return Optional.of(cmd);
  }

  /** Why {@code --engine spark} cannot run here, and the fix. */
  static String missingMessage() {
    return "--engine spark needs Apache Spark on the class path: build with `mvn -B -DskipTests package` (it copies"
        + " Spark's jars into llm-examples/target/" + FOLDER + ") and run java -jar llm-examples/target/llm.jar, or run"
        + " the jar with spark-submit --class " + Llm.class.getName();
  }
}

package dev.llmj.examples.cli;

import dev.llmj.core.run.RunReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code llm report RUN_DIR}: rebuilds loss.png and report.html of a run. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Rebuild the loss plot (loss.png) and the self-contained HTML report (report.html) of a run folder.")
final class ReportCommand implements Callable<Integer> {

  @Parameters(paramLabel = "RUN_DIR", description = "A run folder with metrics.jsonl.")
  Path run;

  @Override
  public Integer call() throws IOException {
    System.out.println(RunReport.write(run));
    return 0;
  }
}

package dev.llmj.examples.cli;

import dev.llmj.core.dist.Collectives;
import dev.llmj.core.run.PretrainRun;
import dev.llmj.core.train.TrainResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code llm pretrain}: {@link PretrainRun} from a run.json, or its continuation with {@code --resume}; under
 * {@code mpirun -np W} (or {@code srun}) each process is one rank of a data-parallel run.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
    description = "Pre-train from a run.json (data, model, initializer, trainer settings), or --resume a run.")
final class PretrainCommand implements Callable<Integer> {

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--config", paramLabel = "FILE", description = "run.json describing the run.")
    Path config;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR from its newest checkpoint.")
    Path resume;
  }

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Trainer setting overrides, e.g. --set lr=3e-4.")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    PretrainRun run = (source.config != null ? PretrainRun.read(source.config) : PretrainRun.resume(source.resume))
        .withOverrides(overrides);
    TrainResult r = run.run();
    if (Collectives.world().rank() != 0) {
      return 0; // rank 0 reports for the job
    }
    System.out.printf(Locale.ROOT, "steps=%d tokens=%d loss=%.4f%s run=%s%n", r.steps(), r.tokens(), r.lastLoss(),
        r.lastEvaluation() == null ? "" : String.format(Locale.ROOT, " val_loss=%.4f", r.lastEvaluation().loss()),
        run.output());
    return 0;
  }
}

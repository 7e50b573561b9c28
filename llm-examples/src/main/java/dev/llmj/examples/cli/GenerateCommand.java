package dev.llmj.examples.cli;

import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code llm generate}: text from a prompt, streamed as it is sampled. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {"Continue a prompt, printing the text to stdout as it is generated; stops at <|endoftext|>.",
        "Example: llm generate --model models/gpt2 --tokenizer models/gpt2 --prompt \"Fellow citizens\""
            + " --max-tokens 60 --temperature 0.8 --top-k 40 --seed 1"})
final class GenerateCommand implements Callable<Integer> {

  @Mixin ModelOption model;

  @Option(names = "--tokenizer", required = true, paramLabel = "PATH",
      description = "tokenizer.json, or a folder with tokenizer.json or encoder.json + vocab.bpe.")
  Path tokenizer;

  @Option(names = "--prompt", required = true, paramLabel = "TEXT",
      description = "Text to continue; an empty prompt starts from <|endoftext|>.")
  String prompt;

  @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "100",
      description = "Tokens to generate at most (prompt + N must fit the context). Default: ${DEFAULT-VALUE}.")
  int maxTokens;

  @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
      description = "Logits are divided by T; 0 is greedy. Default: ${DEFAULT-VALUE}.")
  double temperature;

  @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
      description = "Sample among the K most likely tokens; 0 keeps all. Default: ${DEFAULT-VALUE}.")
  int topK;

  @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0",
      description = "Sample among the most likely tokens whose probability reaches P; 1 keeps all. Default: ${DEFAULT-VALUE}.")
  double topP;

  @Option(names = "--repetition-penalty", paramLabel = "R", defaultValue = "1.0",
      description = "Penalise tokens already in the text (Hugging Face rule); 1 is off. Default: ${DEFAULT-VALUE}.")
  double repetitionPenalty;

  @Option(names = "--seed", paramLabel = "S", description = "Sampling seed; the same seed gives the same text."
      + " Default: a random seed, printed to stderr.")
  Long seed;

  @Override
  public Integer call() throws IOException {
    Tokenizer tok = Tokenizers.load(tokenizer);
    LanguageModel lm = model.load();
    OptionalInt eot = tok.specialTokenId("<|endoftext|>");
    int[] ids = prompt.isEmpty() ? eot.stream().toArray() : tok.encode(prompt);
    if (ids.length == 0) {
      throw new IllegalArgumentException("--prompt is empty and the tokenizer has no <|endoftext|> to start from");
    }
    for (int id : ids) {
      if (id >= lm.config().vocabSize()) {
        throw new IllegalArgumentException("the prompt encodes to id " + id + " but the model's vocabulary has "
            + lm.config().vocabSize() + " ids; use the tokenizer the model was trained with");
      }
    }
    long s = seed != null ? seed : new java.util.Random().nextLong();
    if (seed == null) {
      System.err.println("seed " + s);
    }
    GenerationConfig config = new GenerationConfig(maxTokens, temperature, topK, topP, repetitionPenalty,
        eot.stream().toArray(), s);
    PrintStream out = System.out;
    TextStream text = new TextStream(tok);
    int stop = eot.orElse(-1);
    lm.generate(ids, config, id -> {
      if (id != stop) {
        out.print(text.add(id));
        out.flush();
      }
    });
    out.println(text.finish());
    return 0;
  }
}

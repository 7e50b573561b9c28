package dev.llmj.examples;

import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.train.Evaluation;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.TrainResult;
import dev.llmj.core.train.Trainer;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.EmbeddedCorpus;
import dev.llmj.data.shard.PackingConfig;
import dev.llmj.data.shard.PackingIterator;
import dev.llmj.data.shard.TokenShards;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Continued pre-training of a Hugging Face model on new text: import a folder of any family the library
 * reads (GPT-2, Llama, Mistral, Qwen 2 and 3, Gemma; {@code config.json} + {@code model.safetensors},
 * sharded or not), tokenize the text with the model's own tokenizer,
 * train with a low learning rate after a short warm-up, compare held-out loss before and after, then save
 * the result both as a checkpoint of this library and as a Hugging Face folder.
 *
 * <pre>
 * java -cp llm.jar dev.llmj.examples.ContinuePretraining MODEL_DIR [OUT_DIR] [TEXT] [STEPS] [LR]
 * </pre>
 *
 * TEXT is any corpus file or folder (.txt, .jsonl, tar; compressed or not), by default the embedded State
 * of the Union addresses; defaults: runs/continued, 200 steps, learning rate 1e-4. The tokenizer is the
 * folder's tokenizer.json (or encoder.json + vocab.bpe), else GPT-2's.
 */
public final class ContinuePretraining {

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("give a Hugging Face model folder, e.g. models/gpt2 (see the class Javadoc)");
    }
    Path base = Path.of(args[0]);
    Path out = Path.of(args.length > 1 ? args[1] : "runs/continued");
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    // Low: the model already knows the language, and a pre-training rate would wash much of that out.
    double lr = args.length > 4 ? Double.parseDouble(args[4]) : 1e-4;
    if (Files.exists(out)) {
      throw new IllegalArgumentException(out + " already exists; give a new output folder");
    }
    LanguageModel lm = LanguageModel.load(base);
    boolean ownTokenizer = Files.exists(base.resolve("tokenizer.json")) || Files.exists(base.resolve("encoder.json"));
    Tokenizer tok = ownTokenizer ? Tokenizers.load(base) : Tokenizers.gpt2();
    if (tok.vocabSize() > lm.config().vocabSize()) {
      throw new IllegalArgumentException("the tokenizer has " + tok.vocabSize() + " ids but the model only "
          + lm.config().vocabSize() + "; put the model's tokenizer.json into " + base);
    }
    Path text = args.length > 2 ? Path.of(args[2]) : EmbeddedCorpus.SOTU.copyTo(out.resolve("data"));
    TokenShards.Stats shards;
    try (CorpusReader docs = Corpus.read(text)) {
      shards = TokenShards.write(docs, tok, out.resolve("shards"));
    }
    double bytesPerToken = (double) shards.bytes() / shards.tokens();

    int seqLen = Math.min(256, lm.config().contextLength());
    int batch = 4;
    PackingIterator data = PackingIterator.open(out.resolve("shards"),
        PackingConfig.of(seqLen, batch).withEpochs(1000).withShuffle(1).withValidationFraction(0.1));
    TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of("lr=" + lr, "min_lr=" + lr / 10,
        "warmup_steps=" + Math.max(1, steps / 20), "max_steps=" + steps, "micro_batch=" + batch,
        "seq_len=" + seqLen, "eval_every=0", "eval_batches=50", "checkpoint_every=0", "keep_last=1"));
    Trainer trainer = lm.trainer(cfg)
        .train(data)
        .validation(data.validation(), bytesPerToken)
        .checkpoints(out.resolve("checkpoints"))
        .metrics(out.resolve("metrics.jsonl"))
        .build();
    Evaluation before = trainer.evaluate();
    TrainResult result = trainer.run();
    Evaluation after = result.lastEvaluation();
    System.out.printf("%d tokens of new text; held-out loss %.4f -> %.4f nats (%.3f -> %.3f bits per byte)"
        + " after %d steps%n", shards.tokens(), before.loss(), after.loss(), before.bitsPerByte(),
        after.bitsPerByte(), result.steps());

    lm.save(out.resolve("model"));
    lm.exportHuggingFace(out.resolve("hf"));
    for (String f : List.of("tokenizer.json", "encoder.json", "vocab.bpe", "vocab.json", "merges.txt")) {
      if (Files.exists(base.resolve(f))) {
        Files.copy(base.resolve(f), out.resolve("hf").resolve(f));
      }
    }
    System.out.println("saved " + out.resolve("model") + " and " + out.resolve("hf"));
  }
}
